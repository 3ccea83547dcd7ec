/**
 * A `type: dynamodb` source (architecture.md §4.11) against a real DynamoDB-compatible server: an
 * application table of mixed attribute kinds materializes to the same online items, byte for byte, as
 * the same rows from a parquet file (a Map feature from an M too); bad items are named; an interrupted scan resumes.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ProgressEvent } from '../../src/core/progress.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { DynafeastError } from '../../src/core/errors.js';
import { defined } from '../helpers/defined.js';
import { materialize } from '../../src/core/materialize/run-materialize.js';
import { createAwsClients } from '../../src/core/aws/clients.js';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { exportOnline } from '../../src/core/export/export.js';
import { verify } from '../../src/core/verify/verify.js';
import { tableNameOf } from '../../src/core/layout/table-name.js';
import { useTestServer } from '../helpers/plan-apply-server.js';
import { scanTable, type StoredItem } from '../helpers/materialize-fixture.js';
import {
  DDB_VIEW,
  FILE_VIEW,
  makeProfiles,
  profileItem,
  profilesRepo,
  readScanCheckpoint,
  scansDir,
  type ProfilesRepo,
} from '../helpers/dynamodb-source-fixture.js';

const server = useTestServer();

/** The DynafeastError `p` rejects with, of `code`. */
async function expectErrorCode(p: Promise<unknown>, code: string): Promise<DynafeastError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof DynafeastError)) throw new Error(`expected a DynafeastError ${code}, got ${String(e)}`);
  if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
  return e;
}

/** An item's attributes as comparable text (the table-specific TTL attribute aside). */
function itemBytes(item: StoredItem): string {
  const values = Object.entries(item.values?.M ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${Buffer.from(v.B ?? new Uint8Array()).toString('hex')}`);
  return `${item.event_ts?.S ?? ''}|${values.join(',')}`;
}

async function expectSameItems(r: ProfilesRepo): Promise<number> {
  const fromTable = await scanTable(server.client, tableNameOf(r.config, DDB_VIEW));
  const fromFile = await scanTable(server.client, tableNameOf(r.config, FILE_VIEW));
  expect(fromTable.size).toBe(fromFile.size);
  for (const [id, item] of fromFile) expect(itemBytes(item)).toBe(itemBytes(fromTable.get(id) ?? {}));
  return fromTable.size;
}

describe('materialize from a DynamoDB table source', () => {
  it('writes the same items as the same rows from a parquet file', async () => {
    const profiles = makeProfiles(600);
    const r = await profilesRepo(server.client, server.endpoint, profiles, { sourceLines: ['    segments: 3'] });
    const report = await materialize(r.ctx(), { start: '2025-01-01', end: '2026-01-01', views: [] });
    const ddb = report.views.find((v) => v.view === DDB_VIEW);
    expect(ddb).toMatchObject({ status: 'written', dynamodb: { table: r.appTable, segments: 3, missingTimestamp: 0, badTimestamp: 0 } });
    expect(await expectSameItems(r)).toBeGreaterThan(500);
    // the run completed: nothing is left to resume
    const scans = scansDir(r.dir);
    expect(existsSync(scans) ? readdirSync(scans) : []).toEqual([]);

    // verify and export read the DynamoDB source the same way
    const clients = createAwsClients(r.config, { credentials: localDummyCredentials() });
    try {
      const checked = await verify({ ...r.ctx(), aws: clients }, { start: '2025-01-01', end: '2026-01-01', views: [DDB_VIEW] });
      expect(checked.ok).toBe(true);
      expect(checked.views[0]).toMatchObject({ missing: 0, stale: 0, different: 0 });
      const out = path.join(r.dir, 'export.parquet');
      const exported = await exportOnline({ config: r.config, repo: r.repo, aws: clients }, { views: [DDB_VIEW], format: 'parquet', out });
      expect(exported.views).toHaveLength(1);
      expect(existsSync(out)).toBe(true);
    } finally {
      clients.destroy();
    }
    expect(existsSync(scans) ? readdirSync(scans) : []).toEqual([]);
  });

  it('names a source table that does not exist', async () => {
    const r = await profilesRepo(server.client, server.endpoint, [], { noTable: true, fileTwin: false });
    const e = await expectErrorCode(materialize(r.ctx(), { start: '2025-01-01', end: '2026-01-01', views: [] }), 'repo.unreadableSource');
    expect(e.message).toContain(r.appTable);
    expect(e.message).toContain('no such table');
  });

  it('skips items whose timestamp is missing or of the wrong kind, counting them; --strict fails before writing', async () => {
    const profiles = makeProfiles(40);
    const r = await profilesRepo(server.client, server.endpoint, profiles, { fileTwin: false });
    const good = profileItem(defined(profiles[0]));
    await server.client.send(new PutItemCommand({ TableName: r.appTable, Item: { ...good, user_id: { S: 'no-ts' }, updated_at: { NULL: true } } }));
    const noAttr = { ...good, user_id: { S: 'no-attr' } };
    delete (noAttr as Record<string, unknown>).updated_at;
    await server.client.send(new PutItemCommand({ TableName: r.appTable, Item: noAttr }));
    await server.client.send(new PutItemCommand({ TableName: r.appTable, Item: { ...good, user_id: { S: 'text-ts' }, updated_at: { S: '1767225600000' } } }));
    await server.client.send(
      new PutItemCommand({ TableName: r.appTable, Item: { ...good, user_id: { S: 'frac-ts' }, updated_at: { N: '1767225600000.0005' } } }),
    );

    const strict = await expectErrorCode(materialize(r.ctx(), { start: '2025-01-01', end: '2026-01-01', views: [], strict: true }), 'repo.badColumnType');
    expect(strict.message).toMatch(/--strict: item user_id="[a-z-]+": timestamp attribute "updated_at"/);
    expect((await scanTable(server.client, tableNameOf(r.config, DDB_VIEW))).size).toBe(0);

    const events: ProgressEvent[] = [];
    const report = await materialize(r.ctx({ progress: (e) => events.push(e) }), { start: '2025-01-01', end: '2026-01-01', views: [] });
    expect(report.views[0]).toMatchObject({ written: 40, dynamodb: { items: 44, missingTimestamp: 2, badTimestamp: 2 } });
    expect(
      events
        .filter((e) => e.type === 'warning')
        .map((e) => (e as { message: string }).message)
        .join('\n'),
    ).toMatch(/2 item\(s\) without "updated_at" and 2 with/);
  });

  it('refuses a number that does not fit the declared dtype, naming table, item and attribute', async () => {
    const profiles = makeProfiles(5);
    const r = await profilesRepo(server.client, server.endpoint, profiles, { fileTwin: false });
    const good = profileItem(defined(profiles[0]));
    for (const [attr, n] of [
      ['age', '2147483648'],
      ['visits', '9223372036854775808'],
      ['age', '12.5'],
      // servers spell a stored number differently (dynalite: all digits; moto: as sent); the message shows their text
      ['ratio', '3.5E+38'],
      ['score', '9007199254740993'],
    ] as const) {
      await server.client.send(new PutItemCommand({ TableName: r.appTable, Item: { ...good, user_id: { S: 'bad' }, [attr]: { N: n } } }));
      const e = await expectErrorCode(materialize(r.ctx(), { start: '2025-01-01', end: '2026-01-01', views: [] }), 'repo.badColumnType');
      expect(e.message).toContain(`DynamoDB table "${r.appTable}"`);
      expect(e.message).toContain(`item user_id="bad": attribute "${attr}": expected N`);
      if (!n.includes('E')) expect(e.message).toContain(n);
    }
    // a wrong kind of attribute
    await server.client.send(new PutItemCommand({ TableName: r.appTable, Item: { ...good, user_id: { S: 'bad' }, tags: { S: 'a,b' } } }));
    const e = await expectErrorCode(materialize(r.ctx(), { start: '2025-01-01', end: '2026-01-01', views: [] }), 'repo.badColumnType');
    expect(e.message).toMatch(/attribute "tags": expected L .*found S "a,b"/);
    // a number in a Map that is neither an Int64 nor exactly a Float64: named down to the map key
    const prefs = { M: { tier: { M: { level: { N: '123456789012345678901234567' } } } } };
    await server.client.send(new PutItemCommand({ TableName: r.appTable, Item: { ...good, user_id: { S: 'bad' }, prefs } }));
    const m = await expectErrorCode(materialize(r.ctx(), { start: '2025-01-01', end: '2026-01-01', views: [] }), 'repo.badColumnType');
    expect(m.message).toContain(`DynamoDB table "${r.appTable}"`);
    expect(m.message).toMatch(
      /item user_id="bad": attribute "prefs": expected N \(.*Int64.*Float64.*\) at map key "tier" → "level", found N "123456789012345678901234567"/,
    );
    await server.client.send(new DeleteItemCommand({ TableName: r.appTable, Key: { user_id: { S: 'bad' } } }));
  });

  it('waits out throttling of the source table (never fails on throttling alone)', async () => {
    const profiles = makeProfiles(200);
    const proxy = await startFaultProxy({ target: server.endpoint, seed: 3, rates: { throttle: 0.9 }, actions: ['Scan'], maxFaults: 25 });
    try {
      // short waits: the test is about not failing, not about the backoff's length
      const r = await profilesRepo(server.client, server.endpoint, profiles, {
        sourceLines: [`    endpoint_url: ${proxy.endpoint}`, '    segments: 2'],
        onlineStoreLines: ['  retry_mode: standard', '  total_max_retry_attempts: 2'],
        dynafeastBlock: 'dynafeast:\n  retry: {base_delay_ms: 5, max_delay_ms: 50, max_attempts: 3}',
      });
      const report = await materialize(r.ctx(), { start: '2025-01-01', end: '2026-01-01', views: [] });
      expect(proxy.stats().faults.throttle).toBe(25);
      expect(report.views.find((v) => v.view === DDB_VIEW)).toMatchObject({ status: 'written' });
      await expectSameItems(r);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('resumes an interrupted scan without scanning done segments again, with the same result', async () => {
    const profiles = makeProfiles(400);
    const proxy = await startFaultProxy({ target: server.endpoint });
    try {
      const r = await profilesRepo(server.client, server.endpoint, profiles, { sourceLines: [`    endpoint_url: ${proxy.endpoint}`, '    segments: 4'] });
      const scans = scansDir(r.dir);
      const hold = proxy.hold('Scan', { skip: 2 });
      const abort = new AbortController();
      const first = materialize(r.ctx({ signal: abort.signal }), { start: '2025-01-01', end: '2026-01-01', views: [DDB_VIEW] });
      first.catch(() => undefined);
      await hold.arrived;
      // the two segments let through are spooled and checkpointed
      const doneSegments = () => readScanCheckpoint(r.dir)?.state.filter((s) => s.done).length ?? 0;
      for (let i = 0; i < 200 && doneSegments() < 2; i++) await new Promise((res) => setTimeout(res, 25));
      expect(doneSegments()).toBe(2);
      abort.abort();
      await expectErrorCode(first, 'aborted');
      await hold.release('drop');
      const before = proxy.stats().byAction.Scan ?? 0;

      const report = await materialize(r.ctx(), { start: '2025-01-01', end: '2026-01-01', views: [] });
      const ddb = report.views.find((v) => v.view === DDB_VIEW);
      expect(ddb?.dynamodb).toMatchObject({ segments: 4, resumedSegments: 2, requests: 2 });
      expect((proxy.stats().byAction.Scan ?? 0) - before).toBe(2);
      await expectSameItems(r);
      expect(readdirSync(scans)).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  // the pacing itself is ReadBudget's (test/unit/online/read-budget.test.ts); here: the server's consumed
  // capacity is what it is paid with, and a budgeted scan completes
  it('pays max_read_units_per_second with the capacity DynamoDB reports', async () => {
    const profiles = makeProfiles(1500);
    const r = await profilesRepo(server.client, server.endpoint, profiles, {
      fileTwin: false,
      sourceLines: ['    segments: 2', '    max_read_units_per_second: 10'],
    });
    const report = await materialize(r.ctx(), { start: '2025-01-01', end: '2026-01-01', views: [] });
    expect(report.views[0]).toMatchObject({ status: 'written', written: 1500 - 30 });
    // what the server reports, summed (DynamoDB and dynalite: half a unit per 4 KB read; moto: one per request)
    const d = report.views[0]?.dynamodb;
    expect(d?.consumedReadUnits).toBeGreaterThanOrEqual(d?.requests ?? Infinity);
  }, 120_000);
});
