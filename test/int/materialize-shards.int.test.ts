/**
 * Sharded materialize and --dry-run against a real DynamoDB-compatible server (dynalite in-process, or
 * DYNAFEAST_TEST_ENDPOINT in the moto and DynamoDB Local tiers): N shards write exactly the table one
 * unsharded run writes, the interval is recorded once and only after the last shard; a dry run writes
 * nothing and its write units are the ones the server then reports consumed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { applyPlan } from '../../src/core/plan/apply-plan.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { loadRepo } from '../../src/core/repo/load-repo.js';
import type { RepoModel } from '../../src/core/repo/model.js';
import path from 'node:path';
import { readRegistry, registryPathOf } from '../../src/core/registry/registry-file.js';
import { findFeatureView } from '../../src/core/registry/commit.js';
import { readShardRuns } from '../../src/core/registry/shard-runs.js';
import { materialize, materializeIncremental } from '../../src/core/materialize/run-materialize.js';
import { shardRunStatus } from '../../src/core/materialize/run-status.js';
import { formatMicrosIso } from '../../src/core/materialize/time-arg.js';
import { tableNameOf } from '../../src/core/layout/table-name.js';
import { writeDriverStatsRows } from '../../src/core/sample-data/driver-stats.js';
import { startTestServer, type TestServer } from '../helpers/plan-apply-server.js';
import { HOUR, NOW, exampleRepo, itemText, scanTable, type ExampleRepo, type StoredItem } from '../helpers/materialize-fixture.js';
import { runDuckdb } from '../helpers/offline-fixture.js';
import { defined } from '../helpers/defined.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const VIEW = 'driver_hourly_stats';
const DRIVERS = 700;
const START = formatMicrosIso(NOW - 48n * HOUR);
const END = formatMicrosIso(NOW);

/** The example repo over 2,100 rows of 700 drivers (jittered event times: fraction parts in event_ts). */
async function repoWithDrivers(): Promise<ExampleRepo> {
  const r = await exampleRepo(server.client, server.endpoint);
  await writeDriverStatsRows(path.join(r.dir, 'data', 'driver_stats.parquet'), { rows: 3 * DRIVERS, drivers: DRIVERS, nowMicros: NOW, jitter: true });
  return r;
}

/** A table's items as comparable text: entity_id → itemText. */
const itemsText = (items: Map<string, StoredItem>) => new Map([...items].map(([id, item]) => [id, itemText(item)]));

const BIG_VIEW = 'driver_notes';
const BIG_ROWS = 300;

/**
 * Adds a view of String payloads from 0 to ~4 KB (items of 1 to 4 write units) to the repo and applies
 * it; returns the repo model with both views.
 */
async function addBigItemView(r: ExampleRepo): Promise<RepoModel> {
  await runDuckdb(
    `COPY (SELECT 1001 + i AS driver_id, make_timestamptz(${NOW - HOUR}) AS event_timestamp, make_timestamptz(${NOW}) AS created, ` +
      `repeat('x', (i * 13) % 4000) AS notes FROM range(${BIG_ROWS}) t(i)) TO '${path.join(r.dir, 'data', 'notes.parquet')}' (FORMAT parquet)`,
  );
  await writeFile(
    path.join(r.dir, 'notes.yaml'),
    [
      'sources:',
      '  - {name: notes_source, type: file, path: data/notes.parquet, timestamp_field: event_timestamp, created_timestamp_column: created}',
      'feature_views:',
      `  - {name: ${BIG_VIEW}, entities: [driver], ttl: 1d, source: notes_source, online: true, schema: [{name: notes, dtype: String}]}`,
      '',
    ].join('\n'),
  );
  const repo = loadRepo(r.config.repoPath, r.config);
  const plan = await buildPlan({ dynamo: server.client, endpoint: server.endpoint, customEndpoint: true }, r.config, repo);
  await applyPlan(plan, { dynamo: server.client, endpoint: server.endpoint, confirm: async () => true, wait: { pollMs: 20 } });
  return repo;
}

const intervalsOf = async (r: ExampleRepo) =>
  findFeatureView(await readRegistry(registryPathOf(r.config)), r.config.project, VIEW)?.meta?.materializationIntervals.length ?? 0;

describe('materialize --shard', () => {
  let whole: ExampleRepo;
  let sharded: ExampleRepo;
  beforeAll(async () => {
    [whole, sharded] = await Promise.all([repoWithDrivers(), repoWithDrivers()]);
  });
  afterAll(async () => {
    await whole.cleanup();
    await sharded.cleanup();
  });

  it('4 concurrent shards write the table one unsharded run writes, and the interval is recorded once', async () => {
    await materialize(whole.ctx(), { start: START, end: END, views: [] });
    const reports = await Promise.all([0, 1, 2, 3].map((i) => materialize(sharded.ctx(), { start: START, end: END, views: [], shard: `${i}/4` })));

    const expected = await scanTable(server.client, tableNameOf(whole.config, VIEW));
    const got = await scanTable(server.client, tableNameOf(sharded.config, VIEW));
    expect(expected.size).toBe(DRIVERS);
    expect(itemsText(got)).toEqual(itemsText(expected));
    // every shard wrote a share, and the shares add up to the table
    const written = reports.map((r) => defined(r.views[0]).written);
    expect(written.every((n) => n > 0)).toBe(true);
    expect(written.reduce((a, b) => a + b, 0)).toBe(DRIVERS);

    expect(reports.filter((r) => r.shardRun?.recordedNow)).toHaveLength(1);
    expect(await intervalsOf(sharded)).toBe(1);
    const [status] = shardRunStatus(await readRegistry(registryPathOf(sharded.config)), sharded.config.project);
    expect(status).toMatchObject({ shards: 4, done: [0, 1, 2, 3], missing: [], recorded: true });

    // a shard run again (a retried job) rewrites its slice and records nothing more
    const again = await materialize(sharded.ctx(), { start: START, end: END, views: [], shard: '2/4' });
    expect(again.shardRun).toMatchObject({ recordedNow: false, recorded: true });
    expect(await intervalsOf(sharded)).toBe(1);
  });
});

describe('the write budget', () => {
  let r: ExampleRepo;
  beforeAll(async () => {
    r = await repoWithDrivers();
  });
  afterAll(async () => r.cleanup());

  it('holds 2 shards together under --max-write-units-per-second, each taking half', async () => {
    const started = performance.now();
    // 700 one-unit items at 350 units/s for the table: each shard paced at 175/s over its ~350
    const reports = await Promise.all(
      [0, 1].map((i) => materialize(r.ctx(), { start: START, end: END, views: [], shard: `${i}/2`, maxWriteUnitsPerSecond: 350 })),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(reports.reduce((n, rep) => n + defined(rep.views[0]).written, 0)).toBe(DRIVERS);
    // a lower bound only (a loaded machine is slower, never faster): 700 units at 350/s, less the
    // 50 ms each shard may send ahead of its schedule
    expect(seconds).toBeGreaterThan(DRIVERS / 350 - 0.5);
    expect((await scanTable(server.client, tableNameOf(r.config, VIEW))).size).toBe(DRIVERS);
  });
});

describe('a sharded run with a shard missing', () => {
  let r: ExampleRepo;
  beforeAll(async () => {
    r = await repoWithDrivers();
  });
  afterAll(async () => r.cleanup());

  it('records no interval until the missing shard runs, and materialize-incremental does not skip its window', async () => {
    const end = formatMicrosIso(NOW - 2n * HOUR);
    for (const i of [0, 2]) await materialize(r.ctx(), { start: START, end, views: [], shard: `${i}/3`, runId: 'nightly' });
    expect(await intervalsOf(r)).toBe(0);
    expect(shardRunStatus(await readRegistry(registryPathOf(r.config)), r.config.project, 'nightly')).toMatchObject([
      { runId: 'nightly', done: [0, 2], missing: [1], recorded: false },
    ]);

    // an unsharded incremental run meanwhile starts where the last *recorded* run ended: now - ttl
    const incremental = await materializeIncremental(r.ctx(), { end: formatMicrosIso(NOW), views: [] });
    expect(defined(incremental.views[0]).startMicros).toBe(NOW - 24n * HOUR);

    // the same run id with another shard count or window is refused before anything is recorded
    await expect(materialize(r.ctx(), { start: START, end, views: [], shard: '1/4', runId: 'nightly' })).rejects.toMatchObject({
      code: 'materialize.runMismatch',
    });
    await expect(materialize(r.ctx(), { start: START, end: END, views: [], shard: '1/3', runId: 'nightly' })).rejects.toMatchObject({
      code: 'materialize.runMismatch',
    });

    const last = await materialize(r.ctx(), { start: START, end, views: [], shard: '1/3', runId: 'nightly' });
    expect(last.shardRun).toMatchObject({ runId: 'nightly', done: [0, 1, 2], recordedNow: true });
    // the incremental run's interval, then the sharded run's
    expect(await intervalsOf(r)).toBe(2);
    expect(readShardRuns(await readRegistry(registryPathOf(r.config)))).toHaveLength(1);
  });

  it('refuses shards of a run whose times each machine would read differently, and a run id without a shard', async () => {
    await expect(materialize(r.ctx(), { start: START, end: 'now', views: [], shard: '0/2' })).rejects.toMatchObject({ code: 'usage.badArgument' });
    await expect(materializeIncremental(r.ctx(), { end: 'now', views: [], shards: '2', env: { JOB_COMPLETION_INDEX: '0' } })).rejects.toMatchObject({
      code: 'usage.badArgument',
    });
    await expect(materialize(r.ctx(), { start: START, end: END, views: [], runId: 'x' })).rejects.toMatchObject({ code: 'usage.badFlag' });
    await expect(materialize(r.ctx(), { start: START, end: END, views: [], shard: '0/2', runId: 'a b' })).rejects.toMatchObject({ code: 'usage.badFlag' });
  });
});

describe('materialize --dry-run', () => {
  let r: ExampleRepo;
  let repo: RepoModel;
  beforeAll(async () => {
    r = await repoWithDrivers();
    repo = await addBigItemView(r);
  });
  afterAll(async () => r.cleanup());

  it('writes nothing, and estimates the write units the run then consumes', async () => {
    const table = tableNameOf(r.config, VIEW);
    const big = tableNameOf(r.config, BIG_VIEW);
    const registryBefore = await readFile(registryPathOf(r.config));
    const dry = await materialize(r.ctx({ repo }), { start: START, end: END, views: [], dryRun: { pricePerMillionWrites: 1.25 } });
    expect(dry.recorded).toBe(false);
    expect((await scanTable(server.client, table)).size).toBe(0);
    expect((await scanTable(server.client, big)).size).toBe(0);
    expect(await readFile(registryPathOf(r.config))).toEqual(registryBefore);

    const estimates = dry.views.map((v) => defined(v.estimate));
    expect(estimates.map((e) => e.items)).toEqual([DRIVERS, BIG_ROWS]);
    // the payloads reach past 1 KB: items of 1 to 4 write units
    expect(Object.keys(defined(estimates[1]).itemsByWriteUnits)).toEqual(['1', '2', '3', '4']);

    const run = await materialize(r.ctx({ repo }), { start: START, end: END, views: [] });
    expect(run.views.map((v) => v.written)).toEqual([DRIVERS, BIG_ROWS]);
    // the server's own count, ReturnConsumedCapacity=TOTAL on every BatchWriteItem. dynalite and
    // DynamoDB Local size each item as DynamoDB does; moto (5.x) answers 1.0 per request whatever it
    // holds, so there it can only show that it was asked.
    if (server.kind === 'moto') expect(run.views.map((v) => v.consumedCapacity)).toEqual(run.views.map((v) => v.requests));
    else expect(run.views.map((v) => v.consumedCapacity)).toEqual(estimates.map((e) => e.writeUnits));

    // the shards' estimates are shares of the whole
    const shares = await Promise.all(
      [0, 1].map((i) => materialize(r.ctx({ repo }), { start: START, end: END, views: [], shard: `${i}/2`, dryRun: { pricePerMillionWrites: 1 } })),
    );
    expect(shares.reduce((n, s) => n + defined(defined(s.views[1]).estimate).writeUnits, 0)).toBe(defined(estimates[1]).writeUnits);
    expect(readShardRuns(await readRegistry(registryPathOf(r.config)))).toHaveLength(0);
  });
});
