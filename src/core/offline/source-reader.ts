/**
 * Where a `file` source's rows come from, as a DuckDB table function call: one parquet or CSV file, a
 * glob, or a folder (read recursively, hive partitions `key=value/` becoming columns). Paths are
 * relative to the repo root, as in Feast.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DynafeastError } from '../errors.js';
import type { FileSource } from '../repo/model.js';
import { notRegularFile, type FileRole } from '../util/checked-file.js';
import { isS3Uri } from '../s3/s3-uri.js';
import { resolveS3SourceReader, type S3FetchStats, type S3SourceContext } from './s3-source.js';

export interface SourceReader {
  /** A DuckDB table expression, e.g. `read_parquet('/repo/data/x.parquet', hive_partitioning = true)`. */
  sql: string;
  /** The path as the user should see it in messages (relative to the repo when inside it). */
  display: string;
  format: 'csv' | 'parquet';
  /** The absolute file, glob or `folder/**\/*.ext` pattern the files are found with. */
  pattern: string;
  /** One file of the source as the user should see it (relative to the repo when inside it). */
  displayFile(file: string): string;
  /** For an `s3://` source: what fetching it cost. */
  s3?: S3FetchStats;
}

/** Single-quoted SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Double-quoted SQL identifier. */
export function sqlIdentifier(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

const GLOB_CHARS = /[*?[{]/;
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function unreadable(source: FileSource, display: string, why: string, hint: string, cause?: unknown): DynafeastError {
  return new DynafeastError('repo.unreadableSource', `source "${source.name}": cannot read ${display}: ${why}`, {
    path: `sources.${source.name}.path`,
    ...(source.location ? { location: source.location } : {}),
    hint,
    cause,
  });
}

/**
 * Resolves the source's path against the repo root and checks that something is there; a glob is left
 * to DuckDB, which reports a pattern that matches nothing when the query is first bound.
 */
export async function resolveSourceReader(
  source: FileSource,
  repoRoot: string,
  s3?: S3SourceContext & { window?: { startMicros: bigint; endMicros: bigint } },
): Promise<SourceReader> {
  if (isS3Uri(source.path)) {
    if (!s3) throw unreadable(source, source.path, 'S3 sources are read by materialize only', 'run `dynafeast materialize`');
    return resolveS3SourceReader(source, s3.window, s3);
  }
  if (URL_SCHEME.test(source.path)) {
    throw unreadable(
      source,
      source.path,
      'only local files and s3:// objects are supported',
      'copy the data next to the repo, or point `path` at a mounted folder',
    );
  }
  const absolute = path.resolve(repoRoot, source.path);
  const displayFile = (file: string) => {
    const rel = path.relative(repoRoot, file);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
  };
  const display = displayFile(absolute);
  const fn = source.format === 'csv' ? 'read_csv' : 'read_parquet';
  const ext = source.format === 'csv' ? 'csv' : 'parquet';

  let pattern = absolute;
  let folder = false;
  if (!GLOB_CHARS.test(source.path)) {
    const info = await stat(absolute).catch((e: NodeJS.ErrnoException) => {
      throw unreadable(
        source,
        display,
        e.code === 'ENOENT' ? 'no such file or folder' : `${e.code ?? 'error'}: ${e.message}`,
        'fix `path` (relative to the folder of feature_store.yaml), or generate the data first',
        e,
      );
    });
    if (info.isDirectory()) {
      pattern = path.join(absolute, '**', `*.${ext}`);
      folder = true;
      await assertRegularFilesUnder(absolute, `.${ext}`, { what: `data source ${source.name}: file`, path: `sources.${source.name}.path` });
    } else if (!info.isFile()) {
      // DuckDB would block on a FIFO (uninterruptibly) or read a device
      throw notRegularFile(display, info, { what: `data source ${source.name}:`, path: `sources.${source.name}.path` });
    }
  }
  // union_by_name: files of one glob or folder may have gained columns over time.
  const options = [`hive_partitioning = ${folder || GLOB_CHARS.test(source.path) ? 'true' : 'false'}`, 'union_by_name = true'];
  // CSV fields stay text: DuckDB would otherwise type each column from a sample of rows and round a
  // later 1001.6 into a BIGINT column; column-types.ts parses the text by the view's declared dtype.
  if (source.format === 'csv') options.push('header = true', 'all_varchar = true');
  return { sql: `${fn}(${sqlString(pattern)}, ${options.join(', ')})`, display, format: source.format, pattern, displayFile };
}

/** Every `*ext` file DuckDB's `**` pattern would read under `dir` must be a regular file. */
async function assertRegularFilesUnder(dir: string, ext: string, role: FileRole): Promise<void> {
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) await assertRegularFilesUnder(full, ext, role);
    else if (d.name.toLowerCase().endsWith(ext)) {
      const st = await stat(full).catch(() => undefined);
      if (st && !st.isFile() && !st.isDirectory()) throw notRegularFile(full, st, role);
    }
  }
}
