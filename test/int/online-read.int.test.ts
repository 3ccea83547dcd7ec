/**
 * The online reader against a real local server: statuses, ttl edges, every dtype, dedupe, several
 * views in one read, feature services, full feature names and the to_dict() shape.
 */
import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import { fixedClock } from '../../src/core/context.js';
import { OnlineReader } from '../../src/core/online/read-online.js';
import { startTestServer, type TestServer } from '../helpers/plan-apply-server.js';
import { createOnlineFixture, DAY, HOUR, NOW, type OnlineFixture } from '../helpers/online-fixture.js';
import { toFeastDict } from '../../src/core/online/to-dict.js';
import { defined } from '../helpers/defined.js';

let server: TestServer;
let fx: OnlineFixture;

beforeAll(async () => {
  server = await startTestServer();
  fx = await createOnlineFixture(server.client, server.endpoint);
  await fx.put('driver_hourly_stats', { driver_id: 1001 }, NOW - HOUR, { conv_rate: 0.5, acc_rate: 0.25, avg_daily_trips: 308 });
  // Stored null for acc_rate; avg_daily_trips absent (a feature added to the view after this write).
  await fx.put('driver_hourly_stats', { driver_id: 1002 }, NOW - 2n * HOUR, { conv_rate: 0.75, acc_rate: null });
  // Exactly ttl old: still PRESENT. One microsecond older: OUTSIDE_MAX_AGE.
  await fx.put('driver_hourly_stats', { driver_id: 1003 }, NOW - DAY, { conv_rate: 0.125, acc_rate: 0.5, avg_daily_trips: 3 });
  await fx.put('driver_hourly_stats', { driver_id: 1004 }, NOW - DAY - 1n, { conv_rate: 0.875, acc_rate: null, avg_daily_trips: 4 });
  await fx.put('user_profile', { user_id: 'alice' }, NOW - 400n * DAY, { score: 9.5 });
  await fx.put('global_stats', { __dummy_id: '' }, NOW - DAY, { total_rides: 12345 });
  await fx.put('all_types', { driver_id: 1 }, NOW, ALL_TYPES);
  await fx.put('all_types', { driver_id: 2 }, NOW, Object.fromEntries(Object.keys(ALL_TYPES).map((k) => [k, null])));
}, 60_000);

const ALL_TYPES: Record<string, unknown> = {
  i32: -2147483648,
  i64: 9007199254740993n,
  f32: 0.1,
  f64: -1.5e300,
  str: 'héllo, 世界',
  bytes: new Uint8Array([0, 1, 254, 255]),
  flag: true,
  ts: 1618210800,
  doc: { vehicle: 'van', seats: 6, tags: ['a'] },
  i32s: [1, -2, 3],
  i64s: [1, -(2n ** 63n), 2n ** 63n - 1n],
  f32s: [0.5, -0.25],
  f64s: [0.1, 1e-300, NaN, -Infinity],
  strs: ['a', '', 'c'],
  bytess: [new Uint8Array([1]), new Uint8Array([])],
  flags: [true, false],
  tss: [0, 1618210800],
  docs: [{ a: [1, null] }, 'not json', null],
};

afterAll(async () => {
  await server?.stop();
});

describe('statuses', () => {
  it('gives PRESENT, NULL_VALUE, NOT_FOUND and OUTSIDE_MAX_AGE, with the ttl boundary inclusive', async () => {
    const result = await fx.reader().read({
      features: ['driver_hourly_stats:conv_rate', 'driver_hourly_stats:acc_rate', 'driver_hourly_stats:avg_daily_trips'],
      entityRows: [1001, 1002, 1003, 1004, 1005].map((driver_id) => ({ driver_id })),
    });
    const dict = toFeastDict(result, { includeStatus: true, includeEventTimestamps: true });
    expect(dict).toEqual({
      driver_id: [1001, 1002, 1003, 1004, 1005],
      driver_id__ts: [0, 0, 0, 0, 0],
      driver_id__status: ['PRESENT', 'PRESENT', 'PRESENT', 'PRESENT', 'PRESENT'],
      conv_rate: [0.5, 0.75, 0.125, null, null],
      conv_rate__ts: [1618218000, 1618214400, 1618135200, 1618135199, 0],
      conv_rate__status: ['PRESENT', 'PRESENT', 'PRESENT', 'OUTSIDE_MAX_AGE', 'NOT_FOUND'],
      acc_rate: [0.25, null, 0.5, null, null],
      acc_rate__ts: [1618218000, 1618214400, 1618135200, 1618135199, 0],
      acc_rate__status: ['PRESENT', 'NULL_VALUE', 'PRESENT', 'NULL_VALUE', 'NOT_FOUND'],
      avg_daily_trips: [308, null, 3, null, null],
      avg_daily_trips__ts: [1618218000, 1618214400, 1618135200, 1618135199, 0],
      avg_daily_trips__status: ['PRESENT', 'NOT_FOUND', 'PRESENT', 'OUTSIDE_MAX_AGE', 'NOT_FOUND'],
    });
  });

  it('applies the ttl against the injected clock', async () => {
    const read = (now: bigint) => fx.reader({ now }).read({ features: ['driver_hourly_stats:conv_rate'], entityRows: [{ driver_id: 1001 }] });
    expect(defined((await read(NOW - HOUR + DAY)).columns[1]).statuses).toEqual(['PRESENT']);
    expect(defined((await read(NOW - HOUR + DAY + 1n)).columns[1]).statuses).toEqual(['OUTSIDE_MAX_AGE']);
  });

  it('never applies a ttl of 0', async () => {
    const result = await fx.reader().read({ features: ['user_profile:score'], entityRows: [{ user_id: 'alice' }, { user_id: 'bob' }] });
    expect(toFeastDict(result, { includeStatus: true })).toEqual({
      user_id: ['alice', 'bob'],
      user_id__status: ['PRESENT', 'PRESENT'],
      score: [9.5, null],
      score__status: ['PRESENT', 'NOT_FOUND'],
    });
  });
});

describe('dtypes', () => {
  const features = Object.keys(ALL_TYPES).map((f) => `all_types:${f}`);

  it('decodes every dtype into JSON-safe values', async () => {
    const result = await fx.reader().read({ features, entityRows: [{ driver_id: 1 }, { driver_id: 2 }] });
    const dict = toFeastDict(result);
    expect(dict).toEqual({
      driver_id: [1, 2],
      i32: [-2147483648, null],
      i64: ['9007199254740993', null],
      f32: [Math.fround(0.1), null],
      f64: [-1.5e300, null],
      str: ['héllo, 世界', null],
      bytes: ['AAH+/w==', null],
      flag: [true, null],
      ts: ['2021-04-12T07:00:00+00:00', null],
      doc: [{ vehicle: 'van', seats: 6, tags: ['a'] }, null],
      i32s: [[1, -2, 3], null],
      i64s: [[1, '-9223372036854775808', '9223372036854775807'], null],
      f32s: [[0.5, -0.25], null],
      // NaN and ±Infinity have no JSON number: their names, as Feast returns float('nan') / float('inf')
      f64s: [[0.1, 1e-300, 'NaN', '-Infinity'], null],
      strs: [['a', '', 'c'], null],
      bytess: [['AQ==', ''], null],
      flags: [[true, false], null],
      tss: [['1970-01-01T00:00:00+00:00', '2021-04-12T07:00:00+00:00'], null],
      docs: [[{ a: [1, null] }, 'not json', null], null],
    });
    expect(JSON.parse(JSON.stringify(dict))).toEqual(dict);
    expect(result.columns.slice(1).every((c) => c.statuses[0] === 'PRESENT' && c.statuses[1] === 'NULL_VALUE')).toBe(true);
  });

  it('gives bigint, bytes and Date with valueFormat native', async () => {
    const result = await fx.reader().read({
      features: ['all_types:i64', 'all_types:bytes', 'all_types:ts', 'all_types:i64s', 'all_types:f64s'],
      entityRows: [{ driver_id: 1 }],
      valueFormat: 'native',
    });
    expect(toFeastDict(result)).toEqual({
      driver_id: [1n],
      i64: [9007199254740993n],
      bytes: [new Uint8Array([0, 1, 254, 255])],
      ts: [new Date('2021-04-12T07:00:00Z')],
      i64s: [[1n, -(2n ** 63n), 2n ** 63n - 1n]],
      f64s: [[0.1, 1e-300, NaN, -Infinity]],
    });
  });
});

describe('entity rows', () => {
  it('converts string values with the join key dtype and reads duplicate rows once', async () => {
    const sent: number[] = [];
    const reader = fx.reader({
      send: (input) => {
        sent.push(Object.values(defined(input.RequestItems)).reduce((n, r) => n + defined(r.Keys).length, 0));
        return server.client.send(new BatchGetItemCommand(input));
      },
    });
    const result = await reader.read({
      features: ['driver_hourly_stats:conv_rate'],
      entityRows: { driver_id: ['1001', '1001', 1001n, '1003', 1003] },
    });
    expect(sent).toEqual([2]);
    expect(toFeastDict(result)).toEqual({ driver_id: [1001, 1001, 1001, 1003, 1003], conv_rate: [0.5, 0.5, 0.5, 0.125, 0.125] });
  });

  it('reads an entityless view for every row without any join key', async () => {
    const result = await fx.reader().read({ features: ['global_stats:total_rides'], entityRows: [{}, {}] });
    expect(toFeastDict(result)).toEqual({ total_rides: [12345, 12345] });
  });

  it('reads views with different entities in one call (feature service, full names)', async () => {
    const result = await fx.reader().read({
      featureService: 'everything',
      fullFeatureNames: true,
      entityRows: [
        { driver_id: 1001, user_id: 'alice', ignored: 'x' },
        { driver_id: 1003, user_id: 'carol', ignored: 'y' },
      ],
    });
    expect(toFeastDict(result)).toEqual({
      driver_id: [1001, 1003],
      user_id: ['alice', 'carol'],
      driver_hourly_stats__conv_rate: [0.5, 0.125],
      user_profile__score: [9.5, null],
    });
  });

  it('echoes the entity row columns that are join keys of other entities, as Feast does', async () => {
    const result = await fx.reader().read({
      features: ['driver_hourly_stats:conv_rate'],
      entityRows: [
        { customer_id: 'C1', driver_id: 1001, user_id: 'alice', ignored: 'x' },
        { customer_id: 'C2', driver_id: '1003', user_id: 'carol', ignored: 'y' },
      ],
    });
    expect(toFeastDict(result, { includeStatus: true })).toEqual({
      customer_id: ['C1', 'C2'],
      customer_id__status: ['PRESENT', 'PRESENT'],
      driver_id: [1001, 1003],
      driver_id__status: ['PRESENT', 'PRESENT'],
      user_id: ['alice', 'carol'],
      user_id__status: ['PRESENT', 'PRESENT'],
      conv_rate: [0.5, 0.125],
      conv_rate__status: ['PRESENT', 'PRESENT'],
    });
  });

  it('rejects a value the join key dtype cannot hold, naming the row and key', async () => {
    await expect(
      fx.reader().read({ features: ['driver_hourly_stats:conv_rate'], entityRows: [{ driver_id: 1001 }, { driver_id: 'abc' }] }),
    ).rejects.toMatchObject({ code: 'usage.badArgument', path: 'entityRows[1].driver_id', kind: 'usage' });
  });
});

describe('errors', () => {
  it('reports a missing table as a DynamoDB failure naming it', async () => {
    const cfg = { ...fx.config, onlineStore: { ...fx.config.onlineStore, tableNameTemplate: 'missing_{project}.{table_name}' } };
    const reader = new OnlineReader({ config: cfg, repo: fx.repo, dynamo: server.client, clock: fixedClock(NOW) });
    await expect(reader.read({ features: ['user_profile:score'], entityRows: [{ user_id: 'a' }] })).rejects.toMatchObject({
      code: 'dynamo.failed',
      hint: expect.stringContaining('dynafeast apply'),
    });
  });
});
