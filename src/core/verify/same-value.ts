/**
 * Whether two stored feast.types.Values hold the same value: compared decoded, not as bytes, because
 * Feast's writers and dynafeast's may encode one value differently (packed or unpacked lists, a Json
 * feature as json_val or string_val; docs/interop.md). NaN equals NaN (Feast reads both back as nan).
 */
import type { DecodedValue } from '../layout/value-decode.js';

/** Cases that hold the same JS value under two names. */
const ALIASES: Record<string, string> = { jsonVal: 'stringVal', jsonListVal: 'stringListVal' };
const canonical = (kind: string) => ALIASES[kind] ?? kind;

function sameElement(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  return false;
}

export function sameDecoded(a: DecodedValue | null, b: DecodedValue | null): boolean {
  if (a === null || b === null) return a === b;
  if (canonical(a.kind) !== canonical(b.kind)) return false;
  if (Array.isArray(a.value) && Array.isArray(b.value)) {
    const bv = b.value as unknown[];
    return a.value.length === bv.length && (a.value as unknown[]).every((x, i) => sameElement(x, bv[i]));
  }
  return sameElement(a.value, b.value);
}
