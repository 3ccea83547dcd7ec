/**
 * Which source column types can feed which Feast dtype, and the DuckDB expression that converts them to
 * the one canonical type the encoder reads (Int32 → INTEGER, Int64 / UnixTimestamp → BIGINT seconds,
 * Float32 / Float64 → DOUBLE, …). Pure: tests describe columns without opening DuckDB.
 *
 * A value is converted exactly or refused, never rounded: 12.5 is not an Int64, 2^53 + 1 is not a
 * Float64, 1e39 is not a Float32, 5000000000 is not an Int32. CSV fields arrive as text (the reader
 * never lets DuckDB guess a type from a sample of rows) and are parsed here by the declared dtype.
 * Each conversion carries the predicate that finds a refused value, so the caller can name its row.
 */
import { FEAST_TYPES } from '../layout/feast-types.js';
import type { Dtype, JoinKeyDtype, ScalarDtype } from '../repo/model.js';
import { sqlString } from './source-reader.js';

/** A source column's type as far as conversion cares; built from DuckDB's type by offline-store.ts. */
export interface SourceColumnType {
  /** DuckDB's spelling, for messages: `BIGINT`, `TIMESTAMP WITH TIME ZONE`, `FLOAT[]`; `CSV text` for CSV. */
  name: string;
  /** `text`: a CSV field, parsed by the dtype it feeds. */
  kind: 'bool' | 'integer' | 'float' | 'decimal' | 'string' | 'text' | 'blob' | 'timestamp' | 'date' | 'list' | 'other';
  /** Integers and floats: width in bits (and signedness, integers), for range checks. */
  bits?: number;
  unsigned?: boolean;
  /** Lists and fixed-size arrays: the element type. */
  element?: SourceColumnType;
}

/** Prefix of messages raised by this module's SQL `error(...)` calls: complete as they are, shown as is. */
export const OWN_ERROR_MARK = 'dynafeast: ';

/**
 * `sql` converts the column; `invalid`, when present, is true for a non-NULL value that cannot be
 * converted exactly (the same values `sql` raises an error for), `why` says what such a value is not.
 */
export type Conversion = { ok: true; sql: string; invalid?: string; why?: string } | { ok: false; expected: string };

const INT_RANGE: Record<'Int32' | 'Int64', { lo: bigint; hi: bigint }> = {
  Int32: { lo: -(2n ** 31n), hi: 2n ** 31n - 1n },
  Int64: { lo: -(2n ** 63n), hi: 2n ** 63n - 1n },
};

/** Seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: what Feast can turn back into a datetime. */
export const UNIX_SECONDS_MIN = -62_135_596_800n;
export const UNIX_SECONDS_MAX = 253_402_300_799n;
/** The largest finite float32, as a double literal. */
const FLOAT32_MAX = '3.4028234663852886e38';
/** Integers up to this magnitude are exact in a double (2^53) / a float (2^24). */
const EXACT_INT_BITS: Record<'Float32' | 'Float64', number> = { Float32: 24, Float64: 53 };

/** True when every value of the integer type fits in the target. */
function fits(t: SourceColumnType, target: 'Int32' | 'Int64'): boolean {
  const limit = target === 'Int32' ? 32 : 64;
  const bits = t.bits ?? 128;
  return t.unsigned ? bits < limit : bits <= limit;
}

/** Epoch microseconds of a timestamp or date expression (naive timestamps read as UTC). */
export function epochMicrosSql(expr: string, t: SourceColumnType): string | undefined {
  if (t.kind === 'timestamp') return `epoch_us(${expr})`;
  if (t.kind === 'date') return `epoch_us(CAST(${expr} AS TIMESTAMP))`;
  // CSV text: any form DuckDB's TIMESTAMPTZ cast reads (ISO date, date time, with or without offset;
  // the session zone is UTC, so naive text is UTC).
  if (t.kind === 'text') return `epoch_us(TRY_CAST(${expr} AS TIMESTAMPTZ))`;
  return undefined;
}

/** Floor division of epoch microseconds to seconds, exact in integers (Feast floors datetime64 to seconds). */
function floorSeconds(micros: string): string {
  return `((${micros}) - (((${micros}) % 1000000) + 1000000) % 1000000) // 1000000`;
}

const EXPECTED: Record<ScalarDtype, string> = {
  Int32: 'an integer column (or whole-valued FLOAT/DOUBLE/DECIMAL)',
  Int64: 'an integer column (or whole-valued FLOAT/DOUBLE/DECIMAL)',
  Float32: 'a FLOAT, DOUBLE, DECIMAL or integer column',
  Float64: 'a FLOAT, DOUBLE, DECIMAL or integer column',
  String: 'a VARCHAR (string) column',
  Json: 'a VARCHAR (JSON text) column',
  Bytes: 'a BLOB (binary) column',
  Bool: 'a BOOLEAN column',
  UnixTimestamp: 'a TIMESTAMP or DATE column, or integer seconds',
};

/** A scalar conversion: `value(e)` converts a valid `e`; `invalid(e)` finds a non-NULL `e` that is not. */
interface ScalarRule {
  value: (e: string) => string;
  invalid?: (e: string) => string;
  why?: string;
}

/** Whole-number text: optional sign, digits, optionally `.000` (how pandas writes an integer column holding NaN). */
const INT_TEXT = `'\\s*[+-]?[0-9]+(\\.0*)?\\s*'`;
const intTextValue = (e: string) => `TRY_CAST(regexp_extract(${e}, '[+-]?[0-9]+') AS HUGEINT)`;
const isIntText = (e: string) => `regexp_full_match(${e}, ${INT_TEXT})`;

function integerRule(t: SourceColumnType, target: 'Int32' | 'Int64', lo = INT_RANGE[target].lo, hi = INT_RANGE[target].hi): ScalarRule | undefined {
  // the DuckDB type comes from the one dtype table (feast-types.ts)
  const sqlType = FEAST_TYPES[target].duckdb;
  const why = lo === INT_RANGE[target].lo ? `is not a whole number in the ${target} range` : 'is not whole seconds within years 0001..9999';
  const narrowed = lo !== INT_RANGE[target].lo || hi !== INT_RANGE[target].hi;
  switch (t.kind) {
    case 'integer':
      if (fits(t, target) && !narrowed) return { value: (e) => `CAST(${e} AS ${sqlType})` };
      return { value: (e) => `CAST(${e} AS ${sqlType})`, invalid: (e) => `NOT (${e} BETWEEN ${lo} AND ${hi})`, why };
    case 'float':
    case 'decimal':
      // NOTE: compared as doubles, the bounds are exclusive powers of two: 2^63 itself does not fit.
      return {
        value: (e) => `CAST(${e} AS ${sqlType})`,
        invalid: (e) => `NOT (${e} = trunc(${e}) AND CAST(${e} AS DOUBLE) >= ${lo}.0 AND CAST(${e} AS DOUBLE) < ${hi + 1n}.0)`,
        why,
      };
    case 'text':
      return {
        value: (e) => `CAST(${intTextValue(e)} AS ${sqlType})`,
        invalid: (e) => `NOT coalesce(${isIntText(e)} AND ${intTextValue(e)} BETWEEN ${lo} AND ${hi}, false)`,
        why,
      };
    default:
      return undefined;
  }
}

function floatRule(t: SourceColumnType, target: 'Float32' | 'Float64'): ScalarRule | undefined {
  const exactBits = EXACT_INT_BITS[target];
  // Float32 stays DOUBLE here (the encoder rounds to f32 as protobuf's float field does); a finite value
  // beyond f32's range would become inf there, so it is refused here.
  const tooBig = (d: string) => (target === 'Float32' ? `(isfinite(${d}) AND abs(${d}) > ${FLOAT32_MAX})` : 'false');
  const why = `is not exactly representable as ${target}`;
  switch (t.kind) {
    case 'integer': {
      const exact = t.unsigned ? (t.bits ?? 128) <= exactBits : (t.bits ?? 128) <= exactBits + 1;
      if (exact) return { value: (e) => `CAST(${e} AS DOUBLE)` };
      // TRY_CAST: a value beyond float32's range fails the check instead of the query
      const asFloat = target === 'Float32' ? (e: string) => `CAST(TRY_CAST(${e} AS FLOAT) AS DOUBLE)` : (e: string) => `CAST(${e} AS DOUBLE)`;
      return {
        value: (e) => `CAST(${e} AS DOUBLE)`,
        // the integer must survive the trip through the float type unchanged
        invalid: (e) => `coalesce(TRY_CAST(${asFloat(e)} AS HUGEINT) <> CAST(${e} AS HUGEINT), true)`,
        why,
      };
    }
    case 'float':
    case 'decimal':
      // a FLOAT column holds float32 values only: nothing to refuse
      if (target === 'Float64' || (t.kind === 'float' && t.bits === 32)) return { value: (e) => `CAST(${e} AS DOUBLE)` };
      return { value: (e) => `CAST(${e} AS DOUBLE)`, invalid: (e) => tooBig(`CAST(${e} AS DOUBLE)`), why };
    case 'text': {
      const d = (e: string) => `TRY_CAST(trim(${e}) AS DOUBLE)`;
      const asFloat = target === 'Float32' ? (e: string) => `CAST(TRY_CAST(${d(e)} AS FLOAT) AS DOUBLE)` : d;
      return {
        value: d,
        invalid: (e) =>
          `(${d(e)} IS NULL OR ${tooBig(d(e))} OR ` +
          // whole-number text must be exact; decimal fractions read as the nearest float, as every parser does
          `(${isIntText(e)} AND coalesce(TRY_CAST(${asFloat(e)} AS HUGEINT) <> ${intTextValue(e)}, true)))`,
        why: `is not a number exactly representable as ${target}`,
      };
    }
    default:
      return undefined;
  }
}

/** A scalar conversion of `t` to `scalar`. */
function scalarRule(t: SourceColumnType, scalar: ScalarDtype): ScalarRule | undefined {
  switch (scalar) {
    case 'Int32':
    case 'Int64':
      return integerRule(t, scalar);
    case 'Float32':
    case 'Float64':
      return floatRule(t, scalar);
    case 'String':
    case 'Json':
      return t.kind === 'string' || t.kind === 'text' ? { value: (e) => `CAST(${e} AS ${FEAST_TYPES[scalar].duckdb})` } : undefined;
    case 'Bytes':
      return t.kind === 'blob' ? { value: (e) => e } : undefined;
    case 'Bool':
      if (t.kind === 'bool') return { value: (e) => e };
      if (t.kind !== 'text') return undefined;
      return {
        value: (e) => `CAST(lower(trim(${e})) IN ('true', '1') AS BOOLEAN)`,
        invalid: (e) => `lower(trim(${e})) NOT IN ('true', 'false', '1', '0')`,
        why: 'is not a boolean (true, false, 1 or 0)',
      };
    case 'UnixTimestamp': {
      if (t.kind === 'integer') return integerRule(t, 'Int64', UNIX_SECONDS_MIN, UNIX_SECONDS_MAX);
      const why = 'is not a time within years 0001..9999 (the range Feast reads back)';
      if (t.kind === 'text') {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- an integer column always has an Int64 rule
        const int = integerRule(t, 'Int64', UNIX_SECONDS_MIN, UNIX_SECONDS_MAX)!;
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- epochMicrosSql covers every timestamp column kind reaching here
        const micros = epochMicrosSql('__t', t)!;
        const seconds = (e: string) => floorSeconds(micros.replaceAll('__t', e));
        return {
          value: (e) => `CASE WHEN ${isIntText(e)} THEN ${int.value(e)} ELSE ${seconds(e)} END`,
          invalid: (e) =>
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a narrowed integer rule always carries its invalid check
            `CASE WHEN ${isIntText(e)} THEN ${int.invalid!(e)} ELSE coalesce(NOT (${seconds(e)} BETWEEN ${UNIX_SECONDS_MIN} AND ${UNIX_SECONDS_MAX}), true) END`,
          why: 'is not integer seconds or a time within years 0001..9999',
        };
      }
      const micros = epochMicrosSql('__t', t);
      if (micros === undefined) return undefined;
      const seconds = (e: string) => floorSeconds(micros.replaceAll('__t', e));
      return { value: seconds, invalid: (e) => `NOT (${seconds(e)} BETWEEN ${UNIX_SECONDS_MIN} AND ${UNIX_SECONDS_MAX})`, why };
    }
  }
}

/** `CASE WHEN invalid THEN error(...) ELSE value END`: the error names the column and the value. */
function guarded(expr: string, rule: ScalarRule, what: string): string {
  if (!rule.invalid) return rule.value(expr);
  const msg = sqlString(`${OWN_ERROR_MARK}${what}: value `);
  const tail = sqlString(` ${rule.why}`);
  return (
    `CASE WHEN ${expr} IS NOT NULL AND (${rule.invalid(expr)}) ` + `THEN error(${msg} || CAST(${expr} AS VARCHAR) || ${tail}) ELSE ${rule.value(expr)} END`
  );
}

function scalarConversion(column: string, t: SourceColumnType, scalar: ScalarDtype, what: string): Conversion {
  const rule = scalarRule(t, scalar);
  if (!rule) return { ok: false, expected: t.kind === 'text' ? `${EXPECTED[scalar]}, which CSV text cannot hold` : EXPECTED[scalar] };
  return {
    ok: true,
    sql: guarded(column, rule, what),
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a rule with an invalid check always says why
    ...(rule.invalid ? { invalid: `${column} IS NOT NULL AND (${rule.invalid(column)})`, why: rule.why! } : {}),
  };
}

/** The conversion of a feature column, or what was expected instead. */
export function featureSql(column: string, t: SourceColumnType, dtype: Dtype, what: string): Conversion {
  if (dtype.kind === 'scalar') return scalarConversion(column, t, dtype.scalar, what);
  const expected = `a list of ${EXPECTED[dtype.scalar].replace(/^an? /, '').replace(/column/, 'values')}`;
  if (t.kind !== 'list' || !t.element) return { ok: false, expected };
  const rule = scalarRule(t.element, dtype.scalar);
  if (rule === undefined) return { ok: false, expected };
  // NOTE: list_transform keeps NULL elements NULL; the encoder writes them as the type's default.
  const sql = `list_transform(${column}, __x -> ${guarded('__x', rule, `${what} (list element)`)})`;
  if (!rule.invalid) return { ok: true, sql };
  return {
    ok: true,
    sql,
    invalid: `coalesce(list_bool_or(list_transform(${column}, __x -> __x IS NOT NULL AND (${rule.invalid('__x')}))), false)`,
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a rule with an invalid check always says why
    why: `holds an element that ${rule.why!}`,
  };
}

/** The conversion of a join key column (only these key types serialize). */
export function joinKeySql(column: string, t: SourceColumnType, dtype: JoinKeyDtype, what: string): Conversion {
  return scalarConversion(column, t, dtype, what);
}

/**
 * The conversion of an event or created timestamp column to epoch microseconds. CSV text that is not a
 * time is refused (the caller names the row); an empty field is NULL.
 */
export function timestampSql(column: string, t: SourceColumnType, what = column): Conversion {
  const sql = epochMicrosSql(column, t);
  if (sql === undefined) return { ok: false, expected: 'a TIMESTAMP (with or without time zone) or DATE column' };
  if (t.kind !== 'text') return { ok: true, sql };
  const why = 'is not a date or time';
  const invalid = `${column} IS NOT NULL AND ${sql} IS NULL`;
  const msg = sqlString(`${OWN_ERROR_MARK}${what}: value `);
  return {
    ok: true,
    sql: `CASE WHEN ${invalid} THEN error(${msg} || ${column} || ${sqlString(` ${why}`)}) ELSE ${sql} END`,
    invalid,
    why,
  };
}
