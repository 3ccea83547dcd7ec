/**
 * A read decodes every requested value of every entity (1,500 for 500 drivers × 3 features), so the
 * common scalar Values — one float, double, varint or bool field — are read here without building a
 * protobuf reader per value. Anything else (strings, bytes, lists, negative or large varints, unusual
 * encodings) goes to the layout codec's decodeValue. Tests check both agree.
 */
import { decodeValue, type DecodedValue } from '../layout/value-decode.js';

const scratch = new ArrayBuffer(8);
const u8 = new Uint8Array(scratch);
const f32 = new Float32Array(scratch);
const f64 = new Float64Array(scratch);
// Typed arrays use the host's byte order; protobuf's fixed-width fields are little-endian.
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A varint of at most 7 bytes (< 2^49) filling bytes[1..]; -1 when it does not fit that shape. */
function smallVarint(bytes: Uint8Array): number {
  const n = bytes.length;
  if (n < 2 || n > 8) return -1;
  let value = 0;
  let mul = 1;
  for (let i = 1; i < n; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < n, the length of bytes
    const b = bytes[i]!;
    value += (b & 0x7f) * mul;
    mul *= 128;
    if ((b & 0x80) === 0) return i === n - 1 ? value : -1;
  }
  return -1;
}

export function decodeStoredValue(bytes: Uint8Array): DecodedValue | null {
  const n = bytes.length;
  if (n === 0) return null;
  if (littleEndian) {
    switch (bytes[0]) {
      case 0x35: // float_val (6), fixed32
        if (n === 5) {
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- n === 5
          u8[0] = bytes[1]!;
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- n === 5
          u8[1] = bytes[2]!;
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- n === 5
          u8[2] = bytes[3]!;
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- n === 5
          u8[3] = bytes[4]!;
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- f32 is a 1-element view
          return { kind: 'floatVal', value: f32[0]! };
        }
        break;
      case 0x29: // double_val (5), fixed64
        if (n === 9) {
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- n === 9
          for (let i = 0; i < 8; i++) u8[i] = bytes[i + 1]!;
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- f64 is a 1-element view
          return { kind: 'doubleVal', value: f64[0]! };
        }
        break;
      default: // any other tag: the general decoder below
        break;
    }
  }
  switch (bytes[0]) {
    case 0x20: // int64_val (4)
    case 0x40: {
      // unix_timestamp_val (8)
      const v = smallVarint(bytes);
      if (v >= 0) return { kind: bytes[0] === 0x20 ? 'int64Val' : 'unixTimestampVal', value: BigInt(v) };
      break;
    }
    case 0x18: {
      // int32_val (3): non-negative values below 2^31 only; negatives are 10-byte varints
      const v = smallVarint(bytes);
      if (v >= 0 && v <= 0x7fffffff) return { kind: 'int32Val', value: v };
      break;
    }
    case 0x38: // bool_val (7)
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- n === 2
      if (n === 2 && bytes[1]! <= 1) return { kind: 'boolVal', value: bytes[1] === 1 };
      break;
    default: // any other field, or a longer form of these: the general decoder
      break;
  }
  return decodeValue(bytes);
}
