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
    for (let i = half + 14; i >= half; i -= 2) out += be[i]! + be[i + 1]!;
  }
  return out;
};

function loadNative(): HexHash | undefined {
  try {
    const native = require('murmurhash-native') as NativeModule;
    const hash = native.LE.murmurHash128x64;
    return (bytes) => hash(bytes, 0, 'hex');
  } catch {
    return undefined;
  }
}

const nativeHash = loadNative();

/** The native hash when it loaded, for tests comparing both implementations. */
export const entityIdOfNative: HexHash | undefined = nativeHash;

/** Which implementation {@link entityIdOf} uses (reported by benchmarks and `--debug`). */
export const entityIdBackend: 'murmurhash-native' | 'murmurhash3js-revisited' =
  nativeHash ? 'murmurhash-native' : 'murmurhash3js-revisited';

/** The DynamoDB `entity_id` (hash key) of a serialized entity key. */
export const entityIdOf: HexHash = nativeHash ?? entityIdOfJs;
