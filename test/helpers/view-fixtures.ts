import type { Dtype, EntityColumn, FeatureView, FileSource, ScalarDtype } from '../../src/core/repo/model.js';

export const scalar = (s: ScalarDtype): Dtype => ({ kind: 'scalar', scalar: s });
export const list = (s: ScalarDtype): Dtype => ({ kind: 'list', scalar: s });

export function makeView(name: string, entityColumns: EntityColumn[], features: Array<[string, Dtype]>, source = 'src'): FeatureView {
  const entityless = entityColumns.length === 0;
  return {
    name,
    entities: entityless ? ['__dummy'] : entityColumns.map((c) => c.name.replace(/_id$/, '')),
    entityColumns: entityless ? [{ name: '__dummy_id', dtype: 'String' }] : entityColumns,
    ttlMicros: 0n,
    source,
    online: true,
    features: features.map(([n, dtype]) => ({ name: n, dtype, description: '', tags: {} })),
    tags: {},
    description: '',
    owner: '',
  };
}

export function makeSource(path: string, extra: Partial<FileSource> = {}): FileSource {
  return {
    name: 'src',
    type: 'file',
    path,
    format: path.endsWith('.csv') ? 'csv' : 'parquet',
    timestampField: 'event_timestamp',
    createdTimestampColumn: 'created',
    fieldMapping: {},
    description: '',
    tags: {},
    owner: '',
    ...extra,
  };
}
