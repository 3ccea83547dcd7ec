/**
 * The columns `sql` exposes for a `type: dynamodb` source (architecture.md §4.9, §4.11): a table has no
 * schema of its own, and dynafeast never guesses types from items, so its columns are what the views it
 * feeds declare — the union of their join keys and features, each once, typed as each view types it —
 * plus the timestamp attribute(s). Read through the one reader (dynamodb-source.ts) with this union as
 * its view, every cell is what materialize would see for any of those views. An attribute no view
 * declares has no declared type and is not exposed; one declared with two different dtypes would need
 * two columns of one name, so it is refused (materialize, reading each view on its own, is unaffected).
 */
import { DynafeastError } from '../../errors.js';
import { formatDtype, type Dtype } from '../../layout/feast-types.js';
import { isEntityless, type DynamoDBSource, type EntityColumn, type Feature, type FeatureView, type RepoModel } from '../../repo/model.js';

/** One view standing for every view `source` feeds: their join keys and features, each once. */
export function sourceViewOf(repo: RepoModel, source: DynamoDBSource): FeatureView {
  const views = repo.featureViews.filter((v) => v.source === source.name && v.notMaterializable === undefined);
  const where = { path: `sources.${source.name}`, ...(source.location ? { location: source.location } : {}) };
  const first = views[0];
  if (first === undefined) {
    throw new DynafeastError(
      'usage.badArgument',
      `source "${source.name}" (DynamoDB table "${source.table}") feeds no feature view: its attributes have no declared types, and dynafeast does not guess them from items`,
      { ...where, hint: 'declare a feature view over the source (its schema types the columns), or query the table with the AWS CLI' },
    );
  }
  const attributeOf = (name: string) => Object.entries(source.fieldMapping).find(([, to]) => to === name)?.[0] ?? name;
  // attribute → the first declaration seen, to compare every other one with
  const declared = new Map<string, { dtype: Dtype; by: string }>();
  const declare = (name: string, dtype: Dtype, by: string): boolean => {
    const attribute = attributeOf(name);
    const had = declared.get(attribute);
    if (had === undefined) {
      declared.set(attribute, { dtype, by });
      return true;
    }
    if (formatDtype(had.dtype) !== formatDtype(dtype)) {
      throw new DynafeastError(
        'repo.badColumnType',
        `source "${source.name}" (DynamoDB table "${source.table}"): attribute "${attribute}" is ${had.by} as ${formatDtype(had.dtype)} and ${by} as ${formatDtype(dtype)}; \`sql\` exposes one column per attribute, of one type`,
        { ...where, hint: 'declare the same dtype in both views, or query the views themselves (each is a table of the online data)' },
      );
    }
    return false;
  };
  const entityColumns: EntityColumn[] = [];
  const entities: string[] = [];
  const features: Feature[] = [];
  for (const view of views) {
    if (!isEntityless(view)) {
      for (const e of view.entities) if (!entities.includes(e)) entities.push(e);
      for (const k of view.entityColumns) if (declare(k.name, { kind: 'scalar', scalar: k.dtype }, `view "${view.name}"'s join key`)) entityColumns.push(k);
    }
    for (const f of view.features) if (declare(f.name, f.dtype, `view "${view.name}"'s feature`)) features.push(f);
  }
  return {
    ...first,
    name: source.name,
    ...(entities.length > 0 ? { entities, entityColumns } : {}),
    features,
    tags: {},
    description: '',
    owner: '',
  };
}
