/**
 * `dynafeast plan`: shows what apply would change. `--detailed-exitcode` follows Terraform: 0 no
 * changes, 2 changes pending, 1 any error (usage errors included, so 2 is never ambiguous).
 */
import { buildPlan } from '../../core/plan/build-plan.js';
import { planToJson } from '../../core/plan/plan-json.js';
import { createOutput } from '../output.js';
import type { GlobalOptions, PlanOptions } from '../program.js';
import { EXIT_FAILED, EXIT_USAGE, errorToJson, exitCodeOf, renderError } from '../render-error.js';
import { renderPlan } from '../render-plan.js';
import { openAwsSession, type AwsSession } from '../session.js';

export const EXIT_CHANGES_PENDING = 2;

/** The plan context of a session: emulators get their TTL/PITR support probed. */
export function planContextOf(s: AwsSession) {
  return {
    dynamo: s.aws.dynamo,
    endpoint: s.aws.endpoint,
    customEndpoint: s.embedded !== undefined || s.config.onlineStore.endpointUrl !== undefined,
  };
}

export async function runPlan(o: PlanOptions, g: GlobalOptions): Promise<number> {
  try {
    const s = await openAwsSession(g);
    try {
      const plan = await buildPlan(planContextOf(s), s.config, s.repo);
      if (g.json) s.out.printJson(planToJson(plan));
      else s.out.say(renderPlan(plan, s.out));
      return o.detailedExitcode && plan.steps.length > 0 ? EXIT_CHANGES_PENDING : 0;
    } finally {
      await s.close();
    }
  } catch (e) {
    if (!o.detailedExitcode || exitCodeOf(e) !== EXIT_USAGE) throw e;
    // 2 means "changes pending" here, so a usage error is reported by this command as 1
    const out = createOutput(g);
    if (g.json) out.printJson(errorToJson(e));
    const { packageVersion } = await import('../main.js');
    process.stderr.write(renderError(e, out, { debug: g.debug, version: packageVersion() }) + '\n');
    return EXIT_FAILED;
  }
}
