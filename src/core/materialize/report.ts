/**
 * What a materialization did, per view: the figures behind the progress lines, the failure message and
 * the --json summary.
 */
import type { S3FetchStats } from '../offline/s3-source.js';
import type { DynamoScanStats } from '../offline/dynamodb/dynamodb-source.js';
import { formatBytes } from '../util/bytes.js';
import { formatMicrosIso } from './time-arg.js';
import type { ViewWindow } from './windows.js';
import { costOf, type DryRunEstimate, type DryRunOptions } from './dry-run.js';
import type { ShardSpec } from './shard.js';

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
  /** For a `type: dynamodb` source: what the scan read and skipped. */
  dynamodb?: DynamoScanStats;
  /** --dry-run: what writing would take. */
  estimate?: DryRunEstimate;
}

/** A shard's run after this shard recorded its completion. */
export interface ShardRunReport {
  runId: string;
  shard: ShardSpec;
  /** Shards of the run done so far, this one included. */
  done: number[];
  /** This shard was the last one missing and recorded the run's intervals. */
  recordedNow: boolean;
  /** The run's intervals are in the registry (now or by an earlier completion). */
  recorded: boolean;
}

export interface MaterializeReport {
  views: ViewReport[];
  /** True when this run appended the intervals to the registry. */
  recorded: boolean;
  shardRun?: ShardRunReport;
  /** A --dry-run: nothing was written; each view's `estimate` says what writing would take. */
  dryRun?: DryRunOptions;
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
      if (r.status === 'written' && r.consumedCapacity !== undefined) parts.push(`${fmt.format(r.consumedCapacity)} write units`);
      if (r.status === 'written') {
        // a rate over a fraction of a second is noise
        parts.push(
          r.seconds >= 1 ? `${r.seconds.toFixed(1)}s, ${fmt.format(Math.round((r.written + r.skipped) / r.seconds))} items/s` : `${r.seconds.toFixed(2)}s`,
        );
      }
      if (r.s3) parts.push(`${fmt.format(r.s3.filesFetched)} file(s), ${formatBytes(r.s3.bytesFetched)} from S3`);
      if (r.dynamodb) {
        const d = r.dynamodb;
        const skipped = d.missingTimestamp + d.badTimestamp;
        parts.push(
          `${fmt.format(d.items)} item(s) scanned from DynamoDB table ${d.table} in ${fmt.format(d.requests)} request(s)` +
            (d.resumedSegments > 0 ? ` (${d.resumedSegments} of ${d.segments} segments resumed)` : '') +
            (skipped > 0 ? `, ${fmt.format(skipped)} skipped for their timestamp` : ''),
        );
      }
      if (r.retries > 0) parts.push(`${fmt.format(r.retries)} retries`);
      if (r.throttles > 0) parts.push(`${fmt.format(r.throttles)} throttled`);
      const state = r.status === 'written' ? '' : ` (${r.status})`;
      return `${name}${parts.join(', ')}${state}`;
    })
    .join('\n');
}

/** The estimate over every view of a dry run. */
export function dryRunTotals(report: MaterializeReport): { rows: number; items: number; bytes: number; writeUnits: number } {
  const t = { rows: 0, items: 0, bytes: 0, writeUnits: 0 };
  for (const v of report.views) {
    t.rows += v.rowsInWindow;
    t.items += v.estimate?.items ?? 0;
    t.bytes += v.estimate?.bytes ?? 0;
    t.writeUnits += v.estimate?.writeUnits ?? 0;
  }
  return t;
}

const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toPrecision(2) : n.toFixed(2)}`;

/** The human summary of a dry run: per view, then the total and the price it assumed. */
export function describeDryRun(report: MaterializeReport, price: DryRunOptions): string {
  const lines: string[] = [];
  for (const v of report.views) {
    const e = v.estimate;
    if (!e) {
      lines.push(`  ${v.view}: ${v.reason ?? v.status}`);
      continue;
    }
    const sizes = e.sizes
      ? `item size min ${e.sizes.min} / p50 ${e.sizes.p50} / p90 ${e.sizes.p90} / p99 ${e.sizes.p99} / max ${e.sizes.max} bytes`
      : 'no items';
    lines.push(
      `  ${v.view}: ${fmt.format(v.rowsInWindow)} rows in window, ${fmt.format(e.items)} items, ${sizes}, ` +
        `${fmt.format(e.writeUnits)} write units, ${usd(costOf(e.writeUnits, price.pricePerMillionWrites))}`,
    );
  }
  const t = dryRunTotals(report);
  lines.push(
    `  total: ${fmt.format(t.rows)} rows, ${fmt.format(t.items)} items, ${fmt.format(t.writeUnits)} write units, ` +
      `${usd(costOf(t.writeUnits, price.pricePerMillionWrites))} on demand at $${price.pricePerMillionWrites} per million write units`,
  );
  return lines.join('\n');
}

function shardJson(s: ShardRunReport): Record<string, unknown> {
  return { runId: s.runId, index: s.shard.index, count: s.shard.count, done: s.done, recordedNow: s.recordedNow, recorded: s.recorded };
}

function estimateJson(e: DryRunEstimate, price: DryRunOptions): Record<string, unknown> {
  return { ...e, costUsd: costOf(e.writeUnits, price.pricePerMillionWrites) };
}

/** The --json document of a successful run. */
export function reportToJson(report: MaterializeReport): Record<string, unknown> {
  const price = report.dryRun;
  return {
    ok: true,
    recorded: report.recorded,
    ...(report.shardRun ? { shard: shardJson(report.shardRun) } : {}),
    ...(price
      ? {
          dryRun: true,
          pricePerMillionWrites: price.pricePerMillionWrites,
          total: { ...dryRunTotals(report), costUsd: costOf(dryRunTotals(report).writeUnits, price.pricePerMillionWrites) },
        }
      : {}),
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
      ...(r.dynamodb ? { dynamodb: { ...r.dynamodb } } : {}),
      ...(r.estimate && price ? { estimate: estimateJson(r.estimate, price) } : {}),
    })),
  };
}
