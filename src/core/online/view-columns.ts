/**
 * The items read from one view's table → one column per requested feature: value, status and event
 * time for every entity row. Each distinct entity is decoded once and fanned out to the rows that
 * share it.
 */
import { DynafeastError, isDynafeastError } from '../errors.js';
import { parseEventTs } from '../layout/event-ts.js';
import { ENTITY_ID_ATTR, EVENT_TS_ATTR, VALUES_ATTR, type Item } from '../layout/item.js';
import { valueConverter, type Converter } from './convert-value.js';
import { feastNullJson } from './feast-json.js';
import { decodeStoredValue } from './fast-decode.js';
import type { ResolvedFeature } from './feature-refs.js';
import type { FieldStatus, OnlineColumn, ValueFormat } from './types.js';
import { floorDiv } from '../util/floor-div.js';

export interface ViewRead {
  view: string;
  table: string;
  /** 0 = no ttl. */
  ttlMicros: bigint;
  features: readonly ResolvedFeature[];
  /** Distinct entity ids, and the index into them of every row. */
  ids: readonly string[];
  rowToId: Int32Array;
}

/**
 * event_ts → µs. Items written by one materialize run share a handful of timestamps, so parsing each
 * distinct string once saves most of the work; the cache is bounded and simply emptied when full.
 */
export class EventTsCache {
  private readonly map = new Map<string, bigint>();
  constructor(private readonly limit = 4096) {}
  micros(text: string): bigint {
    let v = this.map.get(text);
    if (v === undefined) {
      v = parseEventTs(text);
      if (this.map.size >= this.limit) this.map.clear();
      this.map.set(text, v);
    }
    return v;
  }
}

function unreadable(table: string, entityId: string, what: string, e: unknown, feature?: string): DynafeastError {
  return new DynafeastError('online.badItem', `table ${table}, entity_id ${entityId}: ${what} cannot be read: ${(e as Error).message}`, {
    path: feature === undefined ? table : `${table}.${VALUES_ATTR}.${feature}`,
    hint: isDynafeastError(e) && e.hint !== undefined ? e.hint : 'rewrite the item with `dynafeast materialize`',
    cause: e,
  });
}

export function viewColumns(
  read: ViewRead,
  items: readonly Item[] | undefined,
  rowCount: number,
  nowMicros: bigint,
  format: ValueFormat,
  tsCache: EventTsCache,
): OnlineColumn[] {
  const { ids, rowToId, features, table } = read;
  const byId = new Map<string, Item>();
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- entity_id is the table key: every item has it, as a string
  if (items !== undefined) for (const item of items) byId.set(item[ENTITY_ID_ATTR]!.S!, item);
  const oldest = read.ttlMicros > 0n ? nowMicros - read.ttlMicros : undefined;

  const n = ids.length;
  const f = features.length;
  const seconds = new Array<number>(n).fill(0);
  const microsOf = format === 'feast-json' ? new Array<bigint>(n).fill(0n) : undefined;
  const values: unknown[][] = [];
  const statuses: FieldStatus[][] = [];
  const converters: Converter[] = [];
  for (let j = 0; j < f; j++) {
    values.push(new Array<unknown>(n).fill(null));
    statuses.push(new Array<FieldStatus>(n).fill('NOT_FOUND'));
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < features.length
    converters.push(valueConverter(features[j]!.feature.dtype, format));
  }

  for (let i = 0; i < n; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < ids.length
    const item = byId.get(ids[i]!);
    if (item === undefined) continue;
    const ts = item[EVENT_TS_ATTR]?.S;
    let micros: bigint;
    try {
      if (ts === undefined) throw new Error(`${EVENT_TS_ATTR} is missing or not a string`);
      micros = tsCache.micros(ts);
    } catch (e) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < ids.length
      throw unreadable(table, ids[i]!, 'the item', e);
    }
    seconds[i] = Number(floorDiv(micros, 1_000_000n));
    if (microsOf !== undefined) microsOf[i] = micros;
    const valuesAttr = item[VALUES_ATTR];
    // A projection that matches no stored feature returns the item without `values`.
    if (valuesAttr === undefined) continue;
    const stored = valuesAttr.M;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < ids.length
    if (stored === undefined) throw unreadable(table, ids[i]!, 'the item', new Error(`${VALUES_ATTR} is not a map`));
    // NOTE: Feast's Go server checks ttl after the null check and compares age > ttl, so a value
    // exactly ttl old is still PRESENT.
    const stale = oldest !== undefined && micros < oldest;
    for (let j = 0; j < f; j++) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < features.length
      const name = features[j]!.feature.name;
      const attr = stored[name];
      if (attr === undefined) continue;
      const bytes = attr.B;
      let decoded;
      try {
        if (bytes === undefined) throw new Error(`${VALUES_ATTR}.${name} is not binary`);
        decoded = decodeStoredValue(bytes);
      } catch (e) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < ids.length
        throw unreadable(table, ids[i]!, `feature ${name}`, e, name);
      }
      if (decoded === null) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < features.length: one status array per feature
        statuses[j]![i] = 'NULL_VALUE';
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < features.length; bytes is set when decoded is
        if (format === 'feast-json') values[j]![i] = feastNullJson(bytes!);
      } else if (stale) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < features.length: one status array per feature
        statuses[j]![i] = 'OUTSIDE_MAX_AGE';
      } else {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < features.length: one status array per feature
        statuses[j]![i] = 'PRESENT';
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < features.length: one value array and one converter per feature
        values[j]![i] = converters[j]!(decoded);
      }
    }
  }

  // Every feature of the view has the same event time per row: one array, shared by its columns (the
  // feature server then formats each view's times once, not once per feature: online-response.ts).
  let rowMicros: bigint[] | undefined;
  if (microsOf !== undefined) {
    rowMicros = new Array<bigint>(rowCount);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- r < rowCount, rowToId has one entry per row, microsOf one per id
    for (let r = 0; r < rowCount; r++) rowMicros[r] = microsOf[rowToId[r]!]!;
  }
  const columns: OnlineColumn[] = [];
  for (let j = 0; j < f; j++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < features.length: one value array per feature
    const src = values[j]!;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < features.length: one status array per feature
    const st = statuses[j]!;
    const col: OnlineColumn = {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j < features.length
      name: features[j]!.column,
      kind: 'feature',
      view: read.view,
      values: new Array<unknown>(rowCount),
      statuses: new Array<FieldStatus>(rowCount),
      eventTimestamps: new Array<number>(rowCount),
      ...(rowMicros !== undefined ? { eventMicros: rowMicros } : {}),
    };
    for (let r = 0; r < rowCount; r++) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- r < rowCount, and rowToId has one entry per row
      const at = rowToId[r]!;
      col.values[r] = src[at];
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- at is an index into ids, and st has one status per id
      col.statuses[r] = st[at]!;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- at is an index into ids, and seconds has one entry per id
      col.eventTimestamps[r] = seconds[at]!;
    }
    columns.push(col);
  }
  return columns;
}
