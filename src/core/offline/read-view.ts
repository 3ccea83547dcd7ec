/**
 * One view's rows to write: the latest row per entity key inside the window, computed by DuckDB into a
 * temp table (so the totals are known before writing starts), then streamed out in chunks.
 */
import { DuckDBBigIntVector, type DuckDBDataChunk, type DuckDBStructVector, type DuckDBVector } from '@duckdb/node-api';
import { DynafeastError } from '../errors.js';
import type { DataSource, FeatureView } from '../repo/model.js';
import { resolveDynamoSourceReader, type DynamoScanStats, type DynamoSourceContext } from './dynamodb/dynamodb-source.js';
import { duckdbError, jsValueOf, type OfflineStore } from './offline-store.js';
import path from 'node:path';
import type { S3SourceContext } from './s3-source.js';
import { resolveSourceReader, type SourceReader } from './source-reader.js';
import { buildViewQuery, type FeatureBatch, type ViewQuery } from './view-query.js';

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
  reader: PlannedView['reader'];
  chunks(): AsyncGenerator<OfflineChunk>;
  /** Frees the temp table. */
  release(): Promise<void>;
}

export interface PrepareViewInput {
  view: FeatureView;
  source: DataSource;
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
  /** Feature columns per query of a parquet source (view-query.ts, default FEATURE_BATCH). */
  featureBatch?: number;
  /** How a `type: dynamodb` source is scanned (materialize); without it such a source is an error. */
  dynamo?: DynamoSourceContext;
}

let tableCounter = 0;

/** A view whose source was found and whose columns were checked; nothing has been computed yet. */
export interface PlannedView {
  /**
   * `done` removes a DynamoDB source's spool once the view is written; `release` leaves it for a resumed
   * run but lets go of its scan lock (a run that failed: the same process may run it again).
   */
  reader: SourceReader & { dynamodb?: DynamoScanStats; done?: () => Promise<void>; release?: () => Promise<void> };
  /** Counts the rows a run would leave out (a scan of the source; nothing kept). */
  skippedRows(): Promise<{ nullTimestampRows: number; nullKeyRows: number }>;
  /** Runs the window + latest-per-key query into a temp table. */
  execute(): Promise<PreparedView>;
  /**
   * The source's distinct join keys (every row, whatever its time; NULL keys left out), one array per
   * key column per chunk, converted as execute() converts them: memory stays within the store's limit
   * whatever the number of entities (view-query.ts, createDistinctKeys).
   */
  distinctKeys(): AsyncGenerator<unknown[][]>;
}

/** Resolves the source and checks its columns (errors name file and column). Cheap: reads metadata only. */
export async function planView(store: OfflineStore, input: PrepareViewInput): Promise<PlannedView> {
  const window = { startMicros: input.startMicros, endMicros: input.endMicros };
  const source = input.source;
  let reader: PlannedView['reader'];
  if (source.type === 'dynamodb') {
    if (!input.dynamo) {
      throw new DynafeastError('repo.unreadableSource', `source "${source.name}": DynamoDB table sources are read by materialize only`, {
        path: `sources.${source.name}`,
        ...(source.location ? { location: source.location } : {}),
        hint: 'run `dynafeast materialize` for this view',
      });
    }
    reader = await resolveDynamoSourceReader(store, source, input.view, window, input.dynamo);
  } else {
    reader = await resolveSourceReader(source, input.repoRoot, input.s3 && { ...input.s3, spoolDir: path.join(store.tempDir, 's3'), window });
  }
  let query: ViewQuery;
  try {
    const columns = await store.describe(input.source, reader);
    query = buildViewQuery({ ...input, reader, columns: columns.types, refs: columns.refs });
  } catch (e) {
    await reader.release?.();
    throw e;
  }
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
        for (const statement of query.createLatest(table)) await store.run(statement, input.source, reader);
      } catch (e) {
        // a later batch failed: the earlier ones' tables go (a failure here must not hide the first)
        await dropTables(store, query.tables(table)).catch(() => undefined);
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
        release: () => dropTables(store, query.tables(table)),
      };
    },
    async *distinctKeys() {
      const table = `__dynafeast_distinct_keys_${++tableCounter}`;
      try {
        try {
          await store.run(query.createDistinctKeys(table), input.source, reader);
        } catch (e) {
          throw await locateBadValue(store, query, input, reader, e);
        }
        const keyCount = query.keyColumns.length || 1;
        const fail = (e: unknown) => duckdbError(e, input.source, reader, store.operation);
        const stream = await store.connection.stream(`SELECT * FROM ${table}`).catch((e: unknown) => Promise.reject(fail(e)));
        for (;;) {
          const chunk = await stream.fetchChunk().catch((e: unknown) => Promise.reject(fail(e)));
          if (chunk === null || chunk.rowCount === 0) return;
          const rows = identityRows(chunk.rowCount);
          yield Array.from({ length: keyCount }, (_, k) => columnValues(chunk.getColumnVector(k), rows));
        }
      } finally {
        await dropTables(store, [table]);
      }
    },
  };
}

async function dropTables(store: OfflineStore, tables: readonly string[]): Promise<void> {
  for (const t of tables) await store.connection.run(`DROP TABLE IF EXISTS ${t}`);
}

/**
 * A refused value (column-types.ts raised it from inside the query, where rows have no number): finds
 * the first such row in file order and names file, row, column and value. Other failures pass through.
 */
async function locateBadValue(store: OfflineStore, query: ViewQuery, input: PrepareViewInput, reader: SourceReader, e: unknown): Promise<unknown> {
  const failure = duckdbError(e, input.source, reader, store.operation);
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
  const planned = await planView(store, input);
  try {
    return await planned.execute();
  } catch (e) {
    await planned.reader.release?.();
    throw e;
  }
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
  const fail = (e: unknown) => duckdbError(e, input.source, reader, store.operation);
  // one connection per batch: DuckDB streams one result per connection
  const connections = [store.connection];
  try {
    for (let j = 1; j < query.batches.length; j++) connections.push(await store.connect());
    const streams = await settled(connections.map((c, j) => c.stream(query.select(table, j)).catch((e: unknown) => Promise.reject(fail(e)))));
    // a batch's stream part in hand, or 'ended' once its stream is done
    let parts: Array<BatchPart | 'ended' | undefined> = query.batches.map(() => undefined);
    for (;;) {
      // refill every batch whose rows are used up; all streams end together (the same keys, sorted)
      const refill = await settled(
        parts.map(async (p, j): Promise<BatchPart | 'ended'> => {
          if (p === 'ended' || (p && p.offset < p.length)) return p;
          let chunk;
          try {
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- one stream per batch
            chunk = await streams[j]!.fetchChunk();
          } catch (e) {
            throw fail(e);
          }
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- one batch per stream
          return chunk && chunk.rowCount > 0 ? decodeBatch(chunk, keyCount, featureCount, query.batches[j]!, j === 0, input.keepRow) : 'ended';
        }),
      );
      const ended = refill.filter((p) => p === 'ended').length;
      if (ended === refill.length) return;
      if (ended > 0) {
        // the other streams may only hold chunks a shard keeps no row of (their kept rows are all out)
        if (refill.some((p) => p !== 'ended' && p.offset < p.length)) throw sourceChanged(input, reader);
        parts = refill;
        continue;
      }
      const live = refill as BatchPart[];
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- there is at least one batch
      const first = live[0]!;
      const n = Math.min(...live.map((p) => p.length - p.offset));
      const take = <T>(p: BatchPart, values: T[]): T[] => (p.offset === 0 && n === p.length ? values : values.slice(p.offset, p.offset + n));
      const keys = first.keys.map((k) => take(first, k));
      const features = new Array<unknown[]>(featureCount);
      live.forEach((p, j) => {
        if (j > 0 && !sameKeys(keys, p, n)) throw sourceChanged(input, reader);
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- one batch per part, its features filled by decodeBatch
        for (const f of query.batches[j]!.features) features[f] = take(p, p.features[f]!);
      });
      const eventMicros = take(first, first.eventMicros);
      for (const p of live) p.offset += n;
      live.forEach((p, j) => (parts[j] = p));
      // a shard may keep no row of a chunk: nothing to hand on
      if (n > 0) yield { length: n, keys, eventMicros, features };
    }
  } finally {
    for (const c of connections.slice(1)) store.disconnect(c);
  }
}

/** Promise.all that waits for every promise: a connection is closed only once nothing runs on it. */
async function settled<T>(promises: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** One chunk of one batch's stream, decoded; `offset` rows of it are already out. */
interface BatchPart {
  length: number;
  offset: number;
  keys: unknown[][];
  /** First batch only. */
  eventMicros: bigint[];
  /** By view feature index; only the batch's features are filled. */
  features: unknown[][];
}

function decodeBatch(
  chunk: DuckDBDataChunk,
  keyCount: number,
  featureCount: number,
  batch: FeatureBatch,
  first: boolean,
  keepRow: PrepareViewInput['keepRow'],
): BatchPart {
  const all = identityRows(chunk.rowCount);
  let keys = Array.from({ length: keyCount }, (_, k) => columnValues(chunk.getColumnVector(k), all));
  // rows[j] is the chunk row of output row j: a shard's slice is taken on the keys alone, before anything
  // else of a row is read; every batch's stream holds the same keys, so its slices stay aligned
  const rows = keepRow ? keptRows(keys, chunk.rowCount, keepRow) : all;
  if (rows.length < chunk.rowCount) keys = keys.map((column) => rows.map((i) => column[i]));
  const row = chunk.getColumnVector(keyCount) as DuckDBStructVector;
  let at = 0;
  const eventMicros = first ? eventsOf(row.entryVectorAt(at++), rows) : [];
  const features = new Array<unknown[]>(featureCount);
  for (const f of batch.features) features[f] = columnValues(row.entryVectorAt(at++), rows);
  if (batch.scalarNegativeZero.length) restoreScalarNegativeZero(features, batch.scalarNegativeZero, row.entryVectorAt(at++), rows);
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- listNegativeZero lists features of this batch, filled above
  for (const f of batch.listNegativeZero) restoreNegativeZero(features[f]!, row.entryVectorAt(at++), rows);
  return { length: rows.length, offset: 0, keys, eventMicros, features };
}

/** The rows of a later batch belong to the same keys as the first batch's (they do unless the files changed). */
function sameKeys(keys: unknown[][], p: BatchPart, n: number): boolean {
  return keys.every((column, k) => {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- every batch selects the same key columns
    const other = p.keys[k]!;
    for (let i = 0; i < n; i++) {
      const a = column[i];
      const b = other[p.offset + i];
      if (a === b) continue;
      if (!(a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0)) return false;
    }
    return true;
  });
}

function sourceChanged(input: PrepareViewInput, reader: SourceReader): DynafeastError {
  return new DynafeastError(
    'offline.failed',
    `view "${input.view.name}": the files of source "${input.source.name}" (${reader.display}) changed while they were read`,
    {
      path: `sources.${input.source.name}.path`,
      hint: 'run again once nothing writes to them (a wide view is read in several passes)',
    },
  );
}

function eventsOf(vector: DuckDBVector, rows: readonly number[]): bigint[] {
  const n = rows.length;
  const eventMicros = new Array<bigint>(n);
  if (vector instanceof DuckDBBigIntVector) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the event timestamp is never NULL in the result (NULL rows are filtered out in SQL); j < n
    for (let j = 0; j < n; j++) eventMicros[j] = vector.getItem(rows[j]!)!;
  } else {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < n = rows.length
    for (let j = 0; j < n; j++) eventMicros[j] = vector.getItem(rows[j]!) as bigint;
  }
  return eventMicros;
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
