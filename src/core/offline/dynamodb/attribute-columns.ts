/**
 * DynamoDB attributes as typed spool columns (architecture.md §4.11): the view's declared dtype says
 * what each attribute must hold, nothing is sampled. A number (N, decimal text) becomes an Int32 /
 * Int64 / UnixTimestamp exactly or is refused (ranges from the dtype table), and a Float32 / Float64 by
 * the rule CSV text follows (offline/column-types.ts): whole-number text must survive the trip through
 * the float exactly, a finite value beyond the type's range is refused, a fraction reads as the nearest
 * float. A missing or NULL attribute is a NULL value; an attribute of another kind is refused.
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
import { FEAST_TYPES } from '../../layout/feast-types.js';
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
