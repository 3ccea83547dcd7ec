/**
 * One view's rows to write: the latest row per entity key inside the window, computed by DuckDB into a
 * temp table (so the totals are known before writing starts), then streamed out in chunks.
 */
import { DuckDBBigIntVector, type DuckDBStructVector, type DuckDBVector } from '@duckdb/node-api';
import { DynafeastError } from '../errors.js';
import type { FeatureView, FileSource } from '../repo/model.js';
import { duckdbError, jsValueOf, type OfflineStore } from './offline-store.js';
import path from 'node:path';
import type { S3SourceContext } from './s3-source.js';
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
  /** Rows of the source left out because their event timestamp is NULL (whatever their window). */
  nullTimestampRows: number;
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
  /** How an `s3://` source is fetched (its spool goes in the store's temp folder). */
  s3?: Omit<S3SourceContext, 'spoolDir'>;
  /**
   * Keeps only the rows whose join key values it accepts (a shard's slice): decided on the key columns
   * alone, before the event time and the features of a row are read out of DuckDB's chunk.
   */
  keepRow?: (keyValues: readonly unknown[]) => boolean;
}

let tableCounter = 0;

/** A view whose source was found and whose columns were checked; nothing has been computed yet. */
export interface PlannedView {
  reader: SourceReader;
  /** Counts the rows a run would leave out (a scan of the source; nothing kept). */
  skippedRows(): Promise<{ nullTimestampRows: number; nullKeyRows: number }>;
  /** Runs the window + latest-per-key query into a temp table. */
  execute(): Promise<PreparedView>;
}

/** Resolves the source and checks its columns (errors name file and column). Cheap: reads metadata only. */
export async function planView(store: OfflineStore, input: PrepareViewInput): Promise<PlannedView> {
  const window = { startMicros: input.startMicros, endMicros: input.endMicros };
  const reader = await resolveSourceReader(input.source, input.repoRoot, input.s3 && { ...input.s3, spoolDir: path.join(store.tempDir, 's3'), window });
  const columns = await store.describe(input.source, reader);
  const query = buildViewQuery({ ...input, reader, columns: columns.types, refs: columns.refs });
  return {
    reader,
    async skippedRows() {
      let result;
      try {
        result = await store.connection.runAndReadAll(query.skippedRows());
      } catch (e) {
        throw await locateBadValue(store, query, input, reader, e);
      }
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- an aggregate query without GROUP BY returns exactly one row
      const [nullTimestampRows, nullKeyRows] = result.getRows()[0]! as bigint[];
      return { nullTimestampRows: Number(nullTimestampRows), nullKeyRows: Number(nullKeyRows) };
    },
    async execute() {
      const table = `__dynafeast_latest_${++tableCounter}`;
      try {
        await store.run(query.createLatest(table), input.source, reader);
      } catch (e) {
        throw await locateBadValue(store, query, input, reader, e);
      }
      const stats = await store.connection.runAndReadAll(query.stats(table));
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- an aggregate query without GROUP BY returns exactly one row
      const [rows, entities, nullKeyRows, nullTimestampRows] = stats.getRows()[0]! as bigint[];
      return {
        rowsInWindow: Number(rows),
        entities: Number(entities),
        nullKeyRows: Number(nullKeyRows),
        nullTimestampRows: Number(nullTimestampRows),
        reader,
        chunks: () => streamChunks(store, query, table, input, reader),
        release: () => store.run(`DROP TABLE IF EXISTS ${table}`, input.source, reader),
      };
    },
  };
}

/**
 * A refused value (column-types.ts raised it from inside the query, where rows have no number): finds
 * the first such row in file order and names file, row, column and value. Other failures pass through.
 */
async function locateBadValue(store: OfflineStore, query: ViewQuery, input: PrepareViewInput, reader: SourceReader, e: unknown): Promise<unknown> {
  const failure = duckdbError(e, input.source, reader);
  if (failure.code !== 'repo.badColumnType' || query.checks.length === 0) return failure;
  const c = store.connection;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- SELECT current_setting() returns exactly one row
  const setting = async (name: string) => String((await c.runAndReadAll(`SELECT current_setting('${name}')`)).getRows()[0]![0]);
  const [threads, ordered] = [await setting('threads'), await setting('preserve_insertion_order')];
  try {
    // CSV rows are numbered in read order: one thread, insertion order kept (the error path only)
    await c.run(`SET threads = 1`);
    await c.run(`SET preserve_insertion_order = true`);
    for (const inWindow of [true, false]) {
      const found = (await c.runAndReadAll(query.locate(inWindow))).getRows()[0];
      if (!found) continue;
      const [file, row] = found as [string, bigint];
      const i = query.checks.findIndex((_, j) => found[2 + 2 * j] === true);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < query.checks.length
      const check = query.checks[i]!;
      const value = found[3 + 2 * i];
      const where = `view "${input.view.name}", source "${input.source.name}": ${reader.displayFile(file)}, row ${row}, column "${check.column}" (${check.role})`;
      return new DynafeastError('repo.badColumnType', `${where}: value ${JSON.stringify(value)} ${check.why}`, {
        path: `feature_views.${input.view.name}`,
        ...(input.view.location ? { location: input.view.location } : {}),
        hint: `fix the value in the file (rows count from 1${reader.format === 'csv' ? ', after the header' : ''}), or change the dtype in the view schema; nothing is rounded`,
        cause: failure,
      });
    }
  } catch {
    // locating is a courtesy: the unlocated error still names the column and the value
  } finally {
    await c.run(`SET threads = ${Number(threads)}`);
    await c.run(`SET preserve_insertion_order = ${ordered === 'true'}`);
  }
  return failure;
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
    const all = identityRows(chunk.rowCount);
    let keys = Array.from({ length: keyCount }, (_, k) => columnValues(chunk.getColumnVector(k), all));
    // rows[j] is the chunk row of output row j
    const rows = input.keepRow ? keptRows(keys, chunk.rowCount, input.keepRow) : all;
    if (rows.length === 0) continue;
    if (rows.length < chunk.rowCount) keys = keys.map((column) => rows.map((i) => column[i]));
    const n = rows.length;
    const row = chunk.getColumnVector(keyCount) as DuckDBStructVector;
    const eventVector = row.entryVectorAt(0);
    const eventMicros = new Array<bigint>(n);
    if (eventVector instanceof DuckDBBigIntVector) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the event timestamp is never NULL in the result (NULL rows are filtered out in SQL)
      for (let j = 0; j < n; j++) eventMicros[j] = eventVector.getItem(rows[j]!)!;
    } else {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < n = rows.length
      for (let j = 0; j < n; j++) eventMicros[j] = eventVector.getItem(rows[j]!) as bigint;
    }
    const features = Array.from({ length: featureCount }, (_, f) => columnValues(row.entryVectorAt(1 + f), rows));
    let sign = 1 + featureCount;
    if (query.scalarNegativeZero.length) restoreScalarNegativeZero(features, query.scalarNegativeZero, row.entryVectorAt(sign++), rows);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- listNegativeZero lists indexes of view features
    for (const f of query.listNegativeZero) restoreNegativeZero(features[f]!, row.entryVectorAt(sign++), rows);
    yield { length: n, keys, eventMicros, features };
  }
}

/** 0..n-1: every row of a chunk, in order. */
function identityRows(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The chunk rows whose key values `keep` accepts. */
function keptRows(keys: unknown[][], n: number, keep: (keyValues: readonly unknown[]) => boolean): number[] {
  const rows: number[] = [];
  const values = new Array<unknown>(keys.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < keys.length; k++) values[k] = keys[k]?.[i];
    if (keep(values)) rows.push(i);
  }
  return rows;
}

/**
 * Puts back the -0.0 scalars the aggregate turned into 0.0: `signs` holds one flag per feature of
 * `order`; output row i is chunk row rows[i].
 */
function restoreScalarNegativeZero(features: unknown[][], order: readonly number[], signs: DuckDBVector, rows: readonly number[]): void {
  for (let i = 0; i < rows.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < rows.length
    const s = signs.getItem(rows[i]!);
    if (s === null) continue;
    const flags = jsValueOf(s) as Array<boolean | null>;
    flags.forEach((flag, j) => {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- order lists indexes of view features
      if (flag === true) features[order[j]!]![i] = -0;
    });
  }
}

/** Puts back the -0.0 elements of a float list feature (see view-query.ts); output row i is chunk row rows[i]. */
function restoreNegativeZero(values: unknown[], signs: DuckDBVector, rows: readonly number[]): void {
  for (let i = 0; i < rows.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < rows.length
    const s = signs.getItem(rows[i]!);
    if (s === null || !Array.isArray(values[i])) continue;
    const flags = jsValueOf(s) as boolean[];
    values[i] = (values[i] as number[]).map((v, j) => (v === 0 && flags[j] ? -0 : v));
  }
}

/** The values of chunk rows `rows`, in that order. */
function columnValues(vector: DuckDBVector, rows: readonly number[]): unknown[] {
  const out = new Array<unknown>(rows.length);
  for (let j = 0; j < rows.length; j++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < rows.length
    const v = vector.getItem(rows[j]!);
    out[j] = v === null || typeof v !== 'object' ? v : jsValueOf(v);
  }
  return out;
}
