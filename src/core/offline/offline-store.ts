/**
 * The DuckDB session materialize reads sources through (architecture.md §4.1): one in-memory database per run,
 * spilling to a private temp folder beyond its memory limit, so neither the file nor all its rows ever
 * sit in the JS heap. Rows leave DuckDB as chunks of columns with timestamps as epoch-microsecond
 * bigints.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DuckDBBlobValue,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { DynafeastError } from '../errors.js';
import type { DataSource } from '../repo/model.js';
import { OWN_ERROR_MARK, type SourceColumnType } from './column-types.js';
import { describeSourceColumns, type SourceColumns } from './source-columns.js';
import { sqlString, type SourceReader } from './source-reader.js';

/**
 * DuckDB's memory limit for the on-disk database sql and verify load tables into: beyond it rows stay
 * on disk, so memory is bounded by it rather than by the table (bench/export.bench.ts).
 * NOTE: 128 MB is too little for a COPY of 1M rows joined with their keys in one hash join (the join's
 * build side and the parquet writer's row groups, per thread); export joins in steps
 * (online-tables.ts) and keeps to {@link exportMemoryLimit}.
 */
export const LOAD_MEMORY_LIMIT = '256MB';

/**
 * DuckDB pins about two of its 256 KiB blocks per column per thread while it scans or writes a table
 * (a column segment read, one being written): a COPY of 101 DOUBLE columns on 2 threads ran out of
 * memory under 96 MB and fit in 128 MB, 401 columns fit in 512 MB, not 256 MB. The limits below grow by
 * this much per column and thread, never with the number of rows.
 */
const PER_COLUMN_MB = 0.5;
/** Appending holds a row group not yet checkpointed: 122,880 rows, ~1 MB per 8-byte column, and its open blocks. */
const APPEND_PER_COLUMN_MB = 1.5;

/**
 * DuckDB's limit while rows are appended to the tables export and sql load (online-tables.ts: the
 * scanned items and the source's keys; one thread, the appender's): appending needs the appender's
 * chunks and the row group not yet checkpointed (122,880 rows: ~1 MB per 8-byte column; 101 DOUBLE
 * columns did not fit in 59 MB), and what DuckDB held beyond them was the tables' written blocks, cached
 * up to the limit, so memory grew with the table (at 500k items 32 MB, at 1M 46 MB, against 12 MB at
 * 100k). The limit for the queries after comes back with `OfflineStore.limitMemory`.
 */
export function appendMemoryLimit(columns: number): string {
  return `${Math.max(24, Math.ceil(8 + columns * APPEND_PER_COLUMN_MB))}MB`;
}

/**
 * export's limit for the key join's steps and the COPY into the file: per DuckDB thread, one parquet row
 * group (at most EXPORT_ROW_GROUP_BYTES, export.ts, 16 MB) and the columns' blocks; at least 64 MB (32 MB
 * in all ran out of memory in the join). Under 256 MB DuckDB kept the relation's written blocks cached up
 * to the limit, so the peak grew with the table (bench/export.bench.ts).
 */
export function exportMemoryLimit(columns: number, threads: number): string {
  return `${Math.max(64, Math.ceil(threads * (16 + columns * PER_COLUMN_MB)))}MB`;
}

/**
 * DuckDB allocates through its own jemalloc, which keeps freed memory to reuse it: its background
 * threads hand back what has been free for about a second (DuckDB builds it with a 1 s decay), and a
 * thread flushes its own only after idling half a second, by default only past a 128 MB peak
 * (`allocator_flush_threshold`; with background threads on, jemalloc is left to them and the threshold
 * only pads glibc's trim). Memory DuckDB had freed (its tracked use, duckdb_memory(), stayed near 30 MB)
 * so stayed in the process while the next step allocated, and the steps of a bigger table freed more:
 * appending 500k rows left ~40 MB that the next second gave back (bench/export.bench.ts).
 * `allocator_bulk_deallocation_flush_threshold` below DuckDB's 256 KiB block makes every block the
 * buffer manager hands out first return all of jemalloc's freed pages (and trim glibc's), so a step
 * starts from what is in use, not from what the last one freed.
 */
const RETURN_FREED_MEMORY: Record<string, string> = {
  allocator_flush_threshold: '1MiB',
  allocator_bulk_deallocation_flush_threshold: '128KiB',
  allocator_background_threads: 'true',
};

/** What a store reads sources for: it decides the advice when DuckDB runs out of memory. */
export type OfflineOperation = 'materialize' | 'export' | 'sql' | 'verify';

export interface OfflineStoreOptions {
  /** Default `materialize`. */
  operation?: OfflineOperation;
  /** DuckDB worker threads (default: all cores). */
  threads?: number;
  /** e.g. `1GB`; DuckDB spills to disk beyond it (default: DuckDB's, 80% of RAM). */
  memoryLimit?: string;
  /**
   * Keep the database in a file of the private temp folder instead of memory: tables loaded in full
   * (export, sql, verify) then stay on disk beyond the memory limit, and DuckDB returns freed memory at
   * once ({@link RETURN_FREED_MEMORY}), so memory does not grow with the table.
   */
  onDisk?: boolean;
}

export interface OfflineStore {
  connection: DuckDBConnection;
  operation: OfflineOperation;
  /** The run's private temp folder (DuckDB's spill, S3 sources' spool), removed by close(). */
  tempDir: string;
  /** The source's columns by their names in the files (hive partition columns included). */
  describe(source: DataSource, reader: SourceReader): Promise<SourceColumns>;
  /** Runs a statement, turning DuckDB failures into errors that name the source. */
  run(sql: string, source: DataSource, reader: SourceReader): Promise<void>;
  /**
   * One more connection to the same database, for reading several results at once (DuckDB streams one
   * result per connection; it sees tables, not TEMP tables). Closed by `disconnect` or with the store.
   */
  connect(): Promise<DuckDBConnection>;
  disconnect(connection: DuckDBConnection): void;
  /**
   * Sets DuckDB's memory limit (`SET memory_limit`): a limit for one phase, e.g. {@link appendMemoryLimit};
   * undefined restores the store's own (its `memoryLimit`, or DuckDB's default).
   */
  limitMemory(limit: string | undefined): Promise<void>;
  /** Stops the running queries (Ctrl-C). */
  interrupt(): void;
  close(): Promise<void>;
}

export async function openOfflineStore(options: OfflineStoreOptions = {}): Promise<OfflineStore> {
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'dynafeast-duckdb-'));
  const config: Record<string, string> = { temp_directory: tempDir, preserve_insertion_order: 'false' };
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  if (options.onDisk) Object.assign(config, RETURN_FREED_MEMORY);
  const instance = await DuckDBInstance.create(options.onDisk ? path.join(tempDir, 'tables.duckdb') : ':memory:', config);
  const connection = await instance.connect();
  // Casts between TIMESTAMP and TIMESTAMPTZ read the session zone; naive source times must mean UTC.
  await connection.run(`SET TimeZone = 'UTC'`);
  const extra = new Set<DuckDBConnection>();
  let closed = false;
  const operation = options.operation ?? 'materialize';
  return {
    connection,
    operation,
    tempDir,
    async describe(source, reader) {
      let columns;
      try {
        columns = await describeColumns(connection, reader);
      } catch (e) {
        throw duckdbError(e, source, reader, operation);
      }
      const names = columns.map((c) => c.name);
      const types = columns.map((c) => {
        const t = columnTypeOf(c.type);
        // every CSV column is read as text (source-reader.ts); the dtype it feeds says how to parse it
        return reader.format === 'csv' && t.kind === 'string' ? { name: 'CSV text', kind: 'text' as const } : t;
      });
      try {
        return await describeSourceColumns(connection, source, reader, names, types);
      } catch (e) {
        throw duckdbError(e, source, reader, operation);
      }
    },
    async run(sql, source, reader) {
      try {
        await connection.run(sql);
      } catch (e) {
        throw duckdbError(e, source, reader, operation);
      }
    },
    async connect() {
      const c = await instance.connect();
      extra.add(c);
      await c.run(`SET TimeZone = 'UTC'`);
      return c;
    },
    disconnect(c) {
      if (extra.delete(c)) c.closeSync();
    },
    async limitMemory(limit) {
      const value = limit ?? options.memoryLimit;
      // a global setting, set on a connection of its own: a statement on one that streams a result ends the stream
      const c = await instance.connect();
      try {
        await c.run(value === undefined ? 'RESET GLOBAL memory_limit' : `SET GLOBAL memory_limit = ${sqlString(value)}`);
      } finally {
        c.closeSync();
      }
    },
    interrupt: () => {
      connection.interrupt();
      for (const c of extra) c.interrupt();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const c of extra) c.closeSync();
      extra.clear();
      connection.closeSync();
      instance.closeSync();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}

/**
 * The columns of a source without reading it: DESCRIBE binds the query but allocates nothing per column,
 * where even `LIMIT 0` sets up a scan with buffers for every column (~1 s and over 100 MB at 20,000
 * columns). DESCRIBE spells types as SQL; one prepared `CAST(NULL AS …)` per distinct spelling (a
 * prepared statement is one statement, never a second one) turns them back into DuckDB types.
 */
async function describeColumns(connection: DuckDBConnection, reader: SourceReader): Promise<Array<{ name: string; type: DuckDBType }>> {
  const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${reader.sql}`))
    .getRows()
    .map(([name, type]) => [String(name), String(type)] as const);
  const spellings = [...new Set(described.map(([, type]) => type))];
  let probe;
  try {
    probe = await connection.prepare(`SELECT ${spellings.map((t, i) => `CAST(NULL AS ${t}) AS t${i}`).join(', ') || '1'} LIMIT 0`);
  } catch {
    // a spelling DuckDB does not read back: ask the slow way
    const result = await connection.run(`SELECT * FROM ${reader.sql} LIMIT 0`);
    return result.columnNames().map((name, i) => ({ name, type: result.columnType(i) }));
  }
  try {
    const types = new Map(spellings.map((t, i) => [t, probe.columnType(i)]));
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- every spelling was probed
    return described.map(([name, type]) => ({ name, type: types.get(type)! }));
  } finally {
    probe.destroySync();
  }
}

/** DuckDB's type, reduced to what the conversion rules need. */
export function columnTypeOf(t: DuckDBType): SourceColumnType {
  const name = t.toString();
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { name, kind: 'bool' };
    case DuckDBTypeId.TINYINT:
      return { name, kind: 'integer', bits: 8 };
    case DuckDBTypeId.SMALLINT:
      return { name, kind: 'integer', bits: 16 };
    case DuckDBTypeId.INTEGER:
      return { name, kind: 'integer', bits: 32 };
    case DuckDBTypeId.BIGINT:
      return { name, kind: 'integer', bits: 64 };
    case DuckDBTypeId.HUGEINT:
      return { name, kind: 'integer', bits: 128 };
    case DuckDBTypeId.UTINYINT:
      return { name, kind: 'integer', bits: 8, unsigned: true };
    case DuckDBTypeId.USMALLINT:
      return { name, kind: 'integer', bits: 16, unsigned: true };
    case DuckDBTypeId.UINTEGER:
      return { name, kind: 'integer', bits: 32, unsigned: true };
    case DuckDBTypeId.UBIGINT:
      return { name, kind: 'integer', bits: 64, unsigned: true };
    case DuckDBTypeId.UHUGEINT:
      return { name, kind: 'integer', bits: 128, unsigned: true };
    case DuckDBTypeId.FLOAT:
      return { name, kind: 'float', bits: 32 };
    case DuckDBTypeId.DOUBLE:
      return { name, kind: 'float', bits: 64 };
    case DuckDBTypeId.DECIMAL:
      return { name, kind: 'decimal' };
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
      return { name, kind: 'string' };
    case DuckDBTypeId.BLOB:
      return { name, kind: 'blob' };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { name, kind: 'timestamp' };
    case DuckDBTypeId.DATE:
      return { name, kind: 'date' };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return { name, kind: 'list', element: columnTypeOf(t.valueType) };
    case DuckDBTypeId.STRUCT:
      return { name, kind: 'struct', fields: t.entryNames.map((n, i) => ({ name: n, type: columnTypeOf(t.entryTypes[i] as DuckDBType) })) };
    default:
      return { name, kind: 'other' };
  }
}

// DuckDB prefixes every message with its error class ("Conversion Error: …"), a stable part of its API
// unlike the wording after it.
const DATA_ERRORS = /^(Error: )?(Conversion|Invalid Input|Out of Range) Error:/;
// The file itself is not what its format says (corrupt, truncated, another format, undecodable CSV):
// matched on the file-format terms DuckDB's readers use, so these never get the "fix the values" hint.
const FILE_ERRORS = /magic bytes|Parquet file|sniff|CSV Error|corrupt|truncat|Invalid unicode|invalid UTF-?8/i;
// Failures of the engine, not of the data: exit 1, not 2.
const ENGINE_ERRORS = /^(Error: )?(Out of Memory|INTERRUPT|Interrupt|FATAL|Fatal|INTERNAL|Internal) Error:/;

/**
 * What to do when DuckDB runs out of memory reading a source, by what the source is read for: the
 * latest row per entity of the window (materialize, verify) or the distinct entities whose join keys
 * export and sql recover, under their own memory limit (export/online-tables.ts).
 */
const OUT_OF_MEMORY_HINTS: Record<OfflineOperation, string> = {
  materialize: 'the window holds more distinct entities than fit in memory: materialize a shorter window, or free memory',
  verify: 'the window holds more distinct entities than verify keeps in memory: verify a shorter window, or check a random sample with --sample N',
  export: `export keeps DuckDB within a limit by the view's columns and DuckDB's threads (spilling beyond it) and this step did not fit: export one view at a time (--views); if one view alone fails, report it with the output of --debug`,
  sql: `sql keeps DuckDB within ${LOAD_MEMORY_LIMIT} (spilling beyond it) and this query did not fit: name fewer views in one query, or aggregate before joining`,
};

/** The advice for a DuckDB failure that is running out of memory, by operation; undefined for any other failure. */
export function outOfMemoryHint(e: unknown, operation: OfflineOperation): string | undefined {
  return /Out of Memory/.test(e instanceof Error ? e.message : String(e)) ? OUT_OF_MEMORY_HINTS[operation] : undefined;
}

/** A DuckDB failure while reading a source: bad values are a data problem (exit 2), so is a bad file. */
export function duckdbError(e: unknown, source: DataSource, reader: SourceReader, operation: OfflineOperation = 'materialize'): DynafeastError {
  if (e instanceof DynafeastError) return e;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- split returns at least one element
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  const common = {
    path: `sources.${source.name}.path`,
    ...(source.location ? { location: source.location } : {}),
    cause: e,
  };
  if (ENGINE_ERRORS.test(message)) {
    return new DynafeastError('offline.failed', `reading source "${source.name}" (${reader.display}) failed in DuckDB: ${message}`, {
      ...common,
      hint: outOfMemoryHint(message, operation) ?? 'run again; if it keeps failing, report it with the output of --debug',
    });
  }
  const own = message.indexOf(OWN_ERROR_MARK);
  if (own >= 0) {
    return new DynafeastError('repo.badColumnType', message.slice(own + OWN_ERROR_MARK.length), {
      ...common,
      hint: 'fix the values in the file, or change the dtype in the view schema',
    });
  }
  if (DATA_ERRORS.test(message) && !FILE_ERRORS.test(message) && !/No files found/i.test(message)) {
    return new DynafeastError('repo.badColumnType', `source "${source.name}" (${reader.display}): ${message}`, {
      ...common,
      hint: 'fix the values in the file, or change the dtype in the view schema',
    });
  }
  return new DynafeastError('repo.unreadableSource', `source "${source.name}": cannot read ${reader.display}: ${message}`, {
    ...common,
    hint: FILE_ERRORS.test(message)
      ? `the file is not valid ${reader.format} (corrupt, truncated, or another format): write it again, or set the source's \`format:\` to what it holds`
      : 'check that the path holds readable parquet/CSV files (`format:` says which) and nothing else',
  });
}

/** A DuckDB value of a canonical result column as the encoder takes it. */
export function jsValueOf(v: DuckDBValue): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof DuckDBBlobValue) return v.bytes;
  if (v instanceof DuckDBListValue) return v.items.map(jsValueOf);
  // A STRUCT column feeding a Map or Struct feature: a plain object, as pandas hands Feast a dict.
  if (v instanceof DuckDBStructValue) return Object.fromEntries(Object.entries(v.entries).map(([k, x]) => [k, jsValueOf(x)]));
  // Timestamps inside a struct (column-types.ts converts top-level ones in SQL).
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue) return new Date(Number(v.micros / 1000n));
  return v;
}
