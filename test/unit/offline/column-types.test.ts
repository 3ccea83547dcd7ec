import { featureSql, type SourceColumnType } from '../../../src/core/offline/column-types.js';

const varchar: SourceColumnType = { name: 'VARCHAR', kind: 'string' };
const listOf = (element: SourceColumnType): SourceColumnType => ({ name: `${element.name}[]`, kind: 'list', element });

describe('featureSql for Array(Json)', () => {
  it('reads a list of strings (JSON texts) element by element, as Array(String) does', () => {
    expect(featureSql('"l_json"', listOf(varchar), { kind: 'list', scalar: 'Json' }, 'l_json')).toEqual({
      ok: true,
      sql: 'list_transform("l_json", __x -> CAST(__x AS VARCHAR))',
    });
  });

  it('refuses a plain string column and a list of non-strings, saying what it expected', () => {
    const dtype = { kind: 'list', scalar: 'Json' } as const;
    expect(featureSql('"c"', varchar, dtype, 'c')).toEqual({ ok: false, expected: 'a list of VARCHAR (JSON text) values' });
    expect(featureSql('"c"', listOf({ name: 'BIGINT', kind: 'integer', bits: 64 }), dtype, 'c')).toEqual({
      ok: false,
      expected: 'a list of VARCHAR (JSON text) values',
    });
  });
});
