/**
 * JSON.parse that keeps integers beyond 2^53 exact: `JSON.parse('{"id": 9007199254740993}')` gives
 * 9007199254740992, a different entity. Such integers are read as bigint instead (Int64 join keys up
 * to 2^63 - 1); every other value is what JSON.parse gives.
 */
import { randomUUID } from 'node:crypto';

const UNSAFE = 9_007_199_254_740_991n;

export function parseJsonExact(text: string): unknown {
  const marker = `${randomUUID()}:`;
  let out = '';
  let from = 0;
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      // skip a string, escapes included
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      continue;
    }
    if (ch !== 0x2d && (ch < 0x30 || ch > 0x39)) continue;
    let j = i + 1;
    while (j < text.length && /[0-9.eE+-]/.test(text.charAt(j))) j++;
    const token = text.slice(i, j);
    if (/^-?\d{16,}$/.test(token)) {
      const n = BigInt(token);
      if (n > UNSAFE || n < -UNSAFE) {
        out += `${text.slice(from, i)}"${marker}${token}"`;
        from = j;
        changed = true;
      }
    }
    i = j - 1;
  }
  if (!changed) return JSON.parse(text) as unknown;
  out += text.slice(from);
  try {
    return JSON.parse(out, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(marker) ? BigInt(v.slice(marker.length)) : v)) as unknown;
  } catch {
    // invalid JSON: the error (and its position) of the text as given
    return JSON.parse(text) as unknown;
  }
}
