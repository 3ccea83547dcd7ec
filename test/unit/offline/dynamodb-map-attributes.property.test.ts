/**
 * A DynamoDB M as a Map feature (offline/dynamodb/attribute-columns.ts, mapTextOf): for any M, the Value
 * the encoder writes from its Map text is the Value it writes for the same dict as Feast's Python would
 * infer it (S a str, N an int or a float, B bytes, NULL None, M a dict, L a list, a set its sorted list).
 * What no Feast Value can say exactly — a number neither Int64 nor a Float64, an empty, mixed or nested
 * list — is refused, naming the map key.
 */
import fc from 'fast-check';
import { DuckDBListValue } from '@duckdb/node-api';
import { createValueEncoder } from '../../../src/core/layout/value-codec.js';
import { AttributeMismatch, columnRuleOf, mapTextOf, type AttributeValue } from '../../../src/core/offline/dynamodb/attribute-columns.js';
import type { Dtype } from '../../../src/core/repo/model.js';

const MAP: Dtype = { kind: 'scalar', scalar: 'Map' };
const MAP_LIST: Dtype = { kind: 'list', scalar: 'Map' };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** An attribute and the Python-like value Feast would be handed for it. */
type Pair = [AttributeValue, unknown];

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
// a fraction as DynamoDB holds it (decimal text, the shortest that reads back to the double)
const fraction = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d));
const byValue = <T>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);

const scalarPair: fc.Arbitrary<Pair> = fc.oneof(
  fc.string().map((S): Pair => [{ S }, S]),
  fc.boolean().map((BOOL): Pair => [{ BOOL }, BOOL]),
  fc.uint8Array({ maxLength: 8 }).map((B): Pair => [{ B }, B]),
  fc.constant<Pair>([{ NULL: true }, null]),
  int64.map((n): Pair => [{ N: String(n) }, n]),
  fraction.map((d): Pair => [{ N: String(d) }, d]),
);

const { map } = fc.letrec<{ value: Pair; map: Pair }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalarPair,
    tie('map'),
    fc.array(fc.string(), { minLength: 1, maxLength: 3 }).map((xs): Pair => [{ L: xs.map((S) => ({ S })) }, xs]),
    fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }).map((xs): Pair => [{ L: xs.map((BOOL) => ({ BOOL })) }, xs]),
    fc.array(fc.uint8Array({ maxLength: 4 }), { minLength: 1, maxLength: 3 }).map((xs): Pair => [{ L: xs.map((B) => ({ B })) }, xs]),
    fc.array(int64, { minLength: 1, maxLength: 3 }).map((xs): Pair => [{ L: xs.map((n) => ({ N: String(n) })) }, xs]),
    // ints beside a fraction: Feast makes the list a double list, and so does the M
    fc.tuple(fc.array(fc.integer(), { maxLength: 2 }), fraction).map(([ints, f]): Pair => [{ L: [...ints, f].map((d) => ({ N: String(d) })) }, [...ints, f]]),
    fc.array(tie('map'), { minLength: 1, maxLength: 2 }).map((ms): Pair => [{ L: ms.map(([a]) => a) }, ms.map(([, v]) => v)]),
    fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 3 }).map((xs): Pair => [{ SS: xs }, [...xs].sort(byValue)]),
    fc.uniqueArray(int64, { minLength: 1, maxLength: 3 }).map((xs): Pair => [{ NS: xs.map(String) }, [...xs].sort(byValue)]),
    fc
      .uniqueArray(fc.uint8Array({ maxLength: 4 }), { minLength: 1, maxLength: 3, selector: hex })
      .map((xs): Pair => [{ BS: xs }, [...xs].sort((a, b) => Buffer.compare(a, b))]),
  ),
  map: fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 4 }).map((d): Pair => {
    const entries = Object.entries(d);
    return [{ M: Object.fromEntries(entries.map(([k, [a]]) => [k, a])) }, Object.fromEntries(entries.map(([k, [, v]]) => [k, v]))];
  }),
}));

const encodeMap = createValueEncoder(MAP, 'prefs');

it('writes the Value Feast infers for the same dict, for any M', () => {
  fc.assert(
    fc.property(map, ([attr, dict]) => {
      const text = mapTextOf(attr.M as Record<string, AttributeValue>);
      expect(hex(encodeMap(text))).toBe(hex(encodeMap(dict)));
    }),
    { numRuns: 400 },
  );
});

it('Array(Map) from an L of M: each element as the Map above', () => {
  const rule = columnRuleOf(MAP_LIST);
  if ('unsupported' in rule) throw new Error(rule.unsupported);
  const encode = createValueEncoder(MAP_LIST, 'sessions');
  fc.assert(
    fc.property(fc.array(map, { maxLength: 3 }), (ms) => {
      const cell = rule.convert({ L: ms.map(([a]) => a) }) as DuckDBListValue;
      expect(hex(encode(cell.items))).toBe(hex(encode(ms.map(([, v]) => v))));
    }),
    { numRuns: 100 },
  );
  expect(() => rule.convert({ L: [{ M: {} }, { S: 'x' }] })).toThrow(/L of M.*element \[1\] S "x"/);
});

it('a set is written in ascending order, whatever order DynamoDB returns it in', () => {
  expect(mapTextOf({ s: { NS: ['10', '-2', '3'] }, t: { SS: ['b', 'a'] } })).toBe(
    '{"s":{"int64ListVal":{"val":["-2","3","10"]}},"t":{"stringListVal":{"val":["a","b"]}}}',
  );
  expect(mapTextOf({ s: { NS: ['0.5', '-2'] } })).toBe('{"s":{"doubleListVal":{"val":[-2,0.5]}}}');
});

describe('refuses what no Value holds exactly, naming the map key', () => {
  const refusal = (m: Record<string, AttributeValue>): AttributeMismatch => {
    try {
      mapTextOf(m);
    } catch (e) {
      if (e instanceof AttributeMismatch) return e;
      throw e;
    }
    throw new Error('not refused');
  };
  it('numbers: beyond Int64 and not a Float64 exactly, beyond Float64', () => {
    expect(refusal({ a: { M: { b: { N: '9223372036854775809' } } } }).message).toMatch(
      /expected N \(.*Int64.*Float64.*\) at map key "a" → "b", found N "9223372036854775809"/,
    );
    expect(refusal({ x: { N: '1e400' } }).message).toMatch(/at map key "x", found N "1e400"/);
    expect(refusal({ x: { NS: ['1', '9007199254740993.5'] } }).message).toMatch(/at map key "x" → set element \[1\]/);
    // a fraction only as the decimal its double prints: never rounded silently
    expect(refusal({ x: { N: '0.1000000000000000000001' } }).message).toMatch(/at map key "x", found N "0.1000000000000000000001"/);
    // whole and in range: Int64; whole beyond Int64 but exactly a double, or a fraction the double prints: a double
    expect(mapTextOf({ x: { N: '9223372036854775807' }, y: { N: '1e300' }, z: { N: '1180591620717411303424' }, w: { N: '0.10' } })).toBe(
      '{"x":{"int64Val":"9223372036854775807"},"y":{"doubleVal":1e+300},"z":{"doubleVal":1.1805916207174113e+21},"w":{"doubleVal":0.1}}',
    );
  });
  it('lists Feast cannot type: empty, mixed, with a NULL, of lists or sets', () => {
    expect(refusal({ e: { L: [] } }).message).toMatch(/empty list.* at map key "e", found an empty L/);
    expect(refusal({ m: { L: [{ S: 'a' }, { N: '1' }] } }).message).toMatch(/at map key "m" → element \[1\], found N "1"/);
    expect(refusal({ n: { L: [{ S: 'a' }, { NULL: true }] } }).message).toMatch(/at map key "n" → element \[1\], found NULL/);
    expect(refusal({ l: { L: [{ L: [{ S: 'a' }] }] } }).message).toMatch(/no list of lists or sets at map key "l" → element \[0\], found L/);
    expect(refusal({ l: { L: [{ SS: ['a'] }] } }).message).toMatch(/no list of lists or sets .*found SS/);
  });
  it('a feature that is not an M', () => {
    const rule = columnRuleOf(MAP);
    if ('unsupported' in rule) throw new Error(rule.unsupported);
    expect(() => rule.convert({ S: '{}' })).toThrow(/expected M \(Map\), found S "\{\}"/);
    expect(rule.convert({ NULL: true })).toBeNull();
    expect(rule.convert(undefined)).toBeNull();
  });
});
