import { convertEntityRows, convertJoinKeyValue } from '../../../src/core/online/entity-rows.js';
import type { EntityColumn } from '../../../src/core/repo/model.js';

const driver: EntityColumn = { name: 'driver_id', dtype: 'Int64' };
const user: EntityColumn = { name: 'user_id', dtype: 'String' };

describe('convertJoinKeyValue', () => {
  it.each([
    ['Int64', '1001', 1001],
    ['Int64', 1001, 1001],
    ['Int64', '9223372036854775807', 9223372036854775807n],
    ['Int64', 12n, 12n],
    ['Int64', '-5', -5],
    ['Int32', '7', 7],
    ['UnixTimestamp', '1618210800', 1618210800],
    ['UnixTimestamp', '2021-04-12T07:00:00Z', 1618210800],
    ['UnixTimestamp', '2021-04-12 08:00:00.9+01:00', 1618210800],
    ['UnixTimestamp', '1969-12-31T23:59:59.5Z', -1],
    ['String', 'alice', 'alice'],
    ['String', '', ''],
  ] as const)('%s %j → %j', (dtype, input, expected) => {
    expect(convertJoinKeyValue(dtype, input)).toEqual(expected);
  });

  it('decodes base64 text for Bytes keys and passes bytes through', () => {
    expect(convertJoinKeyValue('Bytes', 'AQI=')).toEqual(Buffer.from([1, 2]));
    const b = new Uint8Array([3]);
    expect(convertJoinKeyValue('Bytes', b)).toBe(b);
  });

  it.each([
    ['Int64', 'abc'],
    ['Int64', '1e3'],
    ['Int64', 1.5],
    ['Int64', 2 ** 60],
    ['Int64', '9223372036854775808'],
    ['Int32', '2147483648'],
    ['UnixTimestamp', 'yesterday'],
    ['String', 1001],
    ['Bytes', 'not base64!'],
  ] as const)('refuses %s %j', (dtype, input) => {
    expect(convertJoinKeyValue(dtype, input)).toBeUndefined();
  });
});

describe('convertEntityRows', () => {
  it("takes rows or columns, keeps the rows' key order and ignores keys no view uses", () => {
    const fromRows = convertEntityRows(
      [
        { user_id: 'a', extra: 1, driver_id: '1' },
        { driver_id: 2, user_id: 'b' },
      ],
      [driver, user],
    );
    const fromColumns = convertEntityRows({ user_id: ['a', 'b'], driver_id: ['1', 2], extra: [1, 2] }, [driver, user]);
    for (const t of [fromRows, fromColumns]) {
      expect(t.rowCount).toBe(2);
      expect(t.keys.map((k) => k.name)).toEqual(['user_id', 'driver_id']);
      expect(t.values.get('driver_id')).toEqual([1, 2]);
      expect(t.values.get('user_id')).toEqual(['a', 'b']);
      expect(t.values.has('extra')).toBe(false);
    }
  });

  it("carries the columns that are join keys of other entities, as given, in the rows' order", () => {
    const echoed = [
      { name: 'store_id', dtype: 'Int32' as const },
      { name: 'driver_id', dtype: 'Int64' as const }, // needed wins
      { name: '__dummy_id', dtype: undefined },
    ];
    const t = convertEntityRows(
      [
        { store_id: 'x', driver_id: '1', extra: 1 },
        { driver_id: 2, __dummy_id: 'd' },
      ],
      [driver],
      echoed,
    );
    expect(t.keys.map((k) => k.name)).toEqual(['driver_id']);
    expect(t.columns).toEqual([
      { name: 'store_id', dtype: 'Int32', lookup: false },
      { name: 'driver_id', dtype: 'Int64', lookup: true },
      { name: '__dummy_id', dtype: undefined, lookup: false },
    ]);
    // Not converted, not refused: nothing is looked up with them. A row without one gives null.
    expect(t.values.get('store_id')).toEqual(['x', null]);
    expect(t.values.get('__dummy_id')).toEqual([null, 'd']);
    expect(t.values.get('driver_id')).toEqual([1, 2]);
    expect(t.values.has('extra')).toBe(false);
  });

  it('accepts no rows', () => {
    expect(convertEntityRows([], [driver]).rowCount).toBe(0);
  });

  it('names the row and key of a value the dtype cannot hold', () => {
    expect(() => convertEntityRows([{ driver_id: 1 }, { driver_id: 'x1' }], [driver])).toThrow(
      expect.objectContaining({ code: 'usage.badArgument', path: 'entityRows[1].driver_id', message: 'entity row 1: driver_id (Int64) cannot be "x1"' }),
    );
    expect(() => convertEntityRows({ driver_id: [1, null] }, [driver])).toThrow(expect.objectContaining({ path: 'entityRows.driver_id[1]' }));
  });

  it('suggests the key a row misspells', () => {
    expect(() => convertEntityRows([{ driverid: 1 }], [driver])).toThrow(
      expect.objectContaining({ code: 'usage.badArgument', message: expect.stringContaining('Did you mean `driverid`?') }),
    );
    expect(() => convertEntityRows({ driverid: [1] }, [driver])).toThrow(
      expect.objectContaining({ code: 'usage.badArgument', path: 'entityRows.driver_id[0]', message: expect.stringContaining('Did you mean `driverid`?') }),
    );
  });

  it('refuses columns of different lengths and rows that are not objects', () => {
    expect(() => convertEntityRows({ driver_id: [1, 2], user_id: ['a'] }, [driver, user])).toThrow(expect.objectContaining({ code: 'usage.badArgument' }));
    expect(() => convertEntityRows([1001] as never, [driver])).toThrow(expect.objectContaining({ path: 'entityRows[0]' }));
    expect(() => convertEntityRows('driver_id=1' as never, [driver])).toThrow(expect.objectContaining({ path: 'entityRows' }));
  });
});
