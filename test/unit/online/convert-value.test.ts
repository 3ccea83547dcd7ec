import { encodeValue } from '../../../src/core/layout/value-codec.js';
import { decodeValue } from '../../../src/core/layout/value-decode.js';
import { echoedJoinKeyOutput, isoSeconds, joinKeyOutput, valueConverter } from '../../../src/core/online/convert-value.js';
import type { ValueFormat } from '../../../src/core/online/types.js';
import type { Dtype, ScalarDtype } from '../../../src/core/repo/model.js';

function roundTrip(dtype: Dtype, value: unknown, format: ValueFormat = 'json'): unknown {
  const decoded = decodeValue(encodeValue(dtype, value));
  return decoded === null ? null : valueConverter(dtype, format)(decoded);
}
const s = (scalar: ScalarDtype): Dtype => ({ kind: 'scalar', scalar });
const l = (scalar: ScalarDtype): Dtype => ({ kind: 'list', scalar });

describe('valueConverter (json)', () => {
  it.each([
    [s('Int32'), -7, -7],
    [s('Int64'), 308, 308],
    [s('Int64'), 9007199254740993n, '9007199254740993'],
    [s('Int64'), -9223372036854775808n, '-9223372036854775808'],
    [s('Float32'), 0.937501, 0.9375010132789612],
    [s('Float64'), 0.1, 0.1],
    [s('Float32'), Infinity, 'Infinity'],
    [s('String'), 'héllo', 'héllo'],
    [s('Bytes'), new Uint8Array([1, 2, 255]), 'AQL/'],
    [s('Bool'), false, false],
    [s('UnixTimestamp'), 1577923200, '2020-01-02T00:00:00+00:00'],
    [s('Json'), { vehicle: 'van', seats: 6 }, { vehicle: 'van', seats: 6 }],
    [l('Int64'), [1, 2n ** 62n], [1, '4611686018427387904']],
    // A null element is stored as NaN (as `feast materialize` does), and NaN reads "NaN" as Feast's float('nan')
    [l('Float32'), [0.5, null], [0.5, 'NaN']],
    [l('Float64'), [NaN, Infinity, -Infinity, 1], ['NaN', 'Infinity', '-Infinity', 1]],
    [l('Json'), [{ a: 1 }, [1, 'x'], null, 'not json'], [{ a: 1 }, [1, 'x'], null, 'not json']],
    [l('Json'), [], []],
    [l('String'), ['en', 'fr'], ['en', 'fr']],
    [l('Bytes'), [new Uint8Array([1])], ['AQ==']],
    [l('Bool'), [true], [true]],
    [l('UnixTimestamp'), [0, null], ['1970-01-01T00:00:00+00:00', null]],
    [l('Float32'), [], []],
  ])('%j %p → %p', (dtype, value, expected) => {
    expect(roundTrip(dtype, value)).toEqual(expected);
  });

  it('survives JSON.stringify unchanged', () => {
    const out = [roundTrip(s('Int64'), 2n ** 60n), roundTrip(s('Bytes'), new Uint8Array([0])), roundTrip(s('UnixTimestamp'), 0)];
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('writes a stored scalar NaN as "NaN", like the infinities', () => {
    expect(valueConverter(s('Float64'), 'json')({ kind: 'doubleVal', value: NaN })).toBe('NaN');
    expect(valueConverter(s('Float32'), 'json')({ kind: 'floatVal', value: -Infinity })).toBe('-Infinity');
  });

  it('parses the elements of an Array(Json) stored as json_list_val or as a string list', () => {
    expect(valueConverter(l('Json'), 'json')({ kind: 'jsonListVal', value: ['{"a": 1}', 'null', 'x'] })).toEqual([{ a: 1 }, null, 'x']);
    expect(valueConverter(l('Json'), 'json')({ kind: 'stringListVal', value: ['[1]'] })).toEqual([[1]]);
  });

  it('parses JSON kept as a plain string (older Feast) and hands back text that is not JSON', () => {
    expect(valueConverter(s('Json'), 'json')({ kind: 'stringVal', value: '{"a":1}' })).toEqual({ a: 1 });
    expect(valueConverter(s('Json'), 'json')({ kind: 'jsonVal', value: 'not json' })).toBe('not json');
    expect(valueConverter(s('String'), 'json')({ kind: 'stringVal', value: '{"a":1}' })).toBe('{"a":1}');
  });

  it('writes seconds beyond years 1..9999 as text', () => {
    expect(isoSeconds(253402300800n)).toBe('253402300800');
    expect(isoSeconds(-62135596800n)).toBe('0001-01-01T00:00:00+00:00');
  });
});

describe('valueConverter (native)', () => {
  it('gives bigint, bytes and Date', () => {
    expect(roundTrip(s('Int64'), 308, 'native')).toBe(308n);
    expect(roundTrip(s('Bytes'), new Uint8Array([1]), 'native')).toEqual(new Uint8Array([1]));
    expect(roundTrip(s('UnixTimestamp'), 1577923200, 'native')).toEqual(new Date('2020-01-02T00:00:00Z'));
    expect(roundTrip(l('Int64'), [1], 'native')).toEqual([1n]);
    expect(roundTrip(s('Json'), [1, 'a'], 'native')).toEqual([1, 'a']);
    expect(roundTrip(l('Json'), [{ a: 1 }], 'native')).toEqual([{ a: 1 }]);
  });

  it('keeps NaN and the infinities as numbers', () => {
    expect(roundTrip(l('Float32'), [NaN, null, Infinity], 'native')).toEqual([NaN, NaN, Infinity]);
  });
});

describe('echoedJoinKeyOutput', () => {
  it("prints a key no requested view looks up with its entity's dtype when it fits, else as given", () => {
    expect(echoedJoinKeyOutput('Int32', '10', 'json')).toBe(10);
    expect(echoedJoinKeyOutput('Int64', 2n ** 60n, 'json')).toBe('1152921504606846976');
    expect(echoedJoinKeyOutput('Int64', '7', 'native')).toBe(7n);
    expect(echoedJoinKeyOutput('Int32', 'abc', 'json')).toBe('abc');
    expect(echoedJoinKeyOutput(undefined, 2n ** 60n, 'json')).toBe('1152921504606846976');
    expect(echoedJoinKeyOutput(undefined, new Uint8Array([1, 2]), 'json')).toBe('AQI=');
    expect(echoedJoinKeyOutput(undefined, new Uint8Array([1]), 'native')).toEqual(new Uint8Array([1]));
    expect(echoedJoinKeyOutput('String', null, 'json')).toBeNull();
  });
});

describe('joinKeyOutput', () => {
  it('echoes converted join keys in the output format', () => {
    expect(joinKeyOutput('Int64', 1001, 'json')).toBe(1001);
    expect(joinKeyOutput('Int64', 2n ** 60n, 'json')).toBe('1152921504606846976');
    expect(joinKeyOutput('Int64', 1001, 'native')).toBe(1001n);
    expect(joinKeyOutput('Bytes', new Uint8Array([1, 2]), 'json')).toBe('AQI=');
    expect(joinKeyOutput('UnixTimestamp', 0, 'json')).toBe('1970-01-01T00:00:00+00:00');
    expect(joinKeyOutput('String', 'a', 'native')).toBe('a');
  });
});
