/**
 * One column per Feast dtype, scalar and list, with SQL for three rows: 'a' (ordinary values), 'b' (all
 * NULL) and 'c' (edge values: zero, -0.0, NaN, empty, NULL list elements). The materialize dtype suite
 * and the export round trip both build their parquet file from it.
 */
import type { Dtype, ScalarDtype } from '../../src/core/repo/model.js';

const s = (scalar: ScalarDtype): Dtype => ({ kind: 'scalar', scalar });
const l = (scalar: ScalarDtype): Dtype => ({ kind: 'list', scalar });

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
];

/** A SELECT of one row ('a', 'b' or 'c') with join key `k` and `event_timestamp` at `event` (epoch micros). */
export function dtypeRowsSql(row: 'a' | 'b' | 'c', event: bigint): string {
  return (
    `SELECT '${row}' AS k, make_timestamp(${event}::BIGINT) AS event_timestamp, ` +
    DTYPE_COLUMNS.map(([name, , type, a, c]) => `CAST(${row === 'a' ? a : row === 'c' ? c : 'NULL'} AS ${type}) AS ${name}`).join(', ')
  );
}
