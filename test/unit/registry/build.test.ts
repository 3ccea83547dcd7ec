import type { FileSource } from '../../../src/core/repo/model.js';
import { Buffer } from 'node:buffer';
import { fromBinary, toBinary, toJson } from '@bufbuild/protobuf';
import { FeatureViewProjectionSchema } from '../../../src/gen/feast/core/FeatureViewProjection_pb.js';
import { EntitySchema } from '../../../src/gen/feast/core/Entity_pb.js';
import { DataSourceSchema } from '../../../src/gen/feast/core/DataSource_pb.js';
import { FeatureViewSchema } from '../../../src/gen/feast/core/FeatureView_pb.js';
import { FeatureServiceSchema } from '../../../src/gen/feast/core/FeatureService_pb.js';
import { buildRegistryObjects } from '../../../src/core/registry/build.js';
import { valueTypeOf } from '../../../src/core/layout/feast-types.js';
import { ValueType_Enum } from '../../../src/gen/feast/types/Value_pb.js';
import { makeRepo, makeView } from '../../helpers/plan-fixtures.js';
import { defined } from '../../helpers/defined.js';

describe('buildRegistryObjects', () => {
  const repo = makeRepo(
    [
      makeView('driver_hourly_stats', { tags: { team: 'drivers' } }),
      makeView('global_stats', { entities: ['__dummy'], entityColumns: [{ name: '__dummy_id', dtype: 'String' }], ttlMicros: 0n }),
    ],
    [{ name: 'ranking', projections: [{ featureView: 'driver_hourly_stats', features: ['conv_rate'] }], tags: {}, description: '', owner: '' }],
  );
  const objects = buildRegistryObjects('demo', repo);

  it("registers entities with the project, including Feast's __dummy (join key __dummy_id, value type 0)", () => {
    expect(objects.entities.map((e) => toJson(EntitySchema, e))).toEqual([
      { spec: { name: '__dummy', joinKey: '__dummy_id', project: 'demo' } },
      { spec: { name: 'driver', valueType: 'INT64', description: 'a driver', joinKey: 'driver_id', project: 'demo' } },
    ]);
  });

  it('records a parquet file format only when the definition names it, as feast apply does', () => {
    const declared = makeRepo([makeView('driver_hourly_stats')]);
    (defined(declared.sources[0]) as FileSource).formatDeclared = true;
    const source = toJson(DataSourceSchema, defined(buildRegistryObjects('demo', declared).dataSources[0])) as { fileOptions: unknown };
    expect(source.fileOptions).toEqual({ fileFormat: { parquetFormat: {} }, uri: 'data/driver_stats.parquet' });
  });

  it('writes a complete Feast file source', () => {
    expect(toJson(DataSourceSchema, defined(objects.dataSources[0]))).toEqual({
      type: 'BATCH_FILE',
      timestampField: 'event_timestamp',
      createdTimestampColumn: 'created',
      fileOptions: { uri: 'data/driver_stats.parquet' },
      dataSourceClassType: 'feast.infra.offline_stores.file_source.FileSource',
      name: 'driver_stats_source',
      project: 'demo',
    });
  });

  it('gives views entity_columns, ttl, online and the batch source', () => {
    const [hourly, global] = objects.featureViews.map((v) => toJson(FeatureViewSchema, v) as { spec: Record<string, unknown> });
    expect(defined(hourly).spec).toMatchObject({
      name: 'driver_hourly_stats',
      project: 'demo',
      entities: ['driver'],
      features: [
        { name: 'conv_rate', valueType: 'FLOAT' },
        { name: 'avg_daily_trips', valueType: 'INT64' },
      ],
      tags: { team: 'drivers' },
      ttl: '86400s',
      online: true,
      entityColumns: [{ name: 'driver_id', valueType: 'INT64' }],
      batchSource: { name: 'driver_stats_source', type: 'BATCH_FILE', dataSourceClassType: 'feast.infra.offline_stores.file_source.FileSource' },
    });
    // Feast sets `project` only on the top-level data_sources, never on a view's embedded copy.
    expect(defined(hourly).spec['batchSource']).not.toHaveProperty('project');
    expect(defined(global).spec).toMatchObject({ entities: ['__dummy'], entityColumns: [{ name: '__dummy_id', valueType: 'STRING' }], ttl: '0s' });
  });

  it('projects feature services onto the named features with their types, shaped as Feast 0.67 writes them', () => {
    expect(toJson(FeatureServiceSchema, defined(objects.featureServices[0]))).toEqual({
      spec: {
        name: 'ranking',
        project: 'demo',
        features: [
          {
            featureViewName: 'driver_hourly_stats',
            featureColumns: [{ name: 'conv_rate', valueType: 'FLOAT' }],
            // Feast copies the source's created column here (FeatureViewProjection.from_feature_view_definition)
            timestampField: 'created',
            createdTimestampColumn: 'created',
            // DataSource.to_proto(): no project, no data_source_class_type
            batchSource: {
              type: 'BATCH_FILE',
              timestampField: 'event_timestamp',
              createdTimestampColumn: 'created',
              fileOptions: { uri: 'data/driver_stats.parquet' },
              name: 'driver_stats_source',
            },
          },
        ],
      },
    });
  });

  it('writes the projection\'s view_type "featureView" (field 11, outside our schema subset) as Feast does', () => {
    const bytes = toBinary(FeatureViewProjectionSchema, defined(objects.featureServices[0]?.spec?.features[0]));
    const tail = Buffer.from(bytes.subarray(bytes.length - 13)).toString('latin1');
    expect(tail).toBe('\x5a\x0bfeatureView');
    const reread = fromBinary(FeatureViewProjectionSchema, bytes);
    expect(reread.$unknown).toEqual([{ no: 11, wireType: 2, data: new Uint8Array([11, ...Buffer.from('featureView')]) }]);
  });

  it.each([
    [{ kind: 'scalar', scalar: 'Float64' }, ValueType_Enum.DOUBLE],
    [{ kind: 'scalar', scalar: 'Json' }, ValueType_Enum.JSON],
    [{ kind: 'list', scalar: 'Float32' }, ValueType_Enum.FLOAT_LIST],
    [{ kind: 'list', scalar: 'UnixTimestamp' }, ValueType_Enum.UNIX_TIMESTAMP_LIST],
    [{ kind: 'list', scalar: 'Json' }, ValueType_Enum.JSON_LIST],
  ] as const)('maps %j to ValueType %i', (dtype, vt) => {
    expect(valueTypeOf(dtype)).toBe(vt);
  });
});
