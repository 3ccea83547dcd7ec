/**
 * What teardown may delete, read from the registry alone: the online feature views it records for the
 * project (the views apply made tables for), named by the config's `table_name_template` exactly as
 * apply names them. Definitions are not needed, so a repo whose YAML no longer loads can still be torn
 * down, as `terraform destroy` works from state rather than from the configuration.
 */
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import type { RepoConfig } from '../config/types.js';
import { DynafeastError } from '../errors.js';
import { readRegistryIfExists } from '../registry/registry-file.js';
import { formatTableName, tableNameOf } from '../layout/table-name.js';

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
export async function readRegistryForTeardown(registryPath: string): Promise<Registry | undefined> {
  try {
    return await readRegistryIfExists(registryPath);
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
  return new DynafeastError('config.badValue', `no registry at ${registryPath} (the \`registry:\` of ${config.source}): nothing was applied from here, so there is nothing recorded to tear down`, {
    path: 'registry',
    hint: `check that -c / -f name the repo you applied and that \`registry:\` names its registry file; tables made some other way are not teardown's to delete (aws dynamodb delete-table --table-name ${tableNameOf(config, '<view>')} removes one by hand)`,
  });
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
