import fc from 'fast-check';
import { parseJsonExact } from '../../../src/core/util/json-exact.js';

describe('parseJsonExact', () => {
  it('keeps integers beyond 2^53 exact as bigint, the rest as JSON.parse reads it', () => {
    expect(parseJsonExact('{"driver_id": 9007199254740993, "b": [-9223372036854775808, 1, 1.5e300, "9007199254740993"]}')).toEqual({
      driver_id: 9007199254740993n,
      b: [-9223372036854775808n, 1, 1.5e300, '9007199254740993'],
    });
    expect(parseJsonExact('[9007199254740991, "a\\"9007199254740993"]')).toEqual([9007199254740991, 'a"9007199254740993']);
  });

  it('agrees with JSON.parse on any JSON without unsafe integers, and keeps any bigint exact', () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => !/(?<![.\d])-?\d{16,}(?![.\deE])/.test(JSON.stringify(v))),
        (v) => {
          const text = JSON.stringify(v);
          expect(parseJsonExact(text)).toEqual(JSON.parse(text));
        },
      ),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const got = parseJsonExact(`{"k": [${n}]}`) as { k: [unknown] };
        expect(BigInt(got.k[0] as number | bigint)).toBe(n);
      }),
    );
  });

  it('reports invalid JSON as JSON.parse does', () => {
    expect(() => parseJsonExact('{"a": 9007199254740993,}')).toThrow(SyntaxError);
  });
});
