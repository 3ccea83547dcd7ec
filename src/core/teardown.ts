/**
 * `teardown`: deletes every table of the project's feature views and removes the project from the
 * registry. It works from feature_store.yaml and the registry alone: the tables are those of the online
 * feature views the registry records for the project (the views apply made tables for), named by the
 * config's `table_name_template` exactly as apply names them. Definitions are not needed, so a repo whose
 * YAML no longer loads can still be torn down, as `terraform destroy` works from state rather than from
 * the configuration. Idempotent on tables: a missing table is done. Deletion-protected tables are
 * reported and keep the project in the registry, so running teardown again after turning protection
 * off finishes the job.
 */
import type { Registry } from '../gen/feast/core/Registry_pb.js';
import type { RepoConfig } from './config/types.js';
import { DynafeastError } from './errors.js';
import { ignoreProgress, type ProgressSink, type TaskSpec } from './progress.js';
import type { RepoModel } from './repo/model.js';
import { removeProject, type CommitResult } from './registry/commit.js';
import { removeProjectFromRegistry, type RegistryChange } from './registry/reconcile.js';
import { registryStoreOf, toRegistryStore, type RegistryStore, type RegistryTarget } from './registry/registry-store.js';
import { formatTableName, tableNameOf } from './layout/table-name.js';
import { confirmQuestion, type ConfirmFn } from './plan/apply-plan.js';
import { executeTableStep } from './plan/execute-step.js';
import { FULL_SUPPORT, introspectTables } from './plan/introspect.js';
import type { PlanContext } from './plan/build-plan.js';
import { notOursError, ownershipOf, type ForeignTable } from './plan/ownership.js';
import type { WaitOptions } from './plan/wait.js';
import { removeSpoolsOf } from './offline/dynamodb/scan-spool.js';
import { runPool } from './util/pool.js';
import type { RetryPolicy } from './util/retry.js';

export interface RecordedTable {
  view: string;
  table: string;
  /**
   * Other projects of the registry with a view whose table gets the same name (possible only when the
   * template leaves out `{project}`): that table is theirs too, so teardown keeps it.
   */
  sharedWith: string[];
}

type TeardownConfig = Pick<RepoConfig, 'project' | 'onlineStore' | 'source'>;

/**
 * The registry teardown works from. A file that is not a Feast registry is refused (nothing may be
 * deleted on a guess).
 */
export async function readRegistryForTeardown(target: RegistryTarget): Promise<Registry | undefined> {
  try {
    return await toRegistryStore(target).read();
  } catch (e) {
    if (!(e instanceof DynafeastError) || e.code !== 'registry.corrupt') throw e;
    throw new DynafeastError('registry.corrupt', `${e.message}; nothing was deleted`, {
      path: 'registry',
      hint: 'teardown deletes exactly the tables the registry records, so it needs a readable one: restore the file from a backup (or point `registry:` at the right file) and run teardown again',
      cause: e.cause,
    });
  }
}

export function missingRegistryError(config: TeardownConfig, registryPath: string): DynafeastError {
  return new DynafeastError(
    'config.badValue',
    `no registry at ${registryPath} (the \`registry:\` of ${config.source}): nothing was applied from here, so there is nothing recorded to tear down`,
    {
      path: 'registry',
      hint: `check that -c / -f name the repo you applied and that \`registry:\` names its registry file; tables made some other way are not teardown's to delete (aws dynamodb delete-table --table-name ${tableNameOf(config, '<view>')} removes one by hand)`,
    },
  );
}

/** Every project the registry knows of, sorted. */
export function projectsOf(registry: Registry): string[] {
  const names = new Set<string>();
  for (const p of registry.projects) if (p.spec?.name) names.add(p.spec.name);
  for (const m of registry.projectMetadata) if (m.project) names.add(m.project);
  for (const v of registry.featureViews) if (v.spec?.project) names.add(v.spec.project);
  return [...names].sort();
}

/**
 * The tables of `views` (the project's recorded online views, plus any the caller adds), sorted by
 * table name, each with the other projects whose recorded view maps to the same name.
 */
export function recordedTables(config: TeardownConfig, registry: Registry | undefined, extraViews: Iterable<string> = []): RecordedTable[] {
  const views = new Set(extraViews);
  const othersByTable = new Map<string, Set<string>>();
  for (const v of registry?.featureViews ?? []) {
    const spec = v.spec;
    if (!spec?.online) continue;
    if (spec.project === config.project) views.add(spec.name);
    else {
      const table = formatTableName(config.onlineStore.tableNameTemplate, spec.project, spec.name);
      othersByTable.set(table, (othersByTable.get(table) ?? new Set<string>()).add(spec.project));
    }
  }
  return [...views]
    .map((view) => {
      const table = tableNameOf(config, view);
      return { view, table, sharedWith: [...(othersByTable.get(table) ?? [])].sort() };
    })
    .sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
}

/** DeleteTable calls in flight: each returns once DynamoDB starts deleting, so a few at once suffice. */
const DELETE_CONCURRENCY = 8;

export interface TeardownTable {
  view: string;
  table: string;
  exists: boolean;
  holdsItems: boolean | 'unknown';
  deletionProtected: boolean;
  /** Other projects whose recorded view has this same table name: the table is kept, never deleted. */
  sharedWith: string[];
}

export interface TeardownPlan {
  project: string;
  registryPath: string;
  /** The store teardown writes through; a plan built by hand may leave it out (a local file at registryPath). */
  registryStore?: RegistryStore;
  tables: TeardownTable[];
  registryChanges: RegistryChange[];
  /** The repo's folder: teardown removes its views' DynamoDB-source scan spools (scan-spool.ts). */
  repoPath?: string;
  /**
   * Set when the registry does not record the project (already torn down, or `project:` renamed since
   * apply) and no repo was given: there is nothing to delete, and the projects it does record.
   */
  notRecorded?: { otherProjects: string[] };
}

export interface TeardownOptions {
  dynamo: PlanContext['dynamo'];
  endpoint?: string;
  confirm?: ConfirmFn;
  progress?: ProgressSink;
  wait?: WaitOptions;
  /** dynafeast.retry (retryPolicyOf); default DEFAULT_RETRY_POLICY. */
  retry?: RetryPolicy;
}

export interface TeardownResult {
  deleted: string[];
  /** Tables that were already gone. */
  absent: string[];
  /** Tables left in place because another project's view uses the same table name. */
  kept: { table: string; sharedWith: string[] }[];
  registry?: CommitResult;
  elapsedMs: number;
}

/**
 * The tables are those of the online views the registry records for the project, so the definitions
 * are not needed (the CLI does not load them). Without a repo, a missing registry is a usage error saying
 * so; a registry that does not record the project gives an empty plan marked `notRecorded` (a second
 * teardown has nothing left to do); a file that is not a registry is refused before anything is looked at. A library caller may pass `repo` to add the tables of its online views too
 * (views defined but never applied); then a missing registry or project just means fewer tables.
 */
export async function planTeardown(ctx: PlanContext, config: RepoConfig, repo?: RepoModel): Promise<TeardownPlan> {
  const registryStore = registryStoreOf(config);
  const registryPath = registryStore.where;
  const registry = await readRegistryForTeardown(registryStore);
  const registryChanges = registry ? removeProjectFromRegistry(registry, config.project).changes : [];
  if (!repo && !registry) throw missingRegistryError(config, registryPath);
  if (!repo && registry && registryChanges.length === 0) {
    return {
      project: config.project,
      registryPath,
      registryStore,
      tables: [],
      registryChanges,
      repoPath: config.repoPath,
      notRecorded: { otherProjects: projectsOf(registry) },
    };
  }
  const recorded = recordedTables(
    config,
    registry,
    (repo?.featureViews ?? []).filter((v) => v.online).map((v) => v.name),
  );
  const actual = await introspectTables(
    ctx,
    recorded.map((t) => ({ table: t.table, purpose: 'delete' as const })),
    FULL_SUPPORT,
  );
  const tables = recorded.map(({ view, table, sharedWith }): TeardownTable => {
    const a = actual.get(table);
    return { view, table, exists: a?.exists === true, holdsItems: a?.holdsItems ?? false, deletionProtected: a?.deletionProtection === true, sharedWith };
  });
  // nothing is deleted unless every table is this project's: a table replaced by someone else's since apply stops it all
  const inRegistry = new Set((registry?.featureViews ?? []).filter((v) => v.spec?.project === config.project && v.spec.online).map((v) => v.spec?.name ?? ''));
  const foreign: ForeignTable[] = [];
  for (const t of tables) {
    const a = actual.get(t.table);
    if (!a?.exists || t.sharedWith.length > 0) continue;
    const o = ownershipOf(a, { project: config.project, recorded: inRegistry.has(t.view), purpose: 'delete' });
    if (!o.owned) foreign.push({ table: t.table, view: t.view, reason: o.reason, adoptable: false });
  }
  if (foreign.length) throw notOursError(config.project, 'teardown', foreign, true);
  return { project: config.project, registryPath, registryStore, tables, registryChanges, repoPath: config.repoPath };
}

/** Tables teardown deletes: those that exist, are not protected and are the project's alone. */
export function deletableTables(plan: TeardownPlan): TeardownTable[] {
  return plan.tables.filter((t) => t.exists && !t.deletionProtected && t.sharedWith.length === 0);
}

export function teardownTaskSpecs(plan: TeardownPlan): TaskSpec[] {
  const specs = plan.tables.filter((t) => t.exists && t.sharedWith.length === 0).map((t) => ({ id: `table:${t.table}`, title: `delete ${t.table}` }));
  if (plan.registryChanges.length) specs.push({ id: 'registry', title: `remove project ${plan.project} from the registry` });
  return specs;
}

/** Asks before deleting anything (teardown always deletes data, so any existing table counts). */
export async function confirmTeardown(plan: TeardownPlan, confirm: ConfirmFn | undefined): Promise<void> {
  const deletable = deletableTables(plan);
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
  const deletable = deletableTables(plan);
  const blocked = plan.tables.filter((t) => t.exists && t.deletionProtected && t.sharedWith.length === 0);
  const kept = plan.tables.filter((t) => t.exists && t.sharedWith.length > 0).map((t) => ({ table: t.table, sharedWith: t.sharedWith }));
  await confirmTeardown(plan, opts.confirm);

  const ctx = { dynamo: opts.dynamo, endpoint: opts.endpoint, wait: opts.wait ?? {}, ...(opts.retry ? { retry: opts.retry } : {}) };
  const deleted: string[] = [];
  const absent = plan.tables.filter((t) => !t.exists).map((t) => t.table);
  const failures: DynafeastError[] = [];
  await runPool(deletable, DELETE_CONCURRENCY, async (t) => {
    const id = `table:${t.table}`;
    progress({ type: 'start', id });
    try {
      const outcome = await executeTableStep(
        ctx,
        { kind: 'delete_table', table: t.table, view: t.view, holdsItems: t.holdsItems, deletionProtected: false },
        {},
      );
      (outcome.message === 'already gone' ? absent : deleted).push(t.table);
      progress({ type: 'done', id, ...(outcome.message ? { message: outcome.message } : {}) });
    } catch (e) {
      const err = e instanceof DynafeastError ? e : new DynafeastError('internal', String((e as Error)?.message ?? e), { cause: e });
      failures.push(err);
      progress({ type: 'failed', id, message: err.message });
    }
  });
  for (const t of blocked) progress({ type: 'failed', id: `table:${t.table}`, message: 'deletion protection is on' });

  if (failures.length > 0) {
    throw failures.length === 1
      ? // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- only reached with at least one failure
        failures[0]!
      : // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- only reached with at least one failure
        new DynafeastError(failures[0]!.code, `teardown failed on ${failures.length} tables; the registry was not changed`, { details: failures });
  }
  if (blocked.length > 0) {
    const names = blocked.map((t) => t.table);
    throw new DynafeastError(
      'dynamo.deletionProtected',
      `deleted ${deleted.length} table(s), but ${names.join(', ')} ha${names.length === 1 ? 's' : 've'} deletion protection on; the project stays in the registry`,
      {
        hint: `turn protection off (aws dynamodb update-table --table-name ${names[0]} --no-deletion-protection-enabled, or dynafeast.tables.deletion_protection: false and apply), then run teardown again`,
      },
    );
  }
  let registry: CommitResult | undefined;
  if (plan.registryChanges.length > 0) {
    progress({ type: 'start', id: 'registry' });
    registry = await removeProject(plan.registryStore ?? plan.registryPath, plan.project);
    progress({ type: 'done', id: 'registry', message: plan.registryPath });
  }
  if (plan.repoPath !== undefined) await removeSpoolsOf(plan.repoPath, [...new Set(plan.tables.map((t) => t.view))], progress);
  // sorted: tables finish in any order, and a summary should read the same every run
  return { deleted: deleted.sort(), absent: absent.sort(), kept, ...(registry ? { registry } : {}), elapsedMs: Date.now() - started };
}
