/**
 * `apply`: executes exactly the steps of a plan (CONTRIBUTING.md convention 3), in dependency order — table creates and
 * updates (tables in parallel, each table's steps in order), then deletions, then the registry — so the
 * registry never names a table that does not exist, and a failed deletion leaves the view in the
 * registry for the next plan to retry.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock, type Clock } from '../context.js';
import { DynafeastError } from '../errors.js';
import { withDone } from '../fs-error.js';
import { ignoreProgress, type ProgressSink, type TaskSpec } from '../progress.js';
import { commitRegistryChanges, type CommitResult } from '../registry/commit.js';
import type { LockOptions } from '../registry/lock.js';
import { removeSpoolsOf } from '../offline/dynamodb/scan-spool.js';
import { runPool } from '../util/pool.js';
import type { RetryPolicy } from '../util/retry.js';
import { describeStep, stepVerb } from './describe-step.js';
import { executeTableStep, type ExecContext, type StepOutcome, type TableState } from './execute-step.js';
import { destructiveSteps, isRegistryStep, isTableStep, type Plan, type PlanStep, type TableStep } from './steps.js';
import type { WaitOptions } from './wait.js';

export interface ConfirmRequest {
  operation: 'apply' | 'teardown';
  /** Tables to be deleted that may hold feature data. */
  tables: { table: string; view: string; holdsItems: boolean | 'unknown' }[];
  /** A question for a prompt: what will be lost. */
  question: string;
}

/** Resolves true to go ahead. May throw (e.g. `usage.confirmationRequired` when nobody can answer). */
export type ConfirmFn = (request: ConfirmRequest) => Promise<boolean>;

export interface ApplyOptions {
  dynamo: DynamoDBClient;
  endpoint?: string;
  clock?: Clock;
  progress?: ProgressSink;
  /** Asked before deleting tables that may hold items; without it such a plan is refused. */
  confirm?: ConfirmFn;
  /** Tables worked on at once. */
  concurrency?: number;
  wait?: WaitOptions;
  /** dynafeast.retry (retryPolicyOf); default DEFAULT_RETRY_POLICY. */
  retry?: RetryPolicy;
  lock?: LockOptions;
}

export interface StepResult {
  step: PlanStep;
  status: StepOutcome['status'];
  message?: string;
}

export interface ApplyResult {
  results: StepResult[];
  /** Everything the user should read: denied permissions, unsupported operations. */
  warnings: string[];
  registry?: CommitResult;
  elapsedMs: number;
}

interface Group {
  id: string;
  title: string;
  steps: TableStep[];
}

function groupsOf(steps: TableStep[]): Group[] {
  const groups = new Map<string, Group>();
  for (const s of steps) {
    const id = `table:${s.table}`;
    const g = groups.get(id) ?? { id, title: s.table, steps: [] };
    g.steps.push(s);
    groups.set(id, g);
  }
  for (const g of groups.values()) g.title = `${g.title}: ${g.steps.map(stepVerb).join(', ')}`;
  return [...groups.values()];
}

const phases = (plan: Plan) => {
  const table = plan.steps.filter(isTableStep);
  return {
    build: groupsOf(table.filter((s) => s.kind !== 'delete_table')),
    remove: groupsOf(table.filter((s) => s.kind === 'delete_table')),
    registry: plan.steps.filter(isRegistryStep),
  };
};

/** The progress tasks apply reports on, known before it starts (for listr2). */
export function applyTaskSpecs(plan: Plan): TaskSpec[] {
  const p = phases(plan);
  const specs: TaskSpec[] = [...p.build, ...p.remove].map((g) => ({ id: g.id, title: g.title }));
  if (p.registry.length) specs.push({ id: 'registry', title: `registry: ${p.registry.length} change(s)` });
  return specs;
}

export function confirmQuestion(operation: ConfirmRequest['operation'], tables: ConfirmRequest['tables']): string {
  const list = tables.map((t) => `${t.table}${t.holdsItems === 'unknown' ? ' (contents unknown)' : ''}`).join(', ');
  return `${operation} will delete ${tables.length} table(s) that may hold feature data: ${list}. Continue?`;
}

/**
 * Refuses before touching anything when a deletion cannot or may not happen. applyPlan calls it; a CLI
 * calls it first too, to ask its question before progress output takes over the terminal.
 */
export async function confirmPlan(plan: Plan, confirm: ConfirmFn | undefined): Promise<void> {
  const protectedTables = plan.steps.filter((s) => s.kind === 'delete_table' && s.deletionProtected).map((s) => (s as TableStep).table);
  if (protectedTables.length) {
    throw new DynafeastError('dynamo.deletionProtected', `cannot delete ${protectedTables.join(', ')}: deletion protection is on`, {
      hint: `turn it off first (aws dynamodb update-table --table-name ${protectedTables[0]} --no-deletion-protection-enabled), or keep the view in the repo`,
    });
  }
  const risky = destructiveSteps(plan.steps).map((s) => ({ table: s.table, view: s.view, holdsItems: s.holdsItems }));
  if (risky.length === 0) return;
  const request: ConfirmRequest = { operation: 'apply', tables: risky, question: confirmQuestion('apply', risky) };
  if (!confirm) {
    throw new DynafeastError('usage.confirmationRequired', `apply would delete ${risky.length} table(s) holding data and nobody confirmed it`, {
      hint: 'run it on a terminal to be asked, or pass --yes',
    });
  }
  if (!(await confirm(request))) throw new DynafeastError('aborted', 'apply cancelled: nothing was changed');
}

export async function applyPlan(plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
  const started = Date.now();
  const progress = opts.progress ?? ignoreProgress;
  await confirmPlan(plan, opts.confirm);
  const ctx: ExecContext = { dynamo: opts.dynamo, endpoint: opts.endpoint, wait: opts.wait ?? {}, ...(opts.retry ? { retry: opts.retry } : {}) };
  const results: StepResult[] = [];
  const warnings: string[] = [];
  const failures: DynafeastError[] = [];

  const runGroup = async (g: Group) => {
    progress({ type: 'start', id: g.id });
    const state: TableState = {};
    const notes: string[] = [];
    try {
      for (const step of g.steps) {
        progress({ type: 'update', id: g.id, message: describeStep(step) });
        const outcome = await executeTableStep(ctx, step, state);
        results.push({ step, status: outcome.status, ...(outcome.message ? { message: outcome.message } : {}) });
        if (outcome.status !== 'done' && outcome.message) {
          for (const line of outcome.message.split('\n')) {
            warnings.push(`${step.table}: ${line}`);
            notes.push(line);
            progress({ type: 'warning', id: g.id, message: line });
          }
        }
      }
      progress({ type: 'done', id: g.id, ...(notes.length ? { message: `${notes.length} warning(s)` } : {}) });
    } catch (e) {
      const err = e instanceof DynafeastError ? e : new DynafeastError('internal', String((e as Error)?.message ?? e), { cause: e });
      failures.push(err);
      progress({ type: 'failed', id: g.id, message: err.message });
    }
  };

  const p = phases(plan);
  const concurrency = opts.concurrency ?? 8;
  await runPool(p.build, concurrency, runGroup);
  if (failures.length === 0) await runPool(p.remove, concurrency, runGroup);
  if (failures.length > 0) {
    const skipped = p.registry.length ? '; the registry was not written' : '';
    if (failures.length === 1) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- failures.length is 1
      const only = failures[0]!;
      throw new DynafeastError(only.code, `${only.message}${skipped}`, { hint: only.hint, cause: only.cause });
    }
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- only reached with at least one failure
    throw new DynafeastError(failures[0]!.code, `apply failed on ${failures.length} tables${skipped}`, { details: failures });
  }

  let registry: CommitResult | undefined;
  if (p.registry.length) {
    progress({ type: 'start', id: 'registry' });
    try {
      registry = await commitRegistryChanges(
        plan.registryStore ?? plan.registryPath,
        plan.project,
        plan.registry.desired,
        p.registry.map(({ kind: _k, ...c }) => c),
        opts.clock ?? systemClock,
        opts.lock,
      );
    } catch (e) {
      progress({ type: 'failed', id: 'registry', message: (e as Error).message });
      const tables = results.length;
      throw withDone(
        e,
        `${tables ? `the ${tables} DynamoDB table change(s) are done, but ` : ''}the registry was not written: run \`dynafeast apply\` again once it can be`,
      );
    }
    for (const step of p.registry) results.push({ step, status: 'done' });
    progress({ type: 'done', id: 'registry', message: plan.registryPath });
  }
  if (plan.repoPath !== undefined) {
    // a removed view (or one no longer online) has nothing left to resume
    const removed = [
      ...p.remove.flatMap((g) => g.steps.map((s) => s.view)),
      ...p.registry.filter((s) => s.objectType === 'feature_view' && s.action === 'delete').map((s) => s.name),
    ];
    warnings.push(...(await removeSpoolsOf(plan.repoPath, removed, progress)));
  }
  return { results, warnings, ...(registry ? { registry } : {}), elapsedMs: Date.now() - started };
}
