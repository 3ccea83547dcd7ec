/**
 * `plan`: load what should exist, read what does, diff. `apply` runs the plan this returns.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RepoConfig } from '../config/types.js';
import type { RepoModel } from '../repo/model.js';
import { registryStoreOf } from '../registry/registry-store.js';
import { buildDesiredState } from './desired.js';
import { diff, removedViews } from './diff.js';
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import type { DesiredTable } from './desired.js';
import {
  FULL_SUPPORT,
  holdsItems,
  introspectTables,
  probeEndpointSupport,
  type ActualTable,
  type EndpointSupport,
  type IntrospectRequest,
} from './introspect.js';
import { notOursError, ownershipOf, PROJECT_TAG, type ForeignTable } from './ownership.js';
import type { Plan, PlanNote } from './steps.js';
import { tableNameOf } from '../layout/table-name.js';

export interface PlanContext {
  dynamo: DynamoDBClient;
  /** Where requests go, for messages. */
  endpoint?: string;
  /**
   * True when talking to something other than AWS (endpoint_url or the embedded store): its support
   * for TTL and PITR operations is probed instead of assumed.
   */
  customEndpoint: boolean;
  /** `apply --adopt`: take over existing Feast-shaped tables that are not known to be this project's. */
  adopt?: boolean;
}

export interface BuildPlanOptions {
  /**
   * The definitions were read from the registry (a Feast repo with Python definitions): the registry
   * is Feast's to write, so the plan manages the tables of the views dynafeast serves and nothing
   * else — no registry change and no deletion (a view dynafeast cannot serve is not a removed view).
   */
  infrastructureOnly?: boolean;
}

export async function buildPlan(ctx: PlanContext, config: RepoConfig, repo: RepoModel, opts: BuildPlanOptions = {}): Promise<Plan> {
  const desired = buildDesiredState(config, repo);
  const registryStore = registryStoreOf(config);
  const registryPath = registryStore.where;
  const registry = await registryStore.read();
  const removed = opts.infrastructureOnly
    ? []
    : removedViews(registry, config.project, new Set(repo.featureViews.map((v) => v.name)), (v) => tableNameOf(config, v));
  const support = ctx.customEndpoint ? await probeEndpointSupport(ctx) : FULL_SUPPORT;
  const requests: IntrospectRequest[] = [
    ...desired.tables.map((t) => ({ table: t.table, purpose: 'settings' as const })),
    ...removed.map((r) => ({ table: r.table, purpose: 'delete' as const })),
  ];
  const tables = await introspectTables(ctx, requests, support);
  const ownNotes = await checkOwnership(ctx, config, registry, desired.tables, removed, tables, support);
  const { steps: all, notes } = diff(desired, { tables, registry, support, removed });
  notes.unshift(...ownNotes);
  const steps = opts.infrastructureOnly ? all.filter((step) => step.kind !== 'registry') : all;
  if (opts.infrastructureOnly) {
    notes.push({ level: 'info', message: 'definitions come from the Feast registry: plan and apply manage the tables only, never the registry' });
  }
  return {
    project: config.project,
    registryPath,
    registryStore,
    steps,
    notes,
    repoPath: config.repoPath,
    registry: { baseVersionId: registry?.versionId, desired: desired.registry },
  };
}

/**
 * Stops the plan when an existing table it would adopt, change or delete is not this project's
 * (ownership.ts); returns notes for the tables it takes over without a project tag.
 */
async function checkOwnership(
  ctx: PlanContext,
  config: RepoConfig,
  registry: Registry | undefined,
  desired: DesiredTable[],
  removed: { view: string; table: string }[],
  tables: Map<string, ActualTable>,
  support: EndpointSupport,
): Promise<PlanNote[]> {
  const recorded = new Set(
    (registry?.featureViews ?? []).filter((v) => v.spec?.project === config.project && v.spec.online).map((v) => tableNameOf(config, v.spec?.name ?? '')),
  );
  const notes: PlanNote[] = [];
  const foreign: ForeignTable[] = [];
  for (const t of desired) {
    const a = tables.get(t.table);
    if (!a?.exists) continue;
    const tagged = a.tags?.state === 'known' && a.tags.value[PROJECT_TAG] !== undefined;
    // On an emulator an untagged table nobody recorded may be an empty one apply made before it was
    // stopped between CreateTable and TagResource: only then is it worth a scan. (On AWS that window is
    // one request wide; a table left there needs --adopt. No IAM grant is needed for the scan.)
    if (support.emulator && !tagged && !recorded.has(t.table) && a.keySchemaProblem === undefined) a.holdsItems = await holdsItems(ctx, t.table);
    const o = ownershipOf(a, { project: config.project, recorded: recorded.has(t.table), purpose: 'update', adopt: ctx.adopt === true });
    if (!o.owned) foreign.push({ table: t.table, view: t.view, reason: o.reason, adoptable: o.adoptable });
    // a table the registry vouches for (Feast made it, or the endpoint cannot tag) keeps its tags as
    // they are: plan stays a no-op on a project Feast applied, and the record says whose it is
    else if (o.by === 'registry') delete t.tags[PROJECT_TAG];
    else if (o.by === 'empty')
      notes.push({
        level: 'info',
        table: t.table,
        view: t.view,
        message: `the table exists, empty, without a ${PROJECT_TAG} tag and unrecorded: apply takes it over`,
      });
    else if (o.by === 'adopt')
      notes.push({
        level: 'warning',
        table: t.table,
        view: t.view,
        message: `--adopt: apply takes over this existing table (it was not known to be project ${config.project}'s)`,
      });
  }
  if (foreign.length) throw notOursError(config.project, 'apply', foreign, false);
  for (const r of removed) {
    const a = tables.get(r.table);
    if (!a?.exists) continue;
    const o = ownershipOf(a, { project: config.project, recorded: true, purpose: 'delete' });
    if (!o.owned) foreign.push({ table: r.table, view: r.view, reason: o.reason, adoptable: false });
  }
  if (foreign.length) throw notOursError(config.project, 'apply', foreign, true);
  return notes;
}
