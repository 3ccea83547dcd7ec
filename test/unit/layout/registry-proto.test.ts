import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { create, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { timestampFromMs, DurationSchema } from '@bufbuild/protobuf/wkt';
import { FileFormatSchema, FileFormat_ParquetFormatSchema } from '../../../src/gen/feast/core/DataFormat_pb.js';
import { DataSourceSchema, DataSource_FileOptionsSchema, DataSource_SourceType } from '../../../src/gen/feast/core/DataSource_pb.js';
import { EntityMetaSchema, EntitySchema, EntitySpecV2Schema } from '../../../src/gen/feast/core/Entity_pb.js';
import { FeatureSpecV2Schema } from '../../../src/gen/feast/core/Feature_pb.js';
import {
  FeatureServiceMetaSchema,
  FeatureServiceSchema,
  FeatureServiceSpecSchema,
} from '../../../src/gen/feast/core/FeatureService_pb.js';
import { FeatureViewProjectionSchema } from '../../../src/gen/feast/core/FeatureViewProjection_pb.js';
import {
  FeatureViewMetaSchema,
  FeatureViewSchema,
  FeatureViewSpecSchema,
  MaterializationIntervalSchema,
} from '../../../src/gen/feast/core/FeatureView_pb.js';
import { ProjectMetaSchema, ProjectSchema, ProjectSpecSchema } from '../../../src/gen/feast/core/Project_pb.js';
import { ProjectMetadataSchema, RegistrySchema } from '../../../src/gen/feast/core/Registry_pb.js';
import { ValueTypeSchema, ValueType_Enum, ValueType_EnumSchema } from '../../../src/gen/feast/types/Value_pb.js';
import { SHARED_DIR, hex } from '../../helpers/layout-vectors.js';
import { defined } from '../../helpers/defined.js';

const SCHEMAS: Record<string, DescMessage> = {
  Registry: RegistrySchema,
  ProjectMetadata: ProjectMetadataSchema,
  Project: ProjectSchema,
  ProjectSpec: ProjectSpecSchema,
  ProjectMeta: ProjectMetaSchema,
  Entity: EntitySchema,
  EntitySpecV2: EntitySpecV2Schema,
  EntityMeta: EntityMetaSchema,
  FeatureView: FeatureViewSchema,
  FeatureViewSpec: FeatureViewSpecSchema,
  FeatureViewMeta: FeatureViewMetaSchema,
  MaterializationInterval: MaterializationIntervalSchema,
  FeatureSpecV2: FeatureSpecV2Schema,
  DataSource: DataSourceSchema,
  'DataSource.FileOptions': DataSource_FileOptionsSchema,
  FileFormat: FileFormatSchema,
  FeatureService: FeatureServiceSchema,
  FeatureServiceSpec: FeatureServiceSpecSchema,
  FeatureServiceMeta: FeatureServiceMetaSchema,
  FeatureViewProjection: FeatureViewProjectionSchema,
};

/** `| Message | a=1 [r X], b=2 ... |` rows of shared/feast-registry-fields.md. */
function feastFieldTable(): Map<string, Map<string, number>> {
  const md = readFileSync(resolve(SHARED_DIR, 'feast-registry-fields.md'), 'utf8');
  const table = new Map<string, Map<string, number>>();
  for (const line of md.split('\n')) {
    const m = /^\| ([A-Za-z.0-9]+) \| (.*) \|$/.exec(line);
    if (!m || m[1] === 'message') continue;
    table.set(defined(m[1]), new Map([...defined(m[2]).matchAll(/(\w+)=(\d+)/g)].map((f) => [defined(f[1]), Number(f[2])])));
  }
  return table;
}

describe('proto schema matches Feast\'s field numbers', () => {
  const table = feastFieldTable();

  it('covers every message of the fact sheet', () => {
    expect([...table.keys()].sort()).toEqual(Object.keys(SCHEMAS).sort());
  });

  it.each(Object.keys(SCHEMAS))('%s', (name) => {
    const feast = defined(table.get(name));
    for (const field of defined(SCHEMAS[name]).fields) {
      expect([field.name, feast.get(field.name)]).toEqual([field.name, field.number]);
    }
  });

  it('ValueType.Enum has Feast\'s numbers', () => {
    const md = readFileSync(resolve(SHARED_DIR, 'feast-registry-fields.md'), 'utf8');
    const para = md.slice(md.indexOf('`ValueType` enum'), md.indexOf('Feast dtype → ValueType'));
    const feast = [...para.matchAll(/\b([A-Z][A-Z0-9_]+) (\d+)\b/g)].map((m) => [m[1], Number(m[2])]);
    expect(feast.length).toBeGreaterThan(15);
    expect(ValueType_EnumSchema.values.map((v) => [v.name, v.number])).toEqual(feast);
    expect(ValueTypeSchema.typeName).toBe('feast.types.ValueType');
  });
});

describe('registry round trip', () => {
  function sampleRegistry() {
    const ts = timestampFromMs(1_618_210_800_000);
    const source = create(DataSourceSchema, {
      type: DataSource_SourceType.BATCH_FILE,
      name: 'driver_stats_source',
      project: 'demo',
      timestampField: 'event_timestamp',
      createdTimestampColumn: 'created',
      fieldMapping: { a: 'b' },
      options: {
        case: 'fileOptions',
        value: create(DataSource_FileOptionsSchema, {
          uri: 'data/driver_stats.parquet',
          fileFormat: create(FileFormatSchema, {
            format: { case: 'parquetFormat', value: create(FileFormat_ParquetFormatSchema) },
          }),
        }),
      },
      dataSourceClassType: 'feast.infra.offline_stores.file_source.FileSource',
    });
    return create(RegistrySchema, {
      registrySchemaVersion: '1',
      versionId: 'abc',
      lastUpdated: ts,
      entities: [
        create(EntitySchema, {
          spec: create(EntitySpecV2Schema, { name: 'driver', joinKey: 'driver_id', valueType: ValueType_Enum.INT64, project: 'demo' }),
          meta: create(EntityMetaSchema, { createdTimestamp: ts }),
        }),
      ],
      dataSources: [source],
      featureViews: [
        create(FeatureViewSchema, {
          spec: create(FeatureViewSpecSchema, {
            name: 'driver_hourly_stats',
            project: 'demo',
            entities: ['driver'],
            features: [create(FeatureSpecV2Schema, { name: 'conv_rate', valueType: ValueType_Enum.FLOAT })],
            entityColumns: [create(FeatureSpecV2Schema, { name: 'driver_id', valueType: ValueType_Enum.INT64 })],
            ttl: create(DurationSchema, { seconds: 86400n }),
            batchSource: source,
            online: true,
            tags: { team: 'x' },
          }),
          meta: create(FeatureViewMetaSchema, {
            materializationIntervals: [create(MaterializationIntervalSchema, { startTime: ts, endTime: ts })],
          }),
        }),
      ],
      featureServices: [
        create(FeatureServiceSchema, {
          spec: create(FeatureServiceSpecSchema, {
            name: 'svc',
            project: 'demo',
            features: [create(FeatureViewProjectionSchema, { featureViewName: 'driver_hourly_stats', versionTag: 0 })],
          }),
          meta: create(FeatureServiceMetaSchema, {}),
        }),
      ],
      projects: [create(ProjectSchema, { spec: create(ProjectSpecSchema, { name: 'demo' }), meta: create(ProjectMetaSchema) })],
      projectMetadata: [create(ProjectMetadataSchema, { project: 'demo', projectUuid: 'u' })],
    });
  }

  it('round-trips every modelled field', () => {
    const bytes = toBinary(RegistrySchema, sampleRegistry());
    const back = fromBinary(RegistrySchema, bytes);
    expect(hex(toBinary(RegistrySchema, back))).toBe(hex(bytes));
    expect(defined(back.featureViews[0]?.spec?.ttl).seconds).toBe(86400n);
    expect(defined(back.featureServices[0]?.spec?.features[0]).versionTag).toBe(0);
  });

  it('keeps fields it does not model, byte for byte, at every level', () => {
    const registry = sampleRegistry();
    // A FeatureView whose spec carries Feast fields we do not declare: offline=13 (bool),
    // enable_validation=17 (bool), org=19 (string); plus a registry-level field 99.
    const specBytes = toBinary(FeatureViewSpecSchema, defined(registry.featureViews[0]?.spec));
    const w = new BinaryWriter();
    w.raw(specBytes).tag(13, WireType.Varint).bool(true).tag(17, WireType.Varint).bool(true);
    w.tag(19, WireType.LengthDelimited).string('ml-platform');
    const specWithUnknown = w.finish();
    const fv = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(specWithUnknown).finish();
    // Known fields in number order, unknown ones last: the order protobuf-es writes them back in.
    const head = create(RegistrySchema, {
      entities: registry.entities,
      registrySchemaVersion: registry.registrySchemaVersion,
      versionId: registry.versionId,
      lastUpdated: registry.lastUpdated,
    });
    const tail = create(RegistrySchema, {
      featureServices: registry.featureServices,
      dataSources: registry.dataSources,
      projectMetadata: registry.projectMetadata,
      projects: registry.projects,
    });
    const original = new BinaryWriter()
      .raw(toBinary(RegistrySchema, head))
      .tag(6, WireType.LengthDelimited)
      .bytes(fv)
      .raw(toBinary(RegistrySchema, tail))
      .tag(99, WireType.LengthDelimited)
      .string('from a newer Feast')
      .finish();

    const decoded = fromBinary(RegistrySchema, original);
    expect(defined(decoded.featureViews[0]?.spec).name).toBe('driver_hourly_stats');
    expect(hex(toBinary(RegistrySchema, decoded))).toBe(hex(original));

    // A read-modify-write (what apply does) keeps them too.
    decoded.versionId = 'new-version';
    defined(decoded.featureViews[0]?.spec).description = 'changed';
    const rewritten = fromBinary(FeatureViewSpecSchema, toBinary(FeatureViewSpecSchema, defined(decoded.featureViews[0]?.spec)));
    const unknownSpec = toBinary(FeatureViewSpecSchema, rewritten);
    expect(hex(unknownSpec)).toContain(hex(new BinaryWriter().tag(19, WireType.LengthDelimited).string('ml-platform').finish()));
    const again = toBinary(RegistrySchema, decoded);
    expect(hex(again)).toContain(hex(new BinaryWriter().tag(99, WireType.LengthDelimited).string('from a newer Feast').finish()));
  });
});
