import { parseDtype, parseJoinKeyDtype } from '../../../src/core/repo/dtype.js';

describe('parseDtype', () => {
  it.each(['Int32', 'Int64', 'Float32', 'Float64', 'String', 'Bytes', 'Bool', 'UnixTimestamp', 'Json'])('reads %s', (s) => {
    expect(parseDtype(s)).toEqual({ ok: true, dtype: { kind: 'scalar', scalar: s } });
    // Array(Json) too: Feast 0.67's JSON_LIST (Value.json_list_val, 33)
    expect(parseDtype(`Array(${s})`)).toEqual({ ok: true, dtype: { kind: 'list', scalar: s } });
  });

  it.each([
    ['float32', 'Float32'],
    ['Int46', 'Int64'],
    ['STRING', 'String'],
    ['DOUBLE', 'Float64'],
    ['ValueType.FLOAT', 'Float32'],
    ['array(float32)', 'Array(Float32)'],
    ['Array[Int64]', 'Array(Int64)'],
    ['Array( Int64 )', 'Array(Int64)'],
    ['List(Strng)', undefined],
  ])('rejects %s, suggesting %s', (input, suggestion) => {
    const r = parseDtype(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.suggestion).toBe(suggestion);
  });

  it('rejects nested arrays, Array(Json) included, with a reason', () => {
    const nested = parseDtype('Array(Array(Int32))');
    const nestedJson = parseDtype('Array(Array(Json))');
    expect(!nested.ok && nested.reason).toContain('nested');
    expect(!nestedJson.ok && nestedJson.reason).toContain('nested');
  });
});

describe('parseJoinKeyDtype', () => {
  it('accepts only serializable key types', () => {
    expect(parseJoinKeyDtype('Int64')).toEqual({ ok: true, dtype: 'Int64' });
    expect(parseJoinKeyDtype('Float32')).toEqual({ ok: false, suggestion: undefined });
    expect(parseJoinKeyDtype('INT64')).toEqual({ ok: false, suggestion: 'Int64' });
    expect(parseJoinKeyDtype('string')).toEqual({ ok: false, suggestion: 'String' });
  });
});
