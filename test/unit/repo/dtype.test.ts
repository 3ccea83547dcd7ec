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

  it("reads sets, nested collections (VALUE_LIST / VALUE_SET) and Structs in Feast's spelling", () => {
    expect(parseDtype('Set(Uuid)')).toEqual({ ok: true, dtype: { kind: 'set', scalar: 'Uuid' } });
    expect(parseDtype('Array(Array(Int32))')).toEqual({ ok: true, dtype: { kind: 'nested', outer: 'list', inner: { kind: 'list', scalar: 'Int32' } } });
    expect(parseDtype('Set(Array(String))')).toEqual({ ok: true, dtype: { kind: 'nested', outer: 'set', inner: { kind: 'list', scalar: 'String' } } });
    expect(parseDtype('Struct({name: String, "age": Int32})')).toEqual({
      ok: true,
      dtype: {
        kind: 'scalar',
        scalar: 'Struct',
        fields: [
          { name: 'name', dtype: { kind: 'scalar', scalar: 'String' } },
          { name: 'age', dtype: { kind: 'scalar', scalar: 'Int32' } },
        ],
      },
    });
    expect(parseDtype('Array(Struct({a: Map}))')).toMatchObject({ ok: true, dtype: { kind: 'list', scalar: 'Struct' } });
  });

  it.each([
    ['Array(ZonedTimestamp)', 'no Array of ZonedTimestamp'],
    ['Set(Map)', 'no Set of Map'],
    ['Set(Json)', 'no Set of Json'],
    ['Array(PdfBytes)', 'no Array of PdfBytes'],
    ['Struct({})', 'at least one field'],
    ['Array(Array(ZonedTimestamp))', 'no Array of ZonedTimestamp'],
  ])('refuses %s, which Feast 0.67 lacks, with the reason', (input, reason) => {
    const r = parseDtype(input);
    expect(!r.ok && r.reason).toContain(reason);
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
