import { serializeEntityKey, createEntityKeyEncoder } from '../../../src/core/layout/entity-key.js';
import { entityIdOf, entityIdOfJs, entityIdOfNative as loadNative, entityIdBackend, NATIVE_AFTER_KEYS } from '../../../src/core/layout/entity-id.js';
import { DynafeastError } from '../../../src/core/errors.js';
import { hex, loadVectors } from '../../helpers/layout-vectors.js';
import { codeOf } from '../../helpers/error-code.js';
import { defined } from '../../helpers/defined.js';

const vectors = loadVectors();
const entityIdOfNative = loadNative();

describe('serializeEntityKey against Feast vectors', () => {
  it.each(vectors.entity_keys.map((v) => [v.join_keys.map((k) => `${k.name}=${JSON.stringify(k.value)}`).join(','), v]))('%s', (_label, v) => {
    const bytes = serializeEntityKey(v.join_keys);
    expect(hex(bytes)).toBe(v.serialized_hex);
    expect(entityIdOf(bytes)).toBe(v.entity_id);
    expect(entityIdOfJs(bytes)).toBe(v.entity_id);
    if (entityIdOfNative) expect(entityIdOfNative(bytes)).toBe(v.entity_id);
  });

  it('checks every vector (none silently dropped)', () => {
    expect(vectors.entity_keys.length).toBeGreaterThanOrEqual(5);
  });

  it('native and JS hashes agree on random keys of every tail length', () => {
    if (!entityIdOfNative) {
      // Without the addon there is a single implementation, already checked against the vectors.
      expect(entityIdBackend()).toBe('murmurhash3js-revisited');
      return;
    }
    let seed = 7;
    for (let len = 0; len < 100; len++) {
      const bytes = new Uint8Array(len).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 255);
      expect(entityIdOfNative(bytes)).toBe(entityIdOfJs(bytes));
      // A view into a larger buffer must hash only its own bytes.
      const padded = new Uint8Array(len + 8);
      padded.set(bytes, 3);
      expect(entityIdOfNative(padded.subarray(3, 3 + len))).toBe(entityIdOfJs(bytes));
    }
  });

  it('uses the native hash when it is installed', () => {
    expect(entityIdBackend()).toBe(entityIdOfNative ? 'murmurhash-native' : 'murmurhash3js-revisited');
  });

  it('gives the same ids before and after it switches to the addon', () => {
    // entityIdOf hashes in JS for its first NATIVE_AFTER_KEYS keys, then with the addon when installed.
    let seed = 11;
    for (let i = 0; i < NATIVE_AFTER_KEYS + 200; i++) {
      const bytes = new Uint8Array(8 + (i % 29)).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 255);
      expect(entityIdOf(bytes)).toBe(entityIdOfJs(bytes));
    }
  });
});

describe('createEntityKeyEncoder', () => {
  it('sorts keys by name but takes values in column order', () => {
    const v = defined(vectors.entity_keys.find((k) => k.join_keys.length === 2));
    const enc = createEntityKeyEncoder(v.join_keys.map(({ name, dtype }) => ({ name, dtype })));
    expect(hex(enc(v.join_keys.map((k) => k.value)))).toBe(v.serialized_hex);
    // Reusing the encoder for another entity must not leak state from the previous call.
    const other = enc([1002, 'C43']);
    expect(hex(enc(v.join_keys.map((k) => k.value)))).toBe(v.serialized_hex);
    expect(hex(other)).not.toBe(v.serialized_hex);
  });

  it('accepts number, bigint and digits-only strings for Int64 alike', () => {
    const enc = createEntityKeyEncoder([{ name: 'driver_id', dtype: 'Int64' }]);
    const expected = defined(vectors.entity_keys[0]).serialized_hex;
    expect(hex(enc([1001]))).toBe(expected);
    expect(hex(enc([1001n]))).toBe(expected);
    expect(hex(enc(['1001']))).toBe(expected);
  });

  it("writes Int64 min/max and negatives as two's complement little-endian", () => {
    const enc = createEntityKeyEncoder([{ name: 'k', dtype: 'Int64' }]);
    const tail = (b: Uint8Array): string => hex(b).slice(-16);
    expect(tail(enc([-1]))).toBe('ffffffffffffffff');
    expect(tail(enc([-(2 ** 32)]))).toBe('00000000ffffffff');
    expect(tail(enc([Number.MIN_SAFE_INTEGER]))).toBe('010000000000e0ff');
    expect(tail(enc(['-9223372036854775808']))).toBe('0000000000000080');
    expect(tail(enc([9223372036854775807n]))).toBe('ffffffffffffff7f');
  });

  it('writes Int32 keys as 4 bytes, type 3', () => {
    const enc = createEntityKeyEncoder([{ name: 'k', dtype: 'Int32' }]);
    expect(hex(enc([-2]))).toBe('01000000' + '02000000' + '01000000' + '6b' + '03000000' + '04000000' + 'feffffff');
    expect(hex(enc(['2147483647'])).slice(-8)).toBe('ffffff7f');
  });

  it('writes UnixTimestamp as 8 bytes of seconds, type 8, and Bytes raw, type 1', () => {
    const ts = createEntityKeyEncoder([{ name: 't', dtype: 'UnixTimestamp' }]);
    expect(hex(ts([1618210800])).slice(-32)).toBe('08000000' + '08000000' + 'f0ef7360' + '00000000');
    expect(hex(ts([new Date('2021-04-12T07:00:00.999Z')]))).toBe(hex(ts([1618210800n])));
    const by = createEntityKeyEncoder([{ name: 'b', dtype: 'Bytes' }]);
    expect(hex(by([new Uint8Array([0, 255])])).slice(-20)).toBe('01000000' + '02000000' + '00ff');
  });

  it('counts UTF-8 bytes for unicode names and values, and sorts by code point', () => {
    const enc = createEntityKeyEncoder([
      { name: 'é', dtype: 'String' },
      { name: 'z', dtype: 'String' },
    ]);
    const out = hex(enc(['日本', '']));
    // 'z' (0x7a) sorts before 'é' (0xc3 0xa9).
    expect(out).toBe(
      '02000000' + '02000000' + '01000000' + '7a' + '02000000' + '02000000' + 'c3a9' + '02000000' + '00000000' + '02000000' + '06000000' + 'e697a5e69cac',
    );
  });

  it.each([
    ['Int64', 1.5],
    ['Int64', 2 ** 53],
    ['Int64', '12a'],
    ['Int64', ' 12'],
    ['Int64', '1e3'],
    ['Int64', '9223372036854775808'],
    ['Int64', null],
    ['Int64', NaN],
    ['Int32', 2 ** 31],
    ['Int32', '-2147483649'],
    ['Int32', 3000000000n],
    ['String', 42],
    ['Bytes', 'ab'],
    ['UnixTimestamp', new Date(NaN)],
  ] as const)('rejects %s key value %p with codec.badEntityKey', (dtype, value) => {
    const enc = createEntityKeyEncoder([{ name: 'the_key', dtype }]);
    expect(codeOf(() => enc([value]))).toBe('codec.badEntityKey');
    try {
      enc([value]);
    } catch (e) {
      expect((e as DynafeastError).message).toContain('the_key');
      expect((e as DynafeastError).path).toBe('the_key');
    }
  });

  it('rejects a wrong number of values, duplicate names and unsupported key types', () => {
    const enc = createEntityKeyEncoder([{ name: 'a', dtype: 'Int64' }]);
    expect(codeOf(() => enc([1, 2]))).toBe('codec.badEntityKey');
    expect(
      codeOf(() =>
        createEntityKeyEncoder([
          { name: 'a', dtype: 'Int64' },
          { name: 'a', dtype: 'String' },
        ]),
      ),
    ).toBe('codec.badEntityKey');
    expect(codeOf(() => createEntityKeyEncoder([{ name: 'a', dtype: 'Float32' as never }]))).toBe('codec.badEntityKey');
    expect(codeOf(() => createEntityKeyEncoder([]))).toBe('codec.badEntityKey');
  });
});
