import { create, toBinary, fromBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ValueSchema } from '../../../src/gen/feast/types/Value_pb.js';
import { createValueEncoder, decodeValue, encodeValue } from '../../../src/core/layout/value-codec.js';
import { SCALAR_DTYPES, type Dtype, type ScalarDtype } from '../../../src/core/repo/model.js';
import { FEAST_TYPES, type FeastType } from '../../../src/core/layout/feast-types.js';
import { hex, loadVectors, unhex } from '../../helpers/layout-vectors.js';
import { codeOf } from '../../helpers/error-code.js';
import { defined } from '../../helpers/defined.js';

const vectors = loadVectors();

function parseDtype(s: string): Dtype {
  const m = /^Array\((\w+)\)$/.exec(s);
  return m ? { kind: 'list', scalar: m[1] as ScalarDtype } : { kind: 'scalar', scalar: s as ScalarDtype };
}
const scalar = (s: ScalarDtype): Dtype => ({ kind: 'scalar', scalar: s });
const list = (s: ScalarDtype): Dtype => ({ kind: 'list', scalar: s });

describe('encodeValue against Feast vectors', () => {
  it.each(vectors.values.map((v) => [v.dtype, JSON.stringify(v.value), v]))('%s %s', (_d, _v, v) => {
    const dtype = parseDtype(v.dtype);
    // The vectors give Bytes values as hex text.
    const input = dtype.kind !== 'nested' && dtype.scalar === 'Bytes' && typeof v.value === 'string' ? unhex(v.value) : v.value;
    expect(hex(encodeValue(dtype, input))).toBe(v.serialized_hex);
    expect(hex(createValueEncoder(dtype)(input))).toBe(v.serialized_hex);
  });

  it('decodes every vector back to its value', () => {
    for (const v of vectors.values) {
      const decoded = decodeValue(unhex(v.serialized_hex));
      if (v.value === null) {
        expect(decoded).toBeNull();
        continue;
      }
      const norm = (x: unknown): unknown => (typeof x === 'bigint' ? Number(x) : x instanceof Uint8Array ? hex(x) : Array.isArray(x) ? x.map(norm) : x);
      expect(norm(defined(decoded).value)).toEqual(v.value);
    }
  });
});

describe('value encoding matches the generated protobuf-es schema', () => {
  const samples: [Dtype, unknown, MessageInitShape<typeof ValueSchema>][] = [
    [scalar('Int32'), -7, { val: { case: 'int32Val', value: -7 } }],
    [scalar('Int64'), -(2n ** 63n), { val: { case: 'int64Val', value: -(2n ** 63n) } }],
    [scalar('Int64'), 2n ** 63n - 1n, { val: { case: 'int64Val', value: 2n ** 63n - 1n } }],
    [scalar('Float64'), Infinity, { val: { case: 'doubleVal', value: Infinity } }],
    [scalar('Float32'), -Infinity, { val: { case: 'floatVal', value: -Infinity } }],
    [scalar('String'), '', { val: { case: 'stringVal', value: '' } }],
    [scalar('String'), 'naïve 😀', { val: { case: 'stringVal', value: 'naïve 😀' } }],
    [scalar('Bytes'), new Uint8Array(0), { val: { case: 'bytesVal', value: new Uint8Array(0) } }],
    [scalar('UnixTimestamp'), -86400, { val: { case: 'unixTimestampVal', value: -86400n } }],
    [scalar('Json'), '{"a":[1,2]}', { val: { case: 'jsonVal', value: '{"a":[1,2]}' } }],
    [list('Int32'), [-1, 0, 1], { val: { case: 'int32ListVal', value: { val: [-1, 0, 1] } } }],
    [list('Float64'), [0.1, NaN], { val: { case: 'doubleListVal', value: { val: [0.1, NaN] } } }],
    [list('Bool'), [true, false], { val: { case: 'boolListVal', value: { val: [true, false] } } }],
    [list('Bytes'), [new Uint8Array([1])], { val: { case: 'bytesListVal', value: { val: [new Uint8Array([1])] } } }],
    [list('UnixTimestamp'), [1n, 2], { val: { case: 'unixTimestampListVal', value: { val: [1n, 2n] } } }],
    [list('Json'), ['{}', [1]], { val: { case: 'jsonListVal', value: { val: ['{}', '[1]'] } } }],
    [list('String'), [], { val: { case: 'stringListVal', value: { val: [] } } }],
  ];
  it.each(samples.map(([d, v, m], i) => [i, JSON.stringify(d), m.val?.case, d, v, m] as const))('#%d %s %s', (_i, _d, _c, dtype, input, init) => {
    const expected = toBinary(ValueSchema, create(ValueSchema, init));
    expect(hex(encodeValue(dtype, input))).toBe(hex(expected));
  });
});

describe('nulls, defaults and rounding', () => {
  it.each(SCALAR_DTYPES.map((s) => [s]))('null, undefined and NaN %s encode to zero bytes', (s) => {
    const fields = s === 'Struct' ? [{ name: 'a', dtype: scalar('Int64') }] : undefined;
    for (const v of [null, undefined, NaN]) expect(encodeValue({ ...scalar(s), fields } as Dtype, v).length).toBe(0);
    if ((FEAST_TYPES[s] as FeastType).list !== undefined) expect(encodeValue({ ...list(s), fields } as Dtype, null).length).toBe(0);
  });

  it('still writes zero values', () => {
    expect(hex(encodeValue(scalar('Int32'), 0))).toBe('1800');
    expect(hex(encodeValue(scalar('Float64'), 0))).toBe('290000000000000000');
    expect(hex(encodeValue(scalar('Bool'), false))).toBe('3800');
    expect(hex(encodeValue(scalar('String'), ''))).toBe('1200');
  });

  it('replaces nulls inside lists with the type default', () => {
    expect(decodeValue(encodeValue(list('Int64'), [1, null, undefined, NaN]))).toEqual({
      kind: 'int64ListVal',
      value: [1n, 0n, 0n, 0n],
    });
    expect(decodeValue(encodeValue(list('String'), ['a', null]))).toEqual({ kind: 'stringListVal', value: ['a', ''] });
    expect(decodeValue(encodeValue(list('Bool'), [null, true]))).toEqual({ kind: 'boolListVal', value: [false, true] });
    // Array(Json) (json_list_val 33): objects as Python's json.dumps, text as given, null as JSON `null`.
    expect(decodeValue(encodeValue(list('Json'), [{ a: [1, 'é'] }, null, '[]']))).toEqual({
      kind: 'jsonListVal',
      value: ['{"a": [1, "\\u00e9"]}', 'null', '[]'],
    });
    // Feast's NULL_TIMESTAMP_INT_VALUE (NaT), which Feast reads back as None; 0 would be 1970-01-01.
    expect(decodeValue(encodeValue(list('UnixTimestamp'), [1609459200, null]))).toEqual({
      kind: 'unixTimestampListVal',
      value: [1609459200n, -(2n ** 63n)],
    });
    // `feast materialize` turns a null inside a float list into NaN (numpy), so dynafeast does too.
    const floats = decodeValue(encodeValue(list('Float32'), [null, NaN, 1.5]));
    expect(floats?.kind).toBe('floatListVal');
    expect(floats?.value).toEqual([NaN, NaN, 1.5]);
    expect(hex(encodeValue(list('Float64'), [2.5, null]))).toBe('7a120a100000000000000440000000000000f87f');
  });

  it('rounds Float32 like Math.fround and keeps Float64 exact', () => {
    const x = 0.1;
    const f = decodeValue(encodeValue(scalar('Float32'), x));
    expect(f).toEqual({ kind: 'floatVal', value: Math.fround(x) });
    expect(decodeValue(encodeValue(scalar('Float64'), x))).toEqual({ kind: 'doubleVal', value: 0.1 });
    expect(decodeValue(encodeValue(list('Float32'), new Float64Array([x, 3.4e39])))).toEqual({ kind: 'floatListVal', value: [Math.fround(x), Infinity] });
  });

  it('accepts Date for UnixTimestamp and any JSON value for Json', () => {
    expect(decodeValue(encodeValue(scalar('UnixTimestamp'), new Date('1969-12-31T23:59:59.500Z')))).toEqual({
      kind: 'unixTimestampVal',
      value: -1n,
    });
    // Feast runs json.dumps on non-string Json values: its separators are part of the stored bytes.
    expect(decodeValue(encodeValue(scalar('Json'), { a: 1 }))).toEqual({ kind: 'jsonVal', value: '{"a": 1}' });
  });
});

describe('round trips', () => {
  const cases: [Dtype, unknown, unknown][] = [
    [scalar('Int32'), -2147483648, -2147483648],
    [scalar('Int32'), 2147483647, 2147483647],
    [scalar('Int64'), Number.MAX_SAFE_INTEGER, BigInt(Number.MAX_SAFE_INTEGER)],
    [scalar('Int64'), -(2n ** 63n), -(2n ** 63n)],
    [scalar('Float64'), -0.000123, -0.000123],
    [scalar('Float64'), -Infinity, -Infinity],
    [scalar('String'), 'ünïcødé ✓ 𝄞', 'ünïcødé ✓ 𝄞'],
    [scalar('Bytes'), new Uint8Array([0, 1, 255]), new Uint8Array([0, 1, 255])],
    [scalar('Bool'), true, true],
    [list('Int32'), [-5, 300, 0], [-5, 300, 0]],
    [list('Int64'), [-(2n ** 63n), 2n ** 63n - 1n], [-(2n ** 63n), 2n ** 63n - 1n]],
    [list('Float64'), [1e308, -1e-308], [1e308, -1e-308]],
    [list('String'), ['', 'x'.repeat(300)], ['', 'x'.repeat(300)]],
    [list('Bytes'), [new Uint8Array(0), new Uint8Array([9])], [new Uint8Array(0), new Uint8Array([9])]],
    [list('Json'), ['{"k":null}'], ['{"k":null}']],
  ];
  it.each(cases.map(([d, i, o], n) => [n, d.kind, d.kind === 'nested' ? '' : d.scalar, d, i, o] as const))('#%d %s %s', (_n, _k, _s, d, i, o) => {
    const decoded = decodeValue(encodeValue(d, i));
    expect(decoded?.value).toEqual(o);
    // protobuf-es must read our bytes to the same value (and so would Feast's Python protobuf).
    const msg = fromBinary(ValueSchema, encodeValue(d, i));
    expect(msg.val.case).toBe(decoded?.kind);
  });
});

describe('bad input', () => {
  it.each([
    [scalar('Int32'), 2 ** 31],
    [scalar('Int32'), 1.5],
    [scalar('Int64'), '5'],
    [scalar('Int64'), 2 ** 60],
    [scalar('Int64'), 2n ** 63n],
    [scalar('Float32'), '0.5'],
    [scalar('Bool'), 1],
    [scalar('String'), 5],
    [scalar('Bytes'), 'ab'],
    [scalar('Json'), 10n],
    [list('Int64'), 5],
    [list('Int64'), [1, 'x']],
    [list('String'), 'abc'],
    [list('Bytes'), new Uint8Array(2)],
  ] as const)('%j %p → codec.badValue', (dtype, v) => {
    expect(codeOf(() => createValueEncoder(dtype, 'feat')(v))).toBe('codec.badValue');
  });

  it('names the feature and leaves the shared writer clean after an error', () => {
    const enc = createValueEncoder(list('Int64'), 'trips');
    expect(() => enc([1, 2, 'x'])).toThrow(/trips/);
    expect(hex(encodeValue(scalar('Int64'), 1001))).toBe('20e907');
    expect(() => createValueEncoder(scalar('Bool'), 'flag')('yes')).toThrow(/flag/);
    expect(hex(encodeValue(scalar('Int64'), 0))).toBe('2000');
  });
});

describe('decodeValue', () => {
  it('reads null_val (19) as null and an empty message as null', () => {
    expect(decodeValue(new Uint8Array([0x98, 0x01, 0x00]))).toBeNull();
    expect(decodeValue(new Uint8Array(0))).toBeNull();
  });

  it('reads a unix_timestamp_val of -2^63 (what `feast materialize` writes for a null) as null', () => {
    expect(decodeValue(unhex('4080808080808080808001'))).toBeNull();
    // In a list the element stays: a list has no null, and callers show NaT elements as null.
    expect(decodeValue(unhex('9201110a0f80ccb9ff0580808080808080808001'))).toEqual({
      kind: 'unixTimestampListVal',
      value: [1609459200n, -(2n ** 63n)],
    });
  });

  it('reads unpacked repeated numerics too', () => {
    // int64_list_val { val: 1, val: 2 } written element by element (legal proto encoding).
    expect(decodeValue(unhex('72040801' + '0802'))).toEqual({ kind: 'int64ListVal', value: [1n, 2n] });
  });

  it('rejects unknown Value fields, wrong wire types and truncated bytes', () => {
    expect(codeOf(() => decodeValue(unhex('f20100')))).toBe('codec.badValue'); // field 30: no such case
    expect(codeOf(() => decodeValue(unhex('2201')))).toBe('codec.badValue'); // int64_val as LD
    expect(codeOf(() => decodeValue(unhex('1205616263')))).toBe('codec.badValue'); // short string
  });
});
