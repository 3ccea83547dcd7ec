/**
 * Comparisons of online reads and raw tables between Feast and dynafeast. Each returns a list of
 * human-readable differences (empty = identical) so a failing test shows all of them at once.
 */
import { isDeepStrictEqual } from 'node:util';
import { decodeValue, type DecodedValue } from '../../src/core/layout/value-codec.js';
import { valueConverter } from '../../src/core/online/convert-value.js';

/** scripts/interop/feast_read.py output. */
export interface FeastRead {
  columns: string[];
  values: Record<string, unknown[]>;
  statuses: Record<string, string[]>;
  event_timestamps: Record<string, number[]>;
}

/** `dynafeast get-online-features --output json --with-status --include-event-timestamps`. */
export type DynafeastRead = Record<string, unknown[]>;

/** scripts/interop/dump_tables.py output: view → entity_id → item. */
export type TableDump = Record<string, Record<string, { event_ts: string; values: Record<string, string>; attributes: string[] }>>;

const show = (v: unknown): string => JSON.stringify(v);

/** Two Feast reads must agree on everything: values, statuses and event timestamps. */
export function diffFeastReads(actual: FeastRead, expected: FeastRead): string[] {
  const out: string[] = [];
  if (!isDeepStrictEqual([...actual.columns].sort(), [...expected.columns].sort())) {
    out.push(`columns: ${show(actual.columns)} vs ${show(expected.columns)}`);
  }
  for (const c of expected.columns) {
    for (const part of ['values', 'statuses', 'event_timestamps'] as const) {
      if (!isDeepStrictEqual(actual[part][c], expected[part][c])) {
        out.push(`${c} ${part}: ${show(actual[part][c])} vs ${show(expected[part][c])}`);
      }
    }
  }
  return out;
}

/**
 * dynafeast's read against Feast's read of the same rows. Values and event timestamps must be
 * identical. Statuses too, except where architecture.md §4.3 has dynafeast say more than Feast: a stored null
 * is NULL_VALUE in dynafeast and PRESENT (with a None value) in Feast.
 */
export function diffDynafeastRead(actual: DynafeastRead, expected: FeastRead): string[] {
  const out: string[] = [];
  for (const c of expected.columns) {
    const values = actual[c];
    if (values === undefined) {
      out.push(`${c}: missing from dynafeast's output`);
      continue;
    }
    if (!isDeepStrictEqual(values, expected.values[c])) out.push(`${c} values: dynafeast ${show(values)} vs Feast ${show(expected.values[c])}`);
    const ts = actual[`${c}__ts`];
    if (!isDeepStrictEqual(ts, expected.event_timestamps[c])) {
      out.push(`${c} event timestamps: dynafeast ${show(ts)} vs Feast ${show(expected.event_timestamps[c])}`);
    }
    const statuses = actual[`${c}__status`] as string[] | undefined;
    const feast = expected.statuses[c] ?? [];
    feast.forEach((fs, i) => {
      const ds = statuses?.[i];
      const nullValue = ds === 'NULL_VALUE' && fs === 'PRESENT' && expected.values[c]?.[i] === null;
      if (ds !== fs && !nullValue) out.push(`${c} status of row ${i}: dynafeast ${ds} vs Feast ${fs}`);
    });
  }
  const extra = Object.keys(actual).filter((k) => !/__(ts|status)$/.test(k) && !expected.columns.includes(k));
  if (extra.length > 0) out.push(`columns only dynafeast printed: ${extra.join(', ')}`);
  return out;
}

/**
 * Raw items of the same view written by the two sides: same entity_ids, same event_ts strings, same
 * Value bytes. `allowed(view, feature, dynafeastHex, feastHex)` names documented byte differences.
 */
export function diffTables(dynafeast: TableDump, feast: TableDump, allowed: (feature: string, dynafeastHex: string, feastHex: string) => boolean): string[] {
  const out: string[] = [];
  const views = new Set([...Object.keys(dynafeast), ...Object.keys(feast)]);
  for (const view of views) {
    const d = dynafeast[view] ?? {};
    const f = feast[view] ?? {};
    for (const id of new Set([...Object.keys(d), ...Object.keys(f)])) {
      const a = d[id];
      const b = f[id];
      if (a === undefined || b === undefined) {
        out.push(`${view} ${id}: only ${a === undefined ? 'Feast' : 'dynafeast'} wrote this entity_id`);
        continue;
      }
      if (a.event_ts !== b.event_ts) out.push(`${view} ${id} event_ts: dynafeast ${a.event_ts} vs Feast ${b.event_ts}`);
      for (const name of new Set([...Object.keys(a.values), ...Object.keys(b.values)])) {
        const x = a.values[name];
        const y = b.values[name];
        if (x === y) continue;
        if (x !== undefined && y !== undefined && allowed(name, x, y)) continue;
        out.push(`${view} ${id} values.${name}: dynafeast ${x ?? '(absent)'} vs Feast ${y ?? '(absent)'}`);
      }
    }
  }
  return out;
}

const SET_KINDS = /SetVal$|^setVal$/;
const MAP_KINDS = /^(mapVal|structVal)$/;

/** A decoded value with sets' elements and maps' entries in one canonical order, as JSON text. */
function canonical(d: DecodedValue | null): unknown {
  if (d === null) return null;
  if (MAP_KINDS.test(d.kind)) {
    const entries = d.value as [string, DecodedValue | null][];
    return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, canonical(v)]);
  }
  if (d.kind === 'mapListVal' || d.kind === 'structListVal') return d.value.map((m) => canonical({ kind: 'mapVal', value: m }));
  if (d.kind === 'listVal' || d.kind === 'setVal') {
    const items = d.value.map((v) => JSON.stringify(canonical(v)));
    return d.kind === 'setVal' ? items.sort() : items;
  }
  const plain = valueConverter({ kind: 'scalar', scalar: 'String' }, 'json')(d);
  if (SET_KINDS.test(d.kind)) return (plain as unknown[]).map((x) => JSON.stringify(x)).sort();
  return plain;
}

/**
 * True when two stored Values differ only where Feast's own bytes depend on the process: the order of
 * a set's elements (Python's set order) and of a map's entries (upb's hash order).
 */
export function sameValueUpToOrder(aHex: string, bHex: string): boolean {
  const a = decodeValue(Buffer.from(aHex, 'hex'));
  const b = decodeValue(Buffer.from(bHex, 'hex'));
  return a !== null && b !== null && a.kind === b.kind && isDeepStrictEqual(canonical(a), canonical(b));
}
