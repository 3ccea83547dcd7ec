import path from 'node:path';
import { initRepo } from '../../core/init/init-repo.js';
import { systemClock } from '../../core/context.js';
import { createOutput } from '../output.js';
import type { GlobalFlags, InitFlags } from '../program.js';

export async function runInit(o: InitFlags, g: GlobalFlags): Promise<number> {
  const out = createOutput(g);
  const parentDir = path.resolve(g.chdir ?? '.');
  const result = await initRepo({
    parentDir,
    name: o.name,
    template: o.template,
    region: o.region,
    env: process.env,
    clock: systemClock,
  });
  if (g.json) {
    out.printJson({ ok: true, repoDir: result.repoDir, files: result.files });
    return 0;
  }
  const rel = path.relative(process.cwd(), result.repoDir) || '.';
  if (result.region?.source === 'placeholder') {
    out.warn(`no --region and no AWS_REGION: wrote the placeholder region ${result.region.value} to feature_store.yaml; change it before apply`);
  }
  out.say(`${out.symbols.ok} Created feature repo ${out.color.bold(rel)} (${o.template} template)`);
  for (const f of result.files) out.say(`    ${f}`);
  out.say('');
  out.say('Next:');
  out.say(`  cd ${rel}`);
  if (o.template === 'aws') out.say('  # check region and credentials in feature_store.yaml first');
  out.say('  dynafeast apply');
  out.say('  dynafeast materialize-incremental now');
  out.say('  dynafeast get-online-features -f driver_hourly_stats:conv_rate -e driver_id=1001');
  return 0;
}
