/**
 * Entity rows → typed join key columns. Every value is converted with its join key's dtype, because
 * the dtype is part of the stored key (its bytes and hash): "1001" must become Int64 1001, and a value
 * that cannot be converted is the caller's mistake (exit 2), named with its row and key.
 */
import { Buffer } from 'node:buffer';
import { DynafeastError } from '../errors.js';
import { describeValue, int32Of, int64Of, unixSecondsOf } from '../layout/coerce.js';
import { parseEventTs } from '../layout/event-ts.js';
import type { EntityColumn, JoinKeyDtype } from '../repo/model.js';
import { didYouMean } from '../util/suggest.js';
import type { EntityRows } from './types.js';

/**
 * A join key of the project that the read does not look up but echoes, as Feast echoes every entity
 * row column that is a join key of any entity. `dtype` is the entity's value type (none for `__dummy`).
 */
export interface EchoKey {
  name: string;
  dtype: JoinKeyDtype | undefined;
}

/** A join key column of the output: looked up (`dtype` set) or only echoed. */
export interface JoinKeyColumn {
  name: string;
  dtype: JoinKeyDtype | undefined;
  lookup: boolean;
}

export interface EntityTable {
  rowCount: number;
  /** Needed join keys, in the order the caller's rows name them. */
  keys: EntityColumn[];
  /** Every join key column to print, looked up or echoed, in the order the caller's rows name them. */
  columns: JoinKeyColumn[];
  /**
   * Per join key column: for needed keys the values converted for the entity key encoder (number |
   * bigint | string | Uint8Array); for echoed keys the values as given (null where a row lacks one).
   */
  values: Map<string, unknown[]>;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const EXPECTED: Record<JoinKeyDtype, string> = {
  Int64: 'a whole number within the Int64 range',
  Int32: 'a whole number between -2147483648 and 2147483647',
  UnixTimestamp: 'whole seconds since the epoch or a timestamp like 2021-04-12T07:00:00Z',
  String: 'a string',
  Bytes: 'bytes (a Uint8Array, or base64 text)',
};

/** Converts one join key value; undefined when it cannot be. */
export function convertJoinKeyValue(dtype: JoinKeyDtype, v: unknown): unknown {
  switch (dtype) {
    case 'Int64':
      return int64Of(v, true);
    case 'Int32':
      return int32Of(v, true);
    case 'UnixTimestamp': {
      const s = unixSecondsOf(v, true);
      if (s !== undefined || typeof v !== 'string') return s;
      try {
        const micros = parseEventTs(v);
        // Keys hold whole seconds; Feast truncates with int(datetime.timestamp()) the same way.
        const secs = micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n);
        return int64Of(secs.toString(), true);
      } catch {
        return undefined;
      }
    }
    case 'String':
      return typeof v === 'string' ? v : undefined;
    case 'Bytes':
      if (v instanceof Uint8Array) return v;
      return typeof v === 'string' && BASE64.test(v) ? Buffer.from(v, 'base64') : undefined;
  }
}

function rowsOf(rows: EntityRows): {
  count: number;
  keyOrder: string[];
  get: (row: number, key: string) => unknown;
  has: (row: number, key: string) => boolean;
} {
  if (Array.isArray(rows)) {
    const list = rows as ReadonlyArray<Readonly<Record<string, unknown>>>;
    const keyOrder: string[] = [];
    const seen = new Set<string>();
    list.forEach((row, i) => {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new DynafeastError('usage.badArgument', `entity row ${i} is ${describeValue(row)}, expected an object of join key values`, {
          path: `entityRows[${i}]`,
          hint: 'pass rows like { driver_id: 1001 }',
        });
      }
      for (const k of Object.keys(row)) {
        if (!seen.has(k)) {
          seen.add(k);
          keyOrder.push(k);
        }
      }
    });
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- r < count, the number of rows
    return { count: list.length, keyOrder, get: (r, k) => list[r]![k], has: (r, k) => Object.hasOwn(list[r]!, k) };
  }
  if (rows === null || typeof rows !== 'object') {
    throw new DynafeastError('usage.badArgument', `entity rows are ${describeValue(rows)}, expected a list of rows or an object of columns`, {
      path: 'entityRows',
      hint: 'pass [{ driver_id: 1001 }, ...] or { driver_id: [1001, ...] }',
    });
  }
  const cols = rows as Readonly<Record<string, readonly unknown[]>>;
  const keyOrder = Object.keys(cols);
  let count = -1;
  for (const k of keyOrder) {
    const col = cols[k];
    if (!Array.isArray(col)) {
      throw new DynafeastError('usage.badArgument', `entity column ${k} is ${describeValue(col)}, expected a list of values`, { path: `entityRows.${k}` });
    }
    if (count >= 0 && col.length !== count) {
      throw new DynafeastError('usage.badArgument', `entity columns differ in length: ${keyOrder[0]} has ${count} values, ${k} has ${col.length}`, {
        path: `entityRows.${k}`,
        hint: 'give every join key the same number of values, one per entity row',
      });
    }
    count = col.length;
  }
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- k is one of keyOrder, the keys of cols
  return { count: Math.max(count, 0), keyOrder, get: (r, k) => cols[k]![r], has: (r, k) => cols[k] !== undefined && r < cols[k].length };
}

function rowPath(rows: EntityRows, r: number, key: string): string {
  return Array.isArray(rows) ? `entityRows[${r}].${key}` : `entityRows.${key}[${r}]`;
}

/**
 * Converts the join keys `needed` (the requested views' entity columns) of every row. Columns that are
 * join keys of other entities (`echoed`) are carried as given, to be printed; any other column is
 * ignored, as Feast ignores it.
 */
export function convertEntityRows(rows: EntityRows, needed: readonly EntityColumn[], echoed: readonly EchoKey[] = []): EntityTable {
  const src = rowsOf(rows);
  const neededByName = new Map(needed.map((c) => [c.name, c]));
  const echoByName = new Map(echoed.filter((e) => !neededByName.has(e.name)).map((e) => [e.name, e]));
  const ordered = [...src.keyOrder.filter((k) => neededByName.has(k)), ...needed.map((c) => c.name).filter((k) => !src.keyOrder.includes(k))];
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- ordered only holds names of needed
  const keys = ordered.map((k) => neededByName.get(k)!);
  const columns: JoinKeyColumn[] = [];
  for (const k of [...src.keyOrder, ...ordered.filter((n) => !src.keyOrder.includes(n))]) {
    const c = neededByName.get(k);
    if (c !== undefined) columns.push({ name: k, dtype: c.dtype, lookup: true });
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- has(k) is checked on the same line
    else if (echoByName.has(k)) columns.push({ name: k, dtype: echoByName.get(k)!.dtype, lookup: false });
  }
  const values = new Map<string, unknown[]>();
  for (const key of echoByName.keys()) {
    if (!src.keyOrder.includes(key)) continue;
    const out = new Array<unknown>(src.count);
    for (let r = 0; r < src.count; r++) out[r] = src.has(r, key) ? (src.get(r, key) ?? null) : null;
    values.set(key, out);
  }
  for (const key of keys) {
    const out = new Array<unknown>(src.count);
    for (let r = 0; r < src.count; r++) {
      if (!src.has(r, key.name)) {
        throw new DynafeastError('usage.badArgument', `entity row ${r} has no value for join key ${key.name}.${didYouMean(key.name, src.keyOrder)}`, {
          path: rowPath(rows, r, key.name),
          hint: `every row needs ${needed.map((c) => c.name).join(', ')} for the features asked for`,
        });
      }
      const raw = src.get(r, key.name);
      const v = raw === null || raw === undefined ? undefined : convertJoinKeyValue(key.dtype, raw);
      if (v === undefined) {
        throw new DynafeastError('usage.badArgument', `entity row ${r}: ${key.name} (${key.dtype}) cannot be ${describeValue(raw)}`, {
          path: rowPath(rows, r, key.name),
          hint: `give ${EXPECTED[key.dtype]}`,
        });
      }
      out[r] = v;
    }
    values.set(key.name, out);
  }
  return { rowCount: src.count, keys, columns, values };
}
