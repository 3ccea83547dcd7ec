/**
 * Registry-driven mode (architecture.md §2.2): a Feast repo whose definitions are Python, read from the
 * registry `feast apply` wrote instead. Python is never executed; the registry already holds what the
 * Python defined. Everything dynafeast can serve becomes the same RepoModel the YAML loader builds;
 * what it cannot (on-demand views need Python, types it lacks) is named, with what depends on it.
 */
import type { DataSource as DataSourceProto } from '../../gen/feast/core/DataSource_pb.js';
import { DataSource_SourceType } from '../../gen/feast/core/DataSource_pb.js';
import type { FeatureSpecV2 } from '../../gen/feast/core/Feature_pb.js';
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import { ValueType_Enum } from '../../gen/feast/types/Value_pb.js';
import { dtypeOfValueType, NESTED_TYPE_TAG, STRUCT_SCHEMA_TAG, userTagsOf } from '../layout/feast-types.js';
import { durationToMicros } from '../registry/time.js';
import {
  DUMMY_ENTITY_ID,
  DUMMY_ENTITY_NAME,
  JOIN_KEY_DTYPES,
  type DataSource,
  type Entity,
  type EntityColumn,
  type Feature,
  type FeatureService,
  type FeatureView,
  type JoinKeyDtype,
  type RepoModel,
} from './model.js';
import { inferFormat } from './source-format.js';
import { dynamoDBSourceFromRegistry, isDynamoDBUri } from './dynamodb-registry-form.js';

/** An object of the registry dynafeast does not serve, and why. */
export interface NotServed {
  kind: 'on-demand feature view' | 'feature view' | 'stream feature view' | 'label view' | 'feature service';
  name: string;
  reason: string;
  /** Feature services (and views) that use it. */
  usedBy: string[];
}

export interface RegistryDefinitions {
  repo: RepoModel;
  notServed: NotServed[];
}

const SOURCE_KIND: Partial<Record<DataSource_SourceType, string>> = {
  [DataSource_SourceType.BATCH_BIGQUERY]: 'BigQuery',
  [DataSource_SourceType.STREAM_KAFKA]: 'Kafka',
  [DataSource_SourceType.STREAM_KINESIS]: 'Kinesis',
  [DataSource_SourceType.BATCH_REDSHIFT]: 'Redshift',
  [DataSource_SourceType.CUSTOM_SOURCE]: 'custom',
  [DataSource_SourceType.REQUEST_SOURCE]: 'request',
  [DataSource_SourceType.BATCH_SNOWFLAKE]: 'Snowflake',
};

const VALUE_TYPE_NAME = (vt: ValueType_Enum): string => ValueType_Enum[vt] ?? `value type ${vt}`;

/** A file source, following a push source to its batch source; otherwise why it cannot be read. */
function fileSourceOf(proto: DataSourceProto | undefined, fallbackName: string): DataSource | { reason: string } {
  if (proto === undefined) return { reason: 'it has no batch source' };
  if (proto.type === DataSource_SourceType.PUSH_SOURCE) {
    if (proto.batchSource === undefined) return { reason: `its push source \`${proto.name}\` has no batch source` };
    return fileSourceOf(proto.batchSource, proto.name);
  }
  if (proto.options.case !== 'fileOptions' || proto.type !== DataSource_SourceType.BATCH_FILE) {
    const kind = SOURCE_KIND[proto.type] ?? 'non-file';
    return { reason: `its batch source \`${proto.name}\` is a ${kind} source; dynafeast materializes file sources (parquet, CSV)` };
  }
  const file = proto.options.value;
  if (isDynamoDBUri(file.uri)) {
    return dynamoDBSourceFromRegistry({ ...proto, name: proto.name || fallbackName, uri: file.uri });
  }
  const format = file.fileFormat?.format.case === 'parquetFormat' ? 'parquet' : inferFormat(file.uri);
  if (format === undefined) return { reason: `the format of its file source \`${proto.name}\` (${file.uri}) is neither parquet nor CSV` };
  return {
    name: proto.name || fallbackName,
    type: 'file',
    path: file.uri,
    format,
    ...(file.fileFormat?.format.case === undefined ? {} : { formatDeclared: true }),
    timestampField: proto.timestampField,
    createdTimestampColumn: proto.createdTimestampColumn,
    ...(file.s3EndpointOverride ? { s3EndpointOverride: file.s3EndpointOverride } : {}),
    fieldMapping: { ...proto.fieldMapping },
    description: proto.description,
    tags: { ...proto.tags },
    owner: proto.owner,
  };
}

/** Features of a view, or the first one whose type dynafeast cannot encode. */
function featuresOf(specs: FeatureSpecV2[]): Feature[] | { reason: string } {
  const out: Feature[] = [];
  for (const f of specs) {
    const dtype = dtypeOfValueType(f.valueType, f.tags);
    if (dtype === undefined) {
      const why =
        f.valueType === ValueType_Enum.STRUCT || f.valueType === ValueType_Enum.STRUCT_LIST
          ? `, whose field schema (tag ${STRUCT_SCHEMA_TAG}) is missing or unreadable`
          : f.valueType === ValueType_Enum.VALUE_LIST || f.valueType === ValueType_Enum.VALUE_SET
            ? `, whose inner type (tag ${NESTED_TYPE_TAG}) is missing or unreadable`
            : ', which is not a Feast 0.67 value type';
      return { reason: `feature \`${f.name}\` has type ${VALUE_TYPE_NAME(f.valueType)}${why}` };
    }
    out.push({ name: f.name, dtype, description: f.description, tags: userTagsOf(f.tags) });
  }
  return out;
}

function entityColumnsOf(specs: FeatureSpecV2[]): EntityColumn[] | { reason: string } {
  if (specs.length === 0) return [{ name: DUMMY_ENTITY_ID, dtype: 'String' }];
  const out: EntityColumn[] = [];
  for (const c of specs) {
    const dtype = dtypeOfValueType(c.valueType);
    const scalar = dtype?.kind === 'scalar' ? dtype.scalar : undefined;
    if (scalar === undefined || !(JOIN_KEY_DTYPES as readonly string[]).includes(scalar)) {
      return { reason: `join key \`${c.name}\` has type ${VALUE_TYPE_NAME(c.valueType)}, which cannot be part of an entity key` };
    }
    out.push({ name: c.name, dtype: scalar as JoinKeyDtype });
  }
  return out;
}

interface ViewSpecLike {
  name: string;
  entities: string[];
  features: FeatureSpecV2[];
  entityColumns: FeatureSpecV2[];
  ttl?: Parameters<typeof durationToMicros>[0];
  batchSource?: DataSourceProto;
  streamSource?: DataSourceProto;
  online: boolean;
  description: string;
  tags: Record<string, string>;
  owner: string;
}

const isReason = (x: unknown): x is { reason: string } => typeof x === 'object' && x !== null && 'reason' in x;

/**
 * The objects of `project` in `registry` as a RepoModel rooted at `root`, plus what cannot be served.
 * A view whose source dynafeast cannot read is still served for reads; materializing it is an error
 * that gives the reason (`FeatureView.notMaterializable`).
 */
export function definitionsFromRegistry(registry: Registry, project: string, root: string): RegistryDefinitions {
  const notServed: NotServed[] = [];
  const sources = new Map<string, DataSource>();
  const views: FeatureView[] = [];
  const joinKeyTypes = new Map<string, JoinKeyDtype>();

  for (const s of registry.dataSources) {
    if (s.project !== project) continue;
    const file = fileSourceOf(s, s.name);
    if (!isReason(file)) sources.set(file.name, file);
  }

  const addView = (kind: 'feature view' | 'stream feature view', spec: ViewSpecLike) => {
    const features = featuresOf(spec.features);
    const columns = entityColumnsOf(spec.entityColumns);
    if (isReason(features) || isReason(columns)) {
      notServed.push({ kind, name: spec.name, reason: (isReason(features) ? features : (columns as { reason: string })).reason, usedBy: [] });
      return;
    }
    for (const c of columns) joinKeyTypes.set(c.name, c.dtype);
    const source = fileSourceOf(spec.batchSource, `${spec.name}_source`);
    let sourceName = '';
    let notMaterializable: string | undefined;
    if (isReason(source)) {
      notMaterializable = source.reason;
    } else {
      sourceName = source.name;
      if (!sources.has(source.name)) sources.set(source.name, source);
    }
    views.push({
      name: spec.name,
      entities: spec.entities.length > 0 ? [...spec.entities] : [DUMMY_ENTITY_NAME],
      entityColumns: columns,
      ttlMicros: durationToMicros(spec.ttl),
      source: sourceName,
      online: spec.online,
      features,
      tags: { ...spec.tags },
      description: spec.description,
      owner: spec.owner,
      ...(notMaterializable === undefined ? {} : { notMaterializable }),
      ...(spec.streamSource?.type === DataSource_SourceType.PUSH_SOURCE ? { pushSource: spec.streamSource.name } : {}),
    });
  };
  for (const v of registry.featureViews) if (v.spec?.project === project) addView('feature view', v.spec);
  for (const v of registry.streamFeatureViews) if (v.spec?.project === project) addView('stream feature view', v.spec);

  const odfvs = registry.onDemandFeatureViews.filter((v) => v.spec?.project === project);
  for (const o of odfvs) {
    const name = o.spec?.name ?? '';
    notServed.push({ kind: 'on-demand feature view', name, reason: 'its transformation is Python code, which dynafeast does not run', usedBy: [] });
  }
  for (const l of registry.labelViews) {
    if (l.spec?.project !== project) continue;
    notServed.push({ kind: 'label view', name: l.spec.name, reason: 'label views are not supported yet', usedBy: [] });
  }

  const viewByName = new Map(views.map((v) => [v.name, v]));
  const blocked = new Map(notServed.map((n) => [n.name, n]));
  const featureServices: FeatureService[] = [];
  for (const s of registry.featureServices) {
    const spec = s.spec;
    if (spec?.project !== project) continue;
    const missing = spec.features.map((p) => p.featureViewName).filter((v) => !viewByName.has(v));
    if (missing.length > 0) {
      for (const m of missing) blocked.get(m)?.usedBy.push(`feature service ${spec.name}`);
      notServed.push({
        kind: 'feature service',
        name: spec.name,
        reason: `it uses ${missing.map((m) => `\`${m}\``).join(', ')}, which dynafeast cannot serve`,
        usedBy: [],
      });
      continue;
    }
    featureServices.push({
      name: spec.name,
      projections: spec.features.map((p) => ({ featureView: p.featureViewName, features: p.featureColumns.map((c) => c.name) })),
      tags: { ...spec.tags },
      description: spec.description,
      owner: spec.owner,
    });
  }

  const entities: Entity[] = [];
  for (const e of registry.entities) {
    const spec = e.spec;
    if (spec?.project !== project || spec.name === DUMMY_ENTITY_NAME) continue;
    // Feast 0.67 lets an entity omit its value type; the views' entity columns say it then.
    const declared = dtypeOfValueType(spec.valueType);
    const scalar =
      declared?.kind === 'scalar' && (JOIN_KEY_DTYPES as readonly string[]).includes(declared.scalar) ? (declared.scalar as JoinKeyDtype) : undefined;
    entities.push({
      name: spec.name,
      joinKeys: [spec.joinKey],
      valueType: scalar ?? joinKeyTypes.get(spec.joinKey),
      description: spec.description,
      tags: { ...spec.tags },
      owner: spec.owner,
    });
  }
  entities.push({ name: DUMMY_ENTITY_NAME, joinKeys: [DUMMY_ENTITY_ID], valueType: undefined, description: '', tags: {}, owner: '' });

  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    repo: {
      root,
      files: [],
      entities,
      sources: [...sources.values()].sort(byName),
      featureViews: views.sort(byName),
      featureServices: featureServices.sort(byName),
    },
    notServed,
  };
}
