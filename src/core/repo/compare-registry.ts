/**
 * Where a repo has both YAML definitions and a registry, the facts that decide what is stored must
 * agree: an entity's key type or join key, a feature's dtype, a view's join key columns, a source's
 * path. Data Feast wrote under the registry's definitions is not found (or is decoded wrong) under
 * different ones, so `validate` and `plan` show each difference with both sides.
 */
import { dynamoDBUriOf } from './dynamodb-registry-form.js';
import { formatDtype, type DataSource, type RepoModel } from './model.js';

export interface DefinitionMismatch {
  /** e.g. `entity driver`, `feature view driver_hourly_stats` */
  object: string;
  field: string;
  yaml: string;
  registry: string;
}

const show = (v: unknown): string => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

export function compareWithRegistry(yaml: RepoModel, registry: RepoModel): DefinitionMismatch[] {
  const out: DefinitionMismatch[] = [];
  const add = (object: string, field: string, a: unknown, b: unknown) => {
    if (show(a) !== show(b)) out.push({ object, field, yaml: show(a), registry: show(b) });
  };
  const regEntities = new Map(registry.entities.map((e) => [e.name, e]));
  for (const e of yaml.entities) {
    const r = regEntities.get(e.name);
    if (!r || e.name === '__dummy') continue;
    add(`entity ${e.name}`, 'join_keys', e.joinKeys, r.joinKeys);
    // A registry entity without a value type (Feast 0.67 allows it) takes its views' key type: only a
    // known type can disagree.
    if (r.valueType !== undefined) add(`entity ${e.name}`, 'value_type', e.valueType, r.valueType);
  }
  const regViews = new Map(registry.featureViews.map((v) => [v.name, v]));
  for (const v of yaml.featureViews) {
    const r = regViews.get(v.name);
    if (!r) continue;
    add(
      `feature view ${v.name}`,
      'join key columns',
      v.entityColumns.map((c) => `${c.name}:${c.dtype}`),
      r.entityColumns.map((c) => `${c.name}:${c.dtype}`),
    );
    const regFeatures = new Map(r.features.map((f) => [f.name, f]));
    for (const f of v.features) {
      const rf = regFeatures.get(f.name);
      if (rf) add(`feature view ${v.name}`, `${f.name} dtype`, formatDtype(f.dtype), formatDtype(rf.dtype));
    }
  }
  const regSources = new Map(registry.sources.map((s) => [s.name, s]));
  for (const s of yaml.sources) {
    const r = regSources.get(s.name);
    if (r) add(`data source ${s.name}`, 'path', sourceWhere(s), sourceWhere(r));
  }
  return out;
}

/** Where a source's rows are: a file path, or the DynamoDB table's registry uri. */
function sourceWhere(s: DataSource): string {
  return s.type === 'dynamodb' ? dynamoDBUriOf(s.table) : s.path;
}
