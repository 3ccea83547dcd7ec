/**
 * What a materialization did, per view: the figures behind the progress lines, the failure message and
 * the --json summary.
 */
import type { S3FetchStats } from '../offline/s3-source.js';
import { formatBytes } from '../util/bytes.js';
import { formatMicrosIso } from './time-arg.js';
import type { ViewWindow } from './windows.js';

export type ViewStatus = 'pending' | 'running' | 'written' | 'failed' | 'interrupted' | 'not started' | 'up to date' | 'empty window';

export interface ViewReport {
  view: string;
  table: string;
  startMicros: bigint;
  endMicros: bigint;
  status: ViewStatus;
  /** Why nothing was written (`up to date`, `empty window`). */
  reason?: string;
  rowsInWindow: number;
  /** Items to write: one per distinct entity key in the window. */
  entities: number;
  nullKeyRows: number;
  /** Rows of the source left out because their event timestamp is NULL. */
  nullTimestampRows: number;
  /** Items written (monotonic mode: not counting those skipped because a newer item is stored). */
  written: number;
  skipped: number;
  requests: number;
  retries: number;
  throttles: number;
  /** Write capacity units DynamoDB reported (absent when the endpoint reports none). */
  consumedCapacity: number | undefined;
  seconds: number;
  /** Where the time went (ms): the DuckDB query, fetching chunks, encoding, waiting for the writer. */
  timings: { queryMs: number; fetchMs: number; encodeMs: number; writeMs: number };
  /** For an `s3://` source: files and bytes fetched from S3. */
  s3?: S3FetchStats;
}

export interface MaterializeReport {
  views: ViewReport[];
  /** True when the intervals were appended to the registry. */
  recorded: boolean;
}

export function emptyReport(w: ViewWindow, table: string, status: ViewStatus = 'pending'): ViewReport {
  return {
    view: w.view.name,
    table,
    ...(w.empty ? { reason: w.empty.reason } : {}),
    startMicros: w.startMicros,
    endMicros: w.endMicros,
    status,
    rowsInWindow: 0,
    entities: 0,
    nullKeyRows: 0,
    nullTimestampRows: 0,
    written: 0,
    skipped: 0,
    requests: 0,
    retries: 0,
    throttles: 0,
    consumedCapacity: undefined,
    seconds: 0,
    timings: { queryMs: 0, fetchMs: 0, encodeMs: 0, writeMs: 0 },
  };
}

const fmt = new Intl.NumberFormat('en-US');

/** One line per view; `short` leaves out the view name (listr2 task titles already carry it). */
export function describeReports(reports: readonly ViewReport[], opts: { short: boolean }): string {
  return reports
    .map((r) => {
      const name = opts.short ? '' : `  ${r.view}: `;
      if (r.status === 'not started') return `${name}not started`;
      if (r.status === 'up to date' || r.status === 'empty window')
        return `${name}${r.reason ?? `already materialized up to ${formatMicrosIso(r.startMicros)}`}`;
      const parts = [`${fmt.format(r.rowsInWindow)} rows in window`, `${fmt.format(r.written)} of ${fmt.format(r.entities)} items written`];
      if (r.skipped > 0) parts.push(`${fmt.format(r.skipped)} skipped (newer stored)`);
      if (r.status === 'written') {
        // a rate over a fraction of a second is noise
        parts.push(
          r.seconds >= 1 ? `${r.seconds.toFixed(1)}s, ${fmt.format(Math.round((r.written + r.skipped) / r.seconds))} items/s` : `${r.seconds.toFixed(2)}s`,
        );
      }
      if (r.s3) parts.push(`${fmt.format(r.s3.filesFetched)} file(s), ${formatBytes(r.s3.bytesFetched)} from S3`);
      if (r.retries > 0) parts.push(`${fmt.format(r.retries)} retries`);
      if (r.throttles > 0) parts.push(`${fmt.format(r.throttles)} throttled`);
      const state = r.status === 'written' ? '' : ` (${r.status})`;
      return `${name}${parts.join(', ')}${state}`;
    })
    .join('\n');
}

/** The --json document of a successful run. */
export function reportToJson(report: MaterializeReport): Record<string, unknown> {
  return {
    ok: true,
    recorded: report.recorded,
    views: report.views.map((r) => ({
      view: r.view,
      table: r.table,
      status: r.status,
      ...(r.reason ? { reason: r.reason } : {}),
      start: formatMicrosIso(r.startMicros),
      end: formatMicrosIso(r.endMicros),
      rows: r.rowsInWindow,
      items: r.written,
      ...(r.skipped > 0 ? { skipped: r.skipped } : {}),
      ...(r.nullKeyRows > 0 ? { nullKeyRows: r.nullKeyRows } : {}),
      ...(r.nullTimestampRows > 0 ? { nullTimestampRows: r.nullTimestampRows } : {}),
      seconds: Math.round(r.seconds * 1000) / 1000,
      ...(r.consumedCapacity !== undefined ? { consumedWriteCapacity: r.consumedCapacity } : {}),
      retries: r.retries,
      throttles: r.throttles,
      ...(r.s3 ? { s3: { ...r.s3 } } : {}),
    })),
  };
}
