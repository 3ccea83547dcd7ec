/**
 * `dynafeast serve` as a user runs it: the built binary on a copy of examples/driver-stats. POST
 * /materialize fills the tables from the example's parquet, reads answer what was written, and SIGTERM
 * under load drains: every request the server took is answered, then it exits 0.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { repoRoot, runCli, startCli, STACK_FRAME, tempDir } from '../helpers/cli.js';
import { featureStoreYaml } from '../helpers/config.js';
import { httpsPost, selfSignedCert } from '../helpers/tls.js';

let dynalite: TestDynalite;
let proxy: FaultProxy;
const repo = path.join(tempDir(), 'driver-stats');

beforeAll(async () => {
  dynalite = await startDynalite();
  // DynamoDB behind a proxy that can hold its answers back (requests then stay in flight at will).
  proxy = await startFaultProxy({ target: dynalite.endpoint });
  cpSync(path.join(repoRoot, 'examples', 'driver-stats'), repo, { recursive: true });
  writeFileSync(path.join(repo, 'feature_store.yaml'), featureStoreYaml({ project: 'driver_stats', endpoint: proxy.endpoint }));
  expect((await runCli(['-c', repo, 'apply', '--yes', '--no-progress'])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await dynalite?.stop();
});

async function post(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

const READ = { features: ['driver_hourly_stats:conv_rate', 'driver_hourly_stats:avg_daily_trips'], entities: { driver_id: [1001, 1002, 9999] } };

it('materializes over HTTP, serves the rows, and drains every request in flight on SIGTERM', async () => {
  const server = await startCli(['-c', repo, '--json', 'serve', '-p', '0', '--log-format', 'json', '--registry-ttl-sec', '0'], /"url":\s*"[^"]+"/);
  const url = /"url":\s*"([^"]+)"/.exec(server.output())?.[1] ?? '';

  const mat = await post(`${url}/materialize`, { start_ts: '2021-01-01T00:00:00', end_ts: '2030-01-01T00:00:00', feature_views: ['driver_hourly_stats'] });
  expect([mat.status, mat.text]).toEqual([200, 'null']);
  const read = await post(`${url}/get-online-features`, READ);
  expect(read.status).toBe(200);
  const body = JSON.parse(read.text) as { results: Array<{ statuses: string[] }>; metadata: { feature_names: string[] } };
  expect(body.metadata.feature_names).toEqual(['driver_id', 'conv_rate', 'avg_daily_trips']);
  // The example's rows are from 2021, older than the view's ttl: found, and answered as expired.
  expect(body.results[1]?.statuses).toEqual(['OUTSIDE_MAX_AGE', 'OUTSIDE_MAX_AGE', 'NOT_FOUND']);

  const bad = await post(`${url}/get-online-features`, { features: ['driver_hourly_stats:nope'], entities: { driver_id: [1] } });
  expect(bad.status).toBe(404);

  // 30 reads held at DynamoDB, then SIGTERM: each is answered, new connections are refused, exit 0.
  const hold = proxy.hold('BatchGetItem');
  const requests = Array.from({ length: 30 }, () => post(`${url}/get-online-features`, READ));
  for (;;) {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    if (/dynafeast_serve_in_flight 31/.test(metrics)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  server.child.kill('SIGTERM');
  for (let i = 0; ; i++) {
    if (/draining 30 request/.test(server.output())) break;
    if (i > 500) throw new Error(`no drain message:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  await expect(fetch(`${url}/health`)).rejects.toThrow();
  await hold.release();
  const answers = await Promise.all(requests);
  expect(answers.map((a) => a.status)).toEqual(new Array(30).fill(200));
  const exited = await server.exited;
  expect(exited.code).toBe(0);
  // JSON access log lines on stderr, no stack trace anywhere
  const log = exited.stderr.split('\n').filter((l) => l.startsWith('{'));
  expect(log.map((l) => (JSON.parse(l) as { path: string }).path)).toContain('/get-online-features');
  expect(exited.stdout + exited.stderr).not.toMatch(STACK_FRAME);
}, 120_000);

it('serves HTTPS with a token read from a file; its JSON access log never holds the token', async () => {
  const dir = tempDir();
  const { key, cert } = selfSignedCert(dir);
  const token = 'e2e-token-from-a-file-0123456789abcdef';
  writeFileSync(path.join(dir, 'token'), `${token}\n`);
  const server = await startCli(
    [
      '-c',
      repo,
      '--json',
      'serve',
      '-p',
      '0',
      '--log-format',
      'json',
      '--tls-key-path',
      key,
      '--tls-cert-path',
      cert,
      '--auth-token-file',
      path.join(dir, 'token'),
    ],
    /"url":\s*"[^"]+"/,
  );
  const url = /"url":\s*"([^"]+)"/.exec(server.output())?.[1] ?? '';
  expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const ca = readFileSync(cert);
  const none = await httpsPost(`${url}/get-online-features`, READ, ca);
  const wrong = await httpsPost(`${url}/get-online-features`, READ, ca, { authorization: `Bearer x${token}` });
  const right = await httpsPost(`${url}/get-online-features`, READ, ca, { authorization: `Bearer ${token}` });
  expect([none.status, wrong.status, right.status]).toEqual([401, 401, 200]);
  server.child.kill('SIGTERM');
  const exited = await server.exited;
  expect(exited.code).toBe(0);
  const log = exited.stderr.split('\n').filter((l) => l.startsWith('{'));
  expect(log.map((l) => (JSON.parse(l) as { status: number }).status)).toEqual([401, 401, 200]);
  expect(exited.stdout + exited.stderr).not.toContain(token);
  expect(exited.stdout + exited.stderr).not.toMatch(STACK_FRAME);
}, 60_000);
