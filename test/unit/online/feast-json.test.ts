import fc from 'fast-check';
import { feastTimestamp, pythonFloat } from '../../../src/core/online/feast-json.js';

describe('pythonFloat', () => {
  it("writes what Python's repr writes", () => {
    // Each pair is Python 3's json.dumps(float) output.
    const cases: Array<[number, string]> = [
      [1, '1.0'],
      [-0, '-0.0'],
      [0.5, '0.5'],
      [1e-7, '1e-07'],
      [0.0001, '0.0001'],
      [0.00012345, '0.00012345'],
      [1e16, '1e+16'],
      [Number('1234567890123456.7'), '1234567890123456.8'],
      [9999999999999998, '9999999999999998.0'],
      [1.5e300, '1.5e+300'],
      [5e-324, '5e-324'],
      [Math.fround(0.1), '0.10000000149011612'],
      [123.456, '123.456'],
      [-2.5e-5, '-2.5e-05'],
    ];
    for (const [x, text] of cases) expect(pythonFloat(x)).toBe(text);
    expect([pythonFloat(Number.NaN), pythonFloat(Infinity), pythonFloat(-Infinity)]).toEqual(['"NaN"', '"Infinity"', '"-Infinity"']);
  });

  it('round-trips every finite double and always reads back as a float', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = pythonFloat(x);
        expect(Number(text)).toBe(x);
        expect(text).toMatch(/[.e]/);
      }),
    );
  });
});

describe('feastTimestamp', () => {
  it('uses no fraction, milliseconds or microseconds, whichever is exact, and the empty Timestamp for 0', () => {
    expect(feastTimestamp(0n)).toBe('1970-01-01T00:00:00Z');
    expect(feastTimestamp(1618221600_000000n)).toBe('2021-04-12T10:00:00Z');
    expect(feastTimestamp(1618221600_123000n)).toBe('2021-04-12T10:00:00.123Z');
    expect(feastTimestamp(1618221600_123456n)).toBe('2021-04-12T10:00:00.123456Z');
    expect(feastTimestamp(-1n)).toBe('1969-12-31T23:59:59.999999Z');
  });
});
