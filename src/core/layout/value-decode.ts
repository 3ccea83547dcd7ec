/**
 * Reads serialized feast.types.Value bytes (from DynamoDB, written by dynafeast or by Feast).
 *
 * JS types: bytesVal Uint8Array; stringVal string; int32Val number; int64Val bigint; doubleVal and
 * floatVal number; boolVal boolean; unixTimestampVal bigint seconds; jsonVal string (JSON text);
 * the *ListVal kinds are arrays of the same. An empty Value, Feast's null_val (19) and a
 * unix_timestamp_val of -2^63 decode to null: `feast materialize` writes numpy's NaT as that
 * integer for a null timestamp, and Feast reads it back as None.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { DynafeastError } from '../errors.js';

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
  | { kind: 'jsonListVal'; value: string[] };

/** The oneof case names, as protobuf-es names them in the generated `Value` type. */
export type ValueKind = DecodedValue['kind'];

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
const CASES = new Map<number, Case>([
  [1, { kind: 'bytesVal', list: false, wire: LD, read: readBytes }],
  [2, { kind: 'stringVal', list: false, wire: LD, read: readString }],
  [3, { kind: 'int32Val', list: false, wire: V, read: readInt32 }],
  [4, { kind: 'int64Val', list: false, wire: V, read: readInt64 }],
  [5, { kind: 'doubleVal', list: false, wire: WireType.Bit64, read: readDouble }],
  [6, { kind: 'floatVal', list: false, wire: WireType.Bit32, read: readFloat }],
  [7, { kind: 'boolVal', list: false, wire: V, read: readBool }],
  [8, { kind: 'unixTimestampVal', list: false, wire: V, read: readInt64 }],
  [11, { kind: 'bytesListVal', list: true, wire: LD, read: readBytes }],
  [12, { kind: 'stringListVal', list: true, wire: LD, read: readString }],
  [13, { kind: 'int32ListVal', list: true, wire: V, read: readInt32 }],
  [14, { kind: 'int64ListVal', list: true, wire: V, read: readInt64 }],
  [15, { kind: 'doubleListVal', list: true, wire: WireType.Bit64, read: readDouble }],
  [16, { kind: 'floatListVal', list: true, wire: WireType.Bit32, read: readFloat }],
  [17, { kind: 'boolListVal', list: true, wire: V, read: readBool }],
  [18, { kind: 'unixTimestampListVal', list: true, wire: V, read: readInt64 }],
  [32, { kind: 'jsonVal', list: false, wire: LD, read: readString }],
  [33, { kind: 'jsonListVal', list: true, wire: LD, read: readString }],
]);
const NULL_VAL_FIELD = 19;
/** numpy's NaT as int64 (feast.type_map.NULL_TIMESTAMP_INT_VALUE). */
const NULL_TIMESTAMP = -(2n ** 63n);

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

/** Decodes one Value; `null` for Feast's null (empty message or null_val). */
export function decodeValue(bytes: Uint8Array): DecodedValue | null {
  if (bytes.length === 0) return null;
  let result: DecodedValue | null = null;
  try {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
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
  } catch (e) {
    if (e instanceof DynafeastError) throw e;
    throw bad(`not a valid feast.types.Value (${(e as Error).message})`, e);
  }
  if (result !== null && result.kind === 'unixTimestampVal' && result.value === NULL_TIMESTAMP) return null;
  return result;
}
