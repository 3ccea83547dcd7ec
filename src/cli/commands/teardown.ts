/**
 * `dynafeast teardown`: deletes every table the registry records for the project and removes the project
 * from the registry. It reads feature_store.yaml and the registry only, never the definitions, so a repo
 * whose YAML is broken or gone can still be torn down (like `terraform destroy` works from state).
 */
import { confirmTeardown, planTeardown, runTeardown, teardownTaskSpecs, type TeardownPlan } from '../../core/teardown.js';
import { cliConfirm } from '../confirm.js';
import type { Output } from '../output.js';
import { formatElapsed } from '../render-plan.js';
import type { GlobalFlags, TeardownFlags } from '../program.js';
import { progressModeOf, runWithProgress } from '../progress.js';
import { openConfigAwsSession } from '../session.js';
import { retryPolicyOf } from '../../core/util/retry.js';

export async function runTeardownCommand(o: TeardownFlags, g: GlobalFlags): Promise<number> {
  const s = await openConfigAwsSession(g);
  const { out, config, aws } = s;
  try {
    const ctx = { dynamo: aws.dynamo, endpoint: aws.endpoint, customEndpoint: s.embedded !== undefined || config.onlineStore.endpointUrl !== undefined };
    const plan = await planTeardown(ctx, config);
    if (plan.notRecorded) {
      // Already torn down (or never applied to this registry): nothing to do, as `terraform destroy` on empty state.
      const others = plan.notRecorded.otherProjects;
      if (g.json) {
        out.printJson({
          ok: true,
          project: plan.project,
          registryPath: plan.registryPath,
          notRecorded: true,
          otherProjects: others,
          deleted: [],
          absent: [],
          kept: [],
          registry: { written: false },
          elapsedMs: 0,
        });
      } else {
        out.say(
          `${out.symbols.ok} Nothing to tear down: project ${out.color.bold(plan.project)} is not recorded in ${plan.registryPath}${others.length ? ` (it records ${others.map((p) => `"${p}"`).join(', ')})` : ''}.`,
        );
        out.note(`If \`project:\` in ${config.source} was renamed since apply, set it back to the applied name and run teardown again.`);
      }
      return 0;
    }
    if (!g.json) out.say(renderTeardownPlan(plan, out));
    await confirmTeardown(plan, cliConfirm({ yes: o.yes, json: g.json }));
    const result = await runWithProgress(teardownTaskSpecs(plan), progressModeOf(g), out, (progress) =>
      runTeardown(plan, { dynamo: aws.dynamo, endpoint: aws.endpoint, progress, confirm: async () => true, retry: retryPolicyOf(config) }),
    );
    if (g.json) {
      out.printJson({
        ok: true,
        project: plan.project,
        registryPath: plan.registryPath,
        deleted: result.deleted,
        absent: result.absent,
        kept: result.kept,
        registry: { written: result.registry?.written ?? false },
        elapsedMs: result.elapsedMs,
      });
    } else {
      const parts = [`${result.deleted.length} table(s) deleted`];
      if (result.absent.length) parts.push(`${result.absent.length} already gone`);
      if (result.kept.length) parts.push(`${result.kept.length} kept (shared with another project)`);
      if (result.registry?.written) parts.push('project removed from the registry');
      out.say(`${out.symbols.ok} Teardown complete in ${formatElapsed(result.elapsedMs)}: ${parts.join(', ')}.`);
    }
    return 0;
  } finally {
    await s.close();
  }
}

/** What teardown is about to do, before it asks. */
function renderTeardownPlan(plan: TeardownPlan, out: Output): string {
  const lines = [`Teardown of project ${out.color.bold(plan.project)} (as recorded in ${plan.registryPath}):`];
  for (const t of plan.tables) {
    if (!t.exists) {
      lines.push(out.color.dim(`  = table ${t.table} of view ${t.view}: already gone`));
    } else if (t.sharedWith.length > 0) {
      lines.push(`  ${out.symbols.warn} keep table ${t.table}: project(s) ${t.sharedWith.join(', ')} record a view with the same table name`);
    } else {
      const extra = [t.holdsItems === true && 'holds items', t.deletionProtected && 'deletion protection on'].filter(Boolean).join(', ');
      lines.push(`  ${out.symbols.remove} delete table ${t.table}${extra ? ` (${extra})` : ''}`);
    }
  }
  if (plan.registryChanges.length) lines.push(`  ${out.symbols.remove} remove ${plan.registryChanges.length} object(s) of the project from the registry`);
  return lines.join('\n');
}
