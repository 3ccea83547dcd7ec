/**
 * Whether two stored feast.types.Values hold the same value: compared decoded, not as bytes, because
 * Feast's writers and dynafeast's may encode one value differently (packed or unpacked lists, a Json
 * feature as json_val or string_val, a Set's or a Map's entries in another order; docs/interop.md).
 * NaN equals NaN (Feast reads both back as nan), and 0 equals -0.0. Sets compare as sets, Maps and
 * Structs by key (a key written twice keeps its last value, as protobuf parsers do), ScalarMaps as
 * sets of entries.
 */
import type { DecodedValue, MapEntries } from '../layout/value-decode.js';

/** Cases that hold the same JS value under two names. */
const ALIASES: Record<string, string> = { jsonVal: 'stringVal', jsonListVal: 'stringListVal' };
const canonical = (kind: string) => ALIASES[kind] ?? kind;

function sameElement(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  return false;
}

/** Same elements in the same order. */
function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i] as T));
}

/** Every element of each has an equal one in the other (duplicates count once, as in a set). */
function sameSet<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  return a.every((x) => b.some((y) => same(x, y))) && b.every((y) => a.some((x) => same(x, y)));
}

function sameEntries(a: MapEntries, b: MapEntries): boolean {
  const [ma, mb] = [new Map(a), new Map(b)];
  return ma.size === mb.size && [...ma].every(([k, v]) => mb.has(k) && sameDecoded(v, mb.get(k) ?? null));
}

export function sameDecoded(a: DecodedValue | null, b: DecodedValue | null): boolean {
  if (a === null || b === null) return a === b;
  if (canonical(a.kind) !== canonical(b.kind)) return false;
  // The kinds are equal (up to an alias of the same JS type), so b's value has a's shape.
  switch (a.kind) {
    case 'mapVal':
    case 'structVal':
      return sameEntries(a.value, b.value as MapEntries);
    case 'mapListVal':
    case 'structListVal':
      return sameList(a.value, b.value as MapEntries[], sameEntries);
    case 'scalarMapVal': {
      const sameEntry = ([ka, va]: [DecodedValue, DecodedValue | null], [kb, vb]: [DecodedValue, DecodedValue | null]) =>
        sameDecoded(ka, kb) && sameDecoded(va, vb);
      return sameSet(a.value, b.value as typeof a.value, sameEntry);
    }
    case 'zonedTimestampVal': {
      const z = b.value as typeof a.value;
      return a.value.seconds === z.seconds && a.value.zone === z.zone;
    }
    case 'listVal':
      return sameList(a.value, b.value as typeof a.value, sameDecoded);
    case 'setVal':
      return sameSet(a.value, b.value as typeof a.value, sameDecoded);
    default:
      if (Array.isArray(a.value)) {
        const compare = a.kind.endsWith('SetVal') ? sameSet : sameList;
        return compare(a.value as unknown[], b.value as unknown[], sameElement);
      }
      return sameElement(a.value, b.value);
  }
}
