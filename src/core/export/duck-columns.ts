/**
 * Feature and join key values → DuckDB columns, one entry per dtype of the Feast type table
 * (layout/feast-types.ts): the column type export and sql create, and how one decoded element becomes a
 * DuckDB value. It is a `Record<ScalarDtype, …>`, so a dtype added to the table does not compile until
 * it has its entry here. Lists and sets are LISTs of the element's column, nested collections LISTs of
 * the inner collection's column.
 */
import { Buffer } from 'node:buffer';
import {
  BIGINT,
  BLOB,
  BOOLEAN,
  blobValue,
  DOUBLE,
  FLOAT,
  INTEGER,
  LIST,
  listValue,
  STRUCT,
  structValue,
  TIMESTAMPTZ,
  timestampTZValue,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { DynafeastError } from '../errors.js';
import { formatDtype, valueFormOf, type Dtype, type ScalarDtype, type StructField } from '../layout/feast-types.js';
import type { DecodedValue, MapEntries } from '../layout/value-decode.js';

type Where = () => string;

/** Appends one element straight to the appender's row, as `value` would convert it. */
type Append = (out: DuckDBAppender, v: unknown) => void;

interface DuckScalar {
  type: DuckDBType;
  /** One element as value-decode (or the offline engine) hands it over; never null here. */
  value(v: unknown, where: Where): DuckDBValue;
  /**
   * The appender's own call for this type, where it has one: appendValue makes a native DuckDB value
   * per cell that only the JS garbage collector frees, so per-cell values piled up in the C heap
   * between collections (bench/export.bench.ts); these calls write the cell without one.
   */
  append?: Append;
  /**
   * What a list holds where its source had a NULL, when that is no value of the dtype (the encoder's
   * "" for a UUID or decimal): exported as NULL again, which reads back to the same stored element.
   */
  listNull?: unknown;
}

/** numpy's NaT as int64, Feast's null timestamp inside a list. */
const NULL_TIMESTAMP = -(2n ** 63n);
const MICROS_PER_SECOND = 1_000_000n;

const same = (v: unknown) => v as DuckDBValue;
const fixed = (s: DuckScalar) => (): DuckScalar => s;

const timestampOf = (v: unknown): DuckDBValue => (v === NULL_TIMESTAMP ? null : timestampTZValue(BigInt(v as bigint | number) * MICROS_PER_SECOND));

/**
 * A decoded Value as protobuf's JSON mapping of feast.types.Value (`{"int64Val": "5"}`): the text a Map
 * or ScalarMap column holds. Tagged with its case, so it round-trips exactly (int64 beyond 2^53 as a
 * string, bytes as base64, a Float32 by its case, NaN/±Infinity as protobuf spells them, -0.0 kept)
 * and any JSON reader (DuckDB's json functions, pandas, Spark's from_json) reads it.
 */
export function valueJson(d: DecodedValue | null): string {
  if (d === null) return '{}';
  return `{${JSON.stringify(d.kind)}:${payloadJson(d)}}`;
}

function elementJson(v: unknown): string {
  if (typeof v === 'bigint') return JSON.stringify(v.toString());
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(String(v));
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
  return JSON.stringify(v);
}

/**
 * A Map's entries as a JSON object; a key written twice keeps its last value, as protobuf parsers do.
 * The one writer of Map text: export writes it, and a DynamoDB M becomes it (offline/dynamodb/attribute-columns.ts).
 */
export function entriesJson(entries: MapEntries): string {
  const last = new Map(entries);
  return `{${[...last].map(([k, v]) => `${JSON.stringify(k)}:${valueJson(v)}`).join(',')}}`;
}

/** ScalarMap entries as protobuf JSON: `[{"key": {"int32Key": 1}, "value": {...}}]`. */
function scalarEntriesJson(entries: [DecodedValue, DecodedValue | null][]): string {
  const entry = ([k, v]: [DecodedValue, DecodedValue | null]) =>
    `{"key":{${JSON.stringify(k.kind.replace(/Val$/, 'Key'))}:${elementJson(k.value)}},"value":${valueJson(v)}}`;
  return `[${entries.map(entry).join(',')}]`;
}

function payloadJson(d: DecodedValue): string {
  switch (d.kind) {
    case 'mapVal':
    case 'structVal':
      return `{"val":${entriesJson(d.value)}}`;
    case 'mapListVal':
    case 'structListVal':
      return `{"val":[${d.value.map((m) => `{"val":${entriesJson(m)}}`).join(',')}]}`;
    case 'scalarMapVal':
      return `{"val":${scalarEntriesJson(d.value)}}`;
    case 'zonedTimestampVal':
      return `{"unixTimestamp":${elementJson(d.value.seconds)},"zone":${JSON.stringify(d.value.zone)}}`;
    case 'listVal':
    case 'setVal':
      return `{"val":[${d.value.map(valueJson).join(',')}]}`;
    default:
      return Array.isArray(d.value) ? `{"val":[${(d.value as unknown[]).map(elementJson).join(',')}]}` : elementJson(d.value);
  }
}

/** A Struct's stored entries → a DuckDB STRUCT of the declared fields; a field the schema lacks is refused. */
function structOf(fields: readonly StructField[]): DuckScalar {
  const columns = fields.map((f) => ({ name: f.name, column: columnOf(widened(f.dtype), true) }));
  const names = new Set(fields.map((f) => f.name));
  return {
    type: STRUCT(Object.fromEntries(columns.map((c) => [c.name, c.column.type]))),
    value: (v, where) => {
      const stored = new Map(v as MapEntries);
      for (const k of stored.keys()) {
        if (!names.has(k)) {
          throw new DynafeastError('online.badItem', `${where()}: the stored Struct has a field "${k}" the view does not declare`, {
            hint: 'declare the field in the view schema, or materialize the view again',
          });
        }
      }
      return structValue(Object.fromEntries(columns.map((c) => [c.name, c.column.decoded(stored.get(c.name) ?? null, () => `${where()}, field ${c.name}`)])));
    },
  };
}

const ZONED = STRUCT({ timestamp: TIMESTAMPTZ, zone: VARCHAR });

const int64Of = (v: unknown) => (typeof v === 'number' ? BigInt(v) : (v as bigint));
const appendVarchar: Append = (out, v) => out.appendVarchar(v as string);
const appendBlob: Append = (out, v) => out.appendBlob(v as Uint8Array);

const DUCK: Record<ScalarDtype, (fields: readonly StructField[] | undefined) => DuckScalar> = {
  Int32: fixed({ type: INTEGER, value: same, append: (out, v) => out.appendInteger(v as number) }),
  // A number only as an int32 stored in a Struct's Int64 column (ALSO_IN_STRUCT).
  Int64: fixed({ type: BIGINT, value: int64Of, append: (out, v) => out.appendBigInt(int64Of(v)) }),
  // NOTE: FLOAT, not DOUBLE: the stored value is an f32, and FLOAT keeps exactly it (no widened digits).
  Float32: fixed({ type: FLOAT, value: same, append: (out, v) => out.appendFloat(v as number) }),
  Float64: fixed({ type: DOUBLE, value: same, append: (out, v) => out.appendDouble(v as number) }),
  String: fixed({ type: VARCHAR, value: same, append: appendVarchar }),
  Bytes: fixed({ type: BLOB, value: (v) => blobValue(v as Uint8Array), append: appendBlob }),
  Bool: fixed({ type: BOOLEAN, value: same, append: (out, v) => out.appendBoolean(v as boolean) }),
  // Whole seconds in the Value; a timestamp column reads as one in DuckDB, pandas and Spark.
  UnixTimestamp: fixed({ type: TIMESTAMPTZ, value: timestampOf }),
  // JSON text as written; DuckDB's json functions read it from VARCHAR.
  Json: fixed({ type: VARCHAR, value: same, append: appendVarchar }),
  // NOTE: VARCHAR, not UUID: Feast stores the text it was given (uppercase too), which a UUID column
  // would print back lowercase; the text reads back through the offline engine to the same bytes, and
  // DuckDB casts it with ::UUID.
  Uuid: fixed({ type: VARCHAR, value: same, listNull: '', append: appendVarchar }),
  TimeUuid: fixed({ type: VARCHAR, value: same, listNull: '', append: appendVarchar }),
  // NOTE: VARCHAR, not DECIMAL(p, s): one column's values differ in scale and may exceed DECIMAL's 38
  // digits; the text is str(Decimal) exactly, and the offline engine reads it back as decimal text.
  Decimal: fixed({ type: VARCHAR, value: same, listNull: '', append: appendVarchar }),
  PdfBytes: fixed({ type: BLOB, value: (v) => blobValue(v as Uint8Array), append: appendBlob }),
  ImageBytes: fixed({ type: BLOB, value: (v) => blobValue(v as Uint8Array), append: appendBlob }),
  // NOTE: JSON text (protobuf's JSON of the entries, see valueJson), not MAP(VARCHAR, …): a Map's
  // values each carry their own type (an int beside a string beside a nested Map), which no one DuckDB
  // value type holds without losing which it was; the tagged JSON keeps it exactly and every reader parses it.
  Map: fixed({ type: VARCHAR, value: (v) => entriesJson(v as MapEntries), append: (out, v) => out.appendVarchar(entriesJson(v as MapEntries)) }),
  Struct: (fields) => {
    // The parsers give every Struct its fields (dtypeErrorOf), so this is a bug if reached.
    if (fields === undefined) throw new Error('a Struct dtype without fields');
    return structOf(fields);
  },
  // Same as Map: its keys are typed (MapKey), so the entries are protobuf JSON pairs.
  ScalarMap: fixed({
    type: VARCHAR,
    value: (v) => scalarEntriesJson(v as [DecodedValue, DecodedValue | null][]),
    append: (out, v) => out.appendVarchar(scalarEntriesJson(v as [DecodedValue, DecodedValue | null][])),
  }),
  // UTC instant plus the zone name: the instant sorts and compares as a timestamp, the zone is kept as written.
  ZonedTimestamp: fixed({
    type: ZONED,
    value: (v) => {
      const z = v as { seconds: bigint; zone: string };
      return structValue({ timestamp: timestampOf(z.seconds), zone: z.zone });
    },
  }),
};

/** Decoded cases a dtype also accepts: Feast before JSON values stored Json features as strings. */
const ALSO_ACCEPTED: Partial<Record<ScalarDtype, { scalar: string; list: string }>> = {
  Json: { scalar: 'stringVal', list: 'stringListVal' },
};

/**
 * A Struct's fields hold what Feast's Python infers from the value (pandas hands it an int64 for an
 * Int32 field, a float64 for a Float32 one), so their columns are the wide type, which also takes a
 * narrower stored case exactly.
 */
const WIDER: Partial<Record<ScalarDtype, ScalarDtype>> = { Int32: 'Int64', Float32: 'Float64' };
const ALSO_IN_STRUCT: Partial<Record<ScalarDtype, { scalar: string; list: string }>> = {
  Int64: { scalar: 'int32Val', list: 'int32ListVal' },
  Float64: { scalar: 'floatVal', list: 'floatListVal' },
};

function widened(dtype: Dtype): Dtype {
  if (dtype.kind === 'nested') return { ...dtype, inner: widened(dtype.inner) };
  return { ...dtype, scalar: WIDER[dtype.scalar] ?? dtype.scalar };
}

export interface DuckColumn {
  type: DuckDBType;
  /** The column's type as SQL (`FLOAT[]`). */
  sql: string;
  /** A JS value of an element dtype (element or array, as the offline engine reads it) → DuckDB value; null stays null. */
  value(v: unknown): DuckDBValue;
  /** A stored Value's decoded form → DuckDB value, or an error naming what the table holds instead. */
  decoded(d: DecodedValue | null, where: Where): DuckDBValue;
  /** {@link value} appended to the appender's current row (the appender's own call where the type has one). */
  append(out: DuckDBAppender, v: unknown): void;
  /** {@link decoded} appended to the appender's current row (the appender's own call where the type has one). */
  appendDecoded(out: DuckDBAppender, d: DecodedValue | null, where: Where): void;
}

const noWhere: Where = () => 'value';

export function duckColumnOf(dtype: Dtype): DuckColumn {
  return columnOf(dtype, false);
}

function columnOf(dtype: Dtype, inStruct: boolean): DuckColumn {
  const expected = valueFormOf(dtype).valueCase;
  const also = dtype.kind === 'scalar' || dtype.kind === 'list' ? (inStruct ? ALSO_IN_STRUCT : ALSO_ACCEPTED)[dtype.scalar]?.[dtype.kind] : undefined;
  let type: DuckDBType;
  let value: (v: unknown, where: Where) => DuckDBValue;
  let direct: Append | undefined;
  if (dtype.kind === 'nested') {
    // list_val / set_val: one Value per inner collection, each decoded as the inner dtype.
    const inner = columnOf(dtype.inner, inStruct);
    type = LIST(inner.type);
    value = (v, where) => listValue((v as (DecodedValue | null)[]).map((e, i) => inner.decoded(e, () => `${where()}[${i}]`)));
  } else {
    const scalar = DUCK[dtype.scalar](dtype.fields);
    if (dtype.kind === 'scalar') direct = scalar.append;
    type = dtype.kind === 'scalar' ? scalar.type : LIST(scalar.type);
    value =
      dtype.kind === 'scalar'
        ? (v, where) => scalar.value(v, where)
        : (v, where) => listValue((v as unknown[]).map((e) => (e === null || e === scalar.listNull ? null : scalar.value(e, where))));
  }
  const checked = (d: DecodedValue, where: Where): unknown => {
    if (d.kind !== expected && d.kind !== also) {
      throw new DynafeastError('online.badItem', `${where()}: the stored value is ${d.kind}, the view declares ${formatDtype(dtype)} (${expected})`, {
        hint: 'the table holds values of another dtype than the view declares: fix the view schema, or materialize the view again',
      });
    }
    return d.value;
  };
  const append = (out: DuckDBAppender, v: unknown, where: Where) => {
    if (direct) direct(out, v);
    else out.appendValue(value(v, where), type);
  };
  return {
    type,
    sql: type.toString(),
    value: (v) => (v === null || v === undefined ? null : value(v, noWhere)),
    decoded: (d, where) => (d === null ? null : value(checked(d, where), where)),
    append: (out, v) => (v === null || v === undefined ? out.appendNull() : append(out, v, noWhere)),
    appendDecoded: (out, d, where) => (d === null ? out.appendNull() : append(out, checked(d, where), where)),
  };
}

/**
 * The event timestamp column: epoch microseconds, loaded as a BIGINT (the appender has no call of its
 * own for TIMESTAMPTZ) and read out as TIMESTAMPTZ by `sql(column)`.
 */
export const EVENT_TIMESTAMP_COLUMN = {
  loadedSql: 'BIGINT',
  append: (out: DuckDBAppender, micros: bigint) => out.appendBigInt(micros),
  sql: (column: string) => `make_timestamptz(${column})`,
};
