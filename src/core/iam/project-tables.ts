/**
 * The tables a policy is about, named exactly as the planner and teardown name them: the planner's own
 * desired state for the repo's views, the planner's own `removedViews` for what apply deletes, and for
 * teardown the union of repo and registry: teardown deletes what the registry records, and a policy
 * written before the first apply (an empty registry) must still cover the tables that apply will record.
 */
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import type { RepoConfig } from '../config/types.js';
import { buildDesiredState, type DesiredTable } from '../plan/desired.js';
import { removedViews } from '../plan/diff.js';
import { tableNameOf } from '../layout/table-name.js';
import type { RepoModel } from '../repo/model.js';
import { recordedTables } from '../teardown.js';

export interface NamedTable {
  view: string;
  table: string;
  /** A DynamoDB source table in a region of its own (the policy's region otherwise). */
  region?: string;
}

export interface ProjectTables {
  /** One per online view of the repo, with the settings apply gives it. */
  repo: DesiredTable[];
  /** Online views of the project in the registry that the repo no longer defines. */
  removed: NamedTable[];
  /** What teardown may delete: the registry's online views of the project, and the repo's (recorded once applied). */
  owned: NamedTable[];
  /** The DynamoDB tables the repo's online views are materialized from (`type: dynamodb` sources). */
  sources: NamedTable[];
  /** The DynamoDB tables of sources any view reads, online or not: what export, verify and sql's `offline.<source>` scan. */
  viewSources: NamedTable[];
}

export function projectTables(config: RepoConfig, repo: RepoModel, registry: Registry | undefined): ProjectTables {
  const desired = buildDesiredState(config, repo).tables;
  const removed = removedViews(registry, config.project, new Set(repo.featureViews.map((v) => v.name)), (v) => tableNameOf(config, v));
  // Teardown's own list: the registry's online views of the project plus the repo's (recorded once applied).
  const owned = recordedTables(
    config,
    registry,
    desired.map((t) => t.view),
  ).map(({ view, table }) => ({ view, table }));
  const tablesOf = (fed: ReadonlySet<string>): NamedTable[] =>
    repo.sources.flatMap((s) =>
      s.type === 'dynamodb' && fed.has(s.name) ? [{ view: s.name, table: s.table, ...(s.region !== undefined ? { region: s.region } : {}) }] : [],
    );
  const sources = tablesOf(new Set(repo.featureViews.filter((v) => v.online).map((v) => v.source)));
  const viewSources = tablesOf(new Set(repo.featureViews.map((v) => v.source)));
  return { repo: desired, removed, owned, sources, viewSources };
}
