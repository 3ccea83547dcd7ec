/**
 * Feast's serialized entity key, version 3 (architecture.md §3), all integers little-endian:
 * u32(key count), then per join key in sorted order u32(2) u32(len) utf8(name), then per value in
 * the same order u32(value type) u32(len) bytes. These bytes are hashed into `entity_id`, so a
 * single differing byte makes a row unreachable for Feast.
 */
import { Buffer } from 'node:buffer';
import { DynafeastError } from '../errors.js';
import type { EntityColumn, JoinKeyDtype } from '../repo/model.js';
import { FEAST_TYPES, JOIN_KEY_DTYPES, type FeastType } from './feast-types.js';
import { describeValue, int32Of, int64Of, unixSecondsOf } from './coerce.js';

export interface EntityKeyPart {
  name: string;
  dtype: JoinKeyDtype;
  /** number | bigint | string (parsed strictly for integer keys) | Uint8Array (Bytes keys). */
  value: unknown;
}

/**
 * Encodes one entity's join key values, given in the order of the columns the encoder was built for.
 * The result may be a view into Node's shared Buffer pool: honour byteOffset/length, never `.buffer`.
 */
export type EntityKeyEncoder = (values: readonly unknown[]) => Uint8Array;

/** Feast's ValueType number as written in front of each key value; undefined for a dtype no key may have. */
function keyValueType(dtype: string): number | undefined {
  const row = (FEAST_TYPES as Record<string, FeastType | undefined>)[dtype];
  return row?.joinKey ? row.scalar.valueType : undefined;
}

interface Slot {
  /** Index of this key's value in the caller's values array. */
  index: number;
  name: string;
  dtype: JoinKeyDtype;
  typeCode: number;
}

/** Python sorts join keys by code point; comparing UTF-8 bytes gives the same order, UTF-16 units do not. */
function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function badKey(slot: { name: string; dtype: string }, found: string, hint: string): DynafeastError {
  return new DynafeastError('codec.badEntityKey', `entity key "${slot.name}" (${slot.dtype}): cannot serialize ${found}`, { path: slot.name, hint });
}

const HINTS: Record<JoinKeyDtype, string> = {
  Int32: 'give a whole number between -2147483648 and 2147483647 (number, bigint or digits-only string)',
  Int64: 'give a whole number within the Int64 range (number up to 2^53, else bigint or a digits-only string)',
  UnixTimestamp: 'give whole seconds since 1970-01-01 UTC (number, bigint, digits-only string or Date)',
  String: 'give a string; convert numbers explicitly if the entity is declared as String',
  Bytes: 'give a Uint8Array/Buffer',
};

/**
 * Builds an encoder for a fixed list of join key columns (one per feature view). The sorted key
 * names are serialized once; each call then only appends the value bytes.
 */
export function createEntityKeyEncoder(columns: readonly EntityColumn[]): EntityKeyEncoder {
  if (columns.length === 0) {
    throw new DynafeastError('codec.badEntityKey', 'an entity key needs at least one join key, found none', {
      hint: 'entityless views use the join key __dummy_id (String) with value ""',
    });
  }
  const slots: Slot[] = columns
    .map((c, index) => {
      const typeCode = keyValueType(c.dtype);
      if (typeCode === undefined) {
        throw badKey(c, `a key of type ${String(c.dtype)}`, `join keys must be one of ${JOIN_KEY_DTYPES.join(', ')}`);
      }
      return { index, name: c.name, dtype: c.dtype, typeCode };
    })
    .sort((a, b) => compareCodePoints(a.name, b.name));
  for (let i = 1; i < slots.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- 1 <= i < slots.length
    if (slots[i]!.name === slots[i - 1]!.name) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < slots.length
      throw badKey(slots[i]!, 'a join key listed twice', 'each join key may appear once in an entity key');
    }
  }

  const nameBytes = slots.map((s) => Buffer.from(s.name, 'utf8'));
  const prefix = Buffer.alloc(4 + nameBytes.reduce((n, b) => n + 8 + b.length, 0));
  let p = prefix.writeUInt32LE(slots.length, 0);
  for (const b of nameBytes) {
    p = prefix.writeUInt32LE(2, p);
    p = prefix.writeUInt32LE(b.length, p);
    p += b.copy(prefix, p);
  }
  const count = slots.length;
  // Scratch for the converted values, reused across calls (encoders are not re-entrant anyway).
  const converted: unknown[] = new Array(count);

  return (values) => {
    if (values.length !== count) {
      throw new DynafeastError(
        'codec.badEntityKey',
        `entity key: expected ${count} value(s) for ${columns.map((c) => c.name).join(', ')}, found ${values.length}`,
        { hint: "pass one value per join key, in the order of the view's entity columns" },
      );
    }
    let size = prefix.length + 8 * count;
    for (let i = 0; i < count; i++) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- count is slots.length
      const slot = slots[i]!;
      const v = values[slot.index];
      let c: unknown;
      switch (slot.dtype) {
        case 'Int64':
          c = int64Of(v, true);
          size += 8;
          break;
        case 'UnixTimestamp':
          c = unixSecondsOf(v, true);
          size += 8;
          break;
        case 'Int32':
          c = int32Of(v, true);
          size += 4;
          break;
        case 'String':
          c = typeof v === 'string' ? v : undefined;
          if (c !== undefined) size += Buffer.byteLength(v as string, 'utf8');
          break;
        case 'Bytes':
          c = v instanceof Uint8Array ? v : undefined;
          if (c !== undefined) size += (v as Uint8Array).length;
          break;
      }
      if (c === undefined) throw badKey(slot, describeValue(v), HINTS[slot.dtype]);
      converted[i] = c;
    }

    const out = Buffer.allocUnsafe(size);
    let pos = prefix.copy(out, 0);
    for (let i = 0; i < count; i++) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- count is slots.length
      const slot = slots[i]!;
      const c = converted[i];
      pos = out.writeUInt32LE(slot.typeCode, pos);
      switch (slot.dtype) {
        case 'Int64':
        case 'UnixTimestamp':
          pos = out.writeUInt32LE(8, pos);
          pos = writeInt64(out, c as number | bigint, pos);
          break;
        case 'Int32':
          pos = out.writeUInt32LE(4, pos);
          pos = out.writeInt32LE(c as number, pos);
          break;
        case 'String': {
          const s = c as string;
          const lenPos = pos;
          pos += 4;
          const n = out.write(s, pos, 'utf8');
          out.writeUInt32LE(n, lenPos);
          pos += n;
          break;
        }
        case 'Bytes': {
          const b = c as Uint8Array;
          pos = out.writeUInt32LE(b.length, pos);
          out.set(b, pos);
          pos += b.length;
          break;
        }
      }
      converted[i] = undefined;
    }
    return out;
  };
}

function writeInt64(out: Buffer, v: number | bigint, pos: number): number {
  if (typeof v === 'bigint') return out.writeBigInt64LE(v, pos);
  // Split a safe integer into two's-complement 32-bit halves without going through BigInt.
  const hi = Math.floor(v / 4294967296);
  const lo = v - hi * 4294967296;
  pos = out.writeUInt32LE(lo, pos);
  return out.writeInt32LE(hi, pos);
}

/**
 * Serializes one entity key from `{name, dtype, value}` parts in any order (Feast sorts them).
 * For many keys of the same view, build an encoder once with {@link createEntityKeyEncoder}.
 */
export function serializeEntityKey(joinKeys: readonly EntityKeyPart[]): Uint8Array {
  return createEntityKeyEncoder(joinKeys.map(({ name, dtype }) => ({ name, dtype })))(joinKeys.map((k) => k.value));
}
