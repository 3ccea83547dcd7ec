/**
 * Feast reads the right values at the scale (architecture.md §4.11), and `verify` and the parquet
 * twin hold there too: on moto server, an application table of 50,000 items of mixed kinds plus the
 * dtypes' edge values (Int32/Int64 extremes, a whole Float64 beyond 2^53, empty lists, nulls) is
 * materialized — a run interrupted mid-scan through its AbortSignal, then the `dynafeast` binary, which
 * resumes from the checkpoint without scanning the done segment again and writes the same rows from a
 * parquet file into a second view — and Feast 0.67's get_online_features returns, for a sample spread
 * over the key space (every 24th user, which takes in users written twice), the edge users and an
 * unknown one, exactly the values the fixture defines, each as Feast's Python gives it
 * (scripts/interop/feast_read.py). The online items written from the table equal the parquet twin's byte
 * for byte; `dynafeast verify` passes (exit 0) on the twin's view, then finds in the DynamoDB view each of
 * a deleted, a stale, a changed and an extra item and nothing else (exit 1).
 * One `verify` of each view, not both on each: moto 5.2 spends ~3.4 ms of CPU per item a Scan of this
 * table returns (architecture.md §4.11), so each run that scans the source costs ~3 min here. The
 * DynamoDB view's exact counts (1 of each kind among all 50,042 users checked) show the other users
 * match; the reliability tier runs both verifies on the DynamoDB view (dynalite, DynamoDB Local).
 * Run by scripts/interop/run.sh in its moto part only (moto is what it needs; dynalite at this scale is
 * the reliability tier's, test/reliability/dynamodb-source-50k.rel.ts).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_DUMMY_ENV, binPath, expectOk, run, tempDir } from '../helpers/interop.js';
import { startServer, type Server } from '../helpers/interop-server.js';
import { feastRead } from '../helpers/interop-peers.js';
import { materialize } from '../../src/core/materialize/run-materialize.js';
import { defined } from '../helpers/defined.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { tableNameOf } from '../../src/core/layout/table-name.js';
import {
  edgeProfiles,
  interruptScan,
  latestProfiles,
  makeProfiles,
  profilesRepo,
  DDB_VIEW,
  FILE_VIEW,
  type Profile,
  type ProfilesRepo,
} from '../helpers/dynamodb-source-fixture.js';
import { EXTRA_ENTITY_ID, injectDifferences, twinDifferences } from '../helpers/dynamodb-source-checks.js';
import type { StoredItem } from '../helpers/materialize-fixture.js';

const SAFE = 2n ** 53n - 1n;
const FEATURES = ['age', 'visits', 'score', 'ratio', 'name', 'active', 'avatar', 'tags', 'history', 'lucky', 'labels', 'blobs', 'prefs'] as const;

/** feast_read.py's canonical form of an int: a number within ±(2^53−1), else its decimal text. */
const int = (v: bigint): number | string => (v >= -SAFE && v <= SAFE ? Number(v) : String(v));
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
/** A Python set as feast_read.py writes it: sorted by the JSON text of each (canonical) element. */
const pySet = (xs: Array<number | string>) =>
  [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));

/** What Feast returns for each feature of `p` (its latest row). */
function expectedValues(p: Profile): Record<(typeof FEATURES)[number], unknown> {
  return {
    age: p.age,
    visits: int(p.visits),
    score: p.score,
    ratio: p.ratio,
    name: p.name,
    active: p.active,
    avatar: b64(p.avatar),
    tags: p.tags,
    history: p.history,
    lucky: pySet(p.lucky.map(int)),
    labels: pySet(p.labels),
    blobs: pySet(p.blobs.map(b64)),
    prefs: {
      plan: p.prefs.plan,
      seats: int(p.prefs.seats),
      tier: { level: int(p.prefs.tier.level), beta: p.prefs.tier.beta },
      codes: p.prefs.codes,
      note: p.prefs.note,
    },
  };
}

const WINDOW = ['2025-01-01', '2026-01-01'] as const;
const profiles = [...makeProfiles(50_000), ...edgeProfiles()];
const USERS = latestProfiles(profiles).size;

let root: string;
let server: Server | undefined;
let proxy: FaultProxy | undefined;
let client: DynamoDBClient | undefined;
let r: ProfilesRepo;
/** The DynamoDB view's online items, as the twin comparison scanned them. */
let ddbItems: StoredItem[] = [];
afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await server?.stop();
});

it('Feast 0.67 reads what dynafeast materialized from a 50,000-item DynamoDB table on moto', async () => {
  root = tempDir('dynafeast-interop-ddb50k-');
  mkdirSync(path.join(root, 'server'));
  server = await startServer('moto', path.join(root, 'server'));
  client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: AWS_DUMMY_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: AWS_DUMMY_ENV.AWS_SECRET_ACCESS_KEY },
  });
  // the source is read through a pass-through proxy: to hold segments at a known point and see each Scan
  const scans: Array<{ Segment?: number; ExclusiveStartKey?: unknown }> = [];
  proxy = await startFaultProxy({
    target: server.endpoint,
    respond: ({ action, body }) => {
      if (action === 'Scan') scans.push(JSON.parse(body) as (typeof scans)[number]);
      return undefined;
    },
  });
  // the application table filled, the parquet twin written and the repo applied
  r = await profilesRepo(client, server.endpoint, profiles, {
    sourceLines: [`    endpoint_url: ${proxy.endpoint}`, '    segments: 4'],
    onlineStoreLines: ['  read_timeout: 300'],
  });
  const repo = r.dir;
  const atAbort = await interruptScan(repo, proxy, 4, (signal) => materialize(r.ctx({ signal }), { start: WINDOW[0], end: WINDOW[1], views: [DDB_VIEW] }));
  const before = scans.length;
  // every view: the DynamoDB one resumes, the twin's is written from the parquet file
  const resumed = expectOk('dynafeast materialize', await run(process.execPath, [binPath, '-c', repo, 'materialize', ...WINDOW], { timeoutMs: 900_000 }));
  expect(resumed.stdout + resumed.stderr).toContain('1 of 4 segments resumed');
  const again = scans.slice(before);
  expect(again.filter((q) => q.Segment === 0)).toEqual([]);
  for (const seg of [1, 2, 3]) expect(again.find((q) => q.Segment === seg)?.ExclusiveStartKey).toEqual(atAbort.state[seg]?.lastKey);

  const latest = latestProfiles(profiles);
  const users = [...latest.keys()];
  const sample = [...users.filter((_, i) => i % 24 === 0), ...edgeProfiles().map((p) => p.userId), 'nobody'];
  const read = await feastRead(root, repo, server, {
    features: FEATURES.map((f) => `${DDB_VIEW}:${f}`),
    entity_rows: sample.map((user_id) => ({ user_id })),
  });

  const expected: Record<string, unknown[]> = { user_id: sample };
  for (const f of FEATURES) expected[f] = sample.map((u) => (latest.has(u) ? expectedValues(latest.get(u) as Profile)[f] : null));
  for (const f of ['user_id', ...FEATURES]) expect({ [f]: read.values[f] }).toEqual({ [f]: expected[f] });
  const seconds = sample.map((u) => (latest.has(u) ? Number((latest.get(u) as Profile).updatedMs / 1000n) : 0));
  expect(read.event_timestamps.name).toEqual(seconds);
  expect(sample.length).toBeGreaterThan(2000);
}, 1_500_000);

it("the items written from the table equal the parquet twin's byte for byte", async () => {
  const twin = await twinDifferences(defined(client), r.config);
  expect(twin.fromTable.size).toBe(USERS);
  expect(twin.fromFile.size).toBe(USERS);
  expect(twin.different).toEqual([]);
  ddbItems = [...twin.fromTable.values()];
}, 600_000);

/** `dynafeast --json verify` of one view over the window: its exit code and report. */
async function verifyView(view: string): Promise<{ code: number | null; report: { ok: boolean; views: Array<Record<string, unknown>> } }> {
  const out = await run(process.execPath, [binPath, '-c', r.dir, '--json', 'verify', ...WINDOW, '--views', view, '--no-progress'], { timeoutMs: 900_000 });
  if (out.code !== 0 && out.code !== 1) expectOk(`dynafeast verify --views ${view}`, out);
  return { code: out.code, report: JSON.parse(out.stdout) as { ok: boolean; views: Array<Record<string, unknown>> } };
}

it('verify passes on a clean store and finds a deleted, a stale, a changed and an extra item', async () => {
  const clean = await verifyView(FILE_VIEW);
  expect(clean.report.views).toEqual([
    expect.objectContaining({ view: FILE_VIEW, offline_entities: USERS, checked: USERS, missing: 0, stale: 0, different: 0, extra: 0, newer: 0 }),
  ]);
  expect(clean.report.ok).toBe(true);
  expect(clean.code).toBe(0);

  await injectDifferences(defined(client), tableNameOf(r.config, DDB_VIEW), ddbItems);
  const found = await verifyView(DDB_VIEW);
  expect(found.code).toBe(1);
  expect(found.report.ok).toBe(false);
  const v = defined(found.report.views[0]);
  expect(v).toMatchObject({ view: DDB_VIEW, offline_entities: USERS, checked: USERS, missing: 1, stale: 1, different: 1, extra: 1, newer: 0 });
  expect(Object.entries(v.different_by_feature as Record<string, number>).filter(([, n]) => n > 0)).toEqual([['score', 1]]);
  expect(v.examples).toEqual({
    missing: [expect.stringMatching(/^user_id=/)],
    stale: [expect.stringMatching(/^user_id=/)],
    different: [expect.stringMatching(/^user_id=.*: score$/)],
    extra: [`entity_id ${EXTRA_ENTITY_ID}`],
  });
}, 1_200_000);
