/**
 * `entity_id` = MurmurHash3 x64_128 (seed 0) of the serialized entity key, as Python's
 * `mmh3.hash_bytes(...).hex()`: h1 little-endian then h2 little-endian, lowercase hex.
 *
 * murmurhash-native (an optional dependency, compiled at install) is ~20x faster than the pure-JS
 * murmurhash3js-revisited, which is the fallback when the addon is not installed or did not build.
 * Both are checked against Feast's vectors in the tests.
 */
import { createRequire } from 'node:module';

type HexHash = (bytes: Uint8Array) => string;

const require = createRequire(import.meta.url);

interface RevisitedModule {
  x64: { hash128(bytes: Uint8Array, seed?: number): string };
}
interface NativeModule {
  LE: { murmurHash128x64(data: Uint8Array, seed: number, outputType: 'hex'): string };
}

const revisited = require('murmurhash3js-revisited') as RevisitedModule;

/**
 * murmurhash3js-revisited prints h1 then h2 as big-endian 64-bit numbers; mmh3.hash_bytes lays out
 * each half little-endian, so the bytes of each 8-byte half are reversed.
 */
export const entityIdOfJs: HexHash = (bytes) => {
  const be = revisited.x64.hash128(bytes, 0);
  let out = '';
  for (let half = 0; half < 32; half += 16) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a 128-bit murmur hash is 32 hex digits; i + 1 <= 31
    for (let i = half + 14; i >= half; i -= 2) out += be[i]! + be[i + 1]!;
  }
  return out;
};

let nativeLoaded = false;
let nativeHash: HexHash | undefined;

/** Loads murmurhash-native once (it and its loader, node-pre-gyp, cost ~28 ms); undefined if unavailable. */
function loadNative(): HexHash | undefined {
  if (nativeLoaded) return nativeHash;
  nativeLoaded = true;
  try {
    const native = require('murmurhash-native') as NativeModule;
    const hash = native.LE.murmurHash128x64;
    nativeHash = (bytes) => hash(bytes, 0, 'hex');
  } catch {
    nativeHash = undefined;
  }
  return nativeHash;
}

/**
 * Keys hashed in JS before the addon is loaded. JS costs ~2 µs per key against ~0.13 µs, so loading the
 * addon pays for itself after ~15k keys; below this a short-lived command (a CLI read of a few entities)
 * never pays the load. A long materialize or service switches after its first few thousand keys.
 */
export const NATIVE_AFTER_KEYS = 4096;

let hashed = 0;
let current: HexHash = (bytes) => {
  if (++hashed >= NATIVE_AFTER_KEYS) current = loadNative() ?? entityIdOfJs;
  return entityIdOfJs(bytes);
};

/** The native hash, loading it now; undefined when the addon is not installed or did not build. */
export function entityIdOfNative(): HexHash | undefined {
  return loadNative();
}

/** Which implementation {@link entityIdOf} uses for bulk work (reported by benchmarks and `--debug`). */
export function entityIdBackend(): 'murmurhash-native' | 'murmurhash3js-revisited' {
  return loadNative() ? 'murmurhash-native' : 'murmurhash3js-revisited';
}

/** The DynamoDB `entity_id` (hash key) of a serialized entity key. */
export const entityIdOf: HexHash = (bytes) => current(bytes);
