/**
 * verify's value comparison over the class of all values of every dtype (every row of the type table,
 * its list and set forms, Struct, Map, ScalarMap, ZonedTimestamp, nested collections): a value equals
 * itself, and two values are the same exactly when the codec writes the same Value for them up to what
 * no reader tells apart: NaN payloads, the sign of zero, the order of a Set's elements, a Map's keys
 * and a ScalarMap's entries.
 */
import fc from 'fast-check';
import { FEAST_TYPES, SCALAR_DTYPES, type Dtype, type FeastType, type ScalarDtype, type StructField } from '../../../src/core/layout/feast-types.js';
import { createValueEncoder } from '../../../src/core/layout/value-codec.js';
import { decodeValue, type DecodedValue, type MapEntries } from '../../../src/core/layout/value-decode.js';
import { sameDecoded } from '../../../src/core/verify/same-value.js';

/** A Map's values: Feast infers each one's type; small pools so that two draws often collide. */
const inferred = fc.oneof(fc.constantFrom('a', 'b', ''), fc.integer({ min: -2, max: 2 }), fc.boolean(), fc.constant(null));
const mapArb = fc.dictionary(fc.constantFrom('x', 'y', 'z'), inferred, { maxKeys: 3 });
const STRUCT_FIELDS: readonly StructField[] = [
  { name: 'n', dtype: { kind: 'scalar', scalar: 'Int64' } },
  { name: 's', dtype: { kind: 'scalar', scalar: 'String' } },
];
const structArb = fc.record({ n: fc.option(fc.integer({ min: -2, max: 2 }), { nil: null }), s: fc.constantFrom('a', '') });

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
  Uuid: fc.constantFrom('1b4e28ba-2fa1-11d2-883f-0016d3cca427', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
  TimeUuid: fc.uuid(),
  Decimal: fc.constantFrom('0', '0.0', '-1.50', '1.5', '1E+3'),
  PdfBytes: fc.uint8Array({ maxLength: 4 }),
  ImageBytes: fc.uint8Array({ maxLength: 4 }),
  Map: mapArb,
  Struct: structArb,
  ScalarMap: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 3 }), inferred), { selector: ([k]) => k, maxLength: 3 }),
  ZonedTimestamp: fc.record({ seconds: fc.bigInt({ min: -2n, max: 2n }), zone: fc.constantFrom('', 'UTC', 'Europe/Paris') }),
};

/** Every dtype form the table has, with an arbitrary of its values. */
const FORMS: [Dtype, fc.Arbitrary<unknown>][] = [
  ...SCALAR_DTYPES.flatMap((scalar) => {
    const row: FeastType = FEAST_TYPES[scalar];
    const fields = scalar === 'Struct' ? { fields: STRUCT_FIELDS } : {};
    return (['scalar', 'list', 'set'] as const)
      .filter((kind) => row[kind] !== undefined)
      .map((kind): [Dtype, fc.Arbitrary<unknown>] => [
        { kind, scalar, ...fields },
        kind === 'scalar' ? ELEMENT[scalar] : fc.array(ELEMENT[scalar], { maxLength: 4 }),
      ]);
  }),
  [
    { kind: 'nested', outer: 'list', inner: { kind: 'list', scalar: 'Int32' } },
    fc.array(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }), { maxLength: 3 }),
  ],
  [
    { kind: 'nested', outer: 'set', inner: { kind: 'list', scalar: 'String' } },
    fc.array(fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 }), { maxLength: 3 }),
  ],
];

const dtypeAndTwoValues = fc
  .constantFrom(...FORMS)
  .chain(([dtype, value]) => fc.tuple(fc.constant(dtype), fc.option(value, { nil: null }), fc.option(value, { nil: null })));

const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A decoded value with what no reader tells apart made equal: sets, map keys and entries sorted, NaN one value, -0 as 0. */
function canonical(d: DecodedValue | null): unknown {
  if (d === null) return null;
  const leaf = (v: unknown): unknown =>
    typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? 0 : Number.isNaN(v) ? 'NaN' : v instanceof Uint8Array ? `bytes:${[...v].join(',')}` : v;
  const asSet = (xs: unknown[]) => [...new Set(xs.map((x) => JSON.stringify(x)))].sort();
  const entries = (e: MapEntries) =>
    [...new Map(e)].map(([k, v]) => [k, canonical(v)]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : a === b ? 0 : 1));
  switch (d.kind) {
    case 'mapVal':
    case 'structVal':
      return [d.kind, entries(d.value)];
    case 'mapListVal':
    case 'structListVal':
      return [d.kind, d.value.map(entries)];
    case 'scalarMapVal':
      return [d.kind, asSet(d.value.map(([k, v]) => [canonical(k), canonical(v)]))];
    case 'zonedTimestampVal':
      return [d.kind, leaf(d.value.seconds), d.value.zone];
    case 'listVal':
      return [d.kind, d.value.map(canonical)];
    case 'setVal':
      return [d.kind, asSet(d.value.map(canonical))];
    default:
      if (!Array.isArray(d.value)) return [d.kind, leaf(d.value)];
      return [d.kind, d.kind.endsWith('SetVal') ? asSet((d.value as unknown[]).map(leaf)) : (d.value as unknown[]).map(leaf)];
  }
}

it('a value of every dtype equals itself, and two are the same exactly when their canonical Values are', () => {
  fc.assert(
    fc.property(dtypeAndTwoValues, ([dtype, a, b]) => {
      const encode = createValueEncoder(dtype, 'f');
      const [ea, eb] = [encode(a), encode(b)];
      expect(sameDecoded(decodeValue(ea), decodeValue(ea))).toBe(true);
      const same = bytesEqual(ea, eb) || JSON.stringify(canonical(decodeValue(ea))) === JSON.stringify(canonical(decodeValue(eb)));
      expect(sameDecoded(decodeValue(ea), decodeValue(eb))).toBe(same);
    }),
    { numRuns: 3000 },
  );
});

it('compares sets as sets, maps by key and ScalarMaps by entry, whatever the stored order', () => {
  expect(sameDecoded({ kind: 'int64SetVal', value: [1n, 2n] }, { kind: 'int64SetVal', value: [2n, 1n] })).toBe(true);
  expect(sameDecoded({ kind: 'int64ListVal', value: [1n, 2n] }, { kind: 'int64ListVal', value: [2n, 1n] })).toBe(false);
  const x: DecodedValue = { kind: 'int32Val', value: 1 };
  const y: DecodedValue = { kind: 'stringVal', value: 'a' };
  expect(
    sameDecoded(
      {
        kind: 'mapVal',
        value: [
          ['p', x],
          ['q', y],
        ],
      },
      {
        kind: 'mapVal',
        value: [
          ['q', y],
          ['p', x],
        ],
      },
    ),
  ).toBe(true);
  expect(sameDecoded({ kind: 'mapVal', value: [['p', x]] }, { kind: 'mapVal', value: [['p', y]] })).toBe(false);
  expect(
    sameDecoded(
      { kind: 'mapVal', value: [['p', x]] },
      {
        kind: 'mapVal',
        value: [
          ['p', x],
          ['q', null],
        ],
      },
    ),
  ).toBe(false);
  expect(
    sameDecoded(
      {
        kind: 'scalarMapVal',
        value: [
          [x, y],
          [y, x],
        ],
      },
      {
        kind: 'scalarMapVal',
        value: [
          [y, x],
          [x, y],
        ],
      },
    ),
  ).toBe(true);
  expect(
    sameDecoded(
      { kind: 'setVal', value: [{ kind: 'int32ListVal', value: [1] }, null] },
      { kind: 'setVal', value: [null, { kind: 'int32ListVal', value: [1] }] },
    ),
  ).toBe(true);
  expect(sameDecoded({ kind: 'zonedTimestampVal', value: { seconds: 1n, zone: 'UTC' } }, { kind: 'zonedTimestampVal', value: { seconds: 1n, zone: '' } })).toBe(
    false,
  );
  expect(sameDecoded({ kind: 'doubleSetVal', value: [NaN, -0] }, { kind: 'doubleSetVal', value: [0, NaN] })).toBe(true);
});

it('a Json value stored as string_val (older Feast) equals the same text as json_val', () => {
  expect(sameDecoded({ kind: 'stringVal', value: '{"a":1}' }, { kind: 'jsonVal', value: '{"a":1}' })).toBe(true);
  expect(sameDecoded({ kind: 'stringVal', value: '{"a":1}' }, { kind: 'jsonVal', value: '{"a":2}' })).toBe(false);
  expect(sameDecoded({ kind: 'int32Val', value: 1 }, { kind: 'int64Val', value: 1n })).toBe(false);
  expect(sameDecoded(null, { kind: 'int32Val', value: 0 })).toBe(false);
});
