/**
 * `dynafeast apply`: computes the plan, shows it, asks before deleting data, then executes exactly that
 * plan with progress, and writes the registry.
 */
import { applyPlan, applyTaskSpecs, confirmPlan } from '../../core/plan/apply-plan.js';
import { buildPlan } from '../../core/plan/build-plan.js';
import { planToJson } from '../../core/plan/plan-json.js';
import { cliConfirm } from '../confirm.js';
import type { ApplyFlags, GlobalFlags } from '../program.js';
import { progressModeOf, runWithProgress } from '../progress.js';
import { formatElapsed, renderNotes, renderPlan, renderPlanSteps, renderSummary } from '../render-plan.js';
import { openAwsSession } from '../session.js';
import { planContextOf } from './plan.js';
import { retryPolicyOf } from '../../core/util/retry.js';

export async function runApply(o: ApplyFlags, g: GlobalFlags): Promise<number> {
  const s = await openAwsSession(g);
  const { out } = s;
  try {
    const plan = await buildPlan(planContextOf(s, { adopt: o.adopt }), s.config, s.repo, { infrastructureOnly: s.origin.kind === 'registry' });
    if (plan.steps.length === 0) {
      if (g.json) out.printJson({ ok: true, plan: planToJson(plan), results: [], warnings: [] });
      else out.say(renderPlan(plan, out));
      return 0;
    }
    if (!g.json) out.say([...renderPlanSteps(plan, out), ...renderNotes(plan, out), '', renderSummary(plan), ''].join('\n'));
    // asked before the progress display owns the terminal
    await confirmPlan(plan, cliConfirm({ yes: o.yes, json: g.json }));
    const result = await runWithProgress(applyTaskSpecs(plan), progressModeOf(g), out, (progress) =>
      applyPlan(plan, { dynamo: s.aws.dynamo, endpoint: s.aws.endpoint, progress, confirm: async () => true, retry: retryPolicyOf(s.config) }),
    );
    if (g.json) {
      out.printJson({
        ok: true,
        plan: planToJson(plan),
        results: result.results.map((r) => ({
          kind: r.step.kind,
          ...('table' in r.step ? { table: r.step.table } : { name: r.step.name }),
          status: r.status,
          ...(r.message ? { message: r.message } : {}),
        })),
        warnings: result.warnings,
        registry: result.registry ? { written: result.registry.written, versionId: result.registry.versionId } : { written: false },
        elapsedMs: result.elapsedMs,
      });
      return 0;
    }
    const count = (status: string) => result.results.filter((r) => r.status === status).length;
    const partial = [count('warning') && `${count('warning')} with warnings`, count('skipped') && `${count('skipped')} not supported by the endpoint`].filter(
      Boolean,
    );
    out.say(
      `${out.symbols.ok} Apply complete in ${formatElapsed(result.elapsedMs)}: ${count('done')} step(s) done${partial.length ? `, ${partial.join(', ')}` : ''}.`,
    );
    if (result.registry?.written) out.say(`  registry written: ${plan.registryPath} (version ${result.registry.versionId})`);
    return 0;
  } finally {
    await s.close();
  }
}
