/**
 * One column per Feast dtype (every row of the type table, its list and set forms, Struct, Map, nested
 * collections), with SQL for three rows: 'a' (ordinary values), 'b' (all
 * NULL) and 'c' (edge values: zero, -0.0, NaN, empty, NULL list elements). The materialize dtype suite
 * and the export round trip both build their parquet file from it.
 */
import type { Dtype, ScalarDtype } from '../../src/core/repo/model.js';

export const s = (scalar: ScalarDtype): Dtype => ({ kind: 'scalar', scalar });
export const l = (scalar: ScalarDtype): Dtype => ({ kind: 'list', scalar });
export const st = (scalar: ScalarDtype): Dtype => ({ kind: 'set', scalar });
export const UUID_A = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const PROFILE: Dtype = {
  kind: 'scalar',
  scalar: 'Struct',
  fields: [
    { name: 'name', dtype: s('String') },
    { name: 'age', dtype: s('Int32') },
    { name: 'score', dtype: s('Float64') },
  ],
};
export const UUID_B = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

// name, dtype, DuckDB column type, SQL of row 'a', row 'b' (all NULL), row 'c' (edge values: zero, -0.0, NaN,
// empty, NULL list elements). NULL elements of float and timestamp lists are left to the codec's own
// tests: Feast's two writers disagree on them (docs/interop.md).
export const DTYPE_COLUMNS: Array<[string, Dtype, string, string, string]> = [
  ['i32', s('Int32'), 'INTEGER', '-7', '0'],
  ['i64', s('Int64'), 'BIGINT', '9007199254740993', '-1'],
  ['f32', s('Float32'), 'DOUBLE', '0.1', "'NaN'::DOUBLE"],
  ['f64', s('Float64'), 'DOUBLE', '0.1', "'-0.0'::DOUBLE"],
  ['str', s('String'), 'VARCHAR', "'héllo'", "''"],
  ['byt', s('Bytes'), 'BLOB', "'\\x00\\xFF'::BLOB", "''::BLOB"],
  ['flag', s('Bool'), 'BOOLEAN', 'true', 'false'],
  ['uts', s('UnixTimestamp'), 'TIMESTAMP', "TIMESTAMP '2021-04-12 07:00:00.999'", "TIMESTAMP '1969-12-31 23:59:59.5'"],
  ['js', s('Json'), 'VARCHAR', '\'{"a": [1, 2]}\'', "'null'"],
  ['li32', l('Int32'), 'INTEGER[]', '[1, -2]', '[NULL, 3]'],
  ['li64', l('Int64'), 'BIGINT[]', '[9007199254740993]', '[]'],
  ['lf32', l('Float32'), 'DOUBLE[]', '[0.1, 2.5]', "['-0.0'::DOUBLE, 'NaN'::DOUBLE]"],
  ['lf64', l('Float64'), 'DOUBLE[]', '[0.1]', "['-0.0'::DOUBLE, 1]"],
  ['lstr', l('String'), 'VARCHAR[]', "['a', 'b']", "[NULL, '']"],
  ['lbyt', l('Bytes'), 'BLOB[]', "['\\x01'::BLOB]", '[NULL]'],
  ['lflag', l('Bool'), 'BOOLEAN[]', '[true, false]', '[NULL, true]'],
  ['luts', l('UnixTimestamp'), 'TIMESTAMP[]', "[TIMESTAMP '2021-04-12 07:00:01']", "[TIMESTAMP '1969-12-31 23:59:59.5']"],
  ['uid', s('Uuid'), 'UUID', `'${UUID_A}'`, `'${UUID_B}'`],
  ['tuid', s('TimeUuid'), 'VARCHAR', `'${UUID_B}'`, `'${UUID_A.toUpperCase()}'`],
  ['dec', s('Decimal'), 'DECIMAL(10, 2)', '12.50', '0'],
  ['dect', s('Decimal'), 'VARCHAR', "'123456789012345678901234567890.123456789'", "'-1E+3'"],
  ['pdf', s('PdfBytes'), 'BLOB', "'%PDF'::BLOB", "''::BLOB"],
  ['img', s('ImageBytes'), 'BLOB', "'\\x89PNG'::BLOB", "''::BLOB"],
  ['luid', l('Uuid'), 'UUID[]', `['${UUID_A}']`, `[NULL, '${UUID_B}']`],
  ['ldec', l('Decimal'), 'DECIMAL(10, 2)[]', '[1.5, -0.01]', '[NULL]'],
  ['si64', st('Int64'), 'BIGINT[]', '[3, 1, 3]', '[]'],
  ['sstr', st('String'), 'VARCHAR[]', "['b', 'a', 'b']", "['']"],
  ['suid', st('Uuid'), 'UUID[]', `['${UUID_B}', '${UUID_A}', '${UUID_B}']`, '[]'],
  ['sf64', st('Float64'), 'DOUBLE[]', "[0.5, '-0.0'::DOUBLE, 0.0]", '[]'],
  // A column of dicts as pandas writes it (Feast's starter data): a STRUCT column.
  ['prof', PROFILE, 'STRUCT(name VARCHAR, age INTEGER, score DOUBLE)', "{'name': 'ann', 'age': 30, 'score': 2.0}", "{'name': NULL, 'age': -1, 'score': 0.5}"],
  [
    'meta',
    s('Map'),
    'STRUCT(vehicle VARCHAR, trips BIGINT, ok BOOLEAN)',
    "{'vehicle': 'truck', 'trips': 5, 'ok': true}",
    "{'vehicle': '', 'trips': NULL, 'ok': false}",
  ],
  ['profs', { ...PROFILE, kind: 'list' }, 'STRUCT(name VARCHAR, age INTEGER, score DOUBLE)[]', "[{'name': 'a', 'age': 1, 'score': 1.5}]", '[]'],
  ['nest', { kind: 'nested', outer: 'list', inner: l('Int32') }, 'INTEGER[][]', '[[1, 2], [], NULL, [3]]', '[]'],
  ['nests', { kind: 'nested', outer: 'set', inner: l('String') }, 'VARCHAR[][]', "[['a'], ['b', '']]", '[NULL]'],
];

/** A SELECT of one row ('a', 'b' or 'c') with join key `k` and `event_timestamp` at `event` (epoch micros). */
export function dtypeRowsSql(row: 'a' | 'b' | 'c', event: bigint): string {
  return (
    `SELECT '${row}' AS k, make_timestamp(${event}::BIGINT) AS event_timestamp, ` +
    DTYPE_COLUMNS.map(([name, , type, a, c]) => `CAST(${row === 'a' ? a : row === 'c' ? c : 'NULL'} AS ${type}) AS ${name}`).join(', ')
  );
}
