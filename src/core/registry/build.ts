/**
 * The registry objects a repo defines, as Feast's Python SDK would write them on `feast apply` (field
 * numbers checked against Feast's in test/fixtures/feast/feast-vectors.json, "registry_fields"). Only
 * specs are built here: meta (timestamps, materialization intervals) depends on what the registry
 * already holds and is decided when merging.
 */
import { create, type UnknownField } from '@bufbuild/protobuf';
import { WireType } from '@bufbuild/protobuf/wire';
import { EntitySchema, EntitySpecV2Schema, type Entity } from '../../gen/feast/core/Entity_pb.js';
import { dynamoDBSourceTags, dynamoDBUriOf } from '../repo/dynamodb-registry-form.js';
import { DataSourceSchema, DataSource_FileOptionsSchema, DataSource_SourceType, type DataSource } from '../../gen/feast/core/DataSource_pb.js';
import { FileFormatSchema, FileFormat_ParquetFormatSchema } from '../../gen/feast/core/DataFormat_pb.js';
import { FeatureSpecV2Schema, type FeatureSpecV2 } from '../../gen/feast/core/Feature_pb.js';
import { FeatureViewSchema, FeatureViewSpecSchema, type FeatureView } from '../../gen/feast/core/FeatureView_pb.js';
import { FeatureServiceSchema, FeatureServiceSpecSchema, type FeatureService } from '../../gen/feast/core/FeatureService_pb.js';
import { FeatureViewProjectionSchema } from '../../gen/feast/core/FeatureViewProjection_pb.js';
import { ValueType_Enum } from '../../gen/feast/types/Value_pb.js';
import { fieldTagsOf, valueTypeOf } from '../layout/feast-types.js';
import type * as model from '../repo/model.js';
import { durationFromMicros } from './time.js';

/** Python class Feast rebuilds a file source with. */
export const FILE_SOURCE_CLASS = 'feast.infra.offline_stores.file_source.FileSource';

export interface DesiredRegistryObjects {
  entities: Entity[];
  dataSources: DataSource[];
  featureViews: FeatureView[];
  featureServices: FeatureService[];
}

function entityProto(project: string, e: model.Entity): Entity {
  return create(EntitySchema, {
    spec: create(EntitySpecV2Schema, {
      name: e.name,
      valueType: e.valueType === undefined ? ValueType_Enum.INVALID : valueTypeOf({ kind: 'scalar', scalar: e.valueType }),
      description: e.description,
      // NOTE: Feast entities carry one join key; composite keys are modelled as several entities.
      joinKey: e.joinKeys[0] ?? '',
      tags: { ...e.tags },
      project,
      owner: e.owner,
    }),
  });
}

/**
 * A file source as Feast writes it. `project` is set only on the registry's top-level `data_sources`:
 * Feast leaves it empty on the copies embedded in feature views and projections (pass '').
 */
export function dataSourceProto(project: string, s: model.DataSource): DataSource {
  // a DynamoDB table is a FileSource with a dynamodb:// uri and its settings in tags (repo/dynamodb-registry-form.ts)
  const dynamo = s.type === 'dynamodb';
  return create(DataSourceSchema, {
    type: DataSource_SourceType.BATCH_FILE,
    fieldMapping: { ...s.fieldMapping },
    timestampField: s.timestampField,
    createdTimestampColumn: s.createdTimestampColumn,
    options: {
      case: 'fileOptions',
      value: create(DataSource_FileOptionsSchema, {
        // As `feast apply` writes a FileSource: a file format only when the definition names one
        // (`file_format=ParquetFormat()`); Feast reads an unset format as parquet. Feast's FileFormat has
        // no CSV case: CSV sources leave it unset (Feast cannot read them itself, dynafeast can).
        fileFormat:
          !dynamo && s.format === 'parquet' && s.formatDeclared
            ? create(FileFormatSchema, { format: { case: 'parquetFormat', value: create(FileFormat_ParquetFormatSchema) } })
            : undefined,
        uri: dynamo ? dynamoDBUriOf(s.table) : s.path,
        s3EndpointOverride: dynamo ? '' : (s.s3EndpointOverride ?? ''),
      }),
    },
    dataSourceClassType: FILE_SOURCE_CLASS,
    name: s.name,
    project,
    description: s.description,
    tags: dynamo ? dynamoDBSourceTags(s) : { ...s.tags },
    owner: s.owner,
  });
}

function featureSpec(f: model.Feature): FeatureSpecV2 {
  // Feast's Field.to_proto adds a Struct's schema and a nested collection's type to the tags.
  return create(FeatureSpecV2Schema, { name: f.name, valueType: valueTypeOf(f.dtype), tags: fieldTagsOf(f.dtype, f.tags), description: f.description });
}

function featureViewProto(project: string, v: model.FeatureView, sources: Map<string, model.DataSource>): FeatureView {
  const source = sources.get(v.source);
  return create(FeatureViewSchema, {
    spec: create(FeatureViewSpecSchema, {
      name: v.name,
      project,
      entities: [...v.entities],
      features: v.features.map(featureSpec),
      tags: { ...v.tags },
      ttl: durationFromMicros(v.ttlMicros),
      batchSource: source ? dataSourceProto('', source) : undefined,
      online: v.online,
      description: v.description,
      owner: v.owner,
      entityColumns: v.entityColumns.map((c) => create(FeatureSpecV2Schema, { name: c.name, valueType: valueTypeOf({ kind: 'scalar', scalar: c.dtype }) })),
    }),
  });
}

/**
 * A projection's copy of its view's source is Feast's plain `DataSource.to_proto()`: no project and no
 * data_source_class_type (Feast adds that one only to a view's own batch_source).
 */
function projectionSourceProto(s: model.DataSource): DataSource {
  const proto = dataSourceProto('', s);
  proto.dataSourceClassType = '';
  return proto;
}

/**
 * FeatureViewProjection.view_type (field 11, string) = "featureView", as Feast writes it. Our schema
 * subset does not declare the field, so it is written as the raw field (tag, length, UTF-8).
 */
const VIEW_TYPE_FEATURE_VIEW: UnknownField = (() => {
  const text = new TextEncoder().encode('featureView');
  return { no: 11, wireType: WireType.LengthDelimited, data: new Uint8Array([text.length, ...text]) };
})();

function featureServiceProto(
  project: string,
  s: model.FeatureService,
  views: Map<string, model.FeatureView>,
  sources: Map<string, model.DataSource>,
): FeatureService {
  return create(FeatureServiceSchema, {
    spec: create(FeatureServiceSpecSchema, {
      name: s.name,
      project,
      features: s.projections.map((p) => {
        const view = views.get(p.featureView);
        const source = view ? sources.get(view.source) : undefined;
        const wanted = new Set(p.features);
        const projection = create(FeatureViewProjectionSchema, {
          featureViewName: p.featureView,
          featureColumns: (view?.features ?? []).filter((f) => wanted.has(f.name)).map(featureSpec),
          // NOTE: Feast 0.67 (FeatureViewProjection.from_feature_view_definition) fills timestamp_field
          // with the source's *created* column; no reader uses it, and copying it keeps the two registries
          // equal.
          timestampField: source?.createdTimestampColumn ?? '',
          createdTimestampColumn: source?.createdTimestampColumn ?? '',
          batchSource: source ? projectionSourceProto(source) : undefined,
        });
        projection.$unknown = [VIEW_TYPE_FEATURE_VIEW];
        return projection;
      }),
      tags: { ...s.tags },
      description: s.description,
      owner: s.owner,
    }),
  });
}

/** Every object of `repo` as a registry message of `project`, sorted by name for a stable file. */
export function buildRegistryObjects(project: string, repo: model.RepoModel): DesiredRegistryObjects {
  const sources = new Map(repo.sources.map((s) => [s.name, s]));
  const views = new Map(repo.featureViews.map((v) => [v.name, v]));
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- every object build() makes has a spec
  const byName = <T extends { spec?: { name: string } }>(a: T, b: T) => (a.spec!.name < b.spec!.name ? -1 : a.spec!.name > b.spec!.name ? 1 : 0);
  return {
    entities: repo.entities.map((e) => entityProto(project, e)).sort(byName),
    dataSources: repo.sources.map((s) => dataSourceProto(project, s)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    featureViews: repo.featureViews.map((v) => featureViewProto(project, v, sources)).sort(byName),
    featureServices: repo.featureServices.map((s) => featureServiceProto(project, s, views, sources)).sort(byName),
  };
}
