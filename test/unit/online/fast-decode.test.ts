import { decodeValue, encodeValue } from '../../../src/core/layout/value-codec.js';
import type { Dtype, ScalarDtype } from '../../../src/core/repo/model.js';
import { decodeStoredValue } from '../../../src/core/online/fast-decode.js';
import { loadVectors, unhex } from '../../helpers/layout-vectors.js';

const scalar = (s: ScalarDtype): Dtype => ({ kind: 'scalar', scalar: s });

describe('decodeStoredValue', () => {
  it('agrees with decodeValue on every shared vector', () => {
    for (const v of loadVectors().values) {
      const bytes = unhex(v.serialized_hex);
      expect(decodeStoredValue(bytes)).toEqual(decodeValue(bytes));
    }
  });

  it.each([
    ['Float32', [0, -0, 0.1, 3.4e38, -1e-45, Infinity, NaN]],
    ['Float64', [0, 0.1, -1e308, Number.MIN_VALUE, -Infinity]],
    ['Int64', [0, 1, 127, 128, 2 ** 48 - 1, 2 ** 49, 2 ** 53 - 1, -1, -(2 ** 40), 9223372036854775807n, -9223372036854775808n]],
    ['Int32', [0, 1, 300, 2147483647, -1, -2147483648]],
    ['UnixTimestamp', [0, 1618210800, -1, 253402300799]],
    ['Bool', [true, false]],
    ['String', ['', 'abc']],
  ] as const)('agrees with decodeValue for %s values', (dtype, values) => {
    for (const value of values) {
      const bytes = encodeValue(scalar(dtype), value);
      expect(decodeStoredValue(bytes)).toEqual(decodeValue(bytes));
    }
  });

  it('leaves odd encodings to decodeValue (a bool varint of 2, a trailing field, a truncated float)', () => {
    for (const hex of ['3802', '200138', '3500']) {
      const bytes = unhex(hex);
      let fast: unknown;
      let slow: unknown;
      try {
        fast = decodeStoredValue(bytes);
      } catch (e) {
        fast = (e as { code?: string }).code;
      }
      try {
        slow = decodeValue(bytes);
      } catch (e) {
        slow = (e as { code?: string }).code;
      }
      expect(fast).toEqual(slow);
    }
  });
});
