/**
 * Reads serialized feast.types.Value bytes (from DynamoDB, written by dynafeast or by Feast).
 *
 * JS types: bytesVal Uint8Array; stringVal string; int32Val number; int64Val bigint; doubleVal and
 * floatVal number; boolVal boolean; unixTimestampVal bigint seconds; jsonVal string (JSON text);
 * the *ListVal and *SetVal kinds are arrays of the same; uuid, time_uuid and decimal are text; a Map or
 * Struct is its entries in wire order (values decoded the same way), a ScalarMap its [key, value]
 * pairs (the MapKey as the Value case of the same type), list_val/set_val an array of Values, and a
 * ZonedTimestamp `{ seconds, zone }`. An empty Value, Feast's null_val (19) and a
 * unix_timestamp_val of -2^63 decode to null: `feast materialize` writes numpy's NaT as that
 * integer for a null timestamp, and Feast reads it back as None.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { DynafeastError } from '../errors.js';
import { FEAST_TYPES, NESTED_FORMS, SCALAR_DTYPES, type FeastType, type ScalarDtype, type ValueCase } from './feast-types.js';

export type DecodedValue =
  | { kind: 'bytesVal'; value: Uint8Array }
  | { kind: 'stringVal'; value: string }
  | { kind: 'int32Val'; value: number }
  | { kind: 'int64Val'; value: bigint }
  | { kind: 'doubleVal'; value: number }
  | { kind: 'floatVal'; value: number }
  | { kind: 'boolVal'; value: boolean }
  | { kind: 'unixTimestampVal'; value: bigint }
  | { kind: 'jsonVal'; value: string }
  | { kind: 'bytesListVal'; value: Uint8Array[] }
  | { kind: 'stringListVal'; value: string[] }
  | { kind: 'int32ListVal'; value: number[] }
  | { kind: 'int64ListVal'; value: bigint[] }
  | { kind: 'doubleListVal'; value: number[] }
  | { kind: 'floatListVal'; value: number[] }
  | { kind: 'boolListVal'; value: boolean[] }
  | { kind: 'unixTimestampListVal'; value: bigint[] }
  | { kind: 'jsonListVal'; value: string[] }
  | { kind: 'uuidVal' | 'timeUuidVal' | 'decimalVal'; value: string }
  | { kind: 'uuidListVal' | 'timeUuidListVal' | 'decimalListVal'; value: string[] }
  | { kind: 'bytesSetVal'; value: Uint8Array[] }
  | { kind: 'stringSetVal' | 'uuidSetVal' | 'timeUuidSetVal' | 'decimalSetVal'; value: string[] }
  | { kind: 'int32SetVal' | 'doubleSetVal' | 'floatSetVal'; value: number[] }
  | { kind: 'int64SetVal' | 'unixTimestampSetVal'; value: bigint[] }
  | { kind: 'boolSetVal'; value: boolean[] }
  | { kind: 'mapVal' | 'structVal'; value: MapEntries }
  | { kind: 'mapListVal' | 'structListVal'; value: MapEntries[] }
  | { kind: 'scalarMapVal'; value: [DecodedValue, DecodedValue | null][] }
  | { kind: 'zonedTimestampVal'; value: { seconds: bigint; zone: string } }
  | { kind: 'listVal' | 'setVal'; value: (DecodedValue | null)[] };

/** A feast.types.Map's entries in wire order; a null value is an empty Value (Feast's None). */
export type MapEntries = [string, DecodedValue | null][];

/** The oneof case names, as protobuf-es names them in the generated `Value` type. */
export type ValueKind = DecodedValue['kind'];

// DecodedValue spells out each case's JS type; these two lines fail to compile when its cases and the
// table's drift apart (a dtype added to feast-types.ts without a decoded form here, or the reverse).
const everyTableCaseDecodes: ValueCase extends ValueKind ? true : never = true;
const everyDecodedCaseInTable: ValueKind extends ValueCase ? true : never = true;
void everyTableCaseDecodes;
void everyDecodedCaseInTable;

type Read = (r: BinaryReader) => unknown;

const readBytes: Read = (r) => r.bytes().slice(); // copy: do not pin the whole response buffer
const readString: Read = (r) => r.string();
const readInt32: Read = (r) => r.int32();
const readInt64: Read = (r) => BigInt(r.int64());
const readDouble: Read = (r) => r.double();
const readFloat: Read = (r) => r.float();
const readBool: Read = (r) => r.bool();

interface Case {
  kind: ValueKind;
  list: boolean;
  wire: WireType;
  read: Read;
}

const V = WireType.Varint;
const LD = WireType.LengthDelimited;

/** How each row's elements (or whole message, for the message shapes) are read. */
const READ: Record<ScalarDtype, Read> = {
  Bytes: readBytes,
  String: readString,
  Int32: readInt32,
  Int64: readInt64,
  Float64: readDouble,
  Float32: readFloat,
  Bool: readBool,
  UnixTimestamp: readInt64,
  Json: readString,
  Uuid: readString,
  TimeUuid: readString,
  Decimal: readString,
  PdfBytes: readBytes,
  ImageBytes: readBytes,
  Map: (r) => readMap(r),
  Struct: (r) => readMap(r),
  ScalarMap: (r) => readScalarMap(r),
  ZonedTimestamp: (r) => readZoned(r),
};

/** Value field number -> how to read it: every form of every dtype in the table. */
const CASES = new Map<number, Case>();
for (const scalar of SCALAR_DTYPES) {
  const row: FeastType = FEAST_TYPES[scalar];
  for (const form of ['scalar', 'list', 'set'] as const) {
    const f = row[form];
    // PdfBytes and ImageBytes are bytes_val: the field is Bytes's already.
    if (f === undefined || CASES.has(f.field)) continue;
    const list = form !== 'scalar';
    // A list of message-shaped rows (MapList) repeats the message: length-delimited, never packed.
    const message = row.shape !== 'element';
    CASES.set(f.field, { kind: f.valueCase as ValueKind, list, wire: list && message ? LD : row.wire, read: READ[scalar] });
  }
}
for (const f of Object.values(NESTED_FORMS)) {
  CASES.set(f.field, { kind: f.valueCase, list: true, wire: LD, read: (r) => decodeFrom(r, r.uint32() + r.pos) });
}

const NULL_VAL_FIELD = 19;
/** numpy's NaT as int64 (feast.type_map.NULL_TIMESTAMP_INT_VALUE). */
const NULL_TIMESTAMP = -(2n ** 63n);

/** A length-delimited message: the end position after reading its length. */
const endOf = (r: BinaryReader): number => r.uint32() + r.pos;

/**
 * The entries of a Map or ScalarMap (`repeated Entry val = 1`, entry: key = 1, Value value = 2), each
 * key read by `readKey`; a missing value is Feast's None.
 */
function readEntries<K>(r: BinaryReader, readKey: (r: BinaryReader) => K): [K | undefined, DecodedValue | null][] {
  const end = endOf(r);
  const out: [K | undefined, DecodedValue | null][] = [];
  while (r.pos < end) {
    const [no, wire] = r.tag();
    if (no !== 1 || wire !== LD) {
      r.skip(wire, no);
      continue;
    }
    const entryEnd = endOf(r);
    let key: K | undefined;
    let value: DecodedValue | null = null;
    while (r.pos < entryEnd) {
      const [eno, ewire] = r.tag();
      if (eno === 1 && ewire === LD) key = readKey(r);
      else if (eno === 2 && ewire === LD) value = decodeFrom(r, endOf(r));
      else r.skip(ewire, eno);
    }
    out.push([key, value]);
  }
  return out;
}

/** feast.types.Map: `map<string, Value> val = 1`; a missing key is proto3's "". */
function readMap(r: BinaryReader): MapEntries {
  return readEntries(r, (k) => k.string()).map(([k, v]) => [k ?? '', v]);
}

/** feast.types.MapKey field -> the Value case of the same type, and how to read it. */
const MAP_KEYS = new Map<number, [ValueKind, Read]>([
  [1, ['int32Val', readInt32]],
  [2, ['int64Val', readInt64]],
  [3, ['floatVal', readFloat]],
  [4, ['doubleVal', readDouble]],
  [5, ['boolVal', readBool]],
  [6, ['unixTimestampVal', readInt64]],
  [7, ['bytesVal', readBytes]],
  [8, ['uuidVal', readString]],
  [9, ['timeUuidVal', readString]],
  [10, ['decimalVal', readString]],
]);

/** A feast.types.MapKey message: its one set field as the Value case of the same type. */
function readMapKey(r: BinaryReader): DecodedValue {
  const end = endOf(r);
  let key: DecodedValue | undefined;
  while (r.pos < end) {
    const [no] = r.tag();
    const k = MAP_KEYS.get(no);
    if (k === undefined) throw bad(`ScalarMap key field ${no} is a type dynafeast does not read`);
    key = { kind: k[0], value: k[1](r) } as DecodedValue;
  }
  if (key === undefined) throw bad('ScalarMap entry without a key');
  return key;
}

/** feast.types.ScalarMap: `repeated ScalarMapEntry val = 1` (key MapKey = 1, value Value = 2). */
function readScalarMap(r: BinaryReader): [DecodedValue, DecodedValue | null][] {
  return readEntries(r, readMapKey).map(([k, v]) => {
    if (k === undefined) throw bad('ScalarMap entry without a key');
    return [k, v];
  });
}

/** feast.types.ZonedTimestamp: unix_timestamp = 1 (int64 seconds), zone = 2. */
function readZoned(r: BinaryReader): { seconds: bigint; zone: string } {
  const end = endOf(r);
  const out = { seconds: 0n, zone: '' };
  while (r.pos < end) {
    const [no, wire] = r.tag();
    if (no === 1 && wire === V) out.seconds = BigInt(r.int64());
    else if (no === 2 && wire === LD) out.zone = r.string();
    else r.skip(wire, no);
  }
  return out;
}

function bad(message: string, cause?: unknown): DynafeastError {
  return new DynafeastError('codec.badValue', `stored feature value: ${message}`, {
    hint: 'the item was not written by dynafeast or a Feast version it understands; rewrite it with materialize',
    cause,
  });
}

/** Reads the element list of a *List message (`repeated T val = 1`), packed or not. */
function readList(r: BinaryReader, c: Case): unknown[] {
  const end = r.uint32() + r.pos;
  const out: unknown[] = [];
  while (r.pos < end) {
    const [no, wire] = r.tag();
    if (no !== 1) {
      r.skip(wire, no);
    } else if (wire === c.wire) {
      out.push(c.read(r));
    } else if (wire === LD) {
      const packedEnd = r.uint32() + r.pos;
      while (r.pos < packedEnd) out.push(c.read(r));
    } else {
      throw bad(`${c.kind} element has wire type ${wire}, expected ${c.wire}`);
    }
  }
  if (r.pos !== end) throw bad(`${c.kind} overruns its length`);
  return out;
}

/** Reads one Value's fields up to `end`; `null` for Feast's null (empty message or null_val). */
function decodeFrom(r: BinaryReader, end: number): DecodedValue | null {
  let result: DecodedValue | null = null;
  while (r.pos < end) {
    const [no, wire] = r.tag();
    const c = CASES.get(no);
    if (c !== undefined && (wire === c.wire || c.list)) {
      if (c.list && wire !== LD) throw bad(`${c.kind} has wire type ${wire}, expected 2`);
      // Oneof: the last case on the wire wins, as in every protobuf parser.
      result = { kind: c.kind, value: c.list ? readList(r, c) : c.read(r) } as DecodedValue;
    } else if (no === NULL_VAL_FIELD && wire === V) {
      r.int32();
      result = null;
    } else if (c !== undefined) {
      throw bad(`${c.kind} has wire type ${wire}, expected ${c.wire}`);
    } else {
      throw bad(`Value field ${no} is a type dynafeast does not read`);
    }
  }
  if (r.pos !== end) throw bad('a Value overruns its length');
  if (result !== null && result.kind === 'unixTimestampVal' && result.value === NULL_TIMESTAMP) return null;
  return result;
}

/** Decodes one Value; `null` for Feast's null (empty message or null_val). */
export function decodeValue(bytes: Uint8Array): DecodedValue | null {
  if (bytes.length === 0) return null;
  try {
    return decodeFrom(new BinaryReader(bytes), bytes.length);
  } catch (e) {
    if (e instanceof DynafeastError) throw e;
    throw bad(`not a valid feast.types.Value (${(e as Error).message})`, e);
  }
}
