/**
 * The DuckDB column of every dtype form (scalar, list, set, Struct, Map, nested) and the decoded values it takes: each dtype of the
 * Feast type table has a column type, a stored value of another dtype is refused with online.badItem,
 * and Json takes the plain strings older Feast stored.
 */
import { listValue, timestampTZValue, type DuckDBListValue, type DuckDBStructValue } from '@duckdb/node-api';
import { FEAST_TYPES, SCALAR_DTYPES, type Dtype, type FeastType } from '../../../src/core/layout/feast-types.js';
import { duckColumnOf } from '../../../src/core/export/duck-columns.js';

const where = () => 'table "t", entity_id x, feature "f"';

it('gives every dtype form of the type table a column, lists and sets as LIST of the scalar', () => {
  for (const scalar of SCALAR_DTYPES) {
    const fields = scalar === 'Struct' ? { fields: [{ name: 'a', dtype: { kind: 'scalar', scalar: 'Int32' } as Dtype }] } : {};
    const s = duckColumnOf({ kind: 'scalar', scalar, ...fields });
    const row: FeastType = FEAST_TYPES[scalar];
    for (const kind of ['list', 'set'] as const) {
      if (row[kind] !== undefined) expect([scalar, kind, duckColumnOf({ kind, scalar, ...fields }).sql]).toEqual([scalar, kind, `${s.sql}[]`]);
    }
  }
  const sqlOf = (dtype: Dtype) => duckColumnOf(dtype).sql;
  expect(sqlOf({ kind: 'scalar', scalar: 'Float32' })).toBe('FLOAT');
  expect(sqlOf({ kind: 'scalar', scalar: 'UnixTimestamp' })).toBe('TIMESTAMP WITH TIME ZONE');
  expect(sqlOf({ kind: 'scalar', scalar: 'Decimal' })).toBe('VARCHAR');
  expect(sqlOf({ kind: 'scalar', scalar: 'Uuid' })).toBe('VARCHAR');
  expect(sqlOf({ kind: 'scalar', scalar: 'PdfBytes' })).toBe('BLOB');
  expect(sqlOf({ kind: 'scalar', scalar: 'Map' })).toBe('VARCHAR');
  expect(sqlOf({ kind: 'scalar', scalar: 'ScalarMap' })).toBe('VARCHAR');
  expect(sqlOf({ kind: 'scalar', scalar: 'ZonedTimestamp' })).toBe('STRUCT("timestamp" TIMESTAMP WITH TIME ZONE, "zone" VARCHAR)');
  expect(sqlOf({ kind: 'nested', outer: 'set', inner: { kind: 'list', scalar: 'Int32' } })).toBe('INTEGER[][]');
  // Struct fields take the wide type: Feast stores an int field as int64_val, a float one as double_val
  expect(sqlOf({ kind: 'scalar', scalar: 'Struct', fields: [{ name: 'a', dtype: { kind: 'scalar', scalar: 'Int32' } }] })).toBe('STRUCT("a" BIGINT)');
});

it('writes a Map and a ScalarMap as protobuf JSON of their Values, exactly', () => {
  const map = duckColumnOf({ kind: 'scalar', scalar: 'Map' });
  const text = map.decoded(
    {
      kind: 'mapVal',
      value: [
        ['big', { kind: 'int64Val', value: 9007199254740993n }],
        ['f', { kind: 'floatVal', value: -0 }],
        ['nan', { kind: 'doubleVal', value: NaN }],
        ['b', { kind: 'bytesVal', value: new Uint8Array([0, 255]) }],
        ['none', null],
        ['__proto__', { kind: 'mapVal', value: [['x', { kind: 'boolVal', value: true }]] }],
        ['big', { kind: 'int64Val', value: 1n }], // a key written twice: the last one counts
      ],
    },
    where,
  );
  expect(text).toBe(
    '{"big":{"int64Val":"1"},"f":{"floatVal":-0},"nan":{"doubleVal":"NaN"},"b":{"bytesVal":"AP8="},"none":{},"__proto__":{"mapVal":{"val":{"x":{"boolVal":true}}}}}',
  );
  const scalarMap = duckColumnOf({ kind: 'scalar', scalar: 'ScalarMap' });
  expect(
    scalarMap.decoded(
      {
        kind: 'scalarMapVal',
        value: [
          [
            { kind: 'int32Val', value: 7 },
            { kind: 'stringVal', value: 'x' },
          ],
        ],
      },
      where,
    ),
  ).toBe('[{"key":{"int32Key":7},"value":{"stringVal":"x"}}]');
});

it('writes a Struct as its declared fields, refusing a field the view lacks, and a ZonedTimestamp as instant and zone', () => {
  const struct = duckColumnOf({ kind: 'scalar', scalar: 'Struct', fields: [{ name: 'a', dtype: { kind: 'scalar', scalar: 'Int32' } }] });
  const v = struct.decoded({ kind: 'structVal', value: [['a', { kind: 'int64Val', value: 3n }]] }, where) as DuckDBStructValue;
  expect(v.entries).toEqual({ a: 3n });
  expect((struct.decoded({ kind: 'structVal', value: [] }, where) as DuckDBStructValue).entries).toEqual({ a: null });
  expect(() => struct.decoded({ kind: 'structVal', value: [['b', null]] }, where)).toThrow(expect.objectContaining({ code: 'online.badItem' }));
  const zoned = duckColumnOf({ kind: 'scalar', scalar: 'ZonedTimestamp' });
  const z = zoned.decoded({ kind: 'zonedTimestampVal', value: { seconds: 2n, zone: 'Europe/Paris' } }, where) as DuckDBStructValue;
  expect(z.entries).toEqual({ timestamp: timestampTZValue(2_000_000n), zone: 'Europe/Paris' });
});

it('gives back NULL for the "" a UUID or decimal list stores for a null element', () => {
  const uuids = duckColumnOf({ kind: 'list', scalar: 'Uuid' });
  expect((uuids.decoded({ kind: 'uuidListVal', value: ['', 'x'] }, where) as DuckDBListValue).items).toEqual([null, 'x']);
  const nested = duckColumnOf({ kind: 'nested', outer: 'list', inner: { kind: 'list', scalar: 'Int32' } });
  const n = nested.decoded({ kind: 'listVal', value: [{ kind: 'int32ListVal', value: [1] }, null] }, where) as DuckDBListValue;
  expect(n.items).toEqual([listValue([1]), null]);
  expect(() => nested.decoded({ kind: 'listVal', value: [{ kind: 'stringListVal', value: ['a'] }] }, where)).toThrow(/\[0\]/);
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
