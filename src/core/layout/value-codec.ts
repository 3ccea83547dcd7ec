/**
 * feast.types.Value encoding for DynamoDB `values` (architecture.md §3), written with @bufbuild/protobuf's
 * BinaryWriter: the same wire bytes as the generated ValueSchema + toBinary, without building a
 * message object per value (see bench/codec.bench.ts for the difference).
 *
 * Input JS types per dtype: Int32/Int64 number (safe integer) or bigint; Float32/Float64 number;
 * String string; Bytes Uint8Array; Bool boolean; UnixTimestamp seconds as number/bigint, or a Date;
 * Json a string holding JSON text, or any other JSON-serializable value (written as Python's
 * json.dumps would, as Feast does).
 * null, undefined and NaN encode to an empty Value (zero bytes), which Feast reads as null. Inside
 * arrays a null becomes what `feast materialize` writes there: 0, false, "", empty bytes; NaN in
 * float lists; JSON text `null` for Json; -2^63 for UnixTimestamp (numpy's NaT, which Feast reads
 * back as None). test/interop checks these against the installed Feast.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { DynafeastError } from '../errors.js';
import { formatDtype, type Dtype, type ScalarDtype } from '../repo/model.js';
import { FEAST_TYPES, isFloatDtype } from './feast-types.js';
import { describeValue, INT64_MIN, int32Of, int64Of, unixSecondsOf } from './coerce.js';
import { pythonJsonDumps } from './python-json.js';

export { decodeValue, type DecodedValue, type ValueKind } from './value-decode.js';

export type ValueEncoder = (v: unknown) => Uint8Array;

const EMPTY = new Uint8Array(0);

// NOTE: one writer for the whole module. Encoding is synchronous and never nests, and finish()
// copies the bytes out and resets it, so reuse only saves the buffer growth on every call.
const writer = new BinaryWriter();

/** Writes one scalar (no tag) after checking its JS type; false = wrong type, nothing written. */
type ScalarWrite = (w: BinaryWriter, v: unknown) => boolean;

/** How each dtype's JS values are written (field numbers and wire types are feast-types.ts's). */
const WRITE: Record<ScalarDtype, { write: ScalarWrite; zero: unknown }> = {
  Bytes: { zero: EMPTY, write: (w, v) => v instanceof Uint8Array && !!w.bytes(v) },
  String: { zero: '', write: (w, v) => typeof v === 'string' && !!w.string(v) },
  Int32: {
    zero: 0,
    write: (w, v) => {
      const n = int32Of(v, false);
      return n !== undefined && !!w.int32(n);
    },
  },
  Int64: { zero: 0, write: (w, v) => writeInt64(w, int64Of(v, false)) },
  // Feast's NULL_TIMESTAMP_INT_VALUE (numpy NaT as int64): a 0 would read back as 1970-01-01.
  UnixTimestamp: { zero: INT64_MIN, write: (w, v) => writeInt64(w, unixSecondsOf(v, false)) },
  // A null inside a float list: `feast materialize` writes NaN (numpy turns the null into NaN).
  Float64: { zero: NaN, write: (w, v) => typeof v === 'number' && !!w.double(v) },
  // fround first: a double beyond float32 range becomes ±Infinity (as numpy casts it) instead of
  // tripping the writer's range assertion.
  Float32: { zero: NaN, write: (w, v) => typeof v === 'number' && !!w.float(Math.fround(v)) },
  Bool: { zero: false, write: (w, v) => typeof v === 'boolean' && !!w.bool(v) },
  Json: { zero: 'null', write: (w, v) => writeJson(w, v) },
};

function writeInt64(w: BinaryWriter, n: number | bigint | undefined): boolean {
  if (n === undefined) return false;
  // A non-negative value below 2^32 has the same varint bytes as uint32, which skips the
  // writer's BigInt conversion (most counts and epoch seconds).
  if (typeof n === 'number' && n >= 0 && n <= 0xffffffff) return !!w.uint32(n);
  return !!w.int64(n);
}

function writeJson(w: BinaryWriter, v: unknown): boolean {
  if (typeof v === 'string') return !!w.string(v);
  let text: string | undefined;
  try {
    text = pythonJsonDumps(v);
  } catch {
    return false; // a cycle
  }
  return text !== undefined && !!w.string(text);
}

function isNull(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

function badValue(dtype: Dtype, feature: string | undefined, found: string): DynafeastError {
  const what = feature === undefined ? formatDtype(dtype) : `feature "${feature}" (${formatDtype(dtype)})`;
  return new DynafeastError('codec.badValue', `${what}: cannot encode ${found}`, {
    path: feature,
    hint:
      `expected ${EXPECTED[dtype.scalar]}${dtype.kind === 'list' ? ' in an array' : ''}; ` +
      'fix the source column type or the dtype in the feature view schema',
  });
}

const EXPECTED: Record<ScalarDtype, string> = {
  Int32: 'a whole number between -2147483648 and 2147483647',
  Int64: 'a whole number (number up to 2^53, else bigint) within the Int64 range',
  UnixTimestamp: 'whole seconds since the epoch (number/bigint) or a Date',
  Float32: 'a number',
  Float64: 'a number',
  String: 'a string',
  Bytes: 'a Uint8Array',
  Bool: 'a boolean',
  Json: 'JSON text or a JSON-serializable value',
};

/**
 * Builds the encoder for one feature; `feature` only names it in errors. Build once per view and
 * call per row.
 */
export function createValueEncoder(dtype: Dtype, feature?: string): ValueEncoder {
  const spec = WRITE[dtype.scalar];
  const type = FEAST_TYPES[dtype.scalar];
  if (spec === undefined || type === undefined) throw badValue(dtype, feature, 'values of an unknown dtype');
  const { wire } = type;
  const { field } = type[dtype.kind];
  if (dtype.kind === 'scalar') {
    const { write } = spec;
    return (v) => {
      if (isNull(v)) return EMPTY;
      writer.tag(field, wire);
      if (!safeWrite(write, v)) throw badValue(dtype, feature, describeValue(v));
      return writer.finish();
    };
  }
  const { write, zero } = spec;
  // proto3 packs repeated numerics; strings and bytes repeat the element tag.
  const packed = wire !== WireType.LengthDelimited;
  const nanIsNull = !isFloatDtype(dtype.scalar);
  return (v) => {
    if (v === null || v === undefined) return EMPTY;
    if (!Array.isArray(v) && !(packed && ArrayBuffer.isView(v) && !(v instanceof DataView))) {
      throw badValue(dtype, feature, describeValue(v));
    }
    const items = v as ArrayLike<unknown>;
    writer.tag(field, WireType.LengthDelimited).fork();
    if (packed && items.length > 0) writer.tag(1, WireType.LengthDelimited).fork();
    for (let i = 0; i < items.length; i++) {
      let item = items[i];
      // A missing element becomes what `feast materialize` writes (`zero`); NaN is pandas' null
      // for non-float columns but a real value in a float list.
      if (item === null || item === undefined || (nanIsNull && Number.isNaN(item))) item = zero;
      if (!packed) writer.tag(1, WireType.LengthDelimited);
      if (!safeWrite(write, item)) throw badValue(dtype, feature, `element [${i}] ${describeValue(item)}`);
    }
    if (packed && items.length > 0) writer.join();
    writer.join();
    return writer.finish();
  };
}

/** Writes one scalar; on a wrong type or a writer assertion, resets the shared writer and returns false. */
function safeWrite(write: ScalarWrite, v: unknown): boolean {
  let ok: boolean;
  try {
    ok = write(writer, v);
  } catch {
    ok = false; // the writer's own range checks: report them as a bad value like ours
  }
  // finish() is the writer's only reset; it also drops open forks and the half-written tag.
  if (!ok) writer.finish();
  return ok;
}

const encoderCache = new Map<string, ValueEncoder>();

/** One-off encode; the hot path should hold on to a {@link createValueEncoder} result instead. */
export function encodeValue(dtype: Dtype, v: unknown): Uint8Array {
  const key = `${dtype.kind}:${dtype.scalar}`;
  let enc = encoderCache.get(key);
  if (enc === undefined) {
    enc = createValueEncoder(dtype);
    encoderCache.set(key, enc);
  }
  return enc(v);
}
