/**
 * verify's value comparison over the class of all values of every dtype: a value equals itself, and two
 * values are the same exactly when the codec writes the same Value for them (up to NaN payloads and the
 * sign of zero, which no reader tells apart).
 */
import fc from 'fast-check';
import { SCALAR_DTYPES, type Dtype, type ScalarDtype } from '../../../src/core/layout/feast-types.js';
import { createValueEncoder } from '../../../src/core/layout/value-codec.js';
import { decodeValue } from '../../../src/core/layout/value-decode.js';
import { sameDecoded } from '../../../src/core/verify/same-value.js';

const ELEMENT: Record<ScalarDtype, fc.Arbitrary<unknown>> = {
  Int32: fc.integer(),
  Int64: fc.bigInt({ min: -(2n ** 63n) + 1n, max: 2n ** 63n - 1n }),
  Float32: fc.float({ noDefaultInfinity: false }).map(Number),
  Float64: fc.double(),
  String: fc.string(),
  Bytes: fc.uint8Array({ maxLength: 8 }),
  Bool: fc.boolean(),
  UnixTimestamp: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
  Json: fc.json(),
};

const dtypeAndTwoValues = fc
  .record({ scalar: fc.constantFrom(...SCALAR_DTYPES), kind: fc.constantFrom('scalar' as const, 'list' as const) })
  .chain(({ scalar, kind }) => {
    const value = kind === 'list' ? fc.array(ELEMENT[scalar], { maxLength: 4 }) : ELEMENT[scalar];
    return fc.tuple(fc.constant<Dtype>({ kind, scalar }), fc.option(value, { nil: null }), fc.option(value, { nil: null }));
  });

const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

it('a value equals itself, and two values are the same exactly when their canonical Values are', () => {
  fc.assert(
    fc.property(dtypeAndTwoValues, ([dtype, a, b]) => {
      const encode = createValueEncoder(dtype, 'f');
      const [ea, eb] = [encode(a), encode(b)];
      expect(sameDecoded(decodeValue(ea), decodeValue(ea))).toBe(true);
      // NaN compares equal to any NaN, and 0 to -0: both are one value to a reader
      const canonical = (bytes: Uint8Array) =>
        JSON.stringify(decodeValue(bytes), (_k, v: unknown) =>
          typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? 0 : Number.isNaN(v) ? 'NaN' : v instanceof Uint8Array ? [...v] : v,
        );
      expect(sameDecoded(decodeValue(ea), decodeValue(eb))).toBe(bytesEqual(ea, eb) || canonical(ea) === canonical(eb));
    }),
    { numRuns: 2000 },
  );
});

it('a Json value stored as string_val (older Feast) equals the same text as json_val', () => {
  expect(sameDecoded({ kind: 'stringVal', value: '{"a":1}' }, { kind: 'jsonVal', value: '{"a":1}' })).toBe(true);
  expect(sameDecoded({ kind: 'stringVal', value: '{"a":1}' }, { kind: 'jsonVal', value: '{"a":2}' })).toBe(false);
  expect(sameDecoded({ kind: 'int32Val', value: 1 }, { kind: 'int64Val', value: 1n })).toBe(false);
  expect(sameDecoded(null, { kind: 'int32Val', value: 0 })).toBe(false);
});
