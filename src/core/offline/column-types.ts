/**
 * Which source column types can feed which Feast dtype, and the DuckDB expression that converts them to
 * the one canonical type the encoder reads (Int32 → INTEGER, Int64 / UnixTimestamp → BIGINT seconds,
 * Float32 / Float64 → DOUBLE, …). Pure: tests describe columns without opening DuckDB.
 */
import { DynafeastError } from '../errors.js';
import { FEAST_TYPES } from '../layout/feast-types.js';
import type { Dtype, JoinKeyDtype, ScalarDtype } from '../repo/model.js';
import { sqlString } from './source-reader.js';

/** A source column's type as far as conversion cares; built from DuckDB's type by read-source.ts. */
export interface SourceColumnType {
  /** DuckDB's spelling, for messages: `BIGINT`, `TIMESTAMP WITH TIME ZONE`, `FLOAT[]`. */
  name: string;
  kind: 'bool' | 'integer' | 'float' | 'decimal' | 'string' | 'blob' | 'timestamp' | 'date' | 'list' | 'other';
  /** Integers only: width in bits and signedness, for range checks. */
  bits?: number;
  unsigned?: boolean;
  /** Lists and fixed-size arrays: the element type. */
  element?: SourceColumnType;
}

/** Prefix of messages raised by this module's SQL `error(...)` calls: complete as they are, shown as is. */
export const OWN_ERROR_MARK = 'dynafeast: ';

/** `expr` converted, or why the column cannot hold the dtype. */
export type Conversion = { ok: true; sql: string } | { ok: false; expected: string };

const INT_RANGE: Record<'Int32' | 'Int64', { lo: bigint; hi: bigint }> = {
  Int32: { lo: -(2n ** 31n), hi: 2n ** 31n - 1n },
  Int64: { lo: -(2n ** 63n), hi: 2n ** 63n - 1n },
};

/** True when every value of the integer type fits in the target. */
function fits(t: SourceColumnType, target: 'Int32' | 'Int64'): boolean {
  const limit = target === 'Int32' ? 32 : 64;
  const bits = t.bits ?? 128;
  return t.unsigned ? bits < limit : bits <= limit;
}

/**
 * An integer cast that names the column when a value does not fit, instead of DuckDB's anonymous
 * "Conversion Error" (the range check is left out when the source type always fits).
 */
function intCast(expr: string, t: SourceColumnType, target: 'Int32' | 'Int64', what: string): string {
  const r = INT_RANGE[target];
  const sqlType = FEAST_TYPES[target].duckdb;
  if (fits(t, target)) return `CAST(${expr} AS ${sqlType})`;
  const msg = sqlString(`${OWN_ERROR_MARK}${what}: value out of the ${target} range: `);
  return (
    `CASE WHEN ${expr} IS NULL OR (${expr} >= ${r.lo} AND ${expr} <= ${r.hi}) ` +
    `THEN CAST(${expr} AS ${sqlType}) ELSE error(${msg} || CAST(${expr} AS VARCHAR)) END`
  );
}

/** Epoch microseconds of a timestamp or date expression (naive timestamps read as UTC). */
export function epochMicrosSql(expr: string, t: SourceColumnType): string | undefined {
  if (t.kind === 'timestamp') return `epoch_us(${expr})`;
  if (t.kind === 'date') return `epoch_us(CAST(${expr} AS TIMESTAMP))`;
  return undefined;
}

/** Floor division of epoch microseconds to seconds, exact in integers (Feast floors datetime64 to seconds). */
function floorSeconds(micros: string): string {
  return `((${micros}) - (((${micros}) % 1000000) + 1000000) % 1000000) // 1000000`;
}

const EXPECTED: Record<ScalarDtype, string> = {
  Int32: 'an integer column',
  Int64: 'an integer column',
  Float32: 'a FLOAT, DOUBLE, DECIMAL or integer column',
  Float64: 'a FLOAT, DOUBLE, DECIMAL or integer column',
  String: 'a VARCHAR (string) column',
  Json: 'a VARCHAR (JSON text) column',
  Bytes: 'a BLOB (binary) column',
  Bool: 'a BOOLEAN column',
  UnixTimestamp: 'a TIMESTAMP or DATE column, or integer seconds',
};

/**
 * A scalar conversion of `expr` (a column or a list element) of type `t` to `scalar`, ending in the
 * table's DuckDB type for it (feast-types.ts).
 */
function scalarSql(expr: string, t: SourceColumnType, scalar: ScalarDtype, what: string): string | undefined {
  const sqlType = FEAST_TYPES[scalar].duckdb;
  switch (scalar) {
    case 'Int32':
    case 'Int64':
      return t.kind === 'integer' ? intCast(expr, t, scalar, what) : undefined;
    case 'Float32':
    case 'Float64':
      return ['float', 'integer', 'decimal'].includes(t.kind) ? `CAST(${expr} AS ${sqlType})` : undefined;
    case 'String':
    case 'Json':
      return t.kind === 'string' ? `CAST(${expr} AS ${sqlType})` : undefined;
    case 'Bytes':
      return t.kind === 'blob' ? expr : undefined;
    case 'Bool':
      return t.kind === 'bool' ? expr : undefined;
    case 'UnixTimestamp': {
      if (t.kind === 'integer') return intCast(expr, t, 'Int64', what);
      const micros = epochMicrosSql(expr, t);
      return micros === undefined ? undefined : floorSeconds(micros);
    }
    default:
      return unknownDtype(scalar);
  }
}

/** Compiles only when the switch above covers every dtype of the table. */
function unknownDtype(scalar: never): never {
  throw new DynafeastError('internal', `no source column conversion for dtype ${String(scalar)}`);
}

/** The conversion of a feature column, or what was expected instead. */
export function featureSql(column: string, t: SourceColumnType, dtype: Dtype, what: string): Conversion {
  if (dtype.kind === 'scalar') {
    const sql = scalarSql(column, t, dtype.scalar, what);
    return sql === undefined ? { ok: false, expected: EXPECTED[dtype.scalar] } : { ok: true, sql };
  }
  const expected = `a list of ${EXPECTED[dtype.scalar].replace(/^an? /, '').replace(/column/, 'values')}`;
  if (t.kind !== 'list' || !t.element) return { ok: false, expected };
  const element = scalarSql('__x', t.element, dtype.scalar, what);
  if (element === undefined) return { ok: false, expected };
  // NOTE: list_transform keeps NULL elements NULL; the encoder writes them as the type's default.
  return { ok: true, sql: `list_transform(${column}, __x -> ${element})` };
}

/** The conversion of a join key column (DESIGN §3: only these key types serialize). */
export function joinKeySql(column: string, t: SourceColumnType, dtype: JoinKeyDtype, what: string): Conversion {
  const sql = scalarSql(column, t, dtype, what);
  return sql === undefined ? { ok: false, expected: EXPECTED[dtype] } : { ok: true, sql };
}

/** The conversion of an event or created timestamp column to epoch microseconds. */
export function timestampSql(column: string, t: SourceColumnType): Conversion {
  const sql = epochMicrosSql(column, t);
  return sql === undefined
    ? { ok: false, expected: 'a TIMESTAMP (with or without time zone) or DATE column' }
    : { ok: true, sql };
}
