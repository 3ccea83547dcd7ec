/**
 * The DuckDB column of every dtype (scalar and list) and the decoded values it takes: each dtype of the
 * Feast type table has a column type, a stored value of another dtype is refused with online.badItem,
 * and Json takes the plain strings older Feast stored.
 */
import { SCALAR_DTYPES } from '../../../src/core/layout/feast-types.js';
import { duckColumnOf } from '../../../src/core/export/duck-columns.js';

const where = () => 'table "t", entity_id x, feature "f"';

it('gives every dtype of the type table a column, lists as LIST of the scalar', () => {
  for (const scalar of SCALAR_DTYPES) {
    const s = duckColumnOf({ kind: 'scalar', scalar });
    const l = duckColumnOf({ kind: 'list', scalar });
    expect(l.sql).toBe(`${s.sql}[]`);
  }
  expect(duckColumnOf({ kind: 'scalar', scalar: 'Float32' }).sql).toBe('FLOAT');
  expect(duckColumnOf({ kind: 'scalar', scalar: 'UnixTimestamp' }).sql).toBe('TIMESTAMP WITH TIME ZONE');
});

it('refuses a stored value of another dtype, naming where it is', () => {
  const int64 = duckColumnOf({ kind: 'scalar', scalar: 'Int64' });
  expect(() => int64.decoded({ kind: 'int32Val', value: 1 }, where)).toThrow(expect.objectContaining({ code: 'online.badItem' }));
  expect(() => int64.decoded({ kind: 'int64ListVal', value: [1n] }, where)).toThrow(/entity_id x/);
  expect(int64.decoded(null, where)).toBeNull();
  expect(int64.decoded({ kind: 'int64Val', value: 5n }, where)).toBe(5n);
});

it('takes a Json feature stored as a plain string', () => {
  const json = duckColumnOf({ kind: 'scalar', scalar: 'Json' });
  expect(json.decoded({ kind: 'stringVal', value: '{"a":1}' }, where)).toBe('{"a":1}');
  expect(json.decoded({ kind: 'jsonVal', value: '[1]' }, where)).toBe('[1]');
});
