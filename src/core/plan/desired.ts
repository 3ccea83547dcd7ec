/**
 * What the repo and config say should exist: one table per online feature view with the configured
 * settings, and the registry objects of the project.
 */
import type { RepoConfig } from '../config/types.js';
import type { RepoModel } from '../repo/model.js';
import { buildRegistryObjects, type DesiredRegistryObjects } from '../registry/build.js';
import type { Billing, StreamViewType, TableClass } from './steps.js';
import { PROJECT_TAG } from './ownership.js';
import { tableNameOf } from '../layout/table-name.js';

export interface DesiredTable {
  view: string;
  table: string;
  billing: Billing;
  tableClass: TableClass;
  sseKmsKeyId?: string;
  streamViewType?: StreamViewType;
  deletionProtection: boolean;
  pointInTimeRecovery: boolean;
  /** DynamoDB TTL attribute to enable; absent = TTL expiry off for this table. */
  ttlAttribute?: string;
  tags: Record<string, string>;
}

export interface DesiredState {
  project: string;
  tables: DesiredTable[];
  /** Online views whose ttl is 0 while TTL expiry is on: nothing can expire, worth a note. */
  viewsWithoutTtl: string[];
  registry: DesiredRegistryObjects;
}

export function billingOf(config: RepoConfig): Billing {
  const t = config.dynafeast.tables;
  if (t.billingMode === 'PROVISIONED') {
    return { mode: 'PROVISIONED', readCapacityUnits: t.readCapacityUnits ?? 1, writeCapacityUnits: t.writeCapacityUnits ?? 1 };
  }
  return { mode: 'PAY_PER_REQUEST' };
}

export function buildDesiredState(config: RepoConfig, repo: RepoModel): DesiredState {
  const settings = config.dynafeast.tables;
  const online = repo.featureViews.filter((v) => v.online);
  const tables = online.map((view): DesiredTable => {
    const t: DesiredTable = {
      view: view.name,
      table: tableNameOf(config, view.name),
      billing: billingOf(config),
      tableClass: settings.tableClass,
      deletionProtection: settings.deletionProtection,
      pointInTimeRecovery: settings.pointInTimeRecovery,
      // as Feast does: the store-wide tags, overridden key by key by the view's own; then the project
      // tag, which says whose table it is (ownership.ts) and which no configured tag may replace
      tags: { ...config.onlineStore.tags, ...view.tags, [PROJECT_TAG]: config.project },
    };
    if (settings.sseKmsKeyId) t.sseKmsKeyId = settings.sseKmsKeyId;
    if (settings.streamViewType) t.streamViewType = settings.streamViewType;
    if (settings.ttlExpiry && view.ttlMicros > 0n) t.ttlAttribute = settings.ttlAttribute;
    return t;
  });
  return {
    project: config.project,
    tables,
    viewsWithoutTtl: settings.ttlExpiry ? online.filter((v) => v.ttlMicros === 0n).map((v) => v.name) : [],
    registry: buildRegistryObjects(config.project, repo),
  };
}
