/**
 * materialize and materialize-incremental on the example repo against a real DynamoDB-compatible server
 * (dynalite in-process, or DYNAFEAST_TEST_ENDPOINT): items read back with the raw SDK must equal the
 * expected keys, event_ts strings and Value bytes.
 */
import { readRegistry, registryPathOf } from '../../src/core/registry/registry-file.js';
import { findFeatureView, latestMaterializedEndMicros } from '../../src/core/registry/commit.js';
import { timestampToMicros } from '../../src/core/registry/time.js';
import { fixedClock } from '../../src/core/context.js';
import { materialize, materializeIncremental } from '../../src/core/materialize/run-materialize.js';
import { formatMicrosIso } from '../../src/core/materialize/time-arg.js';
import { tableNameOf } from '../../src/core/layout/table-name.js';
import { DEFAULT_DRIVERS, DEFAULT_SEED, DUPLICATE_ROW_VALUES, driverStatsValues } from '../../src/core/sample-data/driver-stats-values.js';
import type { ProgressEvent } from '../../src/core/progress.js';
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
  type StoredItem,
} from '../helpers/materialize-fixture.js';
import { defined } from '../helpers/defined.js';

const server = useTestServer();

const iso = formatMicrosIso;
const VIEW = 'driver_hourly_stats';

/** The item Feast would hold for `driver` after materializing a window whose latest row is at `hour`. */
function expectDriverItem(items: Map<string, StoredItem>, driver: number, hour: bigint): void {
  const item = items.get(int64EntityId('driver_id', BigInt(driver)));
  expect(item).toBeDefined();
  const v =
    driver === DEFAULT_DRIVERS[0] && hour === LAST_HOUR
      ? { convRate: DUPLICATE_ROW_VALUES.convRate, accRate: DUPLICATE_ROW_VALUES.accRate, avgDailyTrips: DUPLICATE_ROW_VALUES.avgDailyTrips }
      : driverStatsValues(DEFAULT_SEED, BigInt(driver), hour);
  expect(driverItemFields(defined(item))).toEqual(expectedDriverItemFields(hour, v));
}

describe('materialize (example repo)', () => {
  let r: ExampleRepo;
  let table: string;
  beforeAll(async () => {
    r = await exampleRepo(server.client, server.endpoint);
    table = tableNameOf(r.config, VIEW);
  });
  afterAll(async () => r.cleanup());

  it('writes the latest row per driver, the created timestamp breaking the tie, and records the interval', async () => {
    const events: ProgressEvent[] = [];
    const report = await materialize(r.ctx({ progress: (e) => events.push(e) }), { start: '2025-12-01', end: 'now', views: [] });
    expect(report.views).toMatchObject([{ view: VIEW, status: 'written', rowsInWindow: 15 * 24 * 5 + 1, entities: 5, written: 5, retries: 0 }]);
    const items = await scanTable(server.client, table);
    expect(items.size).toBe(5);
    for (const d of DEFAULT_DRIVERS) expectDriverItem(items, d, LAST_HOUR);
    // the shared Feast vector for driver 1001's key
    expect(items.has('f3cfd4a822f245b63975464763babaec')).toBe(true);

    const registry = await readRegistry(registryPathOf(r.config));
    expect(latestMaterializedEndMicros(registry, r.config.project, VIEW)).toBe(NOW);
    expect(events.filter((e) => e.id === VIEW).map((e) => e.type)).toEqual(expect.arrayContaining(['start', 'update', 'done']));
  });

  it('includes both window edges', async () => {
    const h = LAST_HOUR - 5n;
    const at = (start: bigint, end: bigint) => materialize(r.ctx(), { start: iso(start), end: iso(end), views: [VIEW] });
    // START = END = an hour: exactly that hour's rows
    expect((await at(h * HOUR, h * HOUR)).views[0]).toMatchObject({ rowsInWindow: 5, entities: 5 });
    let items = await scanTable(server.client, table);
    for (const d of DEFAULT_DRIVERS) expectDriverItem(items, d, h);
    // strictly between two hours: nothing
    expect((await at(h * HOUR + 1n, (h + 1n) * HOUR - 1n)).views[0]).toMatchObject({ rowsInWindow: 0, entities: 0, written: 0 });
    // END inclusive: the hour before and the END hour, latest wins
    expect((await at((h - 1n) * HOUR, h * HOUR)).views[0]).toMatchObject({ rowsInWindow: 10, entities: 5 });
    // START inclusive: the START hour only (the next row is one µs past END)
    await at((h - 2n) * HOUR, (h - 1n) * HOUR - 1n);
    items = await scanTable(server.client, table);
    for (const d of DEFAULT_DRIVERS) expectDriverItem(items, d, h - 2n);
  });

  it('rejects START after END before touching anything', async () => {
    await expect(materialize(r.ctx(), { start: '2025-12-02', end: '2025-12-01', views: [] })).rejects.toMatchObject({ code: 'usage.badArgument' });
  });
});

describe('materialize-incremental', () => {
  let r: ExampleRepo;
  beforeAll(async () => {
    r = await exampleRepo(server.client, server.endpoint);
  });
  afterAll(async () => r.cleanup());

  const intervals = async () => {
    const view = findFeatureView(await readRegistry(registryPathOf(r.config)), r.config.project, VIEW);
    return (view?.meta?.materializationIntervals ?? []).map((i) => [timestampToMicros(defined(i.startTime)), timestampToMicros(defined(i.endTime))]);
  };

  it('starts at now - ttl on the first run, then at the latest recorded end', async () => {
    const first = await materializeIncremental(r.ctx(), { end: 'now', views: [] });
    expect(first.views[0]).toMatchObject({ startMicros: NOW - 24n * HOUR, endMicros: NOW, entities: 5 });
    // NOW is 42 µs past an hour, so the window starts 42 µs after a row: 23 hours of 5 drivers + the duplicate
    expect(defined(first.views[0]).rowsInWindow).toBe(23 * 5 + 1);
    const later = NOW + 2n * HOUR;
    await materializeIncremental(r.ctx({ clock: fixedClock(later) }), { end: 'now', views: [VIEW] });
    expect(await intervals()).toEqual([
      [NOW - 24n * HOUR, NOW],
      [NOW, later],
    ]);
    const items = await scanTable(server.client, tableNameOf(r.config, VIEW));
    for (const d of DEFAULT_DRIVERS) expectDriverItem(items, d, LAST_HOUR);
  });

  it('skips a view already materialized past END', async () => {
    const report = await materializeIncremental(r.ctx(), { end: iso(NOW - HOUR), views: [] });
    expect(report.views).toMatchObject([{ view: VIEW, status: 'up to date', written: 0 }]);
    expect(await intervals()).toHaveLength(2);
  });
});

describe('materialize failures', () => {
  it('fails with the counts and records nothing when the table is missing', async () => {
    const r = await exampleRepo(server.client, server.endpoint);
    try {
      // the registry knows the view (apply ran), but the tables of another template do not exist
      const config = { ...r.config, onlineStore: { ...r.config.onlineStore, tableNameTemplate: 'missing_{project}.{table_name}' } };
      const err = await materialize({ ...r.ctx(), config }, { start: '2025-12-01', end: 'now', views: [] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'dynamo.failed', message: expect.stringContaining('0 of 5 items written') });
      expect((err as Error).message).toContain('Nothing was recorded');
      const registry = await readRegistry(registryPathOf(r.config));
      expect(latestMaterializedEndMicros(registry, r.config.project, VIEW)).toBeUndefined();
    } finally {
      await r.cleanup();
    }
  });

  it('names a source column that is missing, before writing anything (exit 2)', async () => {
    const r = await exampleRepo(server.client, server.endpoint);
    try {
      const source = defined(r.repo.sources[0]);
      const repo = { ...r.repo, sources: [{ ...source, fieldMapping: { trips_per_day: 'avg_daily_trips' } }] };
      await expect(materialize({ ...r.ctx(), repo }, { start: '2025-12-01', end: 'now', views: [] })).rejects.toMatchObject({
        code: 'repo.missingColumn',
        kind: 'usage',
        message: expect.stringMatching(/trips_per_day.*driver_stats\.parquet|driver_stats\.parquet.*trips_per_day/),
      });
      expect((await scanTable(server.client, tableNameOf(r.config, VIEW))).size).toBe(0);
    } finally {
      await r.cleanup();
    }
  });
});
