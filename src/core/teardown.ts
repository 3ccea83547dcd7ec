/**
 * `teardown`: deletes every table of the project's feature views and removes the project from the
 * registry. Idempotent: a missing table is done. Deletion-protected tables are reported and keep the
 * project in the registry, so running teardown again after turning protection off finishes the job.
 */
import type { RepoConfig } from './config/types.js';
import { systemClock, type Clock } from './context.js';
import { DynafeastError } from './errors.js';
import { ignoreProgress, type ProgressSink, type TaskSpec } from './progress.js';
import type { RepoModel } from './repo/model.js';
import { removeProject, type CommitResult } from './registry/commit.js';
import type { LockOptions } from './registry/lock.js';
import { removeProjectFromRegistry, type RegistryChange } from './registry/reconcile.js';
import { readRegistryIfExists, registryPathOf } from './registry/registry-file.js';
import { confirmQuestion, type ConfirmFn } from './plan/apply-plan.js';
import { executeTableStep } from './plan/execute-step.js';
import { FULL_SUPPORT, introspectTables } from './plan/introspect.js';
import type { PlanContext } from './plan/build-plan.js';
import { tableNameOf } from './plan/table-name.js';
import type { WaitOptions } from './plan/wait.js';

export interface TeardownTable {
  view: string;
  table: string;
  exists: boolean;
  holdsItems: boolean | 'unknown';
  deletionProtected: boolean;
}

export interface TeardownPlan {
  project: string;
  registryPath: string;
  tables: TeardownTable[];
  registryChanges: RegistryChange[];
}

export interface TeardownOptions {
  dynamo: PlanContext['dynamo'];
  endpoint?: string;
  confirm?: ConfirmFn;
  progress?: ProgressSink;
  clock?: Clock;
  concurrency?: number;
  wait?: WaitOptions;
  lock?: LockOptions;
}

export interface TeardownResult {
  deleted: string[];
  /** Tables that were already gone. */
  absent: string[];
  registry?: CommitResult;
  elapsedMs: number;
}

/**
 * The views come from the repo (when it loads) and from the registry, so tables of views already
 * removed from the repo, or of a repo that no longer parses, are found too.
 */
export async function planTeardown(ctx: PlanContext, config: RepoConfig, repo?: RepoModel): Promise<TeardownPlan> {
  const registryPath = registryPathOf(config);
  const registry = await readRegistryIfExists(registryPath);
  const views = new Set<string>();
  for (const v of repo?.featureViews ?? []) if (v.online) views.add(v.name);
  for (const v of registry?.featureViews ?? []) if (v.spec?.project === config.project && v.spec.online) views.add(v.spec.name);
  const byTable = new Map([...views].sort().map((view) => [tableNameOf(config, view), view]));
  const actual = await introspectTables(ctx, [...byTable.keys()].map((table) => ({ table, purpose: 'delete' as const })), FULL_SUPPORT);
  const tables = [...byTable].map(([table, view]): TeardownTable => {
    const a = actual.get(table);
    return { view, table, exists: a?.exists === true, holdsItems: a?.holdsItems ?? false, deletionProtected: a?.deletionProtection === true };
  });
  return {
    project: config.project,
    registryPath,
    tables,
    registryChanges: registry ? removeProjectFromRegistry(registry, config.project).changes : [],
  };
}

export function teardownTaskSpecs(plan: TeardownPlan): TaskSpec[] {
  const specs = plan.tables.filter((t) => t.exists).map((t) => ({ id: `table:${t.table}`, title: `delete ${t.table}` }));
  if (plan.registryChanges.length) specs.push({ id: 'registry', title: `remove project ${plan.project} from the registry` });
  return specs;
}

/** Asks before deleting anything (teardown always deletes data, so any existing table counts). */
export async function confirmTeardown(plan: TeardownPlan, confirm: ConfirmFn | undefined): Promise<void> {
  const deletable = plan.tables.filter((t) => t.exists && !t.deletionProtected);
  if (deletable.length > 0) {
    const tables = deletable.map((t) => ({ table: t.table, view: t.view, holdsItems: t.holdsItems }));
    if (!confirm) {
      throw new DynafeastError('usage.confirmationRequired', `teardown would delete ${tables.length} table(s) and nobody confirmed it`, {
        hint: 'run it on a terminal to be asked, or pass --yes',
      });
    }
    if (!(await confirm({ operation: 'teardown', tables, question: confirmQuestion('teardown', tables) }))) {
      throw new DynafeastError('aborted', 'teardown cancelled: nothing was deleted');
    }
  }
}

export async function runTeardown(plan: TeardownPlan, opts: TeardownOptions): Promise<TeardownResult> {
  const started = Date.now();
  const progress = opts.progress ?? ignoreProgress;
  const existing = plan.tables.filter((t) => t.exists);
  const deletable = existing.filter((t) => !t.deletionProtected);
  const blocked = existing.filter((t) => t.deletionProtected);
  await confirmTeardown(plan, opts.confirm);

  const ctx = { dynamo: opts.dynamo, endpoint: opts.endpoint, wait: opts.wait ?? {} };
  const deleted: string[] = [];
  const absent = plan.tables.filter((t) => !t.exists).map((t) => t.table);
  const failures: DynafeastError[] = [];
  let next = 0;
  const worker = async () => {
    while (next < deletable.length) {
      const t = deletable[next++]!;
      const id = `table:${t.table}`;
      progress({ type: 'start', id });
      try {
        const outcome = await executeTableStep(ctx, { kind: 'delete_table', table: t.table, view: t.view, holdsItems: t.holdsItems, deletionProtected: false }, {});
        (outcome.message === 'already gone' ? absent : deleted).push(t.table);
        progress({ type: 'done', id, ...(outcome.message ? { message: outcome.message } : {}) });
      } catch (e) {
        const err = e instanceof DynafeastError ? e : new DynafeastError('internal', String((e as Error)?.message ?? e), { cause: e });
        failures.push(err);
        progress({ type: 'failed', id, message: err.message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, deletable.length) }, worker));
  for (const t of blocked) progress({ type: 'failed', id: `table:${t.table}`, message: 'deletion protection is on' });

  if (failures.length > 0) {
    throw failures.length === 1
      ? failures[0]!
      : new DynafeastError(failures[0]!.code, `teardown failed on ${failures.length} tables; the registry was not changed`, { details: failures });
  }
  if (blocked.length > 0) {
    const names = blocked.map((t) => t.table);
    throw new DynafeastError('dynamo.deletionProtected', `deleted ${deleted.length} table(s), but ${names.join(', ')} ha${names.length === 1 ? 's' : 've'} deletion protection on; the project stays in the registry`, {
      hint: `turn protection off (aws dynamodb update-table --table-name ${names[0]} --no-deletion-protection-enabled, or dynafeast.tables.deletion_protection: false and apply), then run teardown again`,
    });
  }
  let registry: CommitResult | undefined;
  if (plan.registryChanges.length > 0) {
    progress({ type: 'start', id: 'registry' });
    registry = await removeProject(plan.registryPath, plan.project, opts.clock ?? systemClock, opts.lock);
    progress({ type: 'done', id: 'registry', message: plan.registryPath });
  }
  return { deleted, absent, ...(registry ? { registry } : {}), elapsedMs: Date.now() - started };
}
