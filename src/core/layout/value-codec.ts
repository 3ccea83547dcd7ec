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
import { fromJson, toBinary, type JsonValue } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { ValueSchema } from '../../gen/feast/types/Value_pb.js';
import { DynafeastError } from '../errors.js';
import {
  dtypeErrorOf,
  FEAST_TYPES,
  formatDtype,
  isFloatDtype,
  NESTED_FORMS,
  type Dtype,
  type ElementDtype,
  type FeastType,
  type ScalarDtype,
  type StructField,
} from './feast-types.js';
import { Buffer } from 'node:buffer';
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

/** How each element dtype's JS values are written (field numbers and wire types are feast-types.ts's). */
const WRITE: Record<ElementDtype, { write: ScalarWrite; zero: unknown }> = {
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
  // A null element of these lists: Feast's _LIST_NONE_DEFAULTS writes "".
  Uuid: { zero: '', write: (w, v) => writeUuid(w, v) },
  TimeUuid: { zero: '', write: (w, v) => writeUuid(w, v) },
  Decimal: { zero: '', write: (w, v) => writeDecimal(w, v) },
  PdfBytes: { zero: EMPTY, write: (w, v) => v instanceof Uint8Array && !!w.bytes(v) },
  ImageBytes: { zero: EMPTY, write: (w, v) => v instanceof Uint8Array && !!w.bytes(v) },
};

const UUID_TEXT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Feast writes str(uuid) (or the string it was given); text that is no UUID would fail Feast's reader.
 * "" is what Feast writes for a null element of a list (_LIST_NONE_DEFAULTS).
 */
function writeUuid(w: BinaryWriter, v: unknown): boolean {
  return typeof v === 'string' && (v === '' || UUID_TEXT.test(v)) && !!w.string(v);
}

// Python's Decimal syntax (str(Decimal(...)) output and what Decimal(text) accepts), without spaces.
const DECIMAL_TEXT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity|Inf|NaN|sNaN)$/i;

/** str(decimal.Decimal): exact text; a number only when it is a safe integer (a fraction would be rounded already). */
function writeDecimal(w: BinaryWriter, v: unknown): boolean {
  // "": a null element of a list, as for Uuid.
  if (typeof v === 'string') return (v === '' || DECIMAL_TEXT.test(v)) && !!w.string(v);
  if (typeof v === 'bigint') return !!w.string(v.toString());
  if (typeof v === 'number' && Number.isSafeInteger(v)) return !!w.string(String(v));
  return false;
}

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
  const expected =
    dtype.kind === 'nested'
      ? `an array of arrays (${formatDtype(dtype)})`
      : `${EXPECTED[dtype.scalar]}${dtype.kind === 'list' ? ' in an array' : dtype.kind === 'set' ? ' in an array or Set, without nulls' : ''}`;
  return new DynafeastError('codec.badValue', `${what}: cannot encode ${found}`, {
    path: feature,
    hint: `expected ${expected}; fix the source column type or the dtype in the feature view schema`,
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
  Uuid: 'a UUID string (8-4-4-4-12 hex digits)',
  TimeUuid: 'a UUID string (8-4-4-4-12 hex digits)',
  Decimal: 'decimal text such as "12.50" (or a bigint / safe integer)',
  PdfBytes: 'a Uint8Array',
  ImageBytes: 'a Uint8Array',
  Map: 'an object with string keys',
  Struct: "an object with the struct's fields",
  ScalarMap: 'a JS Map (or [key, value] pairs) with number, bigint, boolean, Date or Uint8Array keys',
  ZonedTimestamp: 'a Date, or { seconds, zone } / { date, zone }',
};

/**
 * Builds the encoder for one feature; `feature` only names it in errors. Build once per view and
 * call per row.
 */
export function createValueEncoder(dtype: Dtype, feature?: string): ValueEncoder {
  const invalid = dtypeErrorOf(dtype);
  if (invalid !== undefined) throw badValue(dtype, feature, `values: ${invalid}`);
  if (dtype.kind === 'nested' || FEAST_TYPES[dtype.scalar].shape !== 'element') {
    // Maps, Structs, ScalarMaps, ZonedTimestamps and nested collections: the general writer.
    return (v) => {
      if (isNull(v)) return EMPTY;
      const found = writeComplex(writer, dtype, v);
      if (found !== undefined) {
        writer.finish(); // reset the shared writer: drops the half-written value
        throw badValue(dtype, feature, found);
      }
      return writer.finish();
    };
  }
  const scalar = dtype.scalar as ElementDtype;
  const spec = WRITE[scalar];
  const type: FeastType = FEAST_TYPES[scalar];
  const { wire } = type;
  // dtypeErrorOf above vouched that the form exists.
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion
  const { field } = type[dtype.kind]!;
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
  const nanIsNull = !isFloatDtype(scalar);
  const isSet = dtype.kind === 'set';
  return (v) => {
    if (v === null || v === undefined) return EMPTY;
    let items: ArrayLike<unknown>;
    if (isSet) {
      const unique = uniqueElements(v);
      if (unique === undefined) throw badValue(dtype, feature, describeValue(v));
      if (typeof unique === 'number') throw badValue(dtype, feature, `a null at element [${unique}]`);
      items = unique;
    } else {
      if (!Array.isArray(v) && !(packed && ArrayBuffer.isView(v) && !(v instanceof DataView))) {
        throw badValue(dtype, feature, describeValue(v));
      }
      items = v as ArrayLike<unknown>;
    }
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

/**
 * A Set's elements once each, in first-seen order (Feast's Python puts them through set(), whose
 * order is Python's hash order: readers treat the elements as a set). Equal means equal value:
 * bytes by content, numbers as JS Set sees them. The index of a null element (Feast refuses those),
 * or undefined when `v` is not an array or Set.
 */
function uniqueElements(v: unknown): unknown[] | number | undefined {
  let source: unknown[];
  if (v instanceof Set) source = [...(v as Set<unknown>)];
  else if (Array.isArray(v)) source = v;
  else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) source = Array.from(v as unknown as ArrayLike<unknown>);
  else return undefined;
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (let i = 0; i < source.length; i++) {
    const e = source[i];
    if (e === null || e === undefined) return i;
    const key = e instanceof Uint8Array ? `bytes:${Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('hex')}` : e;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

/** Writes tag and payload of a non-null value of a message-shaped or nested dtype; a description of what did not fit, else undefined. */
function writeComplex(w: BinaryWriter, dtype: Dtype, v: unknown): string | undefined {
  if (dtype.kind === 'nested') return writeNested(w, dtype.outer, dtype.inner, v);
  const { field } = (FEAST_TYPES[dtype.scalar] as FeastType)[dtype.kind] ?? { field: 0 };
  switch (FEAST_TYPES[dtype.scalar].shape) {
    case 'map': {
      if (dtype.kind === 'scalar') {
        const typed = dtype.fields === undefined && typeof v === 'string';
        if (!typed && !isPlainObject(v)) return describeValue(v);
        w.tag(field, WireType.LengthDelimited).fork();
        const err = typed ? writeMapJson(w, v) : writeMapBody(w, v as Record<string, unknown>, dtype.fields);
        w.join();
        return err;
      }
      // Array(Map) / Array(Struct): MapList, `repeated Map val = 1`.
      if (!Array.isArray(v)) return describeValue(v);
      w.tag(field, WireType.LengthDelimited).fork();
      for (let i = 0; i < v.length; i++) {
        const m: unknown = v[i];
        const typed = dtype.fields === undefined && typeof m === 'string';
        if (!typed && !isPlainObject(m)) return `element [${i}] ${describeValue(m)}`;
        w.tag(1, WireType.LengthDelimited).fork();
        const err = typed ? writeMapJson(w, m) : writeMapBody(w, m as Record<string, unknown>, dtype.fields);
        if (err !== undefined) return `element [${i}]: ${err}`;
        w.join();
      }
      w.join();
      return undefined;
    }
    case 'scalarMap':
      return writeScalarMap(w, field, v);
    case 'zoned':
      return writeZoned(w, field, v);
    default:
      return describeValue(v);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/**
 * upb's deterministic order of map keys: bytewise over the common prefix; when one key is a prefix of
 * the other, the longer one first ("ab" before "a", "" last).
 */
function upbKeyOrder(a: Buffer, b: Buffer): number {
  const c = Buffer.compare(a.subarray(0, Math.min(a.length, b.length)), b.subarray(0, Math.min(a.length, b.length)));
  return c !== 0 ? c : b.length - a.length;
}

/**
 * feast.types.Map entries in upb's deterministic key order: Feast's Python serializer (upb) writes map
 * entries in hash order, a different order in every process, so there is no one byte string to match;
 * the deterministic order is stable, and what the vector tests compare against.
 * A Struct's declared field types decide number encodings: Feast reads a struct column through pandas,
 * where an integer field is a Python int (int64_val) and a float field a Python float (double_val).
 */
function writeMapBody(w: BinaryWriter, obj: Record<string, unknown>, fields: readonly StructField[] | undefined): string | undefined {
  const keys = Object.keys(obj).sort((a, b) => upbKeyOrder(utf8(a), utf8(b)));
  for (const key of keys) {
    const value = obj[key];
    const hint = fields?.find((f) => f.name === key)?.dtype;
    if (fields !== undefined && hint === undefined) return `field "${key}", which the Struct does not declare`;
    w.tag(1, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).string(key);
    w.tag(2, WireType.LengthDelimited).fork();
    const err = writeInferred(w, value, hint);
    if (err !== undefined) return `key "${key}": ${err}`;
    w.join();
    w.join();
  }
  return undefined;
}

/**
 * A Map given as the text `export` writes (duck-columns.ts, valueJson): a JSON object of protobuf's JSON
 * of each entry's feast.types.Value, tagged with its case (`{"trips": {"int64Val": "5"}}`). Each Value
 * is written exactly as tagged — nothing is inferred — and entries go in upb's key order, as
 * writeMapBody writes them, so a Map read back from an export stores the bytes it was exported from.
 */
function writeMapJson(w: BinaryWriter, text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `${describeValue(text)}, which is not JSON`;
  }
  if (!isPlainObject(parsed)) return `${describeValue(text)}, which is not a JSON object of typed Values`;
  return writeTypedEntries(w, parsed);
}

function writeTypedEntries(w: BinaryWriter, entries: Record<string, unknown>): string | undefined {
  const keys = Object.keys(entries).sort((a, b) => upbKeyOrder(utf8(a), utf8(b)));
  for (const key of keys) {
    w.tag(1, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).string(key);
    w.tag(2, WireType.LengthDelimited).fork();
    const err = writeTypedValue(w, entries[key]);
    if (err !== undefined) return `key "${key}": ${err}`;
    w.join();
    w.join();
  }
  return undefined;
}

/** One Value's fields from its protobuf JSON; Maps inside it again in upb's key order. */
function writeTypedValue(w: BinaryWriter, json: unknown): string | undefined {
  if (!isPlainObject(json)) return `${describeValue(json)} is not a typed Value ({"int64Val": "5"}, {} for none)`;
  const cases = Object.keys(json);
  const only = cases.length === 1 ? json[cases[0] as string] : undefined;
  if (cases[0] === 'mapVal' && isPlainObject(only) && isPlainObject(only.val ?? {})) {
    w.tag(20, WireType.LengthDelimited).fork();
    const err = writeTypedEntries(w, (only.val ?? {}) as Record<string, unknown>);
    w.join();
    return err;
  }
  if (cases[0] === 'mapListVal' && isPlainObject(only) && Array.isArray(only.val ?? [])) {
    w.tag(21, WireType.LengthDelimited).fork();
    for (const [i, m] of ((only.val ?? []) as unknown[]).entries()) {
      if (!isPlainObject(m) || !isPlainObject(m.val ?? {})) return `mapListVal element [${i}] ${describeValue(m)}`;
      w.tag(1, WireType.LengthDelimited).fork();
      const err = writeTypedEntries(w, (m.val ?? {}) as Record<string, unknown>);
      if (err !== undefined) return `mapListVal element [${i}]: ${err}`;
      w.join();
    }
    w.join();
    return undefined;
  }
  try {
    w.raw(toBinary(ValueSchema, fromJson(ValueSchema, json as JsonValue)));
  } catch (e) {
    return `${JSON.stringify(json)} is not a feast.types.Value in protobuf JSON (${(e as Error).message})`;
  }
  return undefined;
}

/** Whether a number goes out as a Python float under a declared dtype (else inferred from the value). */
function floatHint(hint: Dtype | undefined): boolean | undefined {
  if (hint === undefined || hint.kind === 'nested') return undefined;
  if (isFloatDtype(hint.scalar)) return true;
  return hint.scalar === 'Int32' || hint.scalar === 'Int64' ? false : undefined;
}

/**
 * One Value's fields for a JS value whose Feast type is inferred, as feast.type_map's
 * python_values_to_proto_values(..., UNKNOWN) infers it for map values: str -> string_val, bool ->
 * bool_val, int -> int64_val, float -> double_val, bytes -> bytes_val, datetime -> unix_timestamp_val,
 * dict -> map_val, list -> the list of its elements' type (a list of dicts -> map_list_val). JS has one
 * number type: an integer-valued number is an int unless a Struct field declares a float type.
 * null (and NaN, pandas' null) is the empty Value.
 */
function writeInferred(w: BinaryWriter, v: unknown, hint?: Dtype): string | undefined {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return undefined;
  if (typeof v === 'string') return void w.tag(2, WireType.LengthDelimited).string(v);
  if (typeof v === 'boolean') return void w.tag(7, WireType.Varint).bool(v);
  if (typeof v === 'bigint' || typeof v === 'number') {
    const asFloat = floatHint(hint) ?? (typeof v === 'number' && !Number.isInteger(v));
    if (asFloat) return void w.tag(5, WireType.Bit64).double(Number(v));
    const n = int64Of(v, false);
    if (n === undefined) return `${describeValue(v)} is outside the Int64 range`;
    w.tag(4, WireType.Varint);
    writeInt64(w, n);
    return undefined;
  }
  if (v instanceof Uint8Array) return void w.tag(1, WireType.LengthDelimited).bytes(v);
  if (v instanceof Date) {
    const secs = unixSecondsOf(v, false);
    if (secs === undefined) return describeValue(v);
    w.tag(8, WireType.Varint);
    writeInt64(w, secs);
    return undefined;
  }
  if (isPlainObject(v)) {
    const inner = hint !== undefined && hint.kind === 'scalar' && hint.scalar === 'Struct' ? hint.fields : undefined;
    w.tag(20, WireType.LengthDelimited).fork();
    const err = writeMapBody(w, v, inner);
    w.join();
    return err;
  }
  if (Array.isArray(v)) return writeInferredList(w, v, hint);
  return describeValue(v);
}

/** A list in a map value: its element type inferred as above, all elements alike (Feast refuses mixed lists). */
function writeInferredList(w: BinaryWriter, v: unknown[], hint: Dtype | undefined): string | undefined {
  // Feast cannot infer the type of an empty list and refuses it ("Couldn't infer value type").
  if (v.length === 0) return 'an empty array (Feast cannot tell its type)';
  const first: unknown = v[0];
  if (isPlainObject(first)) {
    const inner = hint !== undefined && hint.kind === 'list' && hint.scalar === 'Struct' ? hint.fields : undefined;
    w.tag(21, WireType.LengthDelimited).fork();
    for (let i = 0; i < v.length; i++) {
      const m: unknown = v[i];
      if (!isPlainObject(m)) return `element [${i}] ${describeValue(m)} in a list of objects`;
      w.tag(1, WireType.LengthDelimited).fork();
      const err = writeMapBody(w, m, inner);
      if (err !== undefined) return err;
      w.join();
    }
    w.join();
    return undefined;
  }
  const elementHint: Dtype | undefined = hint !== undefined && hint.kind === 'list' ? { kind: 'scalar', scalar: hint.scalar } : undefined;
  let scalar: ElementDtype;
  if (typeof first === 'string') scalar = 'String';
  else if (typeof first === 'boolean') scalar = 'Bool';
  else if (first instanceof Uint8Array) scalar = 'Bytes';
  else if (first instanceof Date) scalar = 'UnixTimestamp';
  else if (typeof first === 'number' || typeof first === 'bigint') {
    const asFloat = floatHint(elementHint) ?? v.some((e) => typeof e === 'number' && !Number.isInteger(e));
    scalar = asFloat ? 'Float64' : 'Int64';
  } else {
    return `an array of ${describeValue(first)} (Feast cannot tell its type)`;
  }
  const want = typeof first;
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    const same =
      scalar === 'Bytes'
        ? e instanceof Uint8Array
        : scalar === 'UnixTimestamp'
          ? e instanceof Date
          : scalar === 'Int64' || scalar === 'Float64'
            ? typeof e === 'number' || typeof e === 'bigint'
            : typeof e === want;
    if (!same) return `element [${i}] ${describeValue(e)} in an array of ${scalar} (Feast refuses mixed lists and nulls in them)`;
  }
  return writeElementList(w, scalar, FEAST_TYPES[scalar].list.field, scalar === 'Float64' ? v.map(Number) : v);
}

/** A list/set form of an element dtype (elements already checked non-null), into the current message. */
function writeElementList(w: BinaryWriter, scalar: ElementDtype, field: number, items: readonly unknown[]): string | undefined {
  const { wire } = FEAST_TYPES[scalar];
  const { write } = WRITE[scalar];
  const packed = wire !== WireType.LengthDelimited;
  w.tag(field, WireType.LengthDelimited).fork();
  if (packed && items.length > 0) w.tag(1, WireType.LengthDelimited).fork();
  for (let i = 0; i < items.length; i++) {
    if (!packed) w.tag(1, WireType.LengthDelimited);
    let ok: boolean;
    try {
      ok = write(w, items[i]);
    } catch {
      ok = false;
    }
    if (!ok) return `element [${i}] ${describeValue(items[i])}`;
  }
  if (packed && items.length > 0) w.join();
  w.join();
  return undefined;
}

/**
 * Value.list_val / set_val: a RepeatedValue of one Value per inner collection, as Feast's
 * _convert_nested_collection_to_proto builds it: a null or empty inner collection is an empty Value,
 * a leaf collection is the <TYPE>_LIST form of the declared element type (also for an inner Set:
 * Feast writes it as a list), a deeper one is list_val again.
 */
function writeNested(w: BinaryWriter, outer: 'list' | 'set', inner: Dtype, v: unknown): string | undefined {
  const items = v instanceof Set ? [...(v as Set<unknown>)] : v;
  if (!Array.isArray(items)) return describeValue(v);
  w.tag(NESTED_FORMS[outer].field, WireType.LengthDelimited).fork();
  for (let i = 0; i < items.length; i++) {
    const c: unknown = items[i];
    w.tag(1, WireType.LengthDelimited).fork();
    const coll = c instanceof Set ? [...(c as Set<unknown>)] : c;
    if (coll !== null && coll !== undefined) {
      if (!Array.isArray(coll)) return `element [${i}] ${describeValue(c)}`;
      if (coll.length > 0) {
        let err: string | undefined;
        if (inner.kind === 'nested') {
          err = writeNested(w, 'list', inner.inner, coll);
        } else {
          const scalar = inner.scalar as ElementDtype;
          const spec = WRITE[scalar];
          const { list } = FEAST_TYPES[scalar] as FeastType;
          if (spec === undefined || list === undefined) return `element [${i}]: ${formatDtype(inner)} inside a nested collection`;
          const idx = coll.findIndex((e) => e === null || e === undefined);
          err = idx >= 0 ? `element [${i}][${idx}] null (Feast refuses nulls inside nested collections)` : writeElementList(w, scalar, list.field, coll);
        }
        if (err !== undefined) return `element [${i}]: ${err}`;
      }
    }
    w.join();
  }
  w.join();
  return undefined;
}

/** feast.types.MapKey for a non-string key, as _python_value_to_map_key_proto picks it. */
function writeMapKey(w: BinaryWriter, k: unknown): boolean {
  if (typeof k === 'boolean') return !!w.tag(5, WireType.Varint).bool(k);
  if (typeof k === 'bigint' || (typeof k === 'number' && Number.isInteger(k))) {
    const n = int64Of(k, false);
    if (n === undefined) return false;
    w.tag(2, WireType.Varint);
    return writeInt64(w, n);
  }
  if (typeof k === 'number') return !!w.tag(4, WireType.Bit64).double(k);
  if (k instanceof Uint8Array) return !!w.tag(7, WireType.LengthDelimited).bytes(k);
  if (k instanceof Date) {
    const secs = unixSecondsOf(k, false);
    if (secs === undefined) return false;
    w.tag(6, WireType.Varint);
    return writeInt64(w, secs);
  }
  return false;
}

/** feast.types.ScalarMap: one entry per pair, in the order given (Feast keeps dict order). */
function writeScalarMap(w: BinaryWriter, field: number, v: unknown): string | undefined {
  let pairs: unknown[];
  if (v instanceof Map) pairs = [...(v as Map<unknown, unknown>)];
  else if (Array.isArray(v)) pairs = v;
  else return describeValue(v);
  w.tag(field, WireType.LengthDelimited).fork();
  // A Python dict (Feast's input) holds each key once; pairs could repeat one.
  const seen = new Set<string>();
  for (let i = 0; i < pairs.length; i++) {
    const p: unknown = pairs[i];
    if (!Array.isArray(p) || p.length !== 2) return `entry [${i}] ${describeValue(p)}, not a [key, value] pair`;
    const [k, value] = p as [unknown, unknown];
    const id = k instanceof Uint8Array ? `b:${Buffer.from(k).toString('hex')}` : k instanceof Date ? `d:${k.getTime()}` : `${typeof k}:${String(k)}`;
    if (seen.has(id)) return `entry [${i}]: key ${describeValue(k)} appears twice`;
    seen.add(id);
    w.tag(1, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).fork();
    if (!writeMapKey(w, k)) return `entry [${i}] key ${describeValue(k)} (string keys make a Map, not a ScalarMap)`;
    w.join();
    w.tag(2, WireType.LengthDelimited).fork();
    const err = writeInferred(w, value);
    if (err !== undefined) return `entry [${i}]: ${err}`;
    w.join();
    w.join();
  }
  w.join();
  return undefined;
}

/**
 * feast.types.ZonedTimestamp: UTC seconds (floored) and the zone name. A Date has no zone: "" (which
 * Feast reads back as UTC), as for a naive datetime.
 */
function writeZoned(w: BinaryWriter, field: number, v: unknown): string | undefined {
  let seconds: number | bigint | undefined;
  let zone = '';
  if (v instanceof Date) {
    seconds = unixSecondsOf(v, false);
  } else if (typeof v === 'object' && v !== null) {
    const o = v as { seconds?: unknown; date?: unknown; zone?: unknown };
    seconds = unixSecondsOf(o.date ?? o.seconds, false);
    if (o.zone !== undefined && typeof o.zone !== 'string') return `zone ${describeValue(o.zone)}`;
    zone = o.zone ?? '';
  }
  if (seconds === undefined) return describeValue(v);
  w.tag(field, WireType.LengthDelimited).fork();
  // proto3 leaves zero fields out.
  if (seconds !== 0 && seconds !== 0n) {
    w.tag(1, WireType.Varint);
    writeInt64(w, seconds);
  }
  if (zone !== '') w.tag(2, WireType.LengthDelimited).string(zone);
  w.join();
  return undefined;
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
  const key = JSON.stringify(dtype);
  let enc = encoderCache.get(key);
  if (enc === undefined) {
    enc = createValueEncoder(dtype);
    encoderCache.set(key, enc);
  }
  return enc(v);
}
