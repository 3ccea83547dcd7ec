/**
 * Decoded feast.types.Value → the JS value a reader returns. The decoded kind decides the conversion
 * (a table may hold what Feast wrote, whatever the dtype says), except that a Json feature stored as a
 * plain string (older Feast) is parsed too.
 */
import { Buffer } from 'node:buffer';
import type { DecodedValue, MapEntries } from '../layout/value-decode.js';
import { formatEventTs, MAX_EVENT_MICROS, MIN_EVENT_MICROS } from '../layout/event-ts.js';
import type { Dtype, JoinKeyDtype } from '../repo/model.js';
import { convertJoinKeyValue } from './entity-rows.js';
import type { ValueFormat } from './types.js';
import { feastJoinKeyJson, feastLooseJson, feastValueJson } from './feast-json.js';

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
/** numpy's NaT as int64: Feast reads it back as None. */
const NULL_TIMESTAMP = -(2n ** 63n);

export type Converter = (v: DecodedValue) => unknown;

function int64Json(v: bigint): number | string {
  return v >= SAFE_MIN && v <= SAFE_MAX ? Number(v) : v.toString();
}

/**
 * NaN and ±Infinity have no JSON number: they become the strings "NaN", "Infinity", "-Infinity"
 * (JavaScript's and Python's own spellings). A NaN stays a value, not null, because Feast reads it
 * back as float('nan') — it is also what `feast materialize` stores for a null inside a float list.
 */
function floatJson(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/** Python's `datetime.isoformat()` of an aware UTC datetime; seconds as text beyond years 1..9999. */
export function isoSeconds(seconds: bigint): string | null {
  if (seconds === NULL_TIMESTAMP) return null;
  const micros = seconds * 1_000_000n;
  if (micros < MIN_EVENT_MICROS || micros > MAX_EVENT_MICROS) return seconds.toString();
  const text = formatEventTs(micros);
  return `${text.slice(0, 10)}T${text.slice(11)}`;
}

function dateOf(seconds: bigint): Date | null {
  return seconds === NULL_TIMESTAMP ? null : new Date(Number(seconds) * 1000);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON after all (written by another tool): hand back the text rather than fail the read.
    return text;
  }
}

const base64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');

const isJsonScalar = (dtype: Dtype): boolean => dtype.kind === 'scalar' && dtype.scalar === 'Json';
const isJsonList = (dtype: Dtype): boolean => dtype.kind !== 'nested' && dtype.scalar === 'Json';
/** Inside maps, lists of lists and ScalarMaps the Value says its own type; no dtype applies. */
const INFERRED: Dtype = { kind: 'scalar', scalar: 'String' };

function convertJson(d: DecodedValue, dtype: Dtype): unknown {
  switch (d.kind) {
    case 'bytesVal':
      return base64(d.value);
    case 'stringVal':
      return isJsonScalar(dtype) ? parseJson(d.value) : d.value;
    case 'int64Val':
      return int64Json(d.value);
    case 'doubleVal':
    case 'floatVal':
      return floatJson(d.value);
    case 'unixTimestampVal':
      return isoSeconds(d.value);
    case 'jsonVal':
      return parseJson(d.value);
    case 'int32Val':
    case 'boolVal':
    case 'uuidVal':
    case 'timeUuidVal':
    case 'decimalVal':
      return d.value;
    case 'bytesListVal':
    case 'bytesSetVal':
      return d.value.map(base64);
    case 'stringListVal':
      return isJsonList(dtype) ? d.value.map(parseJson) : d.value;
    case 'int64ListVal':
    case 'int64SetVal':
      return d.value.map(int64Json);
    case 'doubleListVal':
    case 'floatListVal':
    case 'doubleSetVal':
    case 'floatSetVal':
      return d.value.map(floatJson);
    case 'unixTimestampListVal':
    case 'unixTimestampSetVal':
      return d.value.map(isoSeconds);
    case 'jsonListVal':
      return d.value.map(parseJson);
    case 'int32ListVal':
    case 'boolListVal':
    case 'int32SetVal':
    case 'boolSetVal':
    case 'stringSetVal':
    case 'uuidListVal':
    case 'timeUuidListVal':
    case 'decimalListVal':
    case 'uuidSetVal':
    case 'timeUuidSetVal':
    case 'decimalSetVal':
      return d.value;
    case 'mapVal':
    case 'structVal':
      return mapObject(d.value, 'json');
    case 'mapListVal':
    case 'structListVal':
      return d.value.map((m) => mapObject(m, 'json'));
    case 'scalarMapVal':
      // JSON objects have string keys only: [key, value] pairs keep the key's type.
      return d.value.map(([k, v]) => [convertJson(k, INFERRED), v === null ? null : convertJson(v, INFERRED)]);
    case 'zonedTimestampVal':
      return { timestamp: isoSeconds(d.value.seconds), zone: d.value.zone };
    case 'listVal':
    case 'setVal':
      return d.value.map((v) => (v === null ? null : convertJson(v, INFERRED)));
  }
}

/** A Map / Struct as an object, keys in the stored order. */
function mapObject(entries: MapEntries, format: ValueFormat): Record<string, unknown> {
  // fromEntries defines own properties: a stored key "__proto__" stays a key, never the prototype.
  return Object.fromEntries(entries.map(([k, v]) => [k, v === null ? null : format === 'native' ? convertNative(v, INFERRED) : convertJson(v, INFERRED)]));
}

function convertNative(d: DecodedValue, dtype: Dtype): unknown {
  switch (d.kind) {
    case 'stringVal':
      return isJsonScalar(dtype) ? parseJson(d.value) : d.value;
    case 'unixTimestampVal':
      return dateOf(d.value);
    case 'jsonVal':
      return parseJson(d.value);
    case 'stringListVal':
      return isJsonList(dtype) ? d.value.map(parseJson) : d.value;
    case 'unixTimestampListVal':
    case 'unixTimestampSetVal':
      return d.value.map(dateOf);
    case 'jsonListVal':
      return d.value.map(parseJson);
    case 'mapVal':
    case 'structVal':
      return mapObject(d.value, 'native');
    case 'mapListVal':
    case 'structListVal':
      return d.value.map((m) => mapObject(m, 'native'));
    case 'scalarMapVal':
      return new Map(d.value.map(([k, v]) => [convertNative(k, INFERRED), v === null ? null : convertNative(v, INFERRED)]));
    case 'zonedTimestampVal':
      return { date: dateOf(d.value.seconds), zone: d.value.zone };
    case 'listVal':
    case 'setVal':
      return d.value.map((v) => (v === null ? null : convertNative(v, INFERRED)));
    default:
      return d.value;
  }
}

/** The converter for one feature's values. */
export function valueConverter(dtype: Dtype, format: ValueFormat): Converter {
  if (format === 'feast-json') return feastValueJson;
  return format === 'native' ? (d) => convertNative(d, dtype) : (d) => convertJson(d, dtype);
}

/** A converted join key value (as given to the entity key encoder) in the output format. */
export function joinKeyOutput(dtype: JoinKeyDtype, v: unknown, format: ValueFormat): unknown {
  if (format === 'feast-json') return feastJoinKeyJson(dtype, v);
  switch (dtype) {
    case 'Int64':
      if (format === 'native') return typeof v === 'bigint' ? v : BigInt(v as number);
      return typeof v === 'bigint' ? int64Json(v) : v;
    case 'UnixTimestamp': {
      const secs = typeof v === 'bigint' ? v : BigInt(v as number);
      return format === 'native' ? dateOf(secs) : isoSeconds(secs);
    }
    case 'Bytes':
      return format === 'native' ? v : base64(v as Uint8Array);
    default:
      return v;
  }
}

/**
 * A join key value that is only echoed (no requested view looks it up). Feast echoes whatever the row
 * holds without checking it, so a value the entity's dtype cannot hold is printed as given rather than
 * refused; one it can hold is printed like a looked-up key.
 */
export function echoedJoinKeyOutput(dtype: JoinKeyDtype | undefined, v: unknown, format: ValueFormat): unknown {
  if (v === null || v === undefined) return null;
  if (dtype !== undefined) {
    const converted = convertJoinKeyValue(dtype, v);
    if (converted !== undefined) return joinKeyOutput(dtype, converted, format);
  }
  if (format === 'native') return v;
  if (format === 'feast-json') return feastLooseJson(v);
  if (typeof v === 'bigint') return int64Json(v);
  if (v instanceof Uint8Array) return base64(v);
  return v;
}
