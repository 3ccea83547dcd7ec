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
import { formatDtype, type Dtype, type JoinKeyDtype, type ScalarDtype, type StructField } from '../repo/model.js';
import { sqlString } from './source-reader.js';

/** A source column's type as far as conversion cares; built from DuckDB's type by offline-store.ts. */
export interface SourceColumnType {
  /** DuckDB's spelling, for messages: `BIGINT`, `TIMESTAMP WITH TIME ZONE`, `FLOAT[]`; `CSV text` for CSV. */
  name: string;
  /** `text`: a CSV field, parsed by the dtype it feeds. */
  kind: 'bool' | 'integer' | 'float' | 'decimal' | 'string' | 'text' | 'blob' | 'timestamp' | 'date' | 'list' | 'struct' | 'other';
  /** Integers and floats: width in bits (and signedness, integers), for range checks. */
  bits?: number;
  unsigned?: boolean;
  /** Lists and fixed-size arrays: the element type. */
  element?: SourceColumnType;
  /** Structs: the fields in column order. */
  fields?: { name: string; type: SourceColumnType }[];
}

/** Prefix of messages raised by this module's SQL `error(...)` calls: complete as they are, shown as is. */
export const OWN_ERROR_MARK = 'dynafeast: ';

/**
 * `sql` converts the column; `invalid`, when present, is true for a non-NULL value that cannot be
 * converted exactly (the same values `sql` raises an error for), `why` says what such a value is not.
 */
export type Conversion = { ok: true; sql: string; invalid?: string; why?: string } | { ok: false; expected: string };

/** Dtypes whose values are whole numbers in a range (FEAST_TYPES' `range`), and those that are IEEE floats (`float`). */
type IntegerDtype = 'Int32' | 'Int64' | 'UnixTimestamp';
type FloatDtype = 'Float32' | 'Float64';

// NOTE: every per-dtype fact (range, largest finite value, exact integer bits, DuckDB types) is read from
// the one dtype table (feast-types.ts); this module only turns those facts into SQL.

/** True when every value of the source integer type lies in the dtype's range (no check needed). */
function fits(t: SourceColumnType, range: { min: bigint; max: bigint }): boolean {
  const bits = BigInt(t.bits ?? 128);
  const lo = t.unsigned ? 0n : -(2n ** (bits - 1n));
  const hi = t.unsigned ? 2n ** bits - 1n : 2n ** (bits - 1n) - 1n;
  return lo >= range.min && hi <= range.max;
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

/** A finite double as a DuckDB DOUBLE literal, exactly (the shortest text that reads back the same). */
const doubleLiteral = (x: number): string => `${String(x)}::DOUBLE`;

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
  Uuid: 'a UUID or VARCHAR (UUID text) column',
  TimeUuid: 'a UUID or VARCHAR (UUID text) column',
  Decimal: 'a DECIMAL or VARCHAR (decimal text) column',
  PdfBytes: 'a BLOB (binary) column',
  ImageBytes: 'a BLOB (binary) column',
  Map: 'a STRUCT column (as pandas writes a column of dicts) without float or decimal fields, or the typed JSON text `dynafeast export` writes',
  Struct: 'a STRUCT column with the declared fields',
  // Feast's own materialize refuses these from files as well.
  ScalarMap: 'none: no file column feeds a ScalarMap (Feast cannot materialize one from files either)',
  ZonedTimestamp: 'none: no file column feeds a ZonedTimestamp (Feast cannot materialize one from files either)',
};

/** The source columns that feed a dtype, for docs (README's dtype table) and messages. */
export function expectedSourceColumns(dtype: Dtype): string {
  if (dtype.kind === 'nested') return `a list of lists (as deep as the dtype) of the innermost type's columns`;
  const one = EXPECTED[dtype.scalar];
  if (dtype.kind === 'scalar') return one;
  return `a list of ${one.replace(/^an? /, '').replace(/column/, 'values')}${dtype.kind === 'set' ? ' (no nulls; each value kept once)' : ''}`;
}

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

function integerRule(t: SourceColumnType, dtype: IntegerDtype): ScalarRule | undefined {
  const { duckdb: sqlType, range } = FEAST_TYPES[dtype];
  const { min: lo, max: hi } = range;
  const why = dtype === 'UnixTimestamp' ? 'is not whole seconds within years 0001..9999' : `is not a whole number in the ${dtype} range`;
  switch (t.kind) {
    case 'integer':
      if (fits(t, range)) return { value: (e) => `CAST(${e} AS ${sqlType})` };
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

function floatRule(t: SourceColumnType, target: FloatDtype): ScalarRule | undefined {
  const { max, exactIntBits: exactBits, duckdbWidth } = FEAST_TYPES[target].float;
  // the values stay DOUBLE here (the encoder rounds to f32 as protobuf's float field does); a finite value
  // beyond a narrower type's range would become inf there, so it is refused here.
  const narrower = max < Number.MAX_VALUE;
  const tooBig = (d: string) => (narrower ? `(isfinite(${d}) AND abs(${d}) > ${doubleLiteral(max)})` : 'false');
  const why = `is not exactly representable as ${target}`;
  // through the dtype's own width and back; TRY_CAST: a value beyond its range fails the check, not the query
  const asFloat = (x: string) => `CAST(TRY_CAST(${x} AS ${duckdbWidth}) AS DOUBLE)`;
  switch (t.kind) {
    case 'integer': {
      const exact = t.unsigned ? (t.bits ?? 128) <= exactBits : (t.bits ?? 128) <= exactBits + 1;
      if (exact) return { value: (e) => `CAST(${e} AS DOUBLE)` };
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
      if (!narrower || (t.kind === 'float' && t.bits === 32)) return { value: (e) => `CAST(${e} AS DOUBLE)` };
      return { value: (e) => `CAST(${e} AS DOUBLE)`, invalid: (e) => tooBig(`CAST(${e} AS DOUBLE)`), why };
    case 'text': {
      const d = (e: string) => `TRY_CAST(trim(${e}) AS DOUBLE)`;
      return {
        value: d,
        invalid: (e) =>
          `(${d(e)} IS NULL OR ${tooBig(d(e))} OR ` +
          // whole-number text must be exact; decimal fractions read as the nearest float, as every parser does
          `(${isIntText(e)} AND coalesce(TRY_CAST(${asFloat(d(e))} AS HUGEINT) <> ${intTextValue(e)}, true)))`,
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
    case 'PdfBytes':
    case 'ImageBytes':
      return t.kind === 'blob' ? { value: (e) => e } : undefined;
    case 'Uuid':
    case 'TimeUuid': {
      // DuckDB prints a UUID lowercase 8-4-4-4-12, as Python's str(uuid.UUID) does.
      if (t.kind === 'other' && t.name === 'UUID') return { value: (e) => `CAST(${e} AS VARCHAR)` };
      if (t.kind !== 'string' && t.kind !== 'text') return undefined;
      return {
        value: (e) => `CAST(${e} AS VARCHAR)`,
        invalid: (e) => `NOT regexp_full_match(${e}, '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')`,
        why: 'is not a UUID (8-4-4-4-12 hex digits)',
      };
    }
    case 'Decimal':
      // DECIMAL(p, s) prints its exact digits with s decimals, as str() of the Decimal pyarrow hands Feast.
      if (t.kind === 'decimal') return { value: (e) => `CAST(${e} AS VARCHAR)` };
      if (t.kind !== 'string' && t.kind !== 'text') return undefined;
      return {
        value: (e) => `CAST(${e} AS VARCHAR)`,
        invalid: (e) => `NOT regexp_full_match(${e}, '[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?')`,
        why: 'is not decimal text',
      };
    case 'Map':
    case 'Struct':
    case 'ScalarMap':
    case 'ZonedTimestamp':
      return undefined;
    case 'Bool':
      if (t.kind === 'bool') return { value: (e) => e };
      if (t.kind !== 'text') return undefined;
      return {
        value: (e) => `CAST(lower(trim(${e})) IN ('true', '1') AS BOOLEAN)`,
        invalid: (e) => `lower(trim(${e})) NOT IN ('true', 'false', '1', '0')`,
        why: 'is not a boolean (true, false, 1 or 0)',
      };
    case 'UnixTimestamp': {
      const { min, max } = FEAST_TYPES.UnixTimestamp.range;
      if (t.kind === 'integer') return integerRule(t, 'UnixTimestamp');
      const why = 'is not a time within years 0001..9999 (the range Feast reads back)';
      if (t.kind === 'text') {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- CSV text always has an integer rule
        const int = integerRule(t, 'UnixTimestamp')!;
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- epochMicrosSql covers every timestamp column kind reaching here
        const micros = epochMicrosSql('__t', t)!;
        const seconds = (e: string) => floorSeconds(micros.replaceAll('__t', e));
        return {
          value: (e) => `CASE WHEN ${isIntText(e)} THEN ${int.value(e)} ELSE ${seconds(e)} END`,
          invalid: (e) =>
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a text integer rule always carries its invalid check
            `CASE WHEN ${isIntText(e)} THEN ${int.invalid!(e)} ELSE coalesce(NOT (${seconds(e)} BETWEEN ${min} AND ${max}), true) END`,
          why: 'is not integer seconds or a time within years 0001..9999',
        };
      }
      const micros = epochMicrosSql('__t', t);
      if (micros === undefined) return undefined;
      const seconds = (e: string) => floorSeconds(micros.replaceAll('__t', e));
      return { value: seconds, invalid: (e) => `NOT (${seconds(e)} BETWEEN ${min} AND ${max})`, why };
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
  if (dtype.kind !== 'nested' && (dtype.scalar === 'Map' || dtype.scalar === 'Struct')) return structConversion(column, t, dtype);
  if (dtype.kind === 'nested') return nestedConversion(column, t, dtype, what);
  if (dtype.kind === 'scalar') return scalarConversion(column, t, dtype.scalar, what);
  const expected = `a list of ${EXPECTED[dtype.scalar].replace(/^an? /, '').replace(/column/, 'values')}`;
  if (t.kind !== 'list' || !t.element) return { ok: false, expected };
  const rule = scalarRule(t.element, dtype.scalar);
  if (rule === undefined) return { ok: false, expected };
  // NOTE: list_transform keeps NULL elements NULL; the encoder writes them as the type's default in a
  // list. A Set has no null element (Feast's materialize fails on one): refused here, with its row.
  let sql = `list_transform(${column}, __x -> ${guarded('__x', rule, `${what} (list element)`)})`;
  const nullInSet = dtype.kind === 'set' ? `coalesce(list_bool_or(list_transform(${column}, __x -> __x IS NULL)), false)` : undefined;
  if (nullInSet !== undefined) {
    const msg = sqlString(`${OWN_ERROR_MARK}${what}: a set `);
    sql = `CASE WHEN ${nullInSet} THEN error(${msg} || CAST(${column} AS VARCHAR) || ${sqlString(' holds a null element')}) ELSE ${sql} END`;
  }
  const elementInvalid = rule.invalid
    ? `coalesce(list_bool_or(list_transform(${column}, __x -> __x IS NOT NULL AND (${rule.invalid('__x')}))), false)`
    : undefined;
  const invalid = [nullInSet, elementInvalid].filter((x) => x !== undefined).join(' OR ');
  if (invalid === '') return { ok: true, sql };
  const why = [
    ...(nullInSet ? ['holds a null element (a Set has none)'] : []),
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a rule with an invalid check always says why
    ...(elementInvalid ? [`holds an element that ${rule.why!}`] : []),
  ].join(' or ');
  return { ok: true, sql, invalid, why };
}

/**
 * A nested collection (Array(Array(Int32)), Set(Array(String)), ...) from a list of lists of the same
 * depth, each innermost element converted as in a list (a NULL inner list stays NULL: Feast writes an
 * empty Value for it).
 */
function nestedConversion(column: string, t: SourceColumnType, dtype: Dtype, what: string, depth = 0): Conversion {
  const expected = `a list column nested as ${formatDtype(dtype)} is`;
  if (dtype.kind !== 'nested') {
    if (dtype.kind === 'scalar' || FEAST_TYPES[dtype.scalar].shape !== 'element')
      return { ok: false, expected: `${formatDtype(dtype)} inside a nested collection` };
    if (t.kind !== 'list' || !t.element) return { ok: false, expected };
    const rule = scalarRule(t.element, dtype.scalar);
    if (rule === undefined)
      return { ok: false, expected: `a list of ${EXPECTED[dtype.scalar].replace(/^an? /, '').replace(/column/, 'values')} at depth ${depth + 1}` };
    const x = `__n${depth}`;
    return { ok: true, sql: `list_transform(${column}, ${x} -> ${guarded(x, rule, `${what} (nested element)`)})` };
  }
  if (t.kind !== 'list' || !t.element) return { ok: false, expected };
  const y = `__m${depth}`;
  const inner = nestedConversion(y, t.element, dtype.inner, what, depth + 1);
  if (!inner.ok) return inner;
  return { ok: true, sql: `list_transform(${column}, ${y} -> ${inner.sql})` };
}

/**
 * A Map or Struct feature (or Array of one) from a STRUCT column (a STRUCT[] column for the Array),
 * passed as is: read-view hands the encoder each row as a plain object, as pandas hands Feast a dict.
 * A Struct's declared fields must be the column's, each of a type that feeds its dtype. A Map infers
 * each value's type, and JS cannot tell a whole float from an int, so a Map's fields may not be
 * floats (or decimals, which Feast would write as decimal_val): declare a Struct for those.
 * Feast's materialize refuses a MAP column (its type_map wants a dict), and so does this.
 */
function structConversion(column: string, t: SourceColumnType, dtype: Dtype & { kind: 'scalar' | 'list' | 'set' }): Conversion {
  const struct = dtype.kind === 'list' ? (t.kind === 'list' ? t.element : undefined) : t;
  // A Map as the text `export` writes (protobuf JSON of each entry's typed Value): the encoder writes
  // each Value as tagged (value-codec.ts, writeMapJson), so the exported bytes come back exactly, and
  // refuses text that is not such JSON, naming the row.
  if (dtype.fields === undefined && (struct?.kind === 'string' || struct?.kind === 'text')) return { ok: true, sql: column };
  const expected = `${dtype.kind === 'list' ? 'a list of ' : ''}${EXPECTED[dtype.scalar]}`;
  if (struct?.kind !== 'struct' || struct.fields === undefined) return { ok: false, expected };
  const why = dtype.fields === undefined ? mapFieldsProblem(struct) : structFieldsProblem(struct, dtype.fields);
  if (why !== undefined) return { ok: false, expected: `${expected} (${why})` };
  return { ok: true, sql: column };
}

function mapFieldsProblem(t: SourceColumnType): string | undefined {
  for (const f of t.fields ?? []) {
    const inner = f.type.kind === 'list' ? f.type.element : f.type;
    if (inner === undefined) continue;
    if (inner.kind === 'float' || inner.kind === 'decimal' || inner.kind === 'date' || inner.kind === 'other') return `field ${f.name} is ${f.type.name}`;
    if (inner.kind === 'struct') {
      const deeper = mapFieldsProblem(inner);
      if (deeper !== undefined) return `field ${f.name}: ${deeper}`;
    }
  }
  return undefined;
}

const FIELD_KINDS: Partial<Record<ScalarDtype, readonly SourceColumnType['kind'][]>> = {
  Int32: ['integer'],
  Int64: ['integer'],
  Float32: ['float', 'integer'],
  Float64: ['float', 'integer'],
  String: ['string'],
  Bytes: ['blob'],
  Bool: ['bool'],
  UnixTimestamp: ['timestamp'],
  Map: ['struct'],
  Struct: ['struct'],
};

function structFieldsProblem(t: SourceColumnType, fields: readonly StructField[]): string | undefined {
  const have = (t.fields ?? []).map((f) => f.name);
  const want = fields.map((f) => f.name);
  if (have.join('\u0000') !== want.join('\u0000')) return `its fields are ${have.join(', ')}; the Struct declares ${want.join(', ')}`;
  for (const [i, f] of fields.entries()) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- same length as fields (checked above)
    const col = t.fields![i]!.type;
    const d = f.dtype;
    if (d.kind === 'nested') return `field ${f.name}: nested collections inside a Struct are not read from files yet`;
    const c = d.kind === 'scalar' ? col : col.kind === 'list' ? col.element : undefined;
    const kinds = FIELD_KINDS[d.scalar];
    if (c === undefined || kinds === undefined || !kinds.includes(c.kind)) return `field ${f.name} is ${col.name}, which does not feed ${formatDtype(d)}`;
    if (d.scalar === 'Struct' && d.fields !== undefined) {
      const deeper = structFieldsProblem(c, d.fields);
      if (deeper !== undefined) return `field ${f.name}: ${deeper}`;
    }
    if (d.scalar === 'Map') {
      const deeper = mapFieldsProblem(c);
      if (deeper !== undefined) return `field ${f.name}: ${deeper}`;
    }
  }
  return undefined;
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
