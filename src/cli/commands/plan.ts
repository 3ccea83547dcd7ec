/**
 * `dynafeast plan`: shows what apply would change. `--detailed-exitcode` follows Terraform: 0 no
 * changes, 2 changes pending, 1 any error (usage errors included, so 2 is never ambiguous).
 */
import { buildPlan } from '../../core/plan/build-plan.js';
import { planToJson } from '../../core/plan/plan-json.js';
import type { GlobalFlags, PlanFlags } from '../program.js';
import { renderPlan } from '../render-plan.js';
import { openAwsSession, type AwsSession } from '../session.js';

export const EXIT_CHANGES_PENDING = 2;

/** The plan context of a session: emulators get their TTL/PITR support probed. */
export function planContextOf(s: AwsSession, opts: { adopt?: boolean } = {}) {
  return {
    adopt: opts.adopt === true,
    dynamo: s.aws.dynamo,
    endpoint: s.aws.endpoint,
    customEndpoint: s.embedded !== undefined || s.config.onlineStore.endpointUrl !== undefined,
  };
}

export async function runPlan(o: PlanFlags, g: GlobalFlags): Promise<number> {
  // NOTE: with --detailed-exitcode a usage error exits 1, not 2 (2 means "changes pending"); main.ts
  // applies that, as the one place that maps errors to exit codes.
  const s = await openAwsSession(g);
  try {
    const plan = await buildPlan(planContextOf(s, { adopt: o.adopt }), s.config, s.repo, { infrastructureOnly: s.origin.kind === 'registry' });
    if (g.json) s.out.printJson(planToJson(plan));
    else s.out.say(renderPlan(plan, s.out));
    return o.detailedExitcode && plan.steps.length > 0 ? EXIT_CHANGES_PENDING : 0;
  } finally {
    await s.close();
  }
}
