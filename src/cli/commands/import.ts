/** `dynafeast import [--out FILE] [--force]`: the Feast registry's definitions as dynafeast YAML. */
import { importDefinitions } from '../../core/repo/import-definitions.js';
import type { GlobalFlags, ImportFlags } from '../program.js';
import { openConfig } from '../session.js';

export async function runImport(o: ImportFlags, g: GlobalFlags): Promise<number> {
  const { config, out } = openConfig(g);
  const result = await importDefinitions(config, { out: o.out, force: o.force });
  if (g.json) {
    out.printJson({ ok: true, ...result });
    return 0;
  }
  out.say(
    `${out.symbols.ok} wrote ${result.file}: ${result.entities} entities, ${result.sources} data sources, ${result.featureViews} feature views, ${result.featureServices} feature services`,
  );
  for (const k of result.kept) out.note(`  kept in the registry, not in YAML: ${k.kind} ${k.name} (${k.reason})`);
  out.note('  next: `dynafeast plan` should report no changes');
  return 0;
}
