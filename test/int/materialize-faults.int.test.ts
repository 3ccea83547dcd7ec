/**
 * materialize through a fault-injecting proxy in front of a real server (throttling, 5xx, partial
 * batches, dropped connections), interrupted with Ctrl-C, and in monotonic mode. Every run that
 * succeeds must leave every entity present exactly once with the right bytes.
 */
import { isDeepStrictEqual } from 'node:util';
import { fixedClock } from '../../src/core/context.js';
import { materialize } from '../../src/core/materialize/run-materialize.js';
import { formatMicrosIso } from '../../src/core/materialize/time-arg.js';
import { tableNameOf } from '../../src/core/layout/table-name.js';
import { readRegistry, registryPathOf } from '../../src/core/registry/registry-file.js';
import { latestMaterializedEndMicros } from '../../src/core/registry/commit.js';
import { writeDriverStatsRows } from '../../src/core/sample-data/driver-stats.js';
import { DEFAULT_SEED, driverStatsValues } from '../../src/core/sample-data/driver-stats-values.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { useTestServer } from '../helpers/plan-apply-server.js';
import {
  HOUR,
  LAST_HOUR,
  NOW,
  driverItemFields,
  exampleRepo,
  expectedDriverItemFields,
  int64EntityId,
  scanTable,
  type ExampleRepo,
} from '../helpers/materialize-fixture.js';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { defined } from '../helpers/defined.js';

const DRIVERS = 1500;
// Backoff sleeps and dynalite's pace: seconds, not the default 5 s budget.
const SLOW = 60_000;
const FIRST = 1001;
const VIEW = 'driver_hourly_stats';

const server = useTestServer();

/** The example repo with its sample file replaced by DRIVERS drivers × 3 hours (newest: LAST_HOUR). */
async function bigRepo(configure: Parameters<typeof exampleRepo>[2] = (c) => c): Promise<ExampleRepo> {
  const r = await exampleRepo(server.client, server.endpoint, configure);
  await writeDriverStatsRows(`${r.dir}/data/driver_stats.parquet`, { rows: 3 * DRIVERS, drivers: DRIVERS, firstDriverId: FIRST, nowMicros: NOW });
  return r;
}

/** Every driver present once, with the values of `hour`. */
async function expectAllWritten(r: ExampleRepo, hour: bigint): Promise<void> {
  const items = await scanTable(server.client, tableNameOf(r.config, VIEW));
  expect(items.size).toBe(DRIVERS);
  const wrong: number[] = [];
  for (let d = FIRST; d < FIRST + DRIVERS; d++) {
    const item = items.get(int64EntityId('driver_id', BigInt(d)));
    const v = driverStatsValues(DEFAULT_SEED, BigInt(d), hour);
    const ok = item !== undefined && isDeepStrictEqual(driverItemFields(item), expectedDriverItemFields(hour, v));
    if (!ok) wrong.push(d);
  }
  expect(wrong).toEqual([]);
}

it(
  'writes every row exactly once through throttling, 5xx, partial batches and dropped connections',
  async () => {
    const r = await bigRepo((c) => ({ ...c, dynafeast: { ...c.dynafeast, materialize: { ...c.dynafeast.materialize, concurrency: 8 } } }));
    const proxy = await startFaultProxy({
      target: server.endpoint,
      seed: 7,
      actions: ['BatchWriteItem'],
      rates: { throttle: 0.1, throughput: 0.1, error500: 0.05, error503: 0.05, partial: 0.25, drop: 0.1 },
    });
    try {
      const report = await materialize(r.ctx({ aws: { endpoint: proxy.endpoint, credentials: localDummyCredentials() } }), {
        start: '2025-01-01',
        end: 'now',
        views: [],
      });
      const stats = proxy.stats();
      expect(report.views[0]).toMatchObject({ status: 'written', entities: DRIVERS, written: DRIVERS });
      expect(defined(report.views[0]).retries).toBeGreaterThan(10);
      expect(defined(report.views[0]).throttles).toBeGreaterThan(5);
      expect(stats.faults.partial).toBeGreaterThan(0);
      expect(stats.faults.drop).toBeGreaterThan(0);
      await expectAllWritten(r, LAST_HOUR);
    } finally {
      await proxy.close();
      await r.cleanup();
    }
  },
  SLOW,
);

it(
  'stops on Ctrl-C, records nothing, and a re-run completes the work',
  async () => {
    const r = await bigRepo((c) => ({ ...c, dynafeast: { ...c.dynafeast, materialize: { ...c.dynafeast.materialize, concurrency: 2 } } }));
    const proxy = await startFaultProxy({ target: server.endpoint, latencyMs: 20 });
    const controller = new AbortController();
    const watch = setInterval(() => {
      if (proxy.stats().forwarded >= 6) controller.abort('SIGINT');
    }, 5);
    try {
      const ctx = r.ctx({ aws: { endpoint: proxy.endpoint, credentials: localDummyCredentials() }, signal: controller.signal });
      const err = await materialize(ctx, { start: '2025-01-01', end: 'now', views: [] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'aborted', message: expect.stringMatching(/\d+ of 1,500 items written \(interrupted\)/) });
      const sent = proxy.stats().forwarded;
      const partial = await scanTable(server.client, tableNameOf(r.config, VIEW));
      // requests in flight when Ctrl-C came were finished, nothing was sent after
      expect(partial.size).toBe(sent * 25);
      expect(partial.size).toBeLessThan(DRIVERS);
      await new Promise((res) => setTimeout(res, 100));
      expect(proxy.stats().forwarded).toBe(sent);
      const registry = await readRegistry(registryPathOf(r.config));
      expect(latestMaterializedEndMicros(registry, r.config.project, VIEW)).toBeUndefined();

      await materialize(r.ctx({ aws: { endpoint: proxy.endpoint, credentials: localDummyCredentials() } }), { start: '2025-01-01', end: 'now', views: [] });
      await expectAllWritten(r, LAST_HOUR);
      expect(latestMaterializedEndMicros(await readRegistry(registryPathOf(r.config)), r.config.project, VIEW)).toBe(NOW);
    } finally {
      clearInterval(watch);
      await proxy.close();
      await r.cleanup();
    }
  },
  SLOW,
);

it(
  'monotonic writes never replace a newer item with an older one, even through throttling',
  async () => {
    const r = await bigRepo((c) => ({
      ...c,
      dynafeast: { ...c.dynafeast, materialize: { ...c.dynafeast.materialize, monotonicWrites: true, concurrency: 16 } },
    }));
    const proxy = await startFaultProxy({ target: server.endpoint, seed: 3, actions: ['PutItem'], rates: { throttle: 0.05, error500: 0.05 } });
    try {
      const ctx = r.ctx({ aws: { endpoint: proxy.endpoint, credentials: localDummyCredentials() }, clock: fixedClock(NOW) });
      const hourWindow = (h: bigint) => ({ start: formatMicrosIso(h * HOUR), end: formatMicrosIso(h * HOUR), views: [] });
      const newer = await materialize(ctx, hourWindow(LAST_HOUR - 1n));
      expect(newer.views[0]).toMatchObject({ written: DRIVERS, skipped: 0 });
      expect(defined(newer.views[0]).retries).toBeGreaterThan(0);
      // replaying an older window is a no-op
      const older = await materialize(ctx, hourWindow(LAST_HOUR - 2n));
      expect(older.views[0]).toMatchObject({ written: 0, skipped: DRIVERS });
      await expectAllWritten(r, LAST_HOUR - 1n);
      // a newer window replaces, including an event_ts with a fraction over one without
      const newest = await materialize(ctx, hourWindow(LAST_HOUR));
      expect(newest.views[0]).toMatchObject({ written: DRIVERS, skipped: 0 });
      await expectAllWritten(r, LAST_HOUR);
    } finally {
      await proxy.close();
      await r.cleanup();
    }
  },
  SLOW,
);
