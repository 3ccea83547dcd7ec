/**
 * The JSON text Feast's feature server writes for a read (architecture.md §4.6): Starlette's
 * `json.dumps(convert_response_to_dict(proto), ensure_ascii=False, separators=(",", ":"))`. Values are
 * written as Python writes them — integers as digits (Int64 beyond 2^53 included), floats as Python's
 * `repr` (`1.0`, `1e-07`, `1e+16`), NaN/±Infinity as the strings protobuf's JSON mapping uses, bytes as
 * base64, UnixTimestamp as its integer seconds, Json as the stored text (a string) — so a client, Feast's
 * `remote` online store included, reads exactly what `feast serve` would have answered.
 *
 * The element writer is one entry per dtype (`Record<ScalarDtype, …>`), found from the decoded Value's
 * case through the type table: a new dtype is a compile error here until it has its entry.
 */
import { Buffer } from 'node:buffer';
import { FEAST_TYPES, SCALAR_DTYPES, type ScalarDtype } from '../layout/feast-types.js';
import type { DecodedValue } from '../layout/value-decode.js';

/** Python's `repr(float)`: shortest round-trip digits, exponent form outside 1e-4 ≤ |x| < 1e16. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return '"NaN"';
  if (!Number.isFinite(x)) return x > 0 ? '"Infinity"' : '"-Infinity"';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() without digits gives the shortest digits that round-trip, as repr does.
  const [mantissa = '', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0] ?? ''}${frac}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}.${fracPart === '' ? '0' : fracPart}`;
}

const integer = (v: unknown): string => (typeof v === 'bigint' ? v.toString() : String(v));
const base64 = (b: Uint8Array): string => `"${Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64')}"`;
const text = (v: unknown): string => JSON.stringify(v);

/** How one element of each dtype is written (scalars and list elements alike). */
const ELEMENT: Record<ScalarDtype, (v: never) => string> = {
  Int32: integer,
  Int64: integer,
  Float32: pythonFloat,
  Float64: pythonFloat,
  String: text,
  Bytes: base64,
  Bool: (v: boolean) => (v ? 'true' : 'false'),
  // Feast hands unix_timestamp_val back as the integer it holds.
  UnixTimestamp: integer,
  // json_val is a string field: the stored text goes out as a JSON string.
  Json: text,
};

type Writer = (v: unknown) => string;
const BY_CASE = new Map<string, Writer>();
for (const dtype of SCALAR_DTYPES) {
  const element = ELEMENT[dtype] as Writer;
  BY_CASE.set(FEAST_TYPES[dtype].scalar.valueCase, element);
  BY_CASE.set(FEAST_TYPES[dtype].list.valueCase, (list) => `[${(list as unknown[]).map(element).join(',')}]`);
}

/** A decoded stored Value as the feature server writes it; null (an empty Value) is `null`. */
export function feastValueJson(d: DecodedValue | null): string {
  if (d === null) return 'null';
  const write = BY_CASE.get(d.kind);
  if (write === undefined) throw new TypeError(`no JSON writer for Value case ${d.kind}`);
  return write(d.value);
}

/** unix_timestamp_val = numpy's NaT (-2^63): what `feast materialize` stores for a null timestamp. */
const NAT_VALUE = Uint8Array.of(0x40, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);

/**
 * A stored Value the codec reads as null, as the feature server writes it: Feast hands its NaT timestamp
 * back as the integer it holds; every other null (empty Value, null_val) is `null`.
 */
export function feastNullJson(stored: Uint8Array): string | null {
  return stored.length === NAT_VALUE.length && stored.every((b, i) => b === NAT_VALUE[i]) ? (-(2n ** 63n)).toString() : null;
}

/** A join key value (as converted for the entity key encoder) as the feature server echoes it. */
export function feastJoinKeyJson(dtype: ScalarDtype | undefined, v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (dtype !== undefined) return (ELEMENT[dtype] as Writer)(v);
  return feastLooseJson(v);
}

/** A value of no known dtype (an echoed entity column no entity declares), by its JS type. */
export function feastLooseJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pythonFloat(v);
  if (v instanceof Uint8Array) return base64(v);
  if (Array.isArray(v)) return `[${v.map(feastLooseJson).join(',')}]`;
  return JSON.stringify(v);
}

/**
 * protobuf Timestamp → RFC 3339 as Feast's `_timestamp_to_str`: `1970-01-01T00:00:00Z` for the empty
 * Timestamp, then no fraction, milliseconds or microseconds, whichever is exact.
 */
export function feastTimestamp(micros: bigint): string {
  if (micros === 0n) return '1970-01-01T00:00:00Z';
  let seconds = micros / 1_000_000n;
  let frac = micros % 1_000_000n;
  if (frac < 0n) {
    frac += 1_000_000n;
    seconds -= 1n;
  }
  const date = new Date(Number(seconds) * 1000);
  const base = date.toISOString().slice(0, 19);
  if (frac === 0n) return `${base}Z`;
  if (frac % 1000n === 0n) return `${base}.${String(frac / 1000n).padStart(3, '0')}Z`;
  return `${base}.${String(frac).padStart(6, '0')}Z`;
}
