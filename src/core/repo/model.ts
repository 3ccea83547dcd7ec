/**
 * The typed repo model: what the feature definition YAML files say, resolved and validated.
 * Names mirror Feast's objects (CONTRIBUTING.md convention 12).
 */
import type { SourceLocation } from '../errors.js';
import type { Dtype, JoinKeyDtype } from '../layout/feast-types.js';

// The dtypes are Feast's, one table for every part of dynafeast (layout/feast-types.ts).
export { SCALAR_DTYPES, JOIN_KEY_DTYPES, formatDtype, type ScalarDtype, type JoinKeyDtype, type Dtype, type StructField } from '../layout/feast-types.js';

export const DUMMY_ENTITY_NAME = '__dummy';
export const DUMMY_ENTITY_ID = '__dummy_id';

export interface Entity {
  name: string;
  /** Feast entities have exactly one join key; several are accepted for composite keys across entities. */
  joinKeys: string[];
  /** `undefined` only for Feast's `__dummy` entity (ValueType INVALID/0 in the registry). */
  valueType: JoinKeyDtype | undefined;
  description: string;
  tags: Record<string, string>;
  owner: string;
  location?: SourceLocation;
}

export interface FileSource {
  name: string;
  type: 'file';
  /** As written (relative to the repo root, or absolute); may be a glob or a folder. */
  path: string;
  /** `parquet` or `csv`: from `format:` or inferred from the path's extension. */
  format: 'parquet' | 'csv';
  /**
   * True when the definition names the format (YAML `format:`, Feast's `file_format=`): only then does
   * the registry record a file format, as `feast apply` does.
   */
  formatDeclared?: boolean;
  timestampField: string;
  createdTimestampColumn: string;
  /** Feast's `s3_endpoint_override`: the S3 endpoint an `s3://` path is read from (e.g. a MinIO). */
  s3EndpointOverride?: string;
  /** source column name -> feature / join key name */
  fieldMapping: Record<string, string>;
  description: string;
  tags: Record<string, string>;
  owner: string;
  location?: SourceLocation;
}

/** How a DynamoDB source's timestamp attribute is written (declared, never guessed). */
export const TIMESTAMP_FORMATS = ['epoch_seconds', 'epoch_millis', 'epoch_micros', 'iso8601'] as const;
export type TimestampFormat = (typeof TIMESTAMP_FORMATS)[number];

/**
 * An existing DynamoDB table read by parallel Scan (architecture.md §4.11). In the registry it is a
 * FileSource whose uri is `dynamodb://<table>` with these settings in `dynafeast.*` tags.
 */
export interface DynamoDBSource {
  name: string;
  type: 'dynamodb';
  table: string;
  /** Default: the online store's. */
  region?: string;
  /** Default: the online store's (when the region is not set either). */
  endpointUrl?: string;
  timestampField: string;
  timestampFormat: TimestampFormat;
  createdTimestampColumn: string;
  /** How the created timestamp is written; default the event timestamp's format. */
  createdTimestampFormat?: TimestampFormat;
  /** attribute name -> feature / join key name */
  fieldMapping: Record<string, string>;
  /** Parallel Scan segments; default from the table's size. */
  segments?: number;
  /** Read capacity units per second the scan may consume (all segments together). */
  maxReadUnitsPerSecond?: number;
  consistentRead: boolean;
  description: string;
  /** The user's tags (the registry form's `dynafeast.*` tags are not among them). */
  tags: Record<string, string>;
  owner: string;
  location?: SourceLocation;
}

export type DataSource = FileSource | DynamoDBSource;

export interface Feature {
  name: string;
  dtype: Dtype;
  description: string;
  tags: Record<string, string>;
}

/** A join key column of a view: name and dtype (Feast's `entity_columns`). */
export interface EntityColumn {
  name: string;
  dtype: JoinKeyDtype;
}

export interface FeatureView {
  name: string;
  /** Entity names as written; `['__dummy']` for an entityless view. */
  entities: string[];
  /** Join key columns of the view in entity order; `[{__dummy_id, String}]` for an entityless view. */
  entityColumns: EntityColumn[];
  /** ttl in microseconds; 0n = no ttl. */
  ttlMicros: bigint;
  source: string;
  online: boolean;
  features: Feature[];
  tags: Record<string, string>;
  description: string;
  owner: string;
  location?: SourceLocation;
  /**
   * Registry-driven mode only: why this view can be read but not materialized (its batch source is not
   * a file dynafeast can read). `source` is '' then.
   */
  notMaterializable?: string;
  /** Registry-driven mode only: the name of the view's push source (Feast's stream_source), if it has one. */
  pushSource?: string;
}

export interface FeatureServiceProjection {
  featureView: string;
  /** Feature names; all of the view's features when the YAML lists none. */
  features: string[];
}

export interface FeatureService {
  name: string;
  projections: FeatureServiceProjection[];
  tags: Record<string, string>;
  description: string;
  owner: string;
  location?: SourceLocation;
}

export interface RepoModel {
  /** Absolute repo root (the folder that holds feature_store.yaml). */
  root: string;
  /** Definition files read, relative to root. */
  files: string[];
  /** Includes Feast's `__dummy` entity. */
  entities: Entity[];
  sources: DataSource[];
  featureViews: FeatureView[];
  featureServices: FeatureService[];
}

export function isEntityless(view: FeatureView): boolean {
  return view.entities.length === 1 && view.entities[0] === DUMMY_ENTITY_NAME;
}
