/**
 * Shapes shared by the online reader, the library facade and the CLI renderers (architecture.md §4.3).
 */

/** Per-value status, named as in Feast's `FieldStatus` (serving.proto). */
export type FieldStatus = 'PRESENT' | 'NOT_FOUND' | 'NULL_VALUE' | 'OUTSIDE_MAX_AGE';

/**
 * How decoded values are represented.
 * - `json` (default): every value survives JSON.stringify unchanged. Int64 → number when it is a safe
 *   integer, else its decimal string; Bytes → base64 string; UnixTimestamp → ISO-8601 text
 *   (`2021-04-12T07:00:00+00:00`, Python's `isoformat()`); Json → the parsed value; NaN →
 *   `"NaN"` and ±Infinity → `"Infinity"` / `"-Infinity"` (Feast returns them as floats).
 * - `native`: Int64 → bigint, Bytes → Uint8Array, UnixTimestamp → Date, Json → the parsed value,
 *   floats as JS numbers (NaN and ±Infinity included).
 * - `feast-json`: each value as the JSON text Feast's feature server writes for it (`feast-json.ts`);
 *   what `dynafeast serve` sends. Feature columns then also carry `eventMicros`.
 */
export type ValueFormat = 'json' | 'native' | 'feast-json';

/**
 * Entity rows as Feast takes them: a list of `{join_key: value}` objects, or columns
 * (`{driver_id: [1001, 1002]}`). Values may be strings (CLI, CSV); they are converted with the join
 * key's dtype.
 */
export type EntityRows = ReadonlyArray<Readonly<Record<string, unknown>>> | Readonly<Record<string, readonly unknown[]>>;

/**
 * How reads are sent: `lean` (default), dynafeast's own signed HTTP requests, a third of the SDK's CPU
 * per request; `sdk`, the AWS SDK client.
 */
export type ReadTransport = 'lean' | 'sdk';

export interface OnlineFeaturesRequest {
  /** `view:feature` references. Exactly one of `features` and `featureService`. */
  features?: readonly string[];
  featureService?: string;
  entityRows: EntityRows;
  /** Name feature columns `view__feature` (Feast's full_feature_names). */
  fullFeatureNames?: boolean;
  valueFormat?: ValueFormat;
}

/** One output column: a join key taken from the entity rows, or a requested feature. */
export interface OnlineColumn {
  name: string;
  kind: 'joinKey' | 'feature';
  /** The feature view it was read from (features only). */
  view?: string;
  values: unknown[];
  statuses: FieldStatus[];
  /**
   * Event time of the stored row in whole seconds since the epoch, as Feast's `__ts` columns give it;
   * 0 where no row was found and for join keys (Feast's default Timestamp).
   */
  eventTimestamps: number[];
  /**
   * Event time in epoch microseconds, 0n where no row was found; set with valueFormat `feast-json`. The
   * columns of one view share one array (read-only).
   */
  readonly eventMicros?: readonly bigint[];
}

/**
 * What `FeatureStore.getOnlineFeatures` returns, Feast's `OnlineResponse.to_dict()`: column name → one
 * value per entity row, join keys first (`{ driver_id: [1001, 1002], conv_rate: [0.5, null] }`), plus
 * `<column>__ts` and `<column>__status` columns when asked for.
 */
export type OnlineFeaturesResult = Record<string, unknown[]>;

/** What `FeatureStore.readOnlineFeatures` returns: the same read with values, statuses and times apart. */
export interface OnlineFeaturesColumns {
  /** Number of entity rows asked for (duplicates included). */
  rowCount: number;
  /** Join keys first (in the order the rows name them), then features in the order requested. */
  columns: OnlineColumn[];
}
