/**
 * DynamoDB attributes as typed spool columns (architecture.md §4.11): the view's declared dtype says
 * what each attribute must hold, nothing is sampled. A number (N, decimal text) becomes an Int32 /
 * Int64 / UnixTimestamp exactly or is refused (ranges from the dtype table), and a Float32 / Float64 by
 * the rule CSV text follows (offline/column-types.ts): whole-number text must survive the trip through
 * the float exactly, a finite value beyond the type's range is refused, a fraction reads as the nearest
 * float. A missing or NULL attribute is a NULL value; an attribute of another kind is refused.
 * An M feeds a Map (an L of M an Array(Map)) as the typed Map text export writes (mapTextOf).
 */
import {
  BIGINT,
  BLOB,
  BOOLEAN,
  DOUBLE,
  INTEGER,
  LIST,
  TIMESTAMP,
  VARCHAR,
  blobValue,
  listValue,
  timestampValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { entriesJson } from '../../export/duck-columns.js';
import { FEAST_TYPES } from '../../layout/feast-types.js';
import type { DecodedValue, MapEntries } from '../../layout/value-decode.js';
import { exactDecimalOf, scaledIntegerOf } from '../../layout/coerce.js';
import { MAX_EVENT_MICROS, MIN_EVENT_MICROS, parseEventTs } from '../../layout/event-ts.js';
import { formatDtype, type Dtype, type ScalarDtype, type TimestampFormat } from '../../repo/model.js';
import { dynamoDBDtypeProblem } from '../../repo/dynamodb-dtypes.js';

/** One DynamoDB attribute value, as the SDK's unmarshalled-free wire shape holds it. */
export type AttributeValue = {
  S?: string;
  N?: string;
  B?: Uint8Array;
  BOOL?: boolean;
  NULL?: boolean;
  L?: AttributeValue[];
  M?: Record<string, AttributeValue>;
  SS?: string[];
  NS?: string[];
  BS?: Uint8Array[];
};

/** Why an attribute value cannot feed its column: what was expected and what was found. */
export class AttributeMismatch extends Error {
  constructor(
    readonly expected: string,
    readonly found: string,
  ) {
    super(`expected ${expected}, found ${found}`);
  }
}

/** The kind of an attribute value as DynamoDB names it (`N`, `SS`, …), for messages. */
export function kindOf(v: AttributeValue): string {
  for (const k of ['S', 'N', 'B', 'BOOL', 'NULL', 'L', 'M', 'SS', 'NS', 'BS'] as const) if (v[k] !== undefined) return k;
  return 'unknown';
}

function shown(v: AttributeValue): string {
  const k = kindOf(v);
  const text = v.N ?? v.S;
  return text === undefined ? k : `${k} ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`;
}

/** Converts one element (a scalar of `dtype`): a DuckDB value, or throws an AttributeMismatch. */
type ElementRule = { duck: DuckDBType; from: string; convert(v: AttributeValue): DuckDBValue };

const INT_TEXT = /^[+-]?[0-9]+(\.0*)?$/;

function integerRule(dtype: 'Int32' | 'Int64' | 'UnixTimestamp'): ElementRule {
  const { min, max } = FEAST_TYPES[dtype].range;
  const what = dtype === 'UnixTimestamp' ? 'whole seconds within years 0001..9999' : `a whole number in the ${dtype} range`;
  return {
    duck: dtype === 'Int32' ? INTEGER : BIGINT,
    from: 'N',
    convert(v) {
      if (v.N === undefined) throw new AttributeMismatch(`N (${what})`, shown(v));
      const n = scaledIntegerOf(v.N);
      if (n === undefined || n < min || n > max) throw new AttributeMismatch(`N (${what})`, shown(v));
      return dtype === 'Int32' ? Number(n) : n;
    },
  };
}

function floatRule(dtype: 'Float32' | 'Float64'): ElementRule {
  const { max, exactIntBits } = FEAST_TYPES[dtype].float;
  const narrow = exactIntBits < 53 ? Math.fround : (x: number) => x;
  const what = `a number exactly representable as ${dtype}`;
  return {
    duck: DOUBLE,
    from: 'N',
    convert(v) {
      const text = v.N;
      const x = text === undefined || exactDecimalOf(text) === undefined ? NaN : Number(text);
      const bad = () => new AttributeMismatch(`N (${what})`, shown(v));
      if (text === undefined || !Number.isFinite(x) || Math.abs(x) > max) throw bad();
      // whole-number text must come back unchanged from the float; a fraction reads as the nearest one
      if (INT_TEXT.test(text) && BigInt(narrow(x)) !== scaledIntegerOf(text)) throw bad();
      return x;
    },
  };
}

const text = (dtype: ScalarDtype, check?: RegExp, what = 'S'): ElementRule => ({
  duck: VARCHAR,
  from: 'S',
  convert(v) {
    if (v.S === undefined || (check && !check.test(v.S))) throw new AttributeMismatch(what, shown(v));
    return v.S;
  },
});

const UUID_TEXT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The rule of each dtype a DynamoDB attribute can feed; undefined: none can (Map, Struct, …). */
function elementRule(dtype: ScalarDtype): ElementRule | undefined {
  switch (dtype) {
    case 'Int32':
    case 'Int64':
    case 'UnixTimestamp':
      return integerRule(dtype);
    case 'Float32':
    case 'Float64':
      return floatRule(dtype);
    case 'String':
    case 'Json':
      return text(dtype);
    case 'Uuid':
    case 'TimeUuid':
      return text(dtype, UUID_TEXT, 'S (a UUID, 8-4-4-4-12 hex digits)');
    case 'Decimal':
      // an exact decimal: DynamoDB's N is one, and so is decimal text
      return {
        duck: VARCHAR,
        from: 'N or S',
        convert(v) {
          const t = v.N ?? v.S;
          if (t === undefined || scaledIntegerOf(t, 200) === undefined) throw new AttributeMismatch('N or S (decimal text)', shown(v));
          return t;
        },
      };
    case 'Bytes':
    case 'PdfBytes':
    case 'ImageBytes':
      return {
        duck: BLOB,
        from: 'B',
        convert(v) {
          if (v.B === undefined) throw new AttributeMismatch('B', shown(v));
          return blobValue(v.B);
        },
      };
    case 'Bool':
      return {
        duck: BOOLEAN,
        from: 'BOOL',
        convert(v) {
          if (v.BOOL === undefined) throw new AttributeMismatch('BOOL', shown(v));
          return v.BOOL;
        },
      };
    case 'Map':
    case 'Struct':
    case 'ScalarMap':
    case 'ZonedTimestamp':
      return undefined;
  }
}

const INT64 = integerRule('Int64');
const FLOAT64 = floatRule('Float64');
const NUMBER_IN_MAP = 'N (a whole number in the Int64 range, or a number a Float64 holds exactly, as its shortest decimal)';

/** Where in a Map a value sits, for messages: `map key "a" → "b" → element [2]`. */
const at = (path: string, step: string) => (path === '' ? `map key ${step}` : `${path} → ${step}`);

function mismatchAt(path: string, expected: string, found: string): AttributeMismatch {
  return new AttributeMismatch(`${expected} at ${path}`, found);
}

/** Decimal text in one spelling per number (`15e-1` for "1.50"), to compare two texts by value. */
function canonicalDecimal(text: string): string | undefined {
  const d = exactDecimalOf(text);
  if (d === undefined) return undefined;
  let { coefficient: c, exponent: e } = d;
  if (c === 0n) return '0';
  for (; c % 10n === 0n; e++) c /= 10n;
  return `${c}e${e}`;
}

/**
 * A number in a Map as a double, only when nothing is lost: no dtype declares it, so (stricter than a
 * declared Float64, where a fraction reads as the nearest float) the decimal must be the one the double
 * prints (0.1 and 1e300 are; 0.1000000000000000000001 and 2^53 + 1 are not) or the double exactly (2^70).
 */
function exactDouble(N: string): number | undefined {
  let x: number;
  try {
    x = FLOAT64.convert({ N }) as number;
  } catch {
    return undefined;
  }
  if (canonicalDecimal(String(x)) === canonicalDecimal(N)) return x;
  return Number.isInteger(x) && scaledIntegerOf(N) === BigInt(x) ? x : undefined;
}

/**
 * Numbers of one Map value (an N, or the elements of an NS or an L of N): all Int64 when each is a whole
 * number in range, else all doubles when each is one exactly (exactDouble) — never rounded, else refused.
 */
function numbersOf(texts: readonly string[], path: (i: number) => string): { ints: bigint[] } | { doubles: number[] } {
  const ints: bigint[] = [];
  for (const N of texts) {
    try {
      ints.push(INT64.convert({ N }) as bigint);
    } catch {
      break;
    }
  }
  if (ints.length === texts.length) return { ints };
  return {
    doubles: texts.map((N, i) => {
      const x = exactDouble(N);
      if (x === undefined) throw mismatchAt(path(i), NUMBER_IN_MAP, shown({ N }));
      return x;
    }),
  };
}

const byValue = <T extends bigint | number | string>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One value of a DynamoDB M as the feast.types.Value Feast's Python infers for the same dict value
 * (value-codec.ts, writeInferred): S string_val, BOOL bool_val, B bytes_val, NULL the empty Value, N
 * int64_val or double_val (numbersOf, never rounded), M map_val, an L of one kind the matching <TYPE>_LIST (an L of M
 * map_list_val), a set (SS, NS, BS) the matching list in ascending order, so every scan writes the same
 * bytes. What Feast cannot infer is refused where it sits: an empty L, an L of mixed kinds or with a
 * NULL, an L of L or of sets.
 */
function mapValueOf(v: AttributeValue, path: string): DecodedValue | null {
  if (v.NULL === true) return null;
  if (v.S !== undefined) return { kind: 'stringVal', value: v.S };
  if (v.BOOL !== undefined) return { kind: 'boolVal', value: v.BOOL };
  if (v.B !== undefined) return { kind: 'bytesVal', value: v.B };
  if (v.N !== undefined) {
    const n = numbersOf([v.N], () => path);
    return 'ints' in n ? { kind: 'int64Val', value: n.ints[0] as bigint } : { kind: 'doubleVal', value: n.doubles[0] as number };
  }
  if (v.M !== undefined) return { kind: 'mapVal', value: mapEntriesOf(v.M, path) };
  if (v.SS !== undefined) return { kind: 'stringListVal', value: [...v.SS].sort(byValue) };
  if (v.BS !== undefined) return { kind: 'bytesListVal', value: [...v.BS].sort((a, b) => Buffer.compare(a, b)) };
  if (v.NS !== undefined) {
    const n = numbersOf(v.NS, (i) => at(path, `set element [${i}]`));
    return 'ints' in n ? { kind: 'int64ListVal', value: n.ints.sort(byValue) } : { kind: 'doubleListVal', value: n.doubles.sort(byValue) };
  }
  if (v.L !== undefined) return mapListValueOf(v.L, path);
  throw mismatchAt(path, 'S, N, B, BOOL, NULL, M, L, SS, NS or BS', shown(v));
}

function mapListValueOf(items: AttributeValue[], path: string): DecodedValue {
  const LISTS = 'an L of one kind (all S, all N, all B, all BOOL or all M; no NULL)';
  if (items.length === 0) throw mismatchAt(path, `${LISTS}; Feast cannot tell the type of an empty list`, 'an empty L');
  const kind = kindOf(items[0] as AttributeValue);
  items.forEach((x, i) => {
    if (kindOf(x) !== kind || x.NULL === true) throw mismatchAt(at(path, `element [${i}]`), `${LISTS}, as element [0] (${kind})`, shown(x));
  });
  switch (kind) {
    case 'S':
      return { kind: 'stringListVal', value: items.map((x) => x.S as string) };
    case 'BOOL':
      return { kind: 'boolListVal', value: items.map((x) => x.BOOL as boolean) };
    case 'B':
      return { kind: 'bytesListVal', value: items.map((x) => x.B as Uint8Array) };
    case 'M':
      return { kind: 'mapListVal', value: items.map((x, i) => mapEntriesOf(x.M as Record<string, AttributeValue>, at(path, `element [${i}]`))) };
    case 'N': {
      const n = numbersOf(
        items.map((x) => x.N as string),
        (i) => at(path, `element [${i}]`),
      );
      return 'ints' in n ? { kind: 'int64ListVal', value: n.ints } : { kind: 'doubleListVal', value: n.doubles };
    }
    default:
      // feast.types.Value has list_val (RepeatedValue), but Feast's Map inference refuses a list of lists
      throw mismatchAt(at(path, 'element [0]'), `${LISTS}; a Map value holds no list of lists or sets`, shown(items[0] as AttributeValue));
  }
}

function mapEntriesOf(m: Record<string, AttributeValue>, path: string): MapEntries {
  return Object.entries(m).map(([k, v]) => [k, mapValueOf(v, at(path, JSON.stringify(k)))]);
}

/** A DynamoDB M as Map text: a JSON object of each entry's typed Value (export/duck-columns.ts, entriesJson). */
export function mapTextOf(m: Record<string, AttributeValue>): string {
  return entriesJson(mapEntriesOf(m, ''));
}

/** The column rule of a Map (or Array(Map)) feature: M → Map text; an L of M → a list of them. */
function mapColumnRule(list: boolean): ColumnRule {
  const one = (a: AttributeValue, expected: string, found: (a: AttributeValue) => string) => {
    if (a.M === undefined) throw new AttributeMismatch(expected, found(a));
    return mapTextOf(a.M);
  };
  if (!list) return { duck: VARCHAR, convert: (v) => (isNull(v) ? null : one(v as AttributeValue, 'M (Map)', shown)) };
  return {
    duck: LIST(VARCHAR),
    convert(v) {
      if (isNull(v)) return null;
      const a = v as AttributeValue;
      if (a.L === undefined) throw new AttributeMismatch('L of M (Array(Map))', shown(a));
      return listValue(a.L.map((x, i) => one(x, 'L of M (Array(Map))', (y) => `element [${i}] ${shown(y)}`)));
    },
  };
}

/** A spool column: its DuckDB type, and the conversion of an attribute (undefined = missing) to a cell. */
export interface ColumnRule {
  duck: DuckDBType;
  convert(v: AttributeValue | undefined): DuckDBValue;
}

const isNull = (v: AttributeValue | undefined) => v === undefined || v.NULL === true;

/**
 * The column rule of a feature or join key dtype, or why no DynamoDB attribute can feed it. Lists take
 * L (a NULL element stays NULL, as a NULL in a parquet list); sets take the matching DynamoDB set (SS,
 * NS, BS) or an L; a list takes a set too (DynamoDB has no ordered list of numbers other than L).
 */
export function columnRuleOf(dtype: Dtype): ColumnRule | { unsupported: string } {
  // one rule of which dtypes attributes feed, shared with the definitions check (repo/dynamodb-dtypes.ts)
  const problem = dynamoDBDtypeProblem(dtype);
  if (problem === undefined && dtype.kind !== 'nested' && FEAST_TYPES[dtype.scalar].shape === 'map') return mapColumnRule(dtype.kind === 'list');
  const rule = dtype.kind === 'nested' ? undefined : elementRule(dtype.scalar);
  if (dtype.kind === 'nested' || rule === undefined) return { unsupported: problem ?? `${formatDtype(dtype)} is not read from DynamoDB attributes` };
  if (dtype.kind === 'scalar') return { duck: rule.duck, convert: (v) => (isNull(v) ? null : rule.convert(v as AttributeValue)) };
  const set = rule.from === 'N' ? 'NS' : rule.from === 'S' ? 'SS' : rule.from === 'B' ? 'BS' : undefined;
  const listKind = dtype.kind === 'set' ? `L${set ? ` or ${set}` : ''}` : `L${set ? ` (or ${set})` : ''}`;
  return {
    duck: LIST(rule.duck),
    convert(v) {
      if (isNull(v)) return null;
      const a = v as AttributeValue;
      let items: AttributeValue[];
      // DynamoDB keeps no order in a set: its elements go in sorted order, so every scan writes the same bytes
      let sorted = true;
      if (a.L !== undefined) [items, sorted] = [a.L, false];
      else if (set === 'NS' && a.NS !== undefined) items = a.NS.map((N) => ({ N }));
      else if (set === 'SS' && a.SS !== undefined) items = a.SS.map((S) => ({ S }));
      else if (set === 'BS' && a.BS !== undefined) items = a.BS.map((B) => ({ B }));
      else throw new AttributeMismatch(`${listKind} of ${rule.from} (${formatDtype(dtype)})`, shown(a));
      const values = items.map((x) => {
        if (isNull(x)) return null;
        try {
          return rule.convert(x);
        } catch (e) {
          if (e instanceof AttributeMismatch) throw new AttributeMismatch(`${listKind} whose elements are ${e.expected}`, `an element ${e.found}`);
          throw e;
        }
      });
      return listValue(sorted ? values.sort(compareCells) : values);
    },
  };
}

/** Ascending order of set elements: numbers by value, text by code point, bytes bytewise. */
function compareCells(a: DuckDBValue, b: DuckDBValue): number {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare((a as { bytes: Uint8Array }).bytes, (b as { bytes: Uint8Array }).bytes);
}

/** Why a timestamp attribute was not read: absent (or NULL), or of another kind / not a time. */
export type TimestampProblem = 'missing' | 'wrongKind';

const SHIFT: Record<Exclude<TimestampFormat, 'iso8601'>, number> = { epoch_seconds: 6, epoch_millis: 3, epoch_micros: 0 };

/** What a timestamp attribute must be, for messages. */
export function expectedTimestamp(format: TimestampFormat): string {
  return format === 'iso8601'
    ? 'S (ISO 8601 text, e.g. 2024-05-01T12:00:00.250+00:00)'
    : `N (${format.replace('epoch_', '')} since the epoch, whole microseconds)`;
}

/** Epoch microseconds of a timestamp attribute in its declared format, or why it is not one. */
export function timestampMicrosOf(v: AttributeValue | undefined, format: TimestampFormat): bigint | TimestampProblem {
  if (isNull(v)) return 'missing';
  const a = v as AttributeValue;
  let micros: bigint | undefined;
  if (format === 'iso8601') {
    if (a.S === undefined) return 'wrongKind';
    try {
      micros = parseEventTs(a.S);
    } catch {
      return 'wrongKind';
    }
  } else {
    if (a.N === undefined) return 'wrongKind';
    micros = scaledIntegerOf(a.N, SHIFT[format]);
  }
  return micros === undefined || micros < MIN_EVENT_MICROS || micros > MAX_EVENT_MICROS ? 'wrongKind' : micros;
}

export const TIMESTAMP_COLUMN: DuckDBType = TIMESTAMP;

/** A timestamp cell from epoch microseconds. */
export function timestampCell(micros: bigint): DuckDBValue {
  return timestampValue(micros);
}
