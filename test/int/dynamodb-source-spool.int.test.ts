/**
 * The spool an interrupted scan of a DynamoDB source leaves for resuming (architecture.md §4.11), against a
 * real DynamoDB-compatible server: a run of another window or definition discards it with a notice and
 * never mixes it in; a resumed run says so; a second run of the same scan is refused while the first
 * runs; an old spool of another run is named with how to delete it; apply removing the view and teardown
 * remove it.
 */
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynafeastError } from '../../src/core/errors.js';
import { materialize, materializeIncremental, type MaterializeArgs } from '../../src/core/materialize/run-materialize.js';
import { applyPlan } from '../../src/core/plan/apply-plan.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import type { ProgressEvent } from '../../src/core/progress.js';
import { planTeardown, runTeardown } from '../../src/core/teardown.js';
import { DDB_VIEW, makeProfiles, profilesRepo, type ProfilesRepo } from '../helpers/dynamodb-source-fixture.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { useTestServer } from '../helpers/plan-apply-server.js';

const server = useTestServer();
const W1 = { start: '2025-01-01', end: '2026-01-01' };
const W2 = { start: '2025-06-01', end: '2026-01-01' };

let proxy: FaultProxy;
beforeEach(async () => {
  proxy = await startFaultProxy({ target: server.endpoint });
});
afterEach(async () => {
  await proxy.close();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof DynafeastError)) throw new Error(`expected a DynafeastError, got ${String(e)}`);
  return e.code;
}

const scansOf = (r: ProfilesRepo) => path.join(r.dir, 'data', '.dynafeast-scans');
const spools = (r: ProfilesRepo) => (existsSync(scansOf(r)) ? readdirSync(scansOf(r)) : []);
const warnings = (events: ProgressEvent[]) => events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));

/** A repo whose source table is reached through the proxy, 4 segments. */
function repo(): Promise<ProfilesRepo> {
  return profilesRepo(server.client, server.endpoint, makeProfiles(300), { sourceLines: [`    endpoint_url: ${proxy.endpoint}`, '    segments: 4'] });
}

/**
 * Interrupts a materialize of the DynamoDB view (or a materialize-incremental, given `end` alone) once two
 * of its four segments are spooled; returns the spool's folder name.
 */
async function interrupt(r: ProfilesRepo, args: Omit<MaterializeArgs, 'views'> | { end: string }): Promise<string> {
  const hold = proxy.hold('Scan', { skip: 2 });
  const abort = new AbortController();
  const ctx = r.ctx({ signal: abort.signal });
  const run = 'start' in args ? materialize(ctx, { ...args, views: [DDB_VIEW] }) : materializeIncremental(ctx, { ...args, views: [DDB_VIEW] });
  run.catch(() => undefined);
  await hold.arrived;
  const done = () => {
    for (const name of spools(r)) {
      const file = path.join(scansOf(r), name, 'checkpoint.json');
      if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { state: { done: boolean }[] }).state.filter((s) => s.done).length === 2) return name;
    }
    return undefined;
  };
  for (let i = 0; i < 400 && !done(); i++) await new Promise((res) => setTimeout(res, 25));
  abort.abort();
  expect(await codeOf(run)).toBe('aborted');
  await hold.release('drop');
  const name = done();
  if (!name) throw new Error('the interrupted run left no spool with two segments done');
  return name;
}

describe('the spool of an interrupted DynamoDB-source scan', () => {
  it('is resumed by the same run, which says so', async () => {
    const r = await repo();
    await interrupt(r, W1);
    const events: ProgressEvent[] = [];
    const report = await materialize(r.ctx({ progress: (e) => events.push(e) }), { ...W1, views: [DDB_VIEW] });
    expect(report.views[0]?.dynamodb).toMatchObject({ resumedSegments: 2, requests: 2 });
    expect(warnings(events).join('\n')).toMatch(
      /resuming the scan an interrupted run left \(2 of 4 segments done, \d+ page\(s\) spooled, \d+ item\(s\) read\)/,
    );
    expect(spools(r)).toEqual([]);
  }, 60_000);

  it('is resumed by materialize-incremental given the same END', async () => {
    const r = await repo();
    await interrupt(r, { end: W1.end });
    const report = await materializeIncremental(r.ctx(), { end: W1.end, views: [DDB_VIEW] });
    expect(report.views[0]?.dynamodb).toMatchObject({ resumedSegments: 2, requests: 2 });
    expect(spools(r)).toEqual([]);
  }, 60_000);

  it('is discarded with a notice, never mixed in, by a run of another window or another source definition', async () => {
    const r = await repo();
    const first = await interrupt(r, W1);
    const events: ProgressEvent[] = [];
    const other = await materialize(r.ctx({ progress: (e) => events.push(e) }), { ...W2, views: [DDB_VIEW] });
    // scanned from the start: all four segments, nothing resumed
    expect(other.views[0]?.dynamodb).toMatchObject({ resumedSegments: 0, requests: 4 });
    expect(other.views[0]?.written).toBe(other.views[0]?.entities);
    expect(warnings(events).join('\n')).toContain(`discarded ${path.join('data', '.dynafeast-scans', first)}, the spool of an interrupted scan`);
    expect(spools(r)).toEqual([]);

    // the source's settings change (segments): the spool of the old definition is not resumed either
    const second = await interrupt(r, W1);
    const file = path.join(r.dir, 'features.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('    segments: 4', '    segments: 3'));
    r.reload();
    const changed: ProgressEvent[] = [];
    const again = await materialize(r.ctx({ progress: (e) => changed.push(e) }), { ...W1, views: [DDB_VIEW] });
    expect(again.views[0]?.dynamodb).toMatchObject({ segments: 3, resumedSegments: 0, requests: 3 });
    expect(warnings(changed).join('\n')).toContain(`discarded ${path.join('data', '.dynafeast-scans', second)}`);
    expect(spools(r)).toEqual([]);
  }, 90_000);

  it('refuses a second run of the same scan while the first is scanning', async () => {
    const r = await repo();
    const hold = proxy.hold('Scan');
    const abort = new AbortController();
    const running = materialize(r.ctx({ signal: abort.signal }), { ...W1, views: [DDB_VIEW] });
    running.catch(() => undefined);
    await hold.arrived;
    expect(await codeOf(materialize(r.ctx(), { ...W1, views: [DDB_VIEW] }))).toBe('materialize.scanInUse');
    abort.abort();
    expect(await codeOf(running)).toBe('aborted');
    await hold.release('drop');
    // the interrupted run let go of its lock: the same process runs it again
    const report = await materialize(r.ctx(), { ...W1, views: [DDB_VIEW] });
    expect(report.views[0]?.status).toBe('written');
  }, 60_000);

  it("names another run's spool nobody resumed for a week, with how to delete it, and leaves it", async () => {
    const r = await repo();
    const shard = await interrupt(r, { ...W1, shard: '0/2' });
    const week = (Date.now() - 8 * 24 * 3600_000) / 1000;
    utimesSync(path.join(scansOf(r), shard, 'checkpoint.json'), week, week);
    const events: ProgressEvent[] = [];
    await materialize(r.ctx({ progress: (e) => events.push(e) }), { ...W1, views: [DDB_VIEW] });
    const dir = path.join(scansOf(r), shard);
    expect(warnings(events).join('\n')).toContain(
      `(run 0/2) interrupted 8 day(s) ago; the same command with the same window resumes it, otherwise delete it: rm -rf '${dir}'`,
    );
    expect(spools(r)).toEqual([shard]);
  }, 60_000);

  it('is removed by apply when the view is removed, and by teardown', async () => {
    const ctx = { dynamo: server.client, endpoint: server.endpoint, customEndpoint: true };
    const r = await repo();
    await interrupt(r, W1);
    const file = path.join(r.dir, 'features.yaml');
    const full = readFileSync(file, 'utf8');
    // the DynamoDB view goes; its file twin stays
    writeFileSync(file, full.replace(new RegExp(`  - name: ${DDB_VIEW}\\n(    .*\\n)+?(?=  - name: )`), ''));
    r.reload();
    expect(r.repo.featureViews.map((v) => v.name)).not.toContain(DDB_VIEW);
    await applyPlan(await buildPlan(ctx, r.config, r.repo), { ...ctx, confirm: async () => true, wait: { pollMs: 20 } });
    expect(spools(r)).toEqual([]);

    writeFileSync(file, full);
    r.reload();
    await applyPlan(await buildPlan(ctx, r.config, r.repo), { ...ctx, confirm: async () => true, wait: { pollMs: 20 } });
    await interrupt(r, W1);
    await runTeardown(await planTeardown(ctx, r.config), { ...ctx, confirm: async () => true, wait: { pollMs: 20 } });
    expect(spools(r)).toEqual([]);
  }, 90_000);
});
