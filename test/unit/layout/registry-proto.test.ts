import { create, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { timestampFromMs, DurationSchema } from '@bufbuild/protobuf/wkt';
import { FileFormatSchema, FileFormat_ParquetFormatSchema } from '../../../src/gen/feast/core/DataFormat_pb.js';
import { DataSourceSchema, DataSource_FileOptionsSchema, DataSource_SourceType } from '../../../src/gen/feast/core/DataSource_pb.js';
import { EntityMetaSchema, EntitySchema, EntitySpecV2Schema } from '../../../src/gen/feast/core/Entity_pb.js';
import { FeatureSpecV2Schema } from '../../../src/gen/feast/core/Feature_pb.js';
import { FeatureServiceMetaSchema, FeatureServiceSchema, FeatureServiceSpecSchema } from '../../../src/gen/feast/core/FeatureService_pb.js';
import { FeatureViewProjectionSchema } from '../../../src/gen/feast/core/FeatureViewProjection_pb.js';
import { FeatureViewMetaSchema, FeatureViewSchema, FeatureViewSpecSchema, MaterializationIntervalSchema } from '../../../src/gen/feast/core/FeatureView_pb.js';
import { LabelViewSchema, LabelViewSpecSchema } from '../../../src/gen/feast/core/LabelView_pb.js';
import { OnDemandFeatureViewSchema, OnDemandFeatureViewSpecSchema, OnDemandSourceSchema } from '../../../src/gen/feast/core/OnDemandFeatureView_pb.js';
import { ProjectMetaSchema, ProjectSchema, ProjectSpecSchema } from '../../../src/gen/feast/core/Project_pb.js';
import { StreamFeatureViewSchema, StreamFeatureViewSpecSchema } from '../../../src/gen/feast/core/StreamFeatureView_pb.js';
import { ProjectMetadataSchema, RegistrySchema } from '../../../src/gen/feast/core/Registry_pb.js';
import { ValueTypeSchema, ValueType_Enum, ValueType_EnumSchema } from '../../../src/gen/feast/types/Value_pb.js';
import { hex, loadFeastFixture } from '../../helpers/layout-vectors.js';
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
  StreamFeatureView: StreamFeatureViewSchema,
  StreamFeatureViewSpec: StreamFeatureViewSpecSchema,
  OnDemandFeatureView: OnDemandFeatureViewSchema,
  OnDemandFeatureViewSpec: OnDemandFeatureViewSpecSchema,
  OnDemandSource: OnDemandSourceSchema,
  LabelView: LabelViewSchema,
  LabelViewSpec: LabelViewSpecSchema,
};

const feast = loadFeastFixture();

describe("proto schema matches Feast's field numbers", () => {
  it('covers every registry message dynafeast writes', () => {
    expect(Object.keys(feast.registry_fields).sort()).toEqual(Object.keys(SCHEMAS).sort());
  });

  it.each(Object.keys(SCHEMAS))('%s', (name) => {
    const fields = feast.registry_fields[name] ?? {};
    for (const field of SCHEMAS[name]?.fields ?? []) {
      expect([field.name, fields[field.name]]).toEqual([field.name, field.number]);
    }
  });

  it("ValueType.Enum: every value dynafeast knows has Feast's number", () => {
    const numbers = new Map(feast.value_type_enum);
    expect(numbers.size).toBeGreaterThan(15);
    for (const v of ValueType_EnumSchema.values) expect([v.name, numbers.get(v.name)]).toEqual([v.name, v.number]);
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
