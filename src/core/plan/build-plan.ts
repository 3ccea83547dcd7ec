/**
 * `plan`: load what should exist, read what does, diff. `apply` runs the plan this returns.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RepoConfig } from '../config/types.js';
import type { RepoModel } from '../repo/model.js';
import { readRegistryIfExists, registryPathOf } from '../registry/registry-file.js';
import { buildDesiredState } from './desired.js';
import { diff, removedViews } from './diff.js';
import { FULL_SUPPORT, introspectTables, probeEndpointSupport, type IntrospectRequest } from './introspect.js';
import type { Plan } from './steps.js';
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
}

export async function buildPlan(ctx: PlanContext, config: RepoConfig, repo: RepoModel): Promise<Plan> {
  const desired = buildDesiredState(config, repo);
  const registryPath = registryPathOf(config);
  const registry = await readRegistryIfExists(registryPath);
  const removed = removedViews(registry, config.project, new Set(repo.featureViews.map((v) => v.name)), (v) => tableNameOf(config, v));
  const support = ctx.customEndpoint ? await probeEndpointSupport(ctx) : FULL_SUPPORT;
  const requests: IntrospectRequest[] = [
    ...desired.tables.map((t) => ({ table: t.table, purpose: 'settings' as const })),
    ...removed.map((r) => ({ table: r.table, purpose: 'delete' as const })),
  ];
  const tables = await introspectTables(ctx, requests, support);
  const { steps, notes } = diff(desired, { tables, registry, support, removed });
  return {
    project: config.project,
    registryPath,
    steps,
    notes,
    registry: { baseVersionId: registry?.versionId, desired: desired.registry },
  };
}
