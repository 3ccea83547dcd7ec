/**
 * A Map feature exported as text (duck-columns.ts: protobuf JSON of each entry's typed Value) reads
 * back as exactly the stored Value: for any Map the encoder writes — every value case it infers, nested
 * Maps, lists of Maps, keys of any text — encoding the exported text gives the same bytes. Text that is
 * not typed Values is refused with what it is.
 */
import fc from 'fast-check';
import { duckColumnOf } from '../../../src/core/export/duck-columns.js';
import { createValueEncoder } from '../../../src/core/layout/value-codec.js';
import { decodeStoredValue } from '../../../src/core/online/fast-decode.js';
import type { Dtype } from '../../../src/core/repo/model.js';

const MAP: Dtype = { kind: 'scalar', scalar: 'Map' };
const MAP_LIST: Dtype = { kind: 'list', scalar: 'Map' };

const scalarValue = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.integer(),
  // an integral double beyond 2^53 is refused by the encoder itself (not exact as an int)
  fc.double().filter((d) => !Number.isInteger(d) || Number.isSafeInteger(d)),
  fc.uint8Array({ maxLength: 8 }),
  fc.date({ min: new Date(0), max: new Date(4_102_444_800_000), noInvalidDate: true }).map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000)),
  fc.constant(null),
);
const { map } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalarValue,
    tie('map'),
    fc.array(fc.string(), { minLength: 1, maxLength: 3 }),
    fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { minLength: 1, maxLength: 3 }),
    fc.array(tie('map'), { minLength: 1, maxLength: 2 }),
  ),
  map: fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 4 }),
}));

/** The stored bytes → the text export writes → the bytes the offline reader's encoder writes for it. */
function roundTrip(dtype: Dtype, stored: Uint8Array): Uint8Array {
  const exported = duckColumnOf(dtype).decoded(decodeStoredValue(stored), () => 'value');
  const text = dtype.kind === 'list' ? (exported as { items: string[] }).items : exported;
  return createValueEncoder(dtype, 'm')(text);
}

it('reads every exported Map back to the bytes it was exported from', () => {
  const encode = createValueEncoder(MAP, 'm');
  fc.assert(
    fc.property(map, (m) => {
      const stored = encode(m);
      expect(Buffer.from(roundTrip(MAP, stored)).toString('hex')).toBe(Buffer.from(stored).toString('hex'));
    }),
    { numRuns: 300 },
  );
});

it('reads every exported Array(Map) back to the bytes it was exported from', () => {
  const encode = createValueEncoder(MAP_LIST, 'm');
  fc.assert(
    fc.property(fc.array(map, { maxLength: 3 }), (ms) => {
      const stored = encode(ms);
      expect(Buffer.from(roundTrip(MAP_LIST, stored)).toString('hex')).toBe(Buffer.from(stored).toString('hex'));
    }),
    { numRuns: 100 },
  );
});

it('refuses text that is not a JSON object of typed Values, saying what it is', () => {
  const encode = createValueEncoder(MAP, 'meta');
  expect(() => encode('{not json')).toThrow(/meta.*not JSON/s);
  expect(() => encode('[1]')).toThrow(/not a JSON object of typed Values/);
  expect(() => encode('{"a": 5}')).toThrow(/key "a": number 5 is not a typed Value/);
  expect(() => encode('{"a": {"int64Val": "x"}}')).toThrow(/key "a".*not a feast.types.Value in protobuf JSON/);
  // a Struct is read from STRUCT columns only: its fields' types are declared, not tagged
  expect(() =>
    createValueEncoder({ kind: 'scalar', scalar: 'Struct', fields: [{ name: 'a', dtype: { kind: 'scalar', scalar: 'Int64' } }] }, 's')('{}'),
  ).toThrow(/s/);
});
