/**
 * The scale: an application table of 50,000 items of mixed attribute kinds (and the dtypes'
 * edge values), read by 4-segment parallel Scan. An interrupted scan resumes from its checkpoint without
 * scanning a done segment again; the result is exactly the items the same rows give from a parquet file;
 * `verify` passes on that store and then finds each injected difference (deleted, stale, changed, extra).
 *
 * Runs on in-process dynalite in the reliability tier, then scripts/test-reliability.sh runs it again
 * against DynamoDB Local (and moto, if RELIABILITY_50K_SERVERS names it: ~18 min there, moto 5.2 spending
 * ~3.4 ms of CPU per item a Scan of the source returns: architecture.md §4.11) through
 * scripts/test-server-tier.sh. On moto the interop tier covers the scan, its resume, the twin, verify
 * (a clean pass on the twin's view, the four differences in this view) and Feast reading the values at
 * this scale (dynamodb-source-50k.interop.test.ts). The same
 * checks at small scale run in npm test (test/int/dynamodb-source.int.test.ts, test/int/verify.int.test.ts).
 * The source is read through a pass-through fault proxy only to hold some segments' requests at a known
 * point and to see every Scan request.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { fixedClock } from '../../src/core/context.js';
import { materialize } from '../../src/core/materialize/run-materialize.js';
import { tableNameOf } from '../../src/core/layout/table-name.js';
import { verify } from '../../src/core/verify/verify.js';
import { defined } from '../helpers/defined.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { useTestServer } from '../helpers/plan-apply-server.js';
import { scanTable } from '../helpers/materialize-fixture.js';
import {
  DDB_VIEW,
  PROFILES_NOW,
  edgeProfiles,
  makeProfiles,
  profilesRepo,
  interruptScan,
  scansDir,
  type ProfilesRepo,
} from '../helpers/dynamodb-source-fixture.js';
import { EXTRA_ENTITY_ID, injectDifferences, twinDifferences } from '../helpers/dynamodb-source-checks.js';

const server = useTestServer();
const WINDOW = { start: '2025-01-01', end: '2026-01-01' };
const SEGMENTS = 4;
const profiles = [...makeProfiles(50_000), ...edgeProfiles()];
const USERS = new Set(profiles.map((p) => p.userId)).size;

interface ScanRequest {
  Segment?: number;
  ExclusiveStartKey?: unknown;
}
const scans: ScanRequest[] = [];
let proxy: FaultProxy;
let r: ProfilesRepo;
let clients: AwsClients;

beforeAll(async () => {
  // sees every Scan request, answers none itself
  proxy = await startFaultProxy({
    target: server.endpoint,
    respond: ({ action, body }) => {
      if (action === 'Scan') scans.push(JSON.parse(body) as ScanRequest);
      return undefined;
    },
  });
  r = await profilesRepo(server.client, server.endpoint, profiles, {
    sourceLines: [`    endpoint_url: ${proxy.endpoint}`, `    segments: ${SEGMENTS}`],
    // held segments wait for the others; and some servers page through a big table slowly (dynalite and
    // moto walk it from the start for each page), where DynamoDB answers in milliseconds
    onlineStoreLines: ['  read_timeout: 300'],
  });
  clients = createAwsClients(r.config, { credentials: localDummyCredentials() });
}, 600_000);
afterAll(async () => {
  clients?.destroy();
  await proxy?.close();
});

const runVerify = () => verify({ ...r.ctx(), aws: clients, clock: fixedClock(PROFILES_NOW) }, { ...WINDOW, views: [DDB_VIEW] });

it('an interrupted scan resumes from its checkpoint, and the result equals the parquet twin item for item', async () => {
  // segment 0 scans to its end, the others are held after their first page; then the run is aborted
  const atAbort = await interruptScan(r.dir, proxy, SEGMENTS, (signal) => materialize(r.ctx({ signal }), { ...WINDOW, views: [DDB_VIEW] }));

  const before = scans.length;
  const report = await materialize(r.ctx(), { ...WINDOW, views: [] });
  const resumed = scans.slice(before);
  const ddb = report.views.find((v) => v.view === DDB_VIEW);
  expect(ddb?.dynamodb).toMatchObject({ segments: SEGMENTS, resumedSegments: 1, items: USERS, missingTimestamp: 0, badTimestamp: 0 });
  // nothing of the done segment again; each other one goes on from its checkpoint, not from its start
  expect(resumed.filter((s) => s.Segment === 0)).toEqual([]);
  for (const seg of [1, 2, 3]) {
    const firstOf = resumed.find((s) => s.Segment === seg);
    expect(firstOf?.ExclusiveStartKey).toEqual(atAbort.state[seg]?.lastKey);
  }
  expect(existsSync(scansDir(r.dir)) ? readdirSync(scansDir(r.dir)) : []).toEqual([]);

  const twin = await twinDifferences(server.client, r.config);
  expect(twin.fromTable.size).toBe(USERS);
  expect(twin.fromFile.size).toBe(USERS);
  expect(twin.different).toEqual([]);
}, 1_200_000);

it('verify passes on the store materialize wrote', async () => {
  const report = await runVerify();
  expect(report.views[0]).toMatchObject({ view: DDB_VIEW, offlineEntities: USERS, checked: USERS, missing: 0, stale: 0, different: 0, extra: 0, newer: 0 });
  expect(report.ok).toBe(true);
}, 600_000);

it('verify finds a deleted, a stale, a changed and an extra item', async () => {
  const table = tableNameOf(r.config, DDB_VIEW);
  await injectDifferences(server.client, table, [...(await scanTable(server.client, table)).values()]);

  const report = await runVerify();
  expect(report.ok).toBe(false);
  const v = defined(report.views[0]);
  expect(v).toMatchObject({ checked: USERS, missing: 1, stale: 1, different: 1, extra: 1, newer: 0 });
  expect(Object.entries(v.differentByFeature).filter(([, n]) => n > 0)).toEqual([['score', 1]]);
  expect(v.examples.missing).toEqual([expect.stringMatching(/^user_id=/)]);
  expect(v.examples.stale).toEqual([expect.stringMatching(/^user_id=/)]);
  expect(v.examples.different).toEqual([expect.stringMatching(/^user_id=.*: score$/)]);
  expect(v.examples.extra).toEqual([`entity_id ${EXTRA_ENTITY_ID}`]);
}, 600_000);
