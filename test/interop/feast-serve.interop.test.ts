/**
 * `dynafeast serve` against `feast serve` (Feast 0.67) on the same repo and the same store: Feast applies
 * and materializes a Python repo, both servers serve it, the same requests go to both and the answers
 * are compared — status and body byte for byte for reads (every dtype, missing entities, composite and
 * Int32 keys, a feature service, full feature names), the Feast error class for errors Feast names.
 * Then a Feast Python client with `online_store: {type: remote}` reads through dynafeast serve what it
 * reads from DynamoDB directly, and writes through it.
 */
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AWS_DUMMY_ENV, binPath, expectOk, interopPython, repoRoot, run, runPython, tempDir } from '../helpers/interop.js';
import { freePort, startServer, stopChild, waitForPort, type Server } from '../helpers/interop-server.js';
import { featureStoreYaml } from '../helpers/config.js';
import { defined } from '../helpers/defined.js';

const FIXTURES = path.join(repoRoot, 'test', 'interop', 'fixtures');
const PROJECT = 'serve_repo';
const ALL_TYPES = ['f_int32', 'f_int64', 'f_float32', 'f_float64', 'f_string', 'f_bytes', 'f_bool', 'f_ts', 'f_json'].concat(
  ['int32', 'int64', 'float32', 'float64', 'string', 'bytes', 'bool', 'ts', 'json'].map((t) => `l_${t}`),
);

let root: string;
let repo: string;
let store: Server | undefined;
const children: ChildProcess[] = [];
let feastUrl: string;
let dynaUrl: string;

async function startChild(cmd: string, args: string[], env: Record<string, string>, port: number): Promise<string> {
  const child = spawn(cmd, args, { cwd: repo, env: { ...process.env, NO_COLOR: '1', ...AWS_DUMMY_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let log = '';
  defined(child.stdout).on('data', (d) => (log += d));
  defined(child.stderr).on('data', (d) => (log += d));
  await waitForPort(port, child, () => log, 120_000);
  return `http://127.0.0.1:${port}`;
}

/**
 * One HTTP request on a connection of its own. fetch would reuse keep-alive connections, and `feast serve`
 * (gunicorn) closes an idle one after 2 s without saying so: the next request on it fails at once.
 */
function request(url: string, method: 'GET' | 'POST', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> =
      body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request(url, { method, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const post = (url: string, body: unknown) => request(url, 'POST', JSON.stringify(body));

/** The raw JSON text of each element of a JSON array's text (strings and nesting respected). */
function splitArray(text: string, from: number): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = from + 1;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) {
        if (i > start) out.push(text.slice(start, i));
        return out;
      }
    } else if (ch === ',' && depth === 1) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  throw new Error('unterminated array');
}

/**
 * Column name → that column's raw result text (values, statuses, timestamps exactly as written). Feast
 * orders the features of one view as a Python set does (by hash seed), so columns are compared by name.
 */
function columns(text: string): { names: string[]; byName: Map<string, string> } {
  const names = (JSON.parse(text) as { metadata: { feature_names: string[] } }).metadata.feature_names;
  const results = splitArray(text, text.indexOf('['));
  return { names, byName: new Map(names.map((n, i) => [n, results[i] ?? ''])) };
}

beforeAll(async () => {
  root = tempDir('dynafeast-serve-interop-');
  mkdirSync(path.join(root, 'store'));
  store = await startServer('dynalite', path.join(root, 'store'));
  repo = path.join(root, 'repo');
  mkdirSync(repo);
  writeFileSync(path.join(repo, 'feature_store.yaml'), featureStoreYaml({ project: PROJECT, endpoint: store.endpoint }));
  cpSync(path.join(FIXTURES, 'python-repo', 'features.py'), path.join(repo, 'features.py'));
  cpSync(path.join(FIXTURES, 'serve-repo', 'push_views.py'), path.join(repo, 'push_views.py'));
  expectOk('make_data.py', await runPython('make_data.py', [path.join(repo, 'data')]));
  const feast = path.join(path.dirname(interopPython()), 'feast');
  expectOk('feast apply', await run(feast, ['apply'], { cwd: repo, env: store.credentialsEnv }));
  expectOk(
    'feast materialize',
    await run(
      feast,
      [
        'materialize',
        '2023-12-31T00:00:00',
        '2024-01-03T00:00:00',
        ...['all_types', 'driver_customer', 'store_stats', 'global_stats'].flatMap((v) => ['-v', v]),
      ],
      { cwd: repo, env: store.credentialsEnv },
    ),
  );
  const [feastPort, dynaPort] = [await freePort(), await freePort()];
  feastUrl = await startChild(feast, ['serve', '-p', String(feastPort), '--no-access-log'], store.credentialsEnv, feastPort);
  dynaUrl = await startChild(process.execPath, [binPath, 'serve', '-p', String(dynaPort), '--log-format', 'none'], store.credentialsEnv, dynaPort);
}, 300_000);

afterAll(async () => {
  for (const c of children) await stopChild(c);
  await store?.stop();
  if (process.env.INTEROP_KEEP === '1') console.log(`interop files kept in ${root}`);
  else if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

const READS: Array<[string, Record<string, unknown>]> = [
  ['every dtype, missing entities', { features: ALL_TYPES.map((f) => `all_types:${f}`), entities: { driver_id: [1, 2, 3, 4, 5, 6, 404] } }],
  ['every dtype with full feature names', { features: ALL_TYPES.map((f) => `all_types:${f}`), entities: { driver_id: [5, 1] }, full_feature_names: true }],
  [
    'a composite key',
    {
      features: ['driver_customer:trips', 'driver_customer:spend', 'driver_customer:last_seen'],
      entities: { driver_id: [1, 1, 2, 3, 9], customer_id: ['C1', 'C2', 'C1', 'ü😀', 'C1'] },
    },
  ],
  ['an Int32 key', { features: ['store_stats:visitors', 'store_stats:open'], entities: { store_id: [10, -3, 2147483647, 1] } }],
  [
    'views in an order of their own',
    { features: ['store_stats:open', 'all_types:f_string', 'store_stats:visitors'], entities: { driver_id: [6], store_id: [10] } },
  ],
  ['a feature service', { feature_service: 'interop_service', entities: { driver_id: [1, 2, 404] } }],
  ['a feature service with full names', { feature_service: 'interop_service', entities: { driver_id: [2] }, full_feature_names: true }],
  ['duplicate entity rows', { features: ['all_types:f_int64'], entities: { driver_id: [2, 2, 2] } }],
];

describe('POST /get-online-features: dynafeast serve answers what feast serve answers', () => {
  it.each(READS)('%s', async (_what, body) => {
    const [theirs, ours] = [await post(`${feastUrl}/get-online-features`, body), await post(`${dynaUrl}/get-online-features`, body)];
    expect(theirs.status).toBe(200);
    expect(ours.status).toBe(200);
    const [a, b] = [columns(ours.text), columns(theirs.text)];
    expect([...a.names].sort()).toEqual([...b.names].sort());
    for (const name of b.names) expect(`${name}: ${a.byName.get(name)}`).toBe(`${name}: ${b.byName.get(name)}`);
    // join keys first, then the views in the order first asked for
    const keys = Object.keys(body.entities as object).length;
    expect(a.names.slice(0, keys)).toEqual(b.names.slice(0, keys));
  });

  it.each([
    ['an unknown view', { features: ['nope:f_int64'], entities: { driver_id: [1] } }],
    ['an unknown feature service', { feature_service: 'nope', entities: { driver_id: [1] } }],
  ])('%s: the same status and Feast error class', async (_what, body) => {
    const [theirs, ours] = [await post(`${feastUrl}/get-online-features`, body), await post(`${dynaUrl}/get-online-features`, body)];
    expect(ours.status).toBe(theirs.status);
    const cls = (t: string) => (JSON.parse(JSON.parse(t) as string) as { class: string }).class;
    expect(cls(ours.text)).toBe(cls(theirs.text));
  });

  it('an unknown feature of a known view: feast serve answers 500, dynafeast a 404 naming it', async () => {
    const body = { features: ['all_types:nope'], entities: { driver_id: [1] } };
    const [theirs, ours] = [await post(`${feastUrl}/get-online-features`, body), await post(`${dynaUrl}/get-online-features`, body)];
    expect(theirs.status).toBeGreaterThanOrEqual(400);
    expect(ours.status).toBe(404);
    expect(ours.text).toContain('nope');
  });

  it('/health answers 200 on both', async () => {
    expect((await request(`${feastUrl}/health`, 'GET')).status).toBe(200);
    expect((await request(`${dynaUrl}/health`, 'GET')).status).toBe(200);
  });
});

describe("a Feast Python client of dynafeast serve (online_store type 'remote')", () => {
  let remote: string;
  let remoteOfFeast: string;

  /** A client repo whose online store is the feature server at `url`, with the served repo's registry. */
  function remoteRepo(name: string, url: string): string {
    const dir = path.join(root, name);
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'feature_store.yaml'),
      [
        `project: ${PROJECT}`,
        `registry: ${path.join(repo, 'data', 'registry.db')}`,
        'provider: local',
        'online_store:',
        '  type: remote',
        `  path: ${url}`,
        'entity_key_serialization_version: 3',
        '',
      ].join('\n'),
    );
    return dir;
  }

  beforeAll(() => {
    remote = remoteRepo('remote-repo', dynaUrl);
    remoteOfFeast = remoteRepo('remote-of-feast-repo', feastUrl);
  });

  async function feastRead(repoDir: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const req = path.join(root, `req-${Math.random().toString(36).slice(2)}.json`);
    const out = `${req}.out`;
    writeFileSync(req, JSON.stringify(request));
    expectOk(`feast_read.py ${repoDir}`, await runPython('feast_read.py', [repoDir, req, out], { env: defined(store).credentialsEnv }));
    const doc = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    // The remote store hands back no event timestamps (Feast's RemoteOnlineStore drops them), and Feast
    // orders one view's features as a Python set does.
    delete doc.event_timestamps;
    doc.columns = [...(doc.columns as string[])].sort();
    return doc;
  }

  it.each([
    // Not drivers 2, 4 and 5: Feast's own remote client cannot rebuild empty lists ("Couldn't infer value
    // type from empty value") nor float lists holding "NaN"/"Infinity" ("List value type ... is
    // inconsistent") from any feature server's answer (RemoteOnlineStore._build_online_response_from_json).
    ['every dtype', { features: ALL_TYPES.map((f) => `all_types:${f}`), entity_rows: [1, 3, 6, 404].map((d) => ({ driver_id: d })) }],
    ['a feature service', { feature_service: 'interop_service', entity_rows: [{ driver_id: 1 }, { driver_id: 404 }] }],
  ])('reads %s as it reads it from feast serve', async (_what, request) => {
    // The remote client turns JSON back into values its own way (Json stays text, timestamps become
    // integers): the same client in front of feast serve is the reference.
    expect(await feastRead(remote, request)).toEqual(await feastRead(remoteOfFeast, request));
  });

  it('reads a feature service as Feast reads it from DynamoDB directly', async () => {
    const request = { feature_service: 'interop_service', entity_rows: [{ driver_id: 1 }, { driver_id: 404 }] };
    expect(await feastRead(remote, request)).toEqual(await feastRead(repo, request));
  });

  it('writes through dynafeast serve (write_to_online_store, push) what Feast then reads from DynamoDB', async () => {
    expectOk('feast_remote_write.py', await runPython('feast_remote_write.py', [remote]));
    const read = await feastRead(repo, { features: ['rider_stats:rides', 'rider_stats:rating'], entity_rows: [1, 2, 3].map((r) => ({ rider_id: r })) });
    expect(read.values).toEqual({ rider_id: [1, 2, 3], rides: [10, 20, 30], rating: [4.5, 3.25, 5] });
  });
});

describe('POST /push: the same rows pushed through either server read back the same', () => {
  it('to online', async () => {
    const df = (id: number) => ({ rider_id: [id], rides: [7], rating: [1.5], event_timestamp: ['2024-01-02T11:00:00'] });
    const theirs = await post(`${feastUrl}/push`, { push_source_name: 'rider_push', df: df(100), to: 'online' });
    const ours = await post(`${dynaUrl}/push`, { push_source_name: 'rider_push', df: df(101), to: 'online' });
    expect([ours.status, ours.text]).toEqual([theirs.status, theirs.text]);
    const read = await post(`${feastUrl}/get-online-features`, { features: ['rider_stats:rides', 'rider_stats:rating'], entities: { rider_id: [100, 101] } });
    const cols = columns(read.text).byName;
    expect(JSON.parse(cols.get('rides') ?? '')).toMatchObject({ values: [7, 7], event_timestamps: ['2024-01-02T11:00:00Z', '2024-01-02T11:00:00Z'] });
    expect(cols.get('rating')).toContain('"values":[1.5,1.5]');
  });

  it('every Feast 0.67 value type: the same JSON written through either server reads back the same text from both', async () => {
    const U1 = '6f1c3a52-9b7e-4c1d-8e2f-0a1b2c3d4e5f';
    const df = (id: number) => ({
      rider_id: [id],
      uuid: [U1],
      tuuid: ['d2b7a0c4-1f3e-11ee-be56-0242ac120002'],
      dec: ['12.50'],
      // no PdfBytes (nor Bytes): Feast's server refuses any JSON for bytes ("Type `<class 'str'>` not in {<class 'bytes'>}")
      // one key: Feast writes a Map's keys in upb's hash order, a new one per process
      attrs: [{ k: [1.5, 2.5] }],
      person: [{ a: 5, b: 'y' }],
      uuids: [[U1]],
      decs: [['-2E+3']],
      grid: [[[1, 2], [3]]],
      event_timestamp: ['2024-01-02T11:00:00'],
    });
    const theirs = await post(`${feastUrl}/write-to-online-store`, { feature_view_name: 'new_types', df: df(200) });
    const ours = await post(`${dynaUrl}/write-to-online-store`, { feature_view_name: 'new_types', df: df(201) });
    expect([ours.status, ours.text]).toEqual([theirs.status, theirs.text]);
    const names = ['uuid', 'tuuid', 'dec', 'attrs', 'person', 'uuids', 'decs', 'grid'];
    const body = { features: names.map((n) => `new_types:${n}`), entities: { rider_id: [200, 201] } };
    const [a, b] = [await post(`${feastUrl}/get-online-features`, body), await post(`${dynaUrl}/get-online-features`, body)];
    expect([a.status, b.status]).toEqual([200, 200]);
    const [fa, fb] = [columns(a.text).byName, columns(b.text).byName];
    // A Map's or Struct's keys come in the order stored, which for Feast's writes is upb's hash order
    // (a new one per process): those columns are compared as parsed JSON, the others as text.
    const unordered = new Set(['attrs', 'person']);
    for (const n of names) {
      if (unordered.has(n)) expect([n, JSON.parse(defined(fb.get(n)))]).toEqual([n, JSON.parse(defined(fa.get(n)))]);
      else expect([n, fb.get(n)]).toEqual([n, fa.get(n)]);
      // both rows (Feast's write, dynafeast's) hold the same value
      const [v0, v1] = splitArray(defined(fa.get(n)), defined(fa.get(n)).indexOf('['));
      if (unordered.has(n)) expect(JSON.parse(defined(v1))).toEqual(JSON.parse(defined(v0)));
      else expect([n, v1]).toEqual([n, v0]);
    }
  });

  it('to offline: dynafeast refuses with a 422 naming it instead of writing half', async () => {
    const ours = await post(`${dynaUrl}/push`, {
      push_source_name: 'rider_push',
      df: { rider_id: [1], rides: [1], rating: [1], event_timestamp: ['2024-01-02T11:00:00'] },
      to: 'offline',
    });
    expect(ours.status).toBe(422);
  });
});
