/**
 * Renders an online read: json (Feast's to_dict()), jsonl (one object per entity row), csv, or an
 * aligned table for people.
 */
import { outputColumns, toFeastDict, toRows, type ShapeOptions } from '../core/online/to-dict.js';
import type { OnlineFeaturesColumns } from '../core/online/types.js';
import type { Output } from './output.js';

export type OnlineOutput = 'json' | 'table' | 'csv' | 'jsonl';

/** A cell as text: strings as they are, null as empty, lists and objects as JSON. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

function csvCell(v: unknown): string {
  const s = cellText(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderCsv(result: OnlineFeaturesColumns, opts: ShapeOptions): string {
  return csvOf(outputColumns(result, opts), toRows(result, opts));
}

/** Rows (objects keyed by column name) as CSV with a header line; also `dynafeast sql -o csv`. */
export function csvOf(names: readonly string[], rows: Iterable<Record<string, unknown>>): string {
  const lines = [names.map(csvCell).join(',')];
  for (const row of rows) lines.push(names.map((n) => csvCell(row[n])).join(','));
  return lines.join('\n');
}

export function renderJsonl(result: OnlineFeaturesColumns, opts: ShapeOptions): string {
  return toRows(result, opts)
    .map((r) => JSON.stringify(r))
    .join('\n');
}

export function renderTable(result: OnlineFeaturesColumns, opts: ShapeOptions, out: Output): string {
  return tableOf(outputColumns(result, opts), toRows(result, opts), out);
}

/** Rows as an aligned table for people, null shown dim; also `dynafeast sql -o table`. */
export function tableOf(names: readonly string[], source: readonly Record<string, unknown>[], out: Output): string {
  const rows = source.map((r) => names.map((n) => (r[n] === null ? 'null' : cellText(r[n]))));
  // a loop, not Math.max(...column): spreading 125k+ cells as arguments overflows the stack
  const widths = names.map((n) => n.length);
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const line = (cells: string[], style: (s: string, col: number) => string) =>
    cells
      .map((c, i) => style(c.padEnd(widths[i] ?? 0), i))
      .join('  ')
      .trimEnd();
  const statusStyle = (s: string): string => {
    const t = s.trim();
    if (t === 'NOT_FOUND' || t === 'OUTSIDE_MAX_AGE') return out.color.yellow(s);
    if (t === 'NULL_VALUE' || t === 'null') return out.color.dim(s);
    return s;
  };
  return [line([...names], (s) => out.color.bold(s)), ...rows.map((r) => line(r, statusStyle))].join('\n');
}

export function renderOnline(result: OnlineFeaturesColumns, format: OnlineOutput, opts: ShapeOptions, out: Output): void {
  switch (format) {
    case 'json':
      out.printJson(toFeastDict(result, opts));
      return;
    case 'jsonl':
      if (result.rowCount > 0) out.say(renderJsonl(result, opts));
      return;
    case 'csv':
      out.say(renderCsv(result, opts));
      return;
    case 'table':
      out.say(renderTable(result, opts, out));
  }
}
