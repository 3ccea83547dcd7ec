/**
 * Round trips over generated values for the Feast 0.67 types beyond the scalars and their lists (sets,
 * Uuid/TimeUuid/Decimal, PdfBytes/ImageBytes, Map, Struct, ScalarMap, ZonedTimestamp, nested
 * collections): encode, decode, convert to a JS value, and compare with what went in; protobuf-es
 * (the generated feast.types.Value, a second parser) must read the same bytes. Byte equality with
 * Feast itself is test/unit/layout/feast-vectors.test.ts; edge sizes (empty map/set/list, deep nesting,
 * unicode keys, big decimals) are in the generators.
 */
import fc from 'fast-check';
import { fromBinary } from '@bufbuild/protobuf';
import { ValueSchema } from '../../../src/gen/feast/types/Value_pb.js';
import { createValueEncoder, decodeValue } from '../../../src/core/layout/value-codec.js';
import { valueConverter } from '../../../src/core/online/convert-value.js';
import type { Dtype } from '../../../src/core/repo/model.js';

function roundTrip(dtype: Dtype, v: unknown): { native: unknown; bytes: Uint8Array; again: Uint8Array } {
  const encode = createValueEncoder(dtype, 'f');
  const bytes = encode(v);
  const decoded = decodeValue(bytes);
  const native = decoded === null ? null : valueConverter(dtype, 'native')(decoded);
  // protobuf-es reads our bytes as a Value of the same case
  const parsed = fromBinary(ValueSchema, bytes);
  expect(parsed.val.case ?? null).toBe(decoded === null ? null : decoded.kind);
  return { native, bytes, again: encode(native) };
}

const uuid = fc.uuid();
// Python's str(Decimal) forms: digits with or without a point, exponents, 40+ digit values.
const decimal = fc
  .tuple(fc.constantFrom('', '-', '+'), fc.bigInt({ min: 0n, max: 10n ** 45n }), fc.option(fc.nat(30)), fc.option(fc.integer({ min: -40, max: 40 })))
  .map(([sign, digits, point, exp]) => {
    let text = digits.toString();
    if (point !== null && point < text.length) text = `${text.slice(0, text.length - point)}.${text.slice(text.length - point)}`;
    return `${sign}${text}${exp === null ? '' : `E${exp >= 0 ? '+' : ''}${exp}`}`;
  });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const bytes = fc.uint8Array({ maxLength: 40 });
const key = fc.string({ unit: 'grapheme', maxLength: 12 });

/** Map values as Feast infers them: str, bool, int, non-integer float, nested map, lists of one type. */
const mapValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.boolean(),
    int64,
    fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
    bytes,
    fc.array(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 4 }),
    fc.array(int64, { minLength: 1, maxLength: 4 }),
    fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
    tie('map'),
    fc.array(tie('map'), { minLength: 1, maxLength: 3 }),
  ),
  map: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
})).map as fc.Arbitrary<unknown>;

/** What a Map value reads back as: int64 values come back as bigint. */
function normalized(v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (Array.isArray(v)) return v.map(normalized);
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalized(x)]));
  return v;
}

describe('round trips of every other Feast 0.67 type', () => {
  const sets: [Dtype, fc.Arbitrary<unknown>][] = [
    [{ kind: 'set', scalar: 'Int32' }, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })],
    [{ kind: 'set', scalar: 'Int64' }, int64],
    [{ kind: 'set', scalar: 'Float64' }, fc.double({ noNaN: true }).filter((d) => !Object.is(d, -0))],
    [{ kind: 'set', scalar: 'String' }, fc.string({ unit: 'grapheme', maxLength: 8 })],
    [{ kind: 'set', scalar: 'Bool' }, fc.boolean()],
    [{ kind: 'set', scalar: 'Uuid' }, uuid],
    [{ kind: 'set', scalar: 'TimeUuid' }, uuid],
    [{ kind: 'set', scalar: 'Decimal' }, decimal],
  ];
  it.each(sets.map(([d, a]) => [`Set(${d.kind === 'nested' ? '' : d.scalar})`, d, a] as const))(
    '%s: unique elements in first-seen order',
    (_n, dtype, element) => {
      fc.assert(
        fc.property(fc.array(element, { maxLength: 12 }), (items) => {
          const { native, bytes, again } = roundTrip(dtype, items);
          const unique = [...new Set(items)];
          expect(native).toEqual(unique);
          expect(again).toEqual(bytes);
        }),
      );
    },
  );

  it('Set(Bytes): equal contents count once', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 3 }), { maxLength: 8 }), (items) => {
        const { native } = roundTrip({ kind: 'set', scalar: 'Bytes' }, items);
        const seen = new Set<string>();
        const unique = items.filter((b) => {
          const h = Buffer.from(b).toString('hex');
          return seen.has(h) ? false : (seen.add(h), true);
        });
        expect((native as Uint8Array[]).map((b) => Buffer.from(b).toString('hex'))).toEqual(unique.map((b) => Buffer.from(b).toString('hex')));
      }),
    );
  });

  it.each([
    ['Uuid', uuid],
    ['TimeUuid', uuid],
    ['Decimal', decimal],
  ] as const)('%s and Array(%s): the text as given', (scalar, text) => {
    fc.assert(
      fc.property(text, fc.array(text, { maxLength: 6 }), (one, many) => {
        expect(roundTrip({ kind: 'scalar', scalar }, one).native).toBe(one);
        expect(roundTrip({ kind: 'list', scalar }, many).native).toEqual(many);
      }),
    );
  });

  it.each(['PdfBytes', 'ImageBytes'] as const)('%s: the bytes as given', (scalar) => {
    fc.assert(fc.property(bytes, (b) => expect(roundTrip({ kind: 'scalar', scalar }, b).native).toEqual(b)));
  });

  it('Map and Array(Map): every key and inferred value back, the same bytes when written again', () => {
    fc.assert(
      fc.property(fc.dictionary(key, mapValue, { maxKeys: 6 }), (m) => {
        const { native, bytes, again } = roundTrip({ kind: 'scalar', scalar: 'Map' }, m);
        expect(native).toEqual(normalized(m));
        expect(again).toEqual(bytes);
        const list = roundTrip({ kind: 'list', scalar: 'Map' }, [m, {}]);
        expect(list.native).toEqual([normalized(m), {}]);
      }),
      { numRuns: 200 },
    );
  });

  it('a "__proto__" key is a key like any other, both ways', () => {
    const m = JSON.parse('{"__proto__": {"x": "y"}, "a": "b"}') as Record<string, unknown>;
    const { native, bytes, again } = roundTrip({ kind: 'scalar', scalar: 'Map' }, m);
    expect(Object.keys(native as object)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(native)).toBe(Object.prototype);
    expect(again).toEqual(bytes);
  });

  it('Struct: declared float fields stay floats even when whole', () => {
    const dtype: Dtype = {
      kind: 'scalar',
      scalar: 'Struct',
      fields: [
        { name: 'name', dtype: { kind: 'scalar', scalar: 'String' } },
        { name: 'score', dtype: { kind: 'scalar', scalar: 'Float64' } },
        { name: 'age', dtype: { kind: 'scalar', scalar: 'Int32' } },
      ],
    };
    fc.assert(
      fc.property(
        fc.option(fc.string()),
        fc.option(fc.double({ noNaN: true })),
        fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
        (name, score, age) => {
          const { native, bytes, again } = roundTrip(dtype, { name, score, age });
          expect(native).toEqual({ name, score, age: age === null ? null : BigInt(age) });
          expect(again).toEqual(bytes);
        },
      ),
    );
  });

  it('ScalarMap: pairs with integer, boolean and float keys, in the order given', () => {
    const k = fc.oneof(
      int64,
      fc.boolean(),
      fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(k, fc.oneof(fc.string(), fc.constant(null))), { maxLength: 6, selector: ([key]) => `${typeof key}:${String(key)}` }),
        (pairs) => {
          const { native, bytes, again } = roundTrip({ kind: 'scalar', scalar: 'ScalarMap' }, pairs);
          expect([...(native as Map<unknown, unknown>)]).toEqual(pairs);
          expect(again).toEqual(bytes);
        },
      ),
    );
  });

  it('ZonedTimestamp: whole seconds and the zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -62_135_596_800, max: 253_402_300_799 }),
        fc.constantFrom('', 'UTC', 'Europe/Berlin', 'UTC-07:00', 'Ünïcode/Zone'),
        (s, zone) => {
          const { native, bytes, again } = roundTrip({ kind: 'scalar', scalar: 'ZonedTimestamp' }, { seconds: s, zone });
          expect(native).toEqual({ date: new Date(s * 1000), zone });
          expect(again).toEqual(bytes);
        },
      ),
    );
  });

  it('nested collections: null and empty inner collections read back as null, deeper levels as lists', () => {
    const inner = fc.option(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 4 }));
    fc.assert(
      fc.property(
        fc.array(inner, { maxLength: 5 }),
        fc.array(fc.array(fc.array(int64, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), { maxLength: 3 }),
        (two, three) => {
          const list: Dtype = { kind: 'nested', outer: 'list', inner: { kind: 'list', scalar: 'Int32' } };
          const r2 = roundTrip(list, two);
          expect(r2.native).toEqual(two.map((c) => (c === null || c.length === 0 ? null : c)));
          expect(r2.again).toEqual(r2.bytes);
          const deep: Dtype = { kind: 'nested', outer: 'set', inner: { kind: 'nested', outer: 'list', inner: { kind: 'list', scalar: 'Int64' } } };
          const r3 = roundTrip(deep, three);
          expect(r3.native).toEqual(three);
          expect(r3.again).toEqual(r3.bytes);
        },
      ),
    );
  });

  it('refuses what Feast refuses, naming the feature: nulls in sets, empty lists in maps, string keys in a ScalarMap', () => {
    const bad: [Dtype, unknown][] = [
      [{ kind: 'set', scalar: 'Int64' }, [1, null]],
      [{ kind: 'scalar', scalar: 'Map' }, { a: [] }],
      [{ kind: 'scalar', scalar: 'Map' }, { a: [1, 'x'] }],
      [{ kind: 'scalar', scalar: 'ScalarMap' }, [['k', 1]]],
      [
        { kind: 'scalar', scalar: 'ScalarMap' },
        [
          [1, 'a'],
          [1, 'b'],
        ],
      ],
      [{ kind: 'scalar', scalar: 'Uuid' }, 'not-a-uuid'],
      [{ kind: 'scalar', scalar: 'Decimal' }, 0.1],
      [{ kind: 'scalar', scalar: 'Struct', fields: [{ name: 'a', dtype: { kind: 'scalar', scalar: 'Int64' } }] }, { b: 1 }],
    ];
    for (const [dtype, v] of bad) {
      expect(() => createValueEncoder(dtype, 'feat')(v)).toThrow(expect.objectContaining({ code: 'codec.badValue', path: 'feat' }));
    }
  });
});
