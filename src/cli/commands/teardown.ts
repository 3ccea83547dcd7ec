/**
 * `dynafeast teardown`: deletes every table of the project and removes the project from the registry.
 */
import { confirmTeardown, planTeardown, runTeardown, teardownTaskSpecs } from '../../core/teardown.js';
import { cliConfirm } from '../confirm.js';
import { formatElapsed } from '../render-plan.js';
import type { GlobalOptions, TeardownOptions } from '../program.js';
import { progressModeOf, runWithProgress } from '../progress.js';
import { openAwsSession } from '../session.js';
import { planContextOf } from './plan.js';

export async function runTeardownCommand(o: TeardownOptions, g: GlobalOptions): Promise<number> {
  const s = await openAwsSession(g);
  const { out } = s;
  try {
    const plan = await planTeardown(planContextOf(s), s.config, s.repo);
    const existing = plan.tables.filter((t) => t.exists);
    if (existing.length === 0 && plan.registryChanges.length === 0) {
      if (g.json) out.printJson({ ok: true, deleted: [], absent: plan.tables.map((t) => t.table), registry: { written: false } });
      else out.say(`${out.symbols.ok} Nothing to tear down: project ${out.color.bold(plan.project)} has no tables and no registry entries.`);
      return 0;
    }
    if (!g.json) {
      out.say(`Teardown of project ${out.color.bold(plan.project)}:`);
      for (const t of existing) {
        const extra = [t.holdsItems === true && 'holds items', t.deletionProtected && 'deletion protection on'].filter(Boolean).join(', ');
        out.say(`  ${out.symbols.remove} delete table ${t.table}${extra ? ` (${extra})` : ''}`);
      }
      if (plan.registryChanges.length) out.say(`  ${out.symbols.remove} remove ${plan.registryChanges.length} object(s) from ${plan.registryPath}`);
    }
    await confirmTeardown(plan, cliConfirm({ yes: o.yes, json: g.json }));
    const result = await runWithProgress(teardownTaskSpecs(plan), progressModeOf(g), out, (progress) =>
      runTeardown(plan, { dynamo: s.aws.dynamo, endpoint: s.aws.endpoint, progress, confirm: async () => true }),
    );
    if (g.json) {
      out.printJson({ ok: true, deleted: result.deleted, absent: result.absent, registry: { written: result.registry?.written ?? false }, elapsedMs: result.elapsedMs });
    } else {
      out.say(`${out.symbols.ok} Teardown complete in ${formatElapsed(result.elapsedMs)}: ${result.deleted.length} table(s) deleted${result.registry?.written ? ', project removed from the registry' : ''}.`);
    }
    return 0;
  } finally {
    await s.close();
  }
}
