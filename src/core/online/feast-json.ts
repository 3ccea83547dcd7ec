/**
 * The JSON text Feast's feature server writes for a read (architecture.md §4.6): Starlette's
 * `json.dumps(convert_response_to_dict(proto), ensure_ascii=False, separators=(",", ":"))`. Values are
 * written as Python writes them — integers as digits (Int64 beyond 2^53 included), floats as Python's
 * `repr` (`1.0`, `1e-07`, `1e+16`), NaN/±Infinity as the strings protobuf's JSON mapping uses, bytes as
 * base64, UnixTimestamp as its integer seconds, Json as the stored text (a string) — so a client, Feast's
 * `remote` online store included, reads exactly what `feast serve` would have answered.
 *
 * Feast 0.67's `_value_to_native` decides the rest: uuid, time_uuid and decimal as their stored text,
 * PdfBytes/ImageBytes as base64, a Map or Struct as an object (and their lists as arrays of objects),
 * a nested collection as an array of converted Values, a ZonedTimestamp as ISO 8601 in its zone, and a
 * ScalarMap as null (Feast's converter does not support it).
 *
 * The writer is one entry per dtype (`Record<ElementDtype, …>`, `Record<…message dtypes, …>`), found from
 * the decoded Value's case through the type table: a new dtype is a compile error here until it has its entry.
 */
import { Buffer } from 'node:buffer';
import { formatEventTs } from '../layout/event-ts.js';
import { FEAST_TYPES, NESTED_FORMS, SCALAR_DTYPES, type ElementDtype, type FeastType, type JoinKeyDtype, type ScalarDtype } from '../layout/feast-types.js';
import type { DecodedValue, MapEntries } from '../layout/value-decode.js';

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

/** How one element of each element dtype is written (scalars and list/set elements alike). */
const ELEMENT: Record<ElementDtype, (v: never) => string> = {
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
  // uuid_val, time_uuid_val and decimal_val are string fields: their stored text, as a string.
  Uuid: text,
  TimeUuid: text,
  Decimal: text,
  // bytes_val under their own ValueType: base64 as any bytes_val.
  PdfBytes: base64,
  ImageBytes: base64,
};

type Writer = (v: unknown) => string;
const list =
  (element: Writer): Writer =>
  (items) =>
    `[${(items as unknown[]).map(element).join(',')}]`;

/** map_val / struct_val: a JSON object, its keys in wire order (Feast's order is upb's hash order, a new one per process). */
const mapObject: Writer = (entries) => `{${(entries as MapEntries).map(([k, v]) => `${JSON.stringify(k)}:${feastValueJson(v)}`).join(',')}}`;

/** What each message-shaped dtype's scalar form is written as. */
const MESSAGE: Record<Exclude<ScalarDtype, ElementDtype>, Writer> = {
  Map: mapObject,
  Struct: mapObject,
  // Feast 0.67's convert_response_to_dict writes scalar_map_val as None ("not yet supported").
  ScalarMap: () => 'null',
  ZonedTimestamp: (z) => {
    const { seconds, zone } = z as { seconds: bigint; zone: string };
    return zonedIso(seconds, zone);
  },
};

const BY_CASE = new Map<string, Writer>();
for (const dtype of SCALAR_DTYPES) {
  const row: FeastType = FEAST_TYPES[dtype];
  const one = (row.shape === 'element' ? ELEMENT[dtype as ElementDtype] : MESSAGE[dtype as Exclude<ScalarDtype, ElementDtype>]) as Writer;
  // PdfBytes and ImageBytes share bytes_val with Bytes: the first row of a case writes it.
  if (!BY_CASE.has(row.scalar.valueCase)) BY_CASE.set(row.scalar.valueCase, one);
  if (row.list !== undefined) BY_CASE.set(row.list.valueCase, list(one));
  if (row.set !== undefined) BY_CASE.set(row.set.valueCase, list(one));
}
// list_val / set_val: each nested Value converted again (an empty one is null).
for (const f of Object.values(NESTED_FORMS))
  BY_CASE.set(
    f.valueCase,
    list((v) => feastValueJson(v as DecodedValue | null)),
  );

/** A decoded stored Value as the feature server writes it; null (an empty Value) is `null`. */
export function feastValueJson(d: DecodedValue | null): string {
  if (d === null) return 'null';
  const write = BY_CASE.get(d.kind);
  if (write === undefined) throw new TypeError(`no JSON writer for Value case ${d.kind}`);
  return write(d.value);
}

const FIXED_OFFSET = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})$/;
const ZONE_FORMATS = new Map<string, Intl.DateTimeFormat | null>();

/** The zone's UTC offset in seconds at an instant, as feast.type_map._zone_from_name resolves a stored zone. */
function offsetSeconds(zone: string, seconds: bigint): number {
  if (zone === '') return 0;
  let format = ZONE_FORMATS.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      format = null; // not an IANA name
    }
    ZONE_FORMATS.set(zone, format);
  }
  if (format !== null) {
    const name = format.formatToParts(new Date(Number(seconds) * 1000)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(name);
    if (m === null) return 0; // "GMT"
    const abs = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
    return m[1] === '-' ? -abs : abs;
  }
  // A fixed offset ("UTC-07:00", "+05:30", "+0530"); anything else Feast decodes as UTC.
  const m = FIXED_OFFSET.exec(zone.trim());
  if (m === null) return 0;
  const abs = Number(m[2]) * 3600 + Number(m[3]) * 60;
  return m[1] === '-' ? -abs : abs;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * zoned_timestamp_val as Feast's _zoned_timestamp_to_str: `datetime.fromtimestamp(s, tz).isoformat()`
 * in the stored zone (`2023-11-14T17:13:20-05:00`); the NaT instant is null.
 */
export function zonedIso(seconds: bigint, zone: string): string {
  if (seconds === NAT) return 'null';
  const offset = offsetSeconds(zone, seconds);
  // formatEventTs: `YYYY-MM-DD HH:MM:SS+00:00`; it refuses a wall time outside years 1..9999, as Python's datetime does.
  const local = formatEventTs((seconds + BigInt(offset)) * 1_000_000n)
    .slice(0, 19)
    .replace(' ', 'T');
  const abs = Math.abs(offset);
  const secs = abs % 60;
  const off = `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 3600))}:${pad2(Math.floor(abs / 60) % 60)}${secs === 0 ? '' : `:${pad2(secs)}`}`;
  return `"${local}${off}"`;
}

const NAT = -(2n ** 63n);

/** unix_timestamp_val = numpy's NaT (-2^63): what `feast materialize` stores for a null timestamp. */
const NAT_VALUE = Uint8Array.of(0x40, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);

/**
 * A stored Value the codec reads as null, as the feature server writes it: Feast hands its NaT timestamp
 * back as the integer it holds; every other null (empty Value, null_val) is `null`.
 */
export function feastNullJson(stored: Uint8Array): string | null {
  return stored.length === NAT_VALUE.length && stored.every((b, i) => b === NAT_VALUE[i]) ? NAT.toString() : null;
}

/** A join key value (as converted for the entity key encoder) as the feature server echoes it. */
export function feastJoinKeyJson(dtype: JoinKeyDtype | undefined, v: unknown): string {
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
