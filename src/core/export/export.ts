/**
 * `dynafeast export` (architecture.md §4.9): each view's online table, decoded, into a parquet, CSV or
 * JSON-lines file that DuckDB, pandas and Spark read. Rows are loaded page by page into an on-disk DuckDB
 * database (online-tables.ts) and written by DuckDB's COPY into a temp file renamed into place, so a
 * failed run leaves no half-written file and memory stays flat as the table grows.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynafeastError } from '../errors.js';
import { exportMemoryLimit, openOfflineStore, outOfMemoryHint, type OfflineStoreOptions } from '../offline/offline-store.js';
import { sqlIdentifier, sqlString } from '../offline/source-reader.js';
import { selectViews } from '../materialize/windows.js';
import { loadOnlineView, type LoadDeps, type LoadedView } from './online-tables.js';

import type { ExportFormat } from './formats.js';

/**
 * The most a parquet row group holds in memory before it is written (DuckDB's ROW_GROUP_SIZE_BYTES; its
 * 122,880 rows otherwise), so each thread's writer fits its share of exportMemoryLimit (offline-store.ts)
 * however wide the view. A view of a few features fills its 122,880 rows first (the file is as before).
 */
export const EXPORT_ROW_GROUP_BYTES = '16MB';

/** The options of the COPY that writes each format. */
export const COPY_OPTIONS: Record<ExportFormat, string> = {
  parquet: `FORMAT PARQUET, ROW_GROUP_SIZE_BYTES '${EXPORT_ROW_GROUP_BYTES}'`,
  csv: 'FORMAT CSV, HEADER true',
  jsonl: 'FORMAT JSON',
};

export type { ExportFormat };

export interface ExportArgs {
  /** Empty = every online view. */
  views: string[];
  format: ExportFormat;
  /** One view: the file. Several views, or an existing folder: the folder, one `<view>.<format>` each. */
  out: string;
}

export interface ExportedView extends LoadedView {
  file: string;
}

export interface ExportReport {
  format: ExportFormat;
  views: ExportedView[];
}

export interface ExportDeps extends LoadDeps {
  offline?: OfflineStoreOptions;
}

/** Where each view's file goes; checks the folder exists (or is made, for several views). */
async function targetsOf(views: readonly string[], format: ExportFormat, out: string): Promise<Map<string, string>> {
  const resolved = path.resolve(out);
  const existing = await stat(resolved).catch(() => undefined);
  const intoFolder = views.length > 1 || existing?.isDirectory() === true;
  if (intoFolder) {
    if (existing !== undefined && !existing.isDirectory()) {
      throw new DynafeastError('usage.badArgument', `--out ${out}: ${views.length} views are exported one file each, so --out must be a folder; it is a file`, {
        path: '--out',
        hint: 'name a folder (it is created when missing), or export one view with --views',
      });
    }
    await mkdir(resolved, { recursive: true });
    return new Map(views.map((v) => [v, path.join(resolved, `${v}.${format}`)]));
  }
  const parent = await stat(path.dirname(resolved)).catch(() => undefined);
  if (parent?.isDirectory() !== true) {
    throw new DynafeastError('usage.badArgument', `--out ${out}: the folder ${path.dirname(resolved)} does not exist`, {
      path: '--out',
      hint: 'create the folder first, or name a file in an existing one',
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- exactly one view here
  return new Map([[views[0]!, resolved]]);
}

export async function exportOnline(deps: ExportDeps, args: ExportArgs): Promise<ExportReport> {
  const views = selectViews(deps.repo, args.views);
  if (views.length === 0) return { format: args.format, views: [] };
  const targets = await targetsOf(
    views.map((v) => v.name),
    args.format,
    args.out,
  );
  // DuckDB's threads named, so each view's limit is what they need (exportMemoryLimit)
  const threads = deps.offline?.threads ?? os.availableParallelism();
  const store = await openOfflineStore({ operation: 'export', threads, memoryLimit: exportMemoryLimit(0, threads), ...deps.offline, onDisk: true });
  const onAbort = () => store.interrupt();
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  const report: ExportReport = { format: args.format, views: [] };
  try {
    for (const view of views) {
      // the view's limit holds for its COPY too
      const loaded = await loadOnlineView({ ...deps, queryMemoryLimit: (columns) => exportMemoryLimit(columns, threads) }, store, view, `export_${view.name}`);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- targetsOf has an entry per view
      const file = targets.get(view.name)!;
      const temp = `${file}.dynafeast-${process.pid}.tmp`;
      try {
        await store.connection.run(`COPY (SELECT * FROM ${sqlIdentifier(`export_${view.name}`)}) TO ${sqlString(temp)} (${COPY_OPTIONS[args.format]})`);
        await rename(temp, file);
      } catch (e) {
        await rm(temp, { force: true });
        throw new DynafeastError('offline.failed', `writing ${file} for view "${view.name}" failed: ${(e as Error).message.split('\n')[0]}`, {
          path: '--out',
          hint: outOfMemoryHint(e, 'export') ?? 'check that the folder is writable and has space',
          cause: e,
        });
      }
      report.views.push({ ...loaded, file });
    }
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
    await store.close();
  }
  return report;
}
