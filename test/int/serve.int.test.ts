/**
 * `dynafeast serve` over real HTTP on loopback, in front of a real DynamoDB-compatible server: Feast's
 * response bytes for reads, every error class as a 4xx naming it, limits, auth, who may call, metrics,
 * and a close that drains requests in flight.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../src/core/context.js';
import { createServer, FeatureStore, ServeMetrics, type FeatureServer, type ServeOptions } from '../../src/index.js';
import { DEFINITIONS } from '../helpers/online-definitions.js';
import { startTestServer, type TestServer } from '../helpers/plan-apply-server.js';
import { createOnlineFixture, DAY, HOUR, NOW, type OnlineFixture } from '../helpers/online-fixture.js';
import { featureStoreYaml } from '../helpers/config.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';

let dynamo: TestServer;
let fx: OnlineFixture;
let store: FeatureStore;
let metrics: ServeMetrics;
const dirs: string[] = [];
const servers: FeatureServer[] = [];

async function serve(opts: ServeOptions = {}): Promise<string> {
  const server = createServer(store, { port: 0, registryTtlSec: 0, metrics, ...opts });
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
