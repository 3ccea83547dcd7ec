/**
 * The shapes a read is handed back in: Feast's `OnlineResponse.to_dict()` (column → one value per
 * entity row) and one object per row (jsonl, csv, table).
 */
import type { OnlineFeaturesColumns, OnlineFeaturesResult } from './types.js';

export interface ShapeOptions {
  /** Adds `<column>__status` (PRESENT, NOT_FOUND, NULL_VALUE, OUTSIDE_MAX_AGE). */
  includeStatus?: boolean;
  /** Adds `<column>__ts`: event time in epoch seconds, 0 when no row (Feast's to_dict(True)). */
  includeEventTimestamps?: boolean;
}

/** Feast's timestamp column suffix (feast.online_response.TIMESTAMP_POSTFIX). */
export const TIMESTAMP_SUFFIX = '__ts';
export const STATUS_SUFFIX = '__status';

/** Output column names in order: each column followed by its `__ts` and `__status` when asked for. */
export function outputColumns(result: OnlineFeaturesColumns, opts: ShapeOptions = {}): string[] {
  const names: string[] = [];
  for (const c of result.columns) {
    names.push(c.name);
    if (opts.includeEventTimestamps) names.push(c.name + TIMESTAMP_SUFFIX);
    if (opts.includeStatus) names.push(c.name + STATUS_SUFFIX);
  }
  return names;
}

/** `{ driver_id: [1001, 1002], conv_rate: [0.5, null] }`, in Feast's column order. */
export function toFeastDict(result: OnlineFeaturesColumns, opts: ShapeOptions = {}): OnlineFeaturesResult {
  const out: OnlineFeaturesResult = {};
  for (const c of result.columns) {
    out[c.name] = c.values;
    if (opts.includeEventTimestamps) out[c.name + TIMESTAMP_SUFFIX] = c.eventTimestamps;
    if (opts.includeStatus) out[c.name + STATUS_SUFFIX] = c.statuses;
  }
  return out;
}

/** One object per entity row, with the same keys as {@link toFeastDict}. */
export function toRows(result: OnlineFeaturesColumns, opts: ShapeOptions = {}): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let r = 0; r < result.rowCount; r++) {
    const row: Record<string, unknown> = {};
    for (const c of result.columns) {
      row[c.name] = c.values[r];
      if (opts.includeEventTimestamps) row[c.name + TIMESTAMP_SUFFIX] = c.eventTimestamps[r];
      if (opts.includeStatus) row[c.name + STATUS_SUFFIX] = c.statuses[r];
    }
    rows.push(row);
  }
  return rows;
}
