/**
 * `dynafeast serve` over real HTTP on loopback, in front of a real DynamoDB-compatible server: Feast's
 * response bytes for reads, every error class as a 4xx naming it, limits, auth, who may call, metrics,
 * and a close that drains requests in flight.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../src/core/context.js';
import { createServer, FeatureStore, ServeMetrics, type AccessLogEntry, type FeatureServer, type ServeOptions } from '../../src/index.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import { buildRegistryObjects } from '../../src/core/registry/build.js';
import { commitRegistryChanges } from '../../src/core/registry/commit.js';
import { readRegistryIfExists, registryPathOf } from '../../src/core/registry/registry-file.js';
import { reconcileRegistry } from '../../src/core/registry/reconcile.js';
import { loadRepo } from '../../src/core/repo/load-repo.js';
import { readServeFiles } from '../../src/core/serve/serve-files.js';
import { exampleRepo, NOW as EXAMPLE_NOW } from '../helpers/materialize-fixture.js';
import { DEFINITIONS } from '../helpers/online-definitions.js';
import { startTestServer, type TestServer } from '../helpers/plan-apply-server.js';
import { createOnlineFixture, DAY, HOUR, NOW, type OnlineFixture } from '../helpers/online-fixture.js';
import { featureStoreYaml } from '../helpers/config.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { defined } from '../helpers/defined.js';
import { httpsPost, selfSignedCert } from '../helpers/tls.js';

const U1 = '6f1c3a52-9b7e-4c1d-8e2f-0a1b2c3d4e5f';
const U2 = 'd2b7a0c4-1f3e-11ee-be56-0242ac120002';
/** One row of every Feast 0.67 value type past scalars and lists of them (the `new_types` view). */
const NEW_TYPES_VALUES = {
  uuid: U1,
  tuuid: U2,
  dec: '12.50',
  pdf: new Uint8Array([0x25, 0x50, 0x44, 0x46]),
  img: new Uint8Array([0x89, 0x50]),
  attrs: { b: 1, a: 'x', é: [1.5, 2.5] },
  person: { a: 5, b: 'y' },
  smap: [[1, 'one']],
  zts: { seconds: 1_700_000_000n, zone: 'America/New_York' },
  uuids: [U1, U2],
  decs: ['1.5', '1.5', '-2E+3'],
  i64set: [2n ** 62n, 3],
  maps: [{ k: 0.1 }, { k: null }],
  grid: [[1, 2], [], [2n ** 60n]],
  tags: [['a'], ['b', 'c']],
};
/** What Feast 0.67's feature server writes for them (feature_server_utils._value_to_native + json.dumps). */
const NEW_TYPES_JSON = [
  `"${U1}"`,
  `"${U2}"`,
  '"12.50"',
  '"JVBERg=="',
  '"iVA="',
  '{"a":"x","b":1,"é":[1.5,2.5]}',
  '{"a":5,"b":"y"}',
  'null',
  '"2023-11-14T17:13:20-05:00"',
  `["${U1}","${U2}"]`,
  '["1.5","-2E+3"]',
  `[${2n ** 62n},3]`,
  '[{"k":0.1},{"k":null}]',
  `[[1,2],null,[${2n ** 60n}]]`,
  '[["a"],["b","c"]]',
];
const NEW_TYPES = Object.keys(NEW_TYPES_VALUES);

/** Each feature's `values` text in a one-entity /get-online-features answer (the join key's left out). */
function valuesOf(text: string): string[] | undefined {
  return /"results":\[(.*)\],"metadata"/
    .exec(text)?.[1]
    ?.match(/"values":\[(.*?)\],"statuses"/g)
    ?.slice(1)
    .map((v) => v.slice('"values":['.length, -'],"statuses"'.length));
}

let dynamo: TestServer;
let fx: OnlineFixture;
let store: FeatureStore;
let metrics: ServeMetrics;
const dirs: string[] = [];
const servers: FeatureServer[] = [];

async function serve(opts: ServeOptions = {}, on: FeatureStore = store): Promise<string> {
  const server = createServer(on, { port: 0, registryTtlSec: 0, metrics, ...opts });
  servers.push(server);
  return server.listen();
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: () => unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as unknown };
}

/** The error detail inside Feast's error body (a JSON string of a JSON document). */
function detail(text: string): Record<string, string> {
  return JSON.parse(JSON.parse(text) as string) as Record<string, string>;
}

beforeAll(async () => {
  dynamo = await startTestServer();
  fx = await createOnlineFixture(dynamo.client, dynamo.endpoint);
  await fx.put('driver_hourly_stats', { driver_id: 1001 }, NOW - HOUR, { conv_rate: 0.5, acc_rate: 0.1, avg_daily_trips: 308 });
  await fx.put('driver_hourly_stats', { driver_id: 1003 }, NOW - 2n * DAY, { conv_rate: 0.75, acc_rate: 0.5, avg_daily_trips: 12 });
  await fx.put('user_profile', { user_id: 'alice' }, '2021-04-12 07:00:00.123456+00:00', { score: 1 });
  await fx.put('all_types', { driver_id: 1001 }, NOW, {
    i32: -7,
    i64: 2n ** 62n + 1n,
    f32: 0.1,
    f64: 1e-7,
    str: 'héllo "q"\n',
    bytes: new Uint8Array([0, 255, 16]),
    flag: true,
    ts: 1618221600n,
    doc: '{"a": [1, 2]}',
    i32s: [1, -2],
    i64s: [2n ** 60n],
    f32s: [1.5, Number.NaN],
    f64s: [1e16, -0.25, Number.POSITIVE_INFINITY],
    strs: ['a', 'b'],
    bytess: [new Uint8Array([1])],
    flags: [true, false],
    tss: [0n, 86400n],
    docs: ['{"x": 1}'],
  });
  await fx.put('new_types', { driver_id: 1001 }, NOW, NEW_TYPES_VALUES);
  metrics = new ServeMetrics();
  store = await FeatureStore.open({ repoPath: repoDir(dynamo.endpoint), clock: fixedClock(NOW), observer: metrics.dynamo });
}, 60_000);

function repoDir(endpoint: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dynafeast-serve-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'feature_store.yaml'), featureStoreYaml({ project: fx.config.project, endpoint }));
  writeFileSync(path.join(dir, 'features.yaml'), DEFINITIONS);
  return dir;
}

afterAll(async () => {
  for (const s of servers) await s.close(1000);
  await store?.close();
  await dynamo?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('POST /get-online-features', () => {
  it("answers Feast's bytes: join keys first, statuses, RFC 3339 times, missing and ttl-expired rows", async () => {
    const url = await serve();
    const res = await post(`${url}/get-online-features`, {
      features: ['driver_hourly_stats:conv_rate', 'driver_hourly_stats:avg_daily_trips'],
      entities: { driver_id: [1001, 1002, 1003] },
    });
    expect(res.status).toBe(200);
    const epoch = '"1970-01-01T00:00:00Z"';
    expect(res.text).toBe(
      '{"results":[' +
        `{"values":[1001,1002,1003],"statuses":["PRESENT","PRESENT","PRESENT"],"event_timestamps":[${epoch},${epoch},${epoch}]},` +
        `{"values":[0.5,null,null],"statuses":["PRESENT","NOT_FOUND","OUTSIDE_MAX_AGE"],"event_timestamps":["2021-04-12T09:00:00Z",${epoch},"2021-04-10T10:00:00Z"]},` +
        `{"values":[308,null,null],"statuses":["PRESENT","NOT_FOUND","OUTSIDE_MAX_AGE"],"event_timestamps":["2021-04-12T09:00:00Z",${epoch},"2021-04-10T10:00:00Z"]}` +
        '],"metadata":{"feature_names":["driver_id","conv_rate","avg_daily_trips"]}}',
    );
  });

  it('writes every dtype as Feast does: exact Int64, Python float repr, base64, integer timestamps, Json as text', async () => {
    const url = await serve();
    const names = ['i32', 'i64', 'f32', 'f64', 'str', 'bytes', 'flag', 'ts', 'doc', 'i32s', 'i64s', 'f32s', 'f64s', 'strs', 'bytess', 'flags', 'tss', 'docs'];
    const res = await post(`${url}/get-online-features`, { features: names.map((n) => `all_types:${n}`), entities: { driver_id: [1001] } });
    expect(res.status).toBe(200);
    const values = /"results":\[(.*)\],"metadata"/.exec(res.text)?.[1]?.match(/"values":\[(.*?)\],"statuses"/g);
    expect(values?.slice(1).map((v) => v.slice('"values":['.length, -'],"statuses"'.length))).toEqual([
      '-7',
      String(2n ** 62n + 1n),
      '0.10000000149011612',
      '1e-07',
      '"héllo \\"q\\"\\n"',
      '"AP8Q"',
      'true',
      '1618221600',
      '"{\\"a\\": [1, 2]}"',
      '[1,-2]',
      `[${2n ** 60n}]`,
      '[1.5,"NaN"]',
      '[1e+16,-0.25,"Infinity"]',
      '["a","b"]',
      '["AQ=="]',
      '[true,false]',
      '[0,86400]',
      '["{\\"x\\": 1}"]',
    ]);
  });

  it('writes every Feast 0.67 value type as its feature server does: Uuid, Decimal, PdfBytes, Map, Struct, ScalarMap, ZonedTimestamp, Set, nested', async () => {
    const url = await serve();
    const res = await post(`${url}/get-online-features`, { features: NEW_TYPES.map((n) => `new_types:${n}`), entities: { driver_id: [1001] } });
    expect(res.status).toBe(200);
    expect(valuesOf(res.text)).toEqual(NEW_TYPES_JSON);
  });

  it('reads a feature service, names columns view__feature with full_feature_names, keeps sub-second times', async () => {
    const url = await serve();
    const res = await post(`${url}/get-online-features`, {
      feature_service: 'everything',
      entities: { driver_id: [1001], user_id: ['alice'] },
      full_feature_names: true,
    });
    expect(res.status).toBe(200);
    const body = res.json() as { metadata: { feature_names: string[] }; results: Array<{ values: unknown[]; event_timestamps: string[] }> };
    expect(body.metadata.feature_names).toEqual(['driver_id', 'user_id', 'driver_hourly_stats__conv_rate', 'user_profile__score']);
    expect(body.results[3]).toEqual({ values: [1], statuses: ['PRESENT'], event_timestamps: ['2021-04-12T07:00:00.123456Z'] });
    expect(res.text).toContain('"values":[1.0]');
  });

  it.each([
    ['an unknown view', { features: ['nope:conv_rate'], entities: { driver_id: [1] } }, 404, 'repo.unknownFeatureView', 'FeatureViewNotFoundException'],
    [
      'an unknown feature',
      { features: ['driver_hourly_stats:nope'], entities: { driver_id: [1] } },
      404,
      'repo.unknownFeature',
      'FeastObjectNotFoundException',
    ],
    ['an unknown service', { feature_service: 'nope', entities: { driver_id: [1] } }, 404, 'repo.unknownFeatureService', 'FeatureServiceNotFoundException'],
    ['malformed JSON', '{"features": [', 400, 'serve.badRequest', 'FeastError'],
    ['a JSON array', '[]', 400, 'serve.badRequest', 'FeastError'],
    ['entities of the wrong type', { features: ['driver_hourly_stats:conv_rate'], entities: [1] }, 422, 'usage.badArgument', 'FeastError'],
    ['features of the wrong type', { features: 'driver_hourly_stats:conv_rate', entities: { driver_id: [1] } }, 422, 'usage.badArgument', 'FeastError'],
    [
      'full_feature_names of the wrong type',
      { features: ['driver_hourly_stats:conv_rate'], entities: { driver_id: [1] }, full_feature_names: 'yes' },
      422,
      'usage.badArgument',
      'FeastError',
    ],
    [
      'an entity value of the wrong type',
      { features: ['driver_hourly_stats:conv_rate'], entities: { driver_id: ['x'] } },
      422,
      'usage.badArgument',
      'FeastError',
    ],
    [
      'columns of different lengths',
      { features: ['driver_customer:spend'], entities: { driver_id: [1, 2], customer_id: ['a'] } },
      422,
      'usage.badArgument',
      'FeastError',
    ],
    ['no entities', { features: ['driver_hourly_stats:conv_rate'] }, 422, 'usage.badArgument', 'FeastError'],
    ['too many entities', { features: ['driver_hourly_stats:conv_rate'], entities: { driver_id: [1, 2, 3, 4, 5, 6] } }, 413, 'serve.tooLarge', 'FeastError'],
  ])('answers %s with a 4xx naming it, in Feast’s error shape', async (_what, body, status, code, feastClass) => {
    const url = await serve({ maxEntities: 5 });
    const res = await post(`${url}/get-online-features`, body);
    expect(res.status).toBe(status);
    expect(detail(res.text)).toMatchObject({ module: 'feast.errors', class: feastClass, code });
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('refuses a body over the limit with 413, before reading it all', async () => {
    const url = await serve({ maxBodyBytes: 1000 });
    const res = await post(`${url}/get-online-features`, { features: ['driver_hourly_stats:conv_rate'], entities: { driver_id: new Array(500).fill(1) } });
    expect(res.status).toBe(413);
    expect(detail(res.text).code).toBe('serve.tooLarge');
  });
});

describe('POST /write-to-online-store and /push', () => {
  it('writes rows given as columns, the latest per entity key, and reads them back', async () => {
    const url = await serve();
    const df = {
      user_id: ['bob', 'bob', 'carol'],
      score: [1.5, 2.5, 3],
      event_timestamp: ['2021-04-12T08:00:00', '2021-04-12T09:00:00', '2021-04-12 09:30:00.5+00:00'],
      created: [null, null, null],
    };
    const write = await post(`${url}/write-to-online-store`, { feature_view_name: 'user_profile', df });
    expect([write.status, write.text]).toEqual([200, 'null']);
    const read = await post(`${url}/get-online-features`, { features: ['user_profile:score'], entities: { user_id: ['bob', 'carol'] } });
    expect(read.json()).toMatchObject({
      results: [
        { values: ['bob', 'carol'] },
        { values: [2.5, 3], statuses: ['PRESENT', 'PRESENT'], event_timestamps: ['2021-04-12T09:00:00Z', '2021-04-12T09:30:00.500Z'] },
      ],
    });
    expect(read.text).toContain('"values":[2.5,3.0]');
  });

  it('writes every Feast 0.67 value type from the JSON its server reads, and reads back the same text', async () => {
    const url = await serve();
    const df: Record<string, unknown[]> = {
      driver_id: [2002],
      uuid: [U1],
      tuuid: [U2],
      dec: ['12.50'],
      pdf: ['JVBERg=='],
      img: ['iVA='],
      attrs: [{ b: 1, a: 'x', é: [1.5, 2.5] }],
      person: [{ a: 5, b: 'y' }],
      smap: [[[1, 'one']]],
      zts: ['2023-11-14T17:13:20-05:00'],
      uuids: [[U1, U2]],
      decs: [['1.5', '1.5', '-2E+3']],
      i64set: [[2n ** 62n, 3]],
      maps: [[{ k: 0.1 }, { k: null }]],
      grid: [[[1, 2], [], [2n ** 60n]]],
      tags: [[['a'], ['b', 'c']]],
      event_timestamp: ['2021-04-12T08:00:00'],
    };
    // Int64 beyond 2^53 as JSON digits (JSON.stringify has no bigint).
    const body = JSON.stringify({ feature_view_name: 'new_types', df }, (_k, v: unknown) => (typeof v === 'bigint' ? `#${v}#` : v)).replace(
      /"#(-?\d+)#"/g,
      '$1',
    );
    const write = await post(`${url}/write-to-online-store`, body);
    expect([write.status, write.text]).toEqual([200, 'null']);
    const read = await post(`${url}/get-online-features`, { features: NEW_TYPES.map((n) => `new_types:${n}`), entities: { driver_id: [2002] } });
    // The zone of a time given with an offset is that offset (Feast stores a fixed offset as `UTC-05:00`).
    expect(valuesOf(read.text)).toEqual(NEW_TYPES_JSON);
  });

  it.each([
    ['a fractional JSON number as a Decimal (already rounded)', 'dec', 0.1],
    ['text that is no UUID', 'uuid', 'not-a-uuid'],
    ['a Map that is not an object', 'attrs', [1, 2]],
    ['a Struct field it does not declare', 'person', { a: 1, z: 2 }],
    ['a ZonedTimestamp that is no time', 'zts', 'yesterday'],
    ['a nested collection that is not an array of arrays', 'grid', [1, 2]],
    ['a null inside a Set', 'decs', ['1', null]],
  ])('answers a write of %s with a 422 naming the feature', async (_what, feature, value) => {
    const url = await serve();
    const df: Record<string, unknown[]> = { driver_id: [2003], event_timestamp: ['2021-04-12T08:00:00'] };
    for (const n of NEW_TYPES) df[n] = [null];
    df[feature] = [value];
    const res = await post(`${url}/write-to-online-store`, { feature_view_name: 'new_types', df });
    expect(res.status).toBe(422);
    const d = detail(res.text);
    expect(d.code).toBe('usage.badArgument');
    expect(d.message).toContain(feature);
  });

  it.each([
    ['an unknown view', { feature_view_name: 'nope', df: { user_id: ['a'] } }, 404, 'repo.unknownFeatureView'],
    [
      'a missing feature column',
      { feature_view_name: 'user_profile', df: { user_id: ['a'], event_timestamp: ['2021-04-12T08:00:00'] } },
      422,
      'usage.badArgument',
    ],
    [
      'a value the dtype cannot hold',
      { feature_view_name: 'user_profile', df: { user_id: ['a'], score: ['x'], event_timestamp: ['2021-04-12T08:00:00'] } },
      422,
      'usage.badArgument',
    ],
    ['a bad timestamp', { feature_view_name: 'user_profile', df: { user_id: ['a'], score: [1], event_timestamp: ['yesterday'] } }, 422, 'usage.badArgument'],
    [
      'a bad join key',
      {
        feature_view_name: 'driver_hourly_stats',
        df: { driver_id: ['x'], conv_rate: [1], acc_rate: [1], avg_daily_trips: [1], event_timestamp: ['2021-04-12T08:00:00'] },
      },
      422,
      'usage.badArgument',
    ],
  ])('answers a write with %s with a 4xx naming it', async (_what, body, status, code) => {
    const url = await serve();
    const res = await post(`${url}/write-to-online-store`, body);
    expect([res.status, detail(res.text).code]).toEqual([status, code]);
  });

  it.each([
    ['to: offline (no offline writer)', { push_source_name: 'anything', df: { user_id: ['a'] }, to: 'offline' }, 422, 'usage.badArgument'],
    ['to: online_and_offline', { push_source_name: 'anything', df: { user_id: ['a'] }, to: 'online_and_offline' }, 422, 'usage.badArgument'],
    ['an unknown `to`', { push_source_name: 'anything', df: { user_id: ['a'] }, to: 'sideways' }, 422, 'usage.badArgument'],
    ['an unknown push source', { push_source_name: 'nope', df: { user_id: ['a'] } }, 404, 'repo.unknownSource'],
  ])('answers a push with %s with a 4xx naming it', async (_what, body, status, code) => {
    const url = await serve();
    const res = await post(`${url}/push`, body);
    expect([res.status, detail(res.text).code]).toEqual([status, code]);
  });
});

describe('the server around the routes', () => {
  it('answers /health with 200 and an empty body, unknown paths and wrong methods with 404', async () => {
    const url = await serve();
    const health = await fetch(`${url}/health`);
    expect([health.status, await health.text()]).toEqual([200, '']);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/get-online-features`)).status).toBe(404);
  });

  it('requires the bearer token on everything but /health, and never echoes it', async () => {
    const token = 'a-very-long-test-token-0123456789';
    const url = await serve({ authToken: token });
    const body = { features: ['driver_hourly_stats:conv_rate'], entities: { driver_id: [1001] } };
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const none = await post(`${url}/get-online-features`, body);
    expect([none.status, detail(none.text).code]).toEqual([401, 'serve.unauthorized']);
    const wrong = await post(`${url}/get-online-features`, body, { authorization: `Bearer ${token}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain(token);
    expect((await post(`${url}/get-online-features`, body, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('refuses browsers (an Origin) and foreign Host headers, and sends no CORS headers', async () => {
    const url = await serve();
    const res = await fetch(`${url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const { port } = new URL(url);
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/health', headers: { host: `evil.example:${port}` } }, (r) => (r.resume(), resolve(r.statusCode ?? 0)))
        .on('error', reject);
    });
    expect(status).toBe(403);
  });

  it('counts requests, latency, in-flight and DynamoDB calls in /metrics', async () => {
    const url = await serve();
    await post(`${url}/get-online-features`, { features: ['driver_hourly_stats:conv_rate'], entities: { driver_id: [1001] } });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/dynafeast_serve_requests_total\{endpoint="\/get-online-features",status="200"\} [1-9]/);
    expect(text).toMatch(/dynafeast_serve_request_duration_seconds_count\{endpoint="\/get-online-features"\} [1-9]/);
    expect(text).toMatch(/dynafeast_dynamodb_requests_total\{operation="BatchGetItem"\} [1-9]/);
    expect(text).toContain('dynafeast_serve_in_flight 1');
  });

  it('drains requests in flight on close: every request the server took is answered', async () => {
    // DynamoDB's answers are held back, so every request is still being handled when close() is called.
    const proxy = await startFaultProxy({ target: dynamo.endpoint });
    const slowStore = await FeatureStore.open({ repoPath: repoDir(proxy.endpoint), clock: fixedClock(NOW) });
    const server = createServer(slowStore, { port: 0, registryTtlSec: 0 });
    const url = await server.listen();
    const hold = proxy.hold('BatchGetItem');
    const body = { features: ['driver_hourly_stats:conv_rate'], entities: { driver_id: [1001, 1002] } };
    const requests = Array.from({ length: 40 }, () => post(`${url}/get-online-features`, body));
    while (server.inFlight < 40) await new Promise((r) => setTimeout(r, 5));
    const closed = server.close(10_000);
    // Closed to new connections while the 40 are still waiting for DynamoDB.
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    await hold.release();
    const answers = await Promise.all(requests);
    await closed;
    await slowStore.close();
    await proxy.close();
    expect(answers.map((a) => a.status)).toEqual(new Array(40).fill(200));
  });
});

/** A fresh temp folder, removed after the suite. */
function tempDir(prefix = 'dynafeast-serve-ops-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Polls `check` until it holds (every 50 ms, up to `ms`). */
async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The error `f` throws (it must throw). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

const READ_1001 = { features: ['driver_hourly_stats:conv_rate'], entities: { driver_id: [1001] } };

describe('TLS (--tls-key-path, --tls-cert-path)', () => {
  it('serves HTTPS with the key and certificate files; plain HTTP to its port gets no answer', async () => {
    const files = selfSignedCert(tempDir());
    const { tls } = readServeFiles({ tlsKeyPath: files.key, tlsCertPath: files.cert }, {});
    const url = await serve(tls ? { tls } : {});
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await httpsPost(`${url}/get-online-features`, READ_1001, readFileSync(files.cert));
    expect(res.status).toBe(200);
    expect(res.text).toContain('"values":[0.5]');
    await expect(fetch(`${url.replace('https:', 'http:')}/health`)).rejects.toThrow();
    // and a client that does not trust the certificate does not get through either
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('refuses at start-up a key or certificate that is missing, not PEM, or not a pair, naming the flag', () => {
    const dir = tempDir();
    const a = selfSignedCert(mkdtempSync(path.join(dir, 'a-')));
    const b = selfSignedCert(mkdtempSync(path.join(dir, 'b-')));
    const junk = path.join(dir, 'junk.pem');
    writeFileSync(junk, 'not a PEM file\n');
    const cases: Array<[Parameters<typeof readServeFiles>[0], string, RegExp]> = [
      [{ tlsKeyPath: path.join(dir, 'none.pem'), tlsCertPath: a.cert }, '--tls-key-path', /none\.pem: no such file/],
      [{ tlsKeyPath: a.key, tlsCertPath: path.join(dir, 'none.pem') }, '--tls-cert-path', /none\.pem: no such file/],
      [{ tlsKeyPath: junk, tlsCertPath: a.cert }, '--tls-key-path', /junk\.pem: not a readable unencrypted PEM private key/],
      [{ tlsKeyPath: a.key, tlsCertPath: junk }, '--tls-cert-path', /junk\.pem: not a PEM certificate/],
      [{ tlsKeyPath: a.key, tlsCertPath: b.cert }, '--tls-cert-path', /the certificate is not for the key/],
      [{ tlsKeyPath: a.key }, '', /--tls-key-path was given without its pair/],
    ];
    for (const [flags, flag, message] of cases) {
      const e = thrown(() => readServeFiles(flags, {}));
      expect(e).toMatchObject({ code: 'usage.badFlag', message: expect.stringMatching(message) as unknown });
      if (flag !== '') expect(e).toMatchObject({ path: flag });
    }
  });
});

describe('--auth-token-file', () => {
  it('reads the token from the file (trailing newline trimmed), answers 401 in Feast’s shape without it, and never logs it', async () => {
    const dir = tempDir();
    const token = 'token-from-a-file-0123456789abcdef';
    writeFileSync(path.join(dir, 'token'), `${token}\n`);
    const files = readServeFiles({ authTokenFile: path.join(dir, 'token') }, { DYNAFEAST_SERVE_TOKEN: 'the-environment-loses-to-the-file-0123' });
    expect(files.authToken).toBe(token);
    const log: AccessLogEntry[] = [];
    const url = await serve({ ...(files.authToken !== undefined ? { authToken: files.authToken } : {}), accessLog: (e) => log.push(e) });
    const none = await post(`${url}/get-online-features`, READ_1001);
    const wrong = await post(`${url}/get-online-features`, READ_1001, { authorization: `Bearer ${token.slice(0, -1)}` });
    const right = await post(`${url}/get-online-features`, READ_1001, { authorization: `Bearer ${token}` });
    for (const r of [none, wrong]) {
      expect(r.status).toBe(401);
      expect(detail(r.text)).toMatchObject({ module: 'feast.errors', class: 'FeastPermissionError', code: 'serve.unauthorized' });
    }
    expect(right.status).toBe(200);
    // The CLI's `--log-format json` writes these entries as they are.
    expect(log.map((e) => [e.path, e.status])).toEqual([
      ['/get-online-features', 401],
      ['/get-online-features', 401],
      ['/get-online-features', 200],
    ]);
    const written = log.map((e) => JSON.stringify(e)).join('\n');
    expect(written).not.toContain(token);
    expect(written).not.toContain(token.slice(0, 8));
  });

  it('refuses at start-up a token file that is missing, empty or too short, naming the flag', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'empty'), '');
    writeFileSync(path.join(dir, 'short'), 'abc\n');
    expect(thrown(() => readServeFiles({ authTokenFile: path.join(dir, 'none') }, {}))).toMatchObject({ code: 'usage.badFlag', path: '--auth-token-file' });
    for (const f of ['empty', 'short']) {
      expect(thrown(() => readServeFiles({ authTokenFile: path.join(dir, f) }, {}))).toMatchObject({
        code: 'usage.badArgument',
        path: '--auth-token-file',
        message: expect.stringContaining('shorter than 16 characters') as unknown,
      });
    }
  });
});

describe('--request-timeout', () => {
  it('answers 504 in Feast’s error shape and abandons the DynamoDB call it was waiting for', async () => {
    const proxy = await startFaultProxy({ target: dynamo.endpoint });
    const slowStore = await FeatureStore.open({ repoPath: repoDir(proxy.endpoint), clock: fixedClock(NOW) });
    const server = createServer(slowStore, { port: 0, registryTtlSec: 0, requestTimeoutMs: 300 });
    try {
      const url = await server.listen();
      const hold = proxy.hold('BatchGetItem');
      const res = await post(`${url}/get-online-features`, READ_1001);
      expect(res.status).toBe(504);
      expect(detail(res.text)).toMatchObject({ module: 'feast.errors', class: 'FeastError', code: 'serve.timeout' });
      expect(hold.held()).toHaveLength(1);
      // The server closed its connection to DynamoDB: the call is abandoned, not left running.
      await until(async () => hold.abandoned() === 1, 'the held BatchGetItem to be abandoned');
      await hold.release('drop');
      expect(server.inFlight).toBe(0);
    } finally {
      await server.close(1000);
      await slowStore.close();
      await proxy.close();
    }
  });
});

describe('definitions refresh while serving', () => {
  /** features.yaml with user_profile:late and the late_service feature service added. */
  const LATER = `${DEFINITIONS.replace('      - {name: score, dtype: Float64}', '      - {name: score, dtype: Float64}\n      - {name: late, dtype: Int64}')}  - name: late_service\n    features:\n      - user_profile: [score]\n`;
  const LATE_FEATURE = { features: ['user_profile:late'], entities: { user_id: ['alice'] } };
  const LATE_SERVICE = { feature_service: 'late_service', entities: { user_id: ['alice'] } };

  /** A store on `dir`, served with a 0.2 s refresh; reads keep going the whole time and must all succeed. */
  async function withLiveServer(dir: string, body: (url: string, metrics: () => Promise<string>, warnings: string[]) => Promise<void>): Promise<void> {
    const m = new ServeMetrics();
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (w: string) => warnings.push(w) };
    const live = await FeatureStore.open({ repoPath: dir, clock: fixedClock(NOW), observer: m.dynamo });
    const server = createServer(live, { port: 0, registryTtlSec: 0.2, metrics: m, logger });
    try {
      const url = await server.listen();
      let stop = false;
      const statuses: number[] = [];
      const reads = (async () => {
        while (!stop) statuses.push((await post(`${url}/get-online-features`, READ_1001)).status);
      })();
      try {
        await body(url, async () => (await fetch(`${url}/metrics`)).text(), warnings);
      } finally {
        stop = true;
        await reads;
      }
      expect(statuses.length).toBeGreaterThan(5);
      expect([...new Set(statuses)]).toEqual([200]);
    } finally {
      await server.close(1000);
      await live.close();
    }
  }

  it('serves new YAML definitions after registry_ttl_sec; a broken edit keeps the last good ones, logged and in /metrics', async () => {
    const dir = repoDir(dynamo.endpoint);
    await withLiveServer(dir, async (url, metricsText, warnings) => {
      expect((await post(`${url}/get-online-features`, LATE_FEATURE)).status).toBe(404);
      writeFileSync(path.join(dir, 'features.yaml'), LATER);
      await until(async () => (await post(`${url}/get-online-features`, LATE_FEATURE)).status === 200, 'the new feature');
      const late = await post(`${url}/get-online-features`, LATE_FEATURE);
      expect(late.json()).toMatchObject({ metadata: { feature_names: ['user_id', 'late'] }, results: [{ values: ['alice'] }, { statuses: ['NOT_FOUND'] }] });
      expect((await post(`${url}/get-online-features`, LATE_SERVICE)).status).toBe(200);

      writeFileSync(path.join(dir, 'features.yaml'), 'feature_views: [');
      await until(async () => /dynafeast_serve_definitions_refreshes_total\{result="failed"\} [1-9]/.test(await metricsText()), 'a failed refresh');
      expect(await metricsText()).toContain('dynafeast_serve_definitions_stale 1');
      expect(warnings.filter((w) => w.startsWith('definitions not reloaded, still serving the previous ones'))).toHaveLength(1);
      expect((await post(`${url}/get-online-features`, LATE_FEATURE)).status).toBe(200);

      writeFileSync(path.join(dir, 'features.yaml'), DEFINITIONS);
      await until(async () => (await metricsText()).includes('dynafeast_serve_definitions_stale 0'), 'a good refresh');
      expect((await post(`${url}/get-online-features`, LATE_FEATURE)).status).toBe(404);
    });
  }, 60_000);

  it('serves a changed local registry file after registry_ttl_sec, and keeps the last good one when it is corrupted', async () => {
    // A repo without definition files reads its definitions from the registry (data/registry.db).
    const dir = repoDir(dynamo.endpoint);
    const config = loadConfig({ repoPath: dir, env: {} });
    const registry = registryPathOf(config);
    const commit = async (yaml: string) => {
      const scratch = repoDir(dynamo.endpoint);
      writeFileSync(path.join(scratch, 'features.yaml'), yaml);
      const desired = buildRegistryObjects(config.project, loadRepo(scratch, loadConfig({ repoPath: scratch, env: {} })));
      const planned = reconcileRegistry(await readRegistryIfExists(registry), config.project, desired, 0n).changes;
      await commitRegistryChanges(registry, config.project, desired, planned);
    };
    await commit(DEFINITIONS);
    unlinkSync(path.join(dir, 'features.yaml'));
    await withLiveServer(dir, async (url, metricsText) => {
      expect((await post(`${url}/get-online-features`, LATE_SERVICE)).status).toBe(404);
      await commit(LATER);
      await until(async () => (await post(`${url}/get-online-features`, LATE_SERVICE)).status === 200, 'the new feature service');
      expect((await post(`${url}/get-online-features`, LATE_FEATURE)).status).toBe(200);

      writeFileSync(registry, 'not a registry');
      await until(async () => (await metricsText()).includes('dynafeast_serve_definitions_stale 1'), 'a failed refresh');
      expect((await post(`${url}/get-online-features`, LATE_SERVICE)).status).toBe(200);
    });
  }, 60_000);
});

describe('writes and materialization over HTTP', () => {
  it('POST /materialize-incremental (Feast’s MaterializeIncrementalRequest) fills the tables; reads see the rows; /metrics counts the writes', async () => {
    const example = await exampleRepo(dynamo.client, dynamo.endpoint);
    try {
      writeFileSync(path.join(example.dir, 'feature_store.yaml'), featureStoreYaml({ project: example.config.project, endpoint: dynamo.endpoint }));
      const m = new ServeMetrics();
      const exampleStore = await FeatureStore.open({ repoPath: example.dir, clock: fixedClock(EXAMPLE_NOW), observer: m.dynamo });
      const server = createServer(exampleStore, { port: 0, registryTtlSec: 0, metrics: m });
      try {
        const url = await server.listen();
        const view = defined(example.repo.featureViews[0]);
        const features = view.features.map((f) => `${view.name}:${f.name}`);
        const read = { features, entities: { driver_id: [1001, 1002] } };
        const before = (await post(`${url}/get-online-features`, read)).json() as { results: Array<{ statuses: string[] }> };
        expect(before.results[1]?.statuses).toEqual(['NOT_FOUND', 'NOT_FOUND']);

        const mat = await post(`${url}/materialize-incremental`, { end_ts: '2026-01-01T00:00:00', feature_views: [view.name], full_feature_names: false });
        expect([mat.status, mat.text]).toEqual([200, 'null']);
        const after = (await post(`${url}/get-online-features`, read)).json() as { results: Array<{ statuses: string[]; values: unknown[] }> };
        for (const column of after.results.slice(1)) expect(column.statuses).toEqual(['PRESENT', 'PRESENT']);

        const text = await (await fetch(`${url}/metrics`)).text();
        expect(text).toMatch(/dynafeast_dynamodb_requests_total\{operation="BatchWriteItem"\} [1-9]/);
        expect(text).toMatch(/dynafeast_serve_requests_total\{endpoint="\/materialize-incremental",status="200"\} 1/);
        // a wrong body is a 4xx naming the field, as for every endpoint
        const bad = await post(`${url}/materialize-incremental`, { feature_views: [view.name] });
        expect([bad.status, detail(bad.text).code]).toEqual([422, 'usage.badArgument']);
      } finally {
        await server.close(1000);
        await exampleStore.close();
      }
    } finally {
      await example.cleanup();
    }
  }, 60_000);

  it('counts write requests, retries and throttles in the families reads use', async () => {
    // Every BatchWriteItem is throttled twice before it goes through.
    const proxy = await startFaultProxy({ target: dynamo.endpoint, rates: { throttle: 1 }, actions: ['BatchWriteItem'], maxFaults: 2 });
    const m = new ServeMetrics();
    const writeStore = await FeatureStore.open({ repoPath: repoDir(proxy.endpoint), clock: fixedClock(NOW), observer: m.dynamo });
    const server = createServer(writeStore, { port: 0, registryTtlSec: 0, metrics: m });
    try {
      const url = await server.listen();
      const df = { user_id: ['dan'], score: [4.5], event_timestamp: ['2021-04-12T08:00:00'] };
      const write = await post(`${url}/write-to-online-store`, { feature_view_name: 'user_profile', df });
      expect([write.status, write.text]).toEqual([200, 'null']);
      await post(`${url}/get-online-features`, { features: ['user_profile:score'], entities: { user_id: ['dan'] } });
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toContain('dynafeast_dynamodb_requests_total{operation="BatchWriteItem"} 3');
      expect(text).toContain('dynafeast_dynamodb_retries_total{operation="BatchWriteItem"} 2');
      expect(text).toContain('dynafeast_dynamodb_throttles_total{operation="BatchWriteItem"} 2');
      expect(text).toMatch(/dynafeast_dynamodb_requests_total\{operation="BatchGetItem"\} 1\n/);
      expect(proxy.stats().faults.throttle).toBe(2);
    } finally {
      await server.close(1000);
      await writeStore.close();
      await proxy.close();
    }
  });
});
