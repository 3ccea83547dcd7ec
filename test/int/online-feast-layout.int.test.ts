/**
 * Items in Feast's exact layout, written straight to the table from the shared vectors (what Feast
 * itself wrote), read back by dynafeast: entity ids of every key shape, every vector value, and
 * event_ts strings with other offsets and fractions.
 */
import { PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { entityIdOf, serializeEntityKey } from '../../src/core/layout/index.js';
import { toFeastDict } from '../../src/core/online/to-dict.js';
import { loadVectors, unhex } from '../helpers/layout-vectors.js';
import { startTestServer, type TestServer } from '../helpers/plan-apply-server.js';
import { createOnlineFixture, type OnlineFixture } from '../helpers/online-fixture.js';
import { defined } from '../helpers/defined.js';

const vectors = loadVectors();
let server: TestServer;
let fx: OnlineFixture;
/** 2021-04-12T10:00:00Z */
const NOW = 1618221600n * 1_000_000n;

async function putRaw(view: string, item: Record<string, AttributeValue>): Promise<void> {
  await server.client.send(new PutItemCommand({ TableName: fx.table(view), Item: item }));
}

function rawItem(entityId: string, eventTs: string, values: Record<string, string>): Record<string, AttributeValue> {
  const m: Record<string, AttributeValue> = {};
  for (const [name, hex] of Object.entries(values)) m[name] = { B: unhex(hex) };
  return { entity_id: { S: entityId }, event_ts: { S: eventTs }, values: { M: m } };
}

const driverKey = (driver: number) => entityIdOf(serializeEntityKey([{ name: 'driver_id', dtype: 'Int64', value: driver }]));

beforeAll(async () => {
  server = await startTestServer();
  fx = await createOnlineFixture(server.client, server.endpoint);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

it('reads the full item of the vectors as Feast wrote it', async () => {
  const json = vectors.item.dynamodb_json;
  const m: Record<string, AttributeValue> = {};
  for (const [name, v] of Object.entries(json.values.M)) m[name] = { B: Buffer.from(v.B, 'base64') };
  await putRaw('driver_hourly_stats', { entity_id: json.entity_id, event_ts: json.event_ts, values: { M: m } });
  const result = await fx.reader({ now: NOW }).read({
    features: ['driver_hourly_stats:conv_rate', 'driver_hourly_stats:acc_rate', 'driver_hourly_stats:avg_daily_trips'],
    entityRows: [{ driver_id: 1001 }],
  });
  expect(toFeastDict(result, { includeEventTimestamps: true, includeStatus: true })).toEqual({
    driver_id: [1001],
    driver_id__ts: [0],
    driver_id__status: ['PRESENT'],
    conv_rate: [0.5],
    conv_rate__ts: [1618210800],
    conv_rate__status: ['PRESENT'],
    acc_rate: [0.25],
    acc_rate__ts: [1618210800],
    acc_rate__status: ['PRESENT'],
    avg_daily_trips: [308],
    avg_daily_trips__ts: [1618210800],
    avg_daily_trips__status: ['PRESENT'],
  });
});

it('finds items under the entity ids of every key vector (Int64, String, __dummy_id, two join keys)', async () => {
  const [k1001, k1005, alice, dummy, composite] = vectors.entity_keys;
  const spend = defined(vectors.values.find((v) => v.dtype === 'Float64')).serialized_hex;
  const ts = '2021-04-12 07:00:00+00:00';
  await putRaw('driver_customer', rawItem(defined(composite).entity_id, ts, { spend }));
  await putRaw('user_profile', rawItem(defined(alice).entity_id, ts, { score: spend }));
  await putRaw('global_stats', rawItem(defined(dummy).entity_id, ts, { total_rides: defined(vectors.values.find((v) => v.dtype === 'Int64')).serialized_hex }));
  await putRaw('driver_customer', rawItem(defined(k1005).entity_id, ts, { spend }));
  expect(defined(k1001?.join_keys[0]).value).toBe(1001);

  const composed = await fx.reader({ now: NOW }).read({
    features: ['driver_customer:spend'],
    entityRows: [
      { driver_id: 1001, customer_id: 'C42' },
      { driver_id: 1001, customer_id: 'C43' },
    ],
  });
  expect(toFeastDict(composed)).toEqual({ driver_id: [1001, 1001], customer_id: ['C42', 'C43'], spend: [0.5, null] });
  const byString = await fx.reader({ now: NOW }).read({ features: ['user_profile:score', 'global_stats:total_rides'], entityRows: [{ user_id: 'alice' }] });
  expect(toFeastDict(byString)).toEqual({ user_id: ['alice'], score: [0.5], total_rides: [1001] });
});

it('decodes every value vector', async () => {
  const featureOf: Record<string, string> = {
    Float32: 'f32',
    Float64: 'f64',
    Int64: 'i64',
    Int32: 'i32',
    String: 'str',
    Bool: 'flag',
    UnixTimestamp: 'ts',
    Bytes: 'bytes',
    'Array(Float32)': 'f32s',
    'Array(Int64)': 'i64s',
    'Array(String)': 'strs',
  };
  const expected = (dtype: string, value: unknown): unknown => {
    if (value === null) return null;
    if (dtype === 'Bytes') return Buffer.from(value as string, 'hex').toString('base64');
    if (dtype === 'UnixTimestamp') return new Date((value as number) * 1000).toISOString().replace('.000Z', '+00:00');
    return value;
  };
  const cases = vectors.values.map((v, i) => ({ ...v, driver: 5000 + i, feature: defined(featureOf[v.dtype]) }));
  for (const c of cases) await putRaw('all_types', rawItem(driverKey(c.driver), '2021-04-12 07:00:00+00:00', { [c.feature]: c.serialized_hex }));
  for (const c of cases) {
    const result = await fx.reader({ now: NOW }).read({ features: [`all_types:${c.feature}`], entityRows: [{ driver_id: c.driver }] });
    const column = defined(result.columns[1]);
    expect([c.dtype, column.values[0]]).toEqual([c.dtype, expected(c.dtype, c.value)]);
    expect(column.statuses[0]).toBe(c.serialized_hex === '' ? 'NULL_VALUE' : 'PRESENT');
  }
});

it('reads event_ts with any offset and fraction, and applies the ttl to the instant it names', async () => {
  const conv = defined(vectors.values.find((v) => v.dtype === 'Float32' && v.value === 0.5)).serialized_hex;
  const rows = [
    { driver: 2001, ts: '2021-04-12 08:00:00+01:00', seconds: 1618210800, status: 'PRESENT' },
    { driver: 2002, ts: '2021-04-12 02:00:00.123456-05:00', seconds: 1618210800, status: 'PRESENT' },
    { driver: 2003, ts: '2021-04-12T07:00:00.5+00:00', seconds: 1618210800, status: 'PRESENT' },
    // exactly one day (the view's ttl) before NOW, written with +02:00: still PRESENT
    { driver: 2004, ts: '2021-04-11 12:00:00+02:00', seconds: 1618135200, status: 'PRESENT' },
    // one microsecond older
    { driver: 2005, ts: '2021-04-11 11:59:59.999999+02:00', seconds: 1618135199, status: 'OUTSIDE_MAX_AGE' },
  ];
  for (const r of rows) await putRaw('driver_hourly_stats', rawItem(driverKey(r.driver), r.ts, { conv_rate: conv }));
  const result = await fx.reader({ now: NOW }).read({ features: ['driver_hourly_stats:conv_rate'], entityRows: rows.map((r) => ({ driver_id: r.driver })) });
  const col = defined(result.columns[1]);
  expect(col.eventTimestamps).toEqual(rows.map((r) => r.seconds));
  expect(col.statuses).toEqual(rows.map((r) => r.status));
  expect(col.values).toEqual(rows.map((r) => (r.status === 'PRESENT' ? 0.5 : null)));
});

it('fails with online.badItem (exit 1) on an item it cannot read, naming table and entity', async () => {
  const id = driverKey(3001);
  await putRaw('driver_hourly_stats', rawItem(id, 'yesterday', { conv_rate: '350000003f' }));
  await expect(fx.reader({ now: NOW }).read({ features: ['driver_hourly_stats:conv_rate'], entityRows: [{ driver_id: 3001 }] })).rejects.toMatchObject({
    code: 'online.badItem',
    kind: 'runtime',
    message: expect.stringContaining(`${fx.table('driver_hourly_stats')}, entity_id ${id}`),
  });
});
