/**
 * One view's rows to write: the latest row per entity key inside the window, computed by DuckDB into a
 * temp table (so the totals are known before writing starts), then streamed out in chunks.
 */
import { DuckDBBigIntVector, type DuckDBVector } from '@duckdb/node-api';
import type { FeatureView, FileSource } from '../repo/model.js';
import { duckdbError, jsValueOf, type OfflineStore } from './offline-store.js';
import { resolveSourceReader, type SourceReader } from './source-reader.js';
import { buildViewQuery, type ViewQuery } from './view-query.js';

/** Rows of one chunk, column by column. */
export interface OfflineChunk {
  length: number;
  /** keys[k][row]: join key values in the view's entity column order (`''` for an entityless view). */
  keys: unknown[][];
  /** Event timestamps, epoch microseconds. */
  eventMicros: bigint[];
  /**
   * features[f][row] in the view's feature order: number (Int32, Float*), bigint (Int64, UnixTimestamp
   * seconds), string (String, Json), Uint8Array (Bytes), boolean, arrays of those, or null.
   */
  features: unknown[][];
}

export interface PreparedView {
  /** Rows with START <= event_ts <= END. */
  rowsInWindow: number;
  /** Distinct entity keys in the window = items to write. */
  entities: number;
  /** Rows left out because a join key is NULL. */
  nullKeyRows: number;
  reader: SourceReader;
  chunks(): AsyncGenerator<OfflineChunk>;
  /** Frees the temp table. */
  release(): Promise<void>;
}

export interface PrepareViewInput {
  view: FeatureView;
  source: FileSource;
  repoRoot: string;
  startMicros: bigint;
  endMicros: bigint;
}

let tableCounter = 0;

/** A view whose source was found and whose columns were checked; nothing has been computed yet. */
export interface PlannedView {
  reader: SourceReader;
  /** Runs the window + latest-per-key query into a temp table. */
  execute(): Promise<PreparedView>;
}

/** Resolves the source and checks its columns (errors name file and column). Cheap: reads metadata only. */
export async function planView(store: OfflineStore, input: PrepareViewInput): Promise<PlannedView> {
  const reader = await resolveSourceReader(input.source, input.repoRoot);
  const columns = await store.describe(input.source, reader);
  const query = buildViewQuery({ ...input, reader, columns });
  return {
    reader,
    async execute() {
      const table = `__dynafeast_latest_${++tableCounter}`;
      await store.run(query.createLatest(table), input.source, reader);
      const stats = await store.connection.runAndReadAll(query.stats(table));
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- an aggregate query without GROUP BY returns exactly one row
      const [rows, entities, nullKeyRows] = stats.getRows()[0]! as bigint[];
      return {
        rowsInWindow: Number(rows),
        entities: Number(entities),
        nullKeyRows: Number(nullKeyRows),
        reader,
        chunks: () => streamChunks(store, query, table, input, reader),
        release: () => store.run(`DROP TABLE IF EXISTS ${table}`, input.source, reader),
      };
    },
  };
}

/** planView + execute. */
export async function prepareView(store: OfflineStore, input: PrepareViewInput): Promise<PreparedView> {
  return (await planView(store, input)).execute();
}

async function* streamChunks(
  store: OfflineStore,
  query: ViewQuery,
  table: string,
  input: PrepareViewInput,
  reader: SourceReader,
): AsyncGenerator<OfflineChunk> {
  const keyCount = query.keyColumns.length || 1;
  const featureCount = input.view.features.length;
  let result;
  try {
    result = await store.connection.stream(query.select(table));
  } catch (e) {
    throw duckdbError(e, input.source, reader);
  }
  for (;;) {
    let chunk;
    try {
      chunk = await result.fetchChunk();
    } catch (e) {
      throw duckdbError(e, input.source, reader);
    }
    if (!chunk || chunk.rowCount === 0) return;
    const n = chunk.rowCount;
    const keys = Array.from({ length: keyCount }, (_, k) => columnValues(chunk.getColumnVector(k), n));
    const eventVector = chunk.getColumnVector(keyCount);
    const eventMicros = new Array<bigint>(n);
    if (eventVector instanceof DuckDBBigIntVector) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the query keeps rows whose __event_us is BETWEEN the window bounds, so it is never NULL
      for (let i = 0; i < n; i++) eventMicros[i] = eventVector.getItem(i)!;
    } else {
      for (let i = 0; i < n; i++) eventMicros[i] = eventVector.getItem(i) as bigint;
    }
    const features = Array.from({ length: featureCount }, (_, f) => columnValues(chunk.getColumnVector(keyCount + 1 + f), n));
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- negativeZero lists indexes of view features
    query.negativeZero.forEach((f, j) => restoreNegativeZero(features[f]!, chunk.getColumnVector(keyCount + 1 + featureCount + j), n));
    yield { length: n, keys, eventMicros, features };
  }
}

/** Puts back the -0.0 values the aggregate turned into 0.0 (see view-query.ts). */
function restoreNegativeZero(values: unknown[], signs: DuckDBVector, n: number): void {
  for (let i = 0; i < n; i++) {
    const s = signs.getItem(i);
    if (s === null) continue;
    if (s === true) values[i] = -0;
    else if (Array.isArray(values[i])) {
      const flags = jsValueOf(s) as boolean[];
      values[i] = (values[i] as number[]).map((v, j) => (v === 0 && flags[j] ? -0 : v));
    }
  }
}

function columnValues(vector: DuckDBVector, n: number): unknown[] {
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const v = vector.getItem(i);
    out[i] = v === null || typeof v !== 'object' ? v : jsValueOf(v);
  }
  return out;
}
