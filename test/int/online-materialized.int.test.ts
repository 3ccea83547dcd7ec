/**
 * Every dtype of examples/driver-stats round trip through dynafeast itself: apply, the `materialize` core
 * the CLI command calls, then `FeatureStore.getOnlineFeatures` — exact values and statuses per entity,
 * against dynalite in-process or DYNAFEAST_TEST_ENDPOINT. The expected values are the example README's
 * tables; the hourly floats are also recomputed from the generator's own value function.
 */
import { randomUUID } from 'node:crypto';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fixedClock, silentLogger } from '../../src/core/context.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import { materialize } from '../../src/core/materialize/run-materialize.js';
import { applyPlan } from '../../src/core/plan/apply-plan.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { loadRepo } from '../../src/core/repo/load-repo.js';
import { DEFAULT_DRIVERS, DEFAULT_SEED, DUPLICATE_ROW_VALUES, driverStatsValues } from '../../src/core/sample-data/driver-stats-values.js';
import { EXAMPLE_NOW_MICROS } from '../../src/core/sample-data/example-data.js';
import { FeatureStore } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/plan-apply-server.js';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { defined } from '../helpers/defined.js';
import { tempRepoDir } from '../helpers/temp-dir.js';

const EXAMPLE = path.resolve('examples/driver-stats');
const SECOND = 1_000_000n;
/** Event times of the newest rows (epoch seconds): 2021-04-12T10:00Z hourly, 2021-04-12T00:00Z daily. */
const HOURLY_TS = 1_618_221_600;
const PROFILE_TS = 1_618_185_600;
/** Two hours after the newest hourly row: within driver_hourly_stats' 1d ttl. */
const FRESH = BigInt(HOURLY_TS + 2 * 3600) * SECOND;
/** One day and one second after it: outside the ttl; driver_profile has none. */
const STALE = BigInt(HOURLY_TS + 86_400 + 1) * SECOND;

/** No row anywhere for this driver. */
const MISSING = 4242;
const DRIVERS = [...DEFAULT_DRIVERS, MISSING];
const HOURLY = ['conv_rate', 'acc_rate', 'avg_daily_trips'];
const PROFILE = ['name', 'rating', 'active', 'vehicle_count', 'signup_ts', 'attributes', 'avatar', 'embedding', 'languages'];
const FEATURES = [...HOURLY.map((f) => `driver_hourly_stats:${f}`), ...PROFILE.map((f) => `driver_profile:${f}`)];

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** README's driver_profile table (1001..1005), as the JSON-safe reader returns it: bytes base64, timestamps ISO. */
const PROFILE_VALUES: Record<string, unknown[]> = {
  name: ['Driver 1001', 'Driver 1002', 'Driver 1003', 'Driver 1004', null],
  rating: [4.1, 4.2, 4.3, null, null],
  active: [false, true, false, true, null],
  vehicle_count: [3, 1, 2, 3, null],
  signup_ts: ['2020-01-02T00:00:00+00:00', '2020-01-03T00:00:00+00:00', '2020-01-04T00:00:00+00:00', '2020-01-05T00:00:00+00:00', null],
  attributes: [{ vehicle: 'van', seats: 6 }, { vehicle: 'sedan', seats: 4 }, { vehicle: 'van', seats: 5 }, { vehicle: 'sedan', seats: 6 }, null],
  avatar: [b64('avatar-1001'), b64('avatar-1002'), b64('avatar-1003'), b64('avatar-1004'), null],
  embedding: [[0.125, 0, 0.5], [0.25, 0, 0.5], [0.375, 0, 0.5], [], null],
  languages: [['en'], ['en', 'fr'], ['en'], null, null],
};
/** README's driver_hourly_stats table, rounded to 6 digits as printed there. */
const README_HOURLY: Record<string, number[]> = {
  conv_rate: [0.875, 0.937501, 0.558133, 0.405588, 0.338887],
  acc_rate: [0.125, 0.343016, 0.191414, 0.529118, 0.157708],
  avg_daily_trips: [1000, 867, 801, 858, 495],
};

/** What the generator wrote for the newest hour; driver 1001's duplicate row (later `created`) wins. */
function hourlyValues(): Record<string, number[]> {
  const hour = BigInt(HOURLY_TS / 3600);
  const rows = DEFAULT_DRIVERS.map((d) => (d === 1001 ? DUPLICATE_ROW_VALUES : driverStatsValues(DEFAULT_SEED, BigInt(d), hour)));
  return {
    conv_rate: rows.map((r) => Math.fround(r.convRate)),
    acc_rate: rows.map((r) => Math.fround(r.accRate)),
    avg_daily_trips: rows.map((r) => Number(r.avgDailyTrips)),
  };
}

let server: TestServer;
let parent: string;
let repoPath: string;

beforeAll(async () => {
  server = await startTestServer();
  parent = tempRepoDir('dynafeast-online-mat-');
  repoPath = path.join(parent, 'driver-stats');
  await cp(EXAMPLE, repoPath, { recursive: true, filter: (src) => !/online_store|registry\.db/.test(src) });
  // A unique project on the test server instead of the embedded store, so suites can share a server.
  const yaml = (await readFile(path.join(repoPath, 'feature_store.yaml'), 'utf8'))
    .replace(/^project: driver_stats$/m, `project: ex_${randomUUID().slice(0, 8)}`)
    .replace(/endpoint_url: \S+/, `endpoint_url: ${server.endpoint}`)
    .replace(/\ndynafeast:[\s\S]*$/, '\n');
  expect(yaml).not.toMatch(/^\s*embedded:/m);
  await writeFile(path.join(repoPath, 'feature_store.yaml'), yaml);

  const config = loadConfig({ repoPath, env: {} });
  const repo = loadRepo(repoPath, config);
  const aws = { dynamo: server.client, endpoint: server.endpoint, credentials: localDummyCredentials() };
  const plan = await buildPlan({ ...aws, customEndpoint: true }, config, repo);
  await applyPlan(plan, { ...aws, confirm: async () => true, wait: { pollMs: 20 } });
  const report = await materialize(
    { config, repo, aws, clock: fixedClock(EXAMPLE_NOW_MICROS), logger: silentLogger },
    { start: '2021-03-28T00:00:00', end: '2021-04-13T00:00:00', views: [] },
  );
  expect(report.recorded).toBe(true);
  expect(report.views.map((v) => [v.view, v.status, v.rowsInWindow, v.entities, v.written])).toEqual([
    ['driver_hourly_stats', 'written', 1801, 5, 5],
    ['driver_profile', 'written', 75, 5, 5],
  ]);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (parent) await rm(parent, { recursive: true, force: true });
});

async function readAt(now: bigint): Promise<Record<string, unknown[]>> {
  const store = await FeatureStore.open({ repoPath, env: {}, clock: fixedClock(now) });
  try {
    return await store.getOnlineFeatures({
      features: FEATURES,
      entityRows: DRIVERS.map((driver_id) => ({ driver_id })),
      includeStatus: true,
      includeEventTimestamps: true,
    });
  } finally {
    await store.close();
  }
}

/** The NOT_FOUND column the missing driver adds to each feature. */
const withMissing = <T>(values: T[], missing: unknown) => [...values, missing];
const statusOf = (values: unknown[]) => values.map((v) => (v === null ? 'NULL_VALUE' : 'PRESENT'));

describe('examples/driver-stats materialized by dynafeast, read with FeatureStore', () => {
  it("the hourly values are the README's (float32 widened exactly) and the generator's", () => {
    const expected = hourlyValues();
    for (const f of HOURLY) {
      defined(expected[f]).forEach((v, i) => expect(v).toBeCloseTo(defined(README_HOURLY[f]?.[i]), 6));
    }
    expect(defined(expected.conv_rate)[1]).toBe(0.9375010132789612);
  });

  it('returns every dtype with PRESENT / NULL_VALUE / NOT_FOUND within the ttl', async () => {
    const hourly = hourlyValues();
    const got = await readAt(FRESH);
    expect(got.driver_id).toEqual(DRIVERS);
    expect(got.driver_id__status).toEqual(DRIVERS.map(() => 'PRESENT'));
    for (const f of HOURLY) {
      expect({ f, values: got[f] }).toEqual({ f, values: withMissing(defined(hourly[f]), null) });
      expect({ f, statuses: got[`${f}__status`] }).toEqual({
        f,
        statuses: withMissing(
          DEFAULT_DRIVERS.map(() => 'PRESENT'),
          'NOT_FOUND',
        ),
      });
      expect({ f, ts: got[`${f}__ts`] }).toEqual({
        f,
        ts: withMissing(
          DEFAULT_DRIVERS.map(() => HOURLY_TS),
          0,
        ),
      });
    }
    for (const f of PROFILE) {
      const values = defined(PROFILE_VALUES[f]);
      expect({ f, values: got[f] }).toEqual({ f, values: withMissing(values, null) });
      expect({ f, statuses: got[`${f}__status`] }).toEqual({ f, statuses: withMissing(statusOf(values), 'NOT_FOUND') });
      expect({ f, ts: got[`${f}__ts`] }).toEqual({
        f,
        ts: withMissing(
          DEFAULT_DRIVERS.map(() => PROFILE_TS),
          0,
        ),
      });
    }
    // the edge rows of the README: 1004's null rating, empty embedding and null languages; 1005 all null
    expect(got.rating__status).toEqual(['PRESENT', 'PRESENT', 'PRESENT', 'NULL_VALUE', 'NULL_VALUE', 'NOT_FOUND']);
    expect(defined(got.embedding__status)[3]).toBe('PRESENT');
    expect(defined(got.languages__status)[3]).toBe('NULL_VALUE');
    expect(new Set(PROFILE.map((f) => defined(got[`${f}__status`])[4]))).toEqual(new Set(['NULL_VALUE']));
  });

  it('reads driver_hourly_stats as OUTSIDE_MAX_AGE more than a day later; driver_profile (no ttl) as before', async () => {
    const got = await readAt(STALE);
    for (const f of HOURLY) {
      expect({ f, values: got[f] }).toEqual({ f, values: DRIVERS.map(() => null) });
      expect({ f, statuses: got[`${f}__status`] }).toEqual({
        f,
        statuses: withMissing(
          DEFAULT_DRIVERS.map(() => 'OUTSIDE_MAX_AGE'),
          'NOT_FOUND',
        ),
      });
    }
    for (const f of PROFILE) {
      const values = defined(PROFILE_VALUES[f]);
      expect({ f, values: got[f] }).toEqual({ f, values: withMissing(values, null) });
      expect({ f, statuses: got[`${f}__status`] }).toEqual({ f, statuses: withMissing(statusOf(values), 'NOT_FOUND') });
    }
  });
});
