/**
 * Runs one `COPY (query) TO file (FORMAT parquet)` in a throwaway in-memory DuckDB. The session time zone
 * is pinned to UTC because TIMESTAMP → TIMESTAMPTZ casts read it; a developer's local zone must not
 * shift the sample data.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, quotedString } from '@duckdb/node-api';
import { DynafeastError } from '../errors.js';

export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'uncompressed';

export interface ParquetWriteOptions {
  compression?: ParquetCompression;
  /** Rows per row group; DuckDB's default (122 880) when omitted. */
  rowGroupSize?: number;
  /** DuckDB worker threads; DuckDB's default (all cores) when omitted. */
  threads?: number;
  /** Let DuckDB write rows in any order (faster and lighter for large files). */
  unordered?: boolean;
}

export async function copyQueryToParquet(query: string, file: string, options: ParquetWriteOptions = {}): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config.threads = String(options.threads);
  const instance = await DuckDBInstance.create(':memory:', config);
  try {
    const connection = await instance.connect();
    try {
      await connection.run(`SET TimeZone = 'UTC'`);
      if (options.unordered) await connection.run('SET preserve_insertion_order = false');
      const copyOptions = ['FORMAT parquet', `COMPRESSION ${options.compression ?? 'snappy'}`];
      if (options.rowGroupSize !== undefined) copyOptions.push(`ROW_GROUP_SIZE ${Math.trunc(options.rowGroupSize)}`);
      await connection.run(`COPY (${query}) TO ${quotedString(file)} (${copyOptions.join(', ')})`);
    } finally {
      connection.closeSync();
    }
  } catch (e) {
    throw new DynafeastError('internal', `could not write the sample parquet file ${file}: ${(e as Error).message}`, {
      hint: 'check that the folder is writable and has free space',
      cause: e,
    });
  } finally {
    instance.closeSync();
  }
}
