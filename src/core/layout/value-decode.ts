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
import { FEAST_TYPES, SCALAR_DTYPES, type ScalarDtype, type ValueCase } from './feast-types.js';

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

/** How each dtype's elements are read (field numbers, cases and wire types are feast-types.ts's). */
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
};

/** Value field number -> how to read it: every form of every dtype in the table. */
const CASES = new Map<number, Case>(
  SCALAR_DTYPES.flatMap((scalar) => {
    const { wire } = FEAST_TYPES[scalar];
    return (['scalar', 'list'] as const).map((form): [number, Case] => {
      const { field, valueCase } = FEAST_TYPES[scalar][form];
      return [field, { kind: valueCase as ValueKind, list: form === 'list', wire, read: READ[scalar] }];
    });
  }),
);
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
