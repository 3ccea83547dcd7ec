/**
 * DynamoDB attributes by declared dtype (offline/dynamodb/attribute-columns.ts): numbers (decimal text)
 * become integers exactly or are refused by the dtype table's ranges, floats follow the file path's
 * exact-or-reject rule; other kinds are refused with what was expected and found.
 */
import fc from 'fast-check';
import { DuckDBBlobValue, DuckDBListValue } from '@duckdb/node-api';
import { FEAST_TYPES } from '../../../src/core/layout/feast-types.js';
import { AttributeMismatch, columnRuleOf, timestampMicrosOf, type ColumnRule } from '../../../src/core/offline/dynamodb/attribute-columns.js';
import type { Dtype } from '../../../src/core/repo/model.js';

const rule = (dtype: Dtype): ColumnRule => {
  const r = columnRuleOf(dtype);
  if ('unsupported' in r) throw new Error(r.unsupported);
  return r;
};
const scalar = (s: 'Int32' | 'Int64' | 'UnixTimestamp' | 'Float32' | 'Float64') => rule({ kind: 'scalar', scalar: s });
const refused = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof AttributeMismatch;
  }
  return false;
};

describe('integer dtypes from N', () => {
  for (const dtype of ['Int32', 'Int64', 'UnixTimestamp'] as const) {
    const { min, max } = FEAST_TYPES[dtype].range;
    it(`${dtype}: exactly the whole numbers in its range`, () => {
      const r = scalar(dtype);
      fc.assert(
        fc.property(fc.bigInt({ min: min * 4n - 10n, max: max * 4n + 10n }), fc.constantFrom('', '.0', '.000', 'E0'), (n, tail) => {
          const text = `${n}${tail}`;
          if (n < min || n > max) return refused(() => r.convert({ N: text }));
          const v = r.convert({ N: text });
          return dtype === 'Int32' ? v === Number(n) : v === n;
        }),
      );
    });
  }
  it('refuses fractions and accepts exponents that make a whole number', () => {
    const r = scalar('Int64');
    expect(refused(() => r.convert({ N: '12.5' }))).toBe(true);
    expect(refused(() => r.convert({ N: '1e-1' }))).toBe(true);
    expect(r.convert({ N: '12E3' })).toBe(12000n);
    expect(r.convert({ N: '1.50E2' })).toBe(150n);
  });
});

describe('float dtypes from N', () => {
  // whole-number text (no point, no exponent) must be the float's exact value: the shortest text of a
  // double past 2^53 often is not (-71601744537887210 is ...208), and such text is refused as on the file path
  const plainWhole = (text: string) => /^-?[0-9]+$/.test(text);
  const expectFloat = (r: ColumnRule, x: number, narrow: (v: number) => number) => {
    const text = String(x);
    if (plainWhole(text) && BigInt(narrow(x)) !== BigInt(text)) return refused(() => r.convert({ N: text }));
    const v = r.convert({ N: text });
    return v === x || (Number.isNaN(x) && Number.isNaN(v as number));
  };
  it('Float64: every double through its shortest text, unchanged; whole numbers past 2^53 only when exact', () => {
    const r = scalar('Float64');
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => expectFloat(r, x, (v) => v)));
    fc.assert(
      fc.property(fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }), (n) => {
        const exact = BigInt(Number(n)) === n;
        return exact ? r.convert({ N: String(n) }) === Number(n) : refused(() => r.convert({ N: String(n) }));
      }),
    );
  });
  it('Float32: float32 values pass, larger finite values and inexact whole numbers are refused', () => {
    const r = scalar('Float32');
    fc.assert(fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => expectFloat(r, x, Math.fround)));
    fc.assert(fc.property(fc.double({ min: 3.5e38, max: 1e300, noNaN: true }), (x) => refused(() => r.convert({ N: String(x) }))));
    fc.assert(
      fc.property(fc.integer({ min: 2 ** 24 + 1, max: 2 ** 30 }), (n) =>
        Math.fround(n) === n ? r.convert({ N: String(n) }) === n : refused(() => r.convert({ N: String(n) })),
      ),
    );
  });
});

describe('other kinds', () => {
  it('a missing or NULL attribute is NULL; another kind is refused naming what was expected and found', () => {
    const r = rule({ kind: 'scalar', scalar: 'String' });
    expect(r.convert(undefined)).toBeNull();
    expect(r.convert({ NULL: true })).toBeNull();
    let caught: unknown;
    try {
      r.convert({ N: '1' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ expected: 'S', found: 'N "1"' });
  });
  it('sets are written in sorted order, whatever order DynamoDB returns them in; lists keep theirs', () => {
    const ns = rule({ kind: 'set', scalar: 'Int64' }).convert({ NS: ['10', '-2', '3'] }) as DuckDBListValue;
    expect(ns.items).toEqual([-2n, 3n, 10n]);
    const bs = rule({ kind: 'set', scalar: 'Bytes' }).convert({ BS: [Uint8Array.from([2]), Uint8Array.from([1, 9])] }) as DuckDBListValue;
    expect(bs.items.map((b) => [...(b as DuckDBBlobValue).bytes])).toEqual([[1, 9], [2]]);
    const l = rule({ kind: 'list', scalar: 'String' }).convert({ L: [{ S: 'b' }, { NULL: true }, { S: 'a' }] }) as DuckDBListValue;
    expect(l.items).toEqual(['b', null, 'a']);
  });
  it('Struct and nested collections are not read from attributes (a clear reason, not a guess); Map and Array(Map) are', () => {
    const struct: Dtype = { kind: 'scalar', scalar: 'Struct', fields: [{ name: 'a', dtype: { kind: 'scalar', scalar: 'Int64' } }] };
    expect(columnRuleOf(struct)).toMatchObject({ unsupported: expect.stringContaining('declare it as Map') });
    const nested: Dtype = { kind: 'nested', outer: 'list', inner: { kind: 'list', scalar: 'Int64' } };
    expect(columnRuleOf(nested)).toMatchObject({ unsupported: expect.stringContaining('nested collections') });
    expect(rule({ kind: 'scalar', scalar: 'Map' }).convert({ M: { a: { N: '5' } } })).toBe('{"a":{"int64Val":"5"}}');
    expect((rule({ kind: 'list', scalar: 'Map' }).convert({ L: [{ M: {} }] }) as DuckDBListValue).items).toEqual(['{}']);
  });
});

describe('timestamps in their declared format', () => {
  it('epoch numbers exactly to microseconds; ISO text; anything else is the wrong kind', () => {
    expect(timestampMicrosOf({ N: '1767225600' }, 'epoch_seconds')).toBe(1_767_225_600_000_000n);
    expect(timestampMicrosOf({ N: '1767225600.25' }, 'epoch_seconds')).toBe(1_767_225_600_250_000n);
    expect(timestampMicrosOf({ N: '1767225600123' }, 'epoch_millis')).toBe(1_767_225_600_123_000n);
    expect(timestampMicrosOf({ N: '1767225600123456' }, 'epoch_micros')).toBe(1_767_225_600_123_456n);
    expect(timestampMicrosOf({ S: '2026-01-01T00:00:00.5Z' }, 'iso8601')).toBe(1_767_225_600_500_000n);
    expect(timestampMicrosOf({ N: '1767225600.0000001' }, 'epoch_seconds')).toBe('wrongKind');
    expect(timestampMicrosOf({ S: '1767225600' }, 'epoch_seconds')).toBe('wrongKind');
    expect(timestampMicrosOf({ N: '1' }, 'iso8601')).toBe('wrongKind');
    expect(timestampMicrosOf(undefined, 'iso8601')).toBe('missing');
    expect(timestampMicrosOf({ NULL: true }, 'epoch_millis')).toBe('missing');
  });
});
