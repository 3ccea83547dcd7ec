import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, quotedString } from '@duckdb/node-api';
import { writeDriverStatsParquet, writeDriverStatsRows } from '../../src/core/sample-data/driver-stats.js';
import { DUPLICATE_ROW_VALUES, HOUR_MICROS, driverStatsValues } from '../../src/core/sample-data/driver-stats-values.js';
import { defined } from '../helpers/defined.js';
import { tempRepoDir } from '../helpers/temp-dir.js';

// 2021-04-12T11:00:00.123456Z: a now with microseconds, so `created` proves they survive.
const NOW = 1_618_225_200_123_456n;
const NOW_HOUR = NOW / HOUR_MICROS;

interface Row {
  driver_id: bigint;
  ev: bigint;
  cr: bigint;
  conv_rate: number;
  acc_rate: number;
  avg_daily_trips: bigint;
}

let dir: string;
let db: DuckDBInstance;

beforeAll(async () => {
  dir = tempRepoDir('dynafeast-sample-');
  db = await DuckDBInstance.create(':memory:', { threads: '1' });
});
afterAll(async () => {
  db.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function query<T>(sql: string): Promise<T[]> {
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as T[];
  } finally {
    c.closeSync();
  }
}

async function readRows(file: string): Promise<Row[]> {
  return query<Row>(
    `SELECT driver_id, epoch_us(event_timestamp) AS ev, epoch_us(created) AS cr, conv_rate, acc_rate, avg_daily_trips
     FROM read_parquet(${quotedString(file)})`,
  );
}

describe('writeDriverStatsParquet', () => {
  let file: string;
  let rows: Row[];

  beforeAll(async () => {
    file = path.join(dir, 'data', 'driver_stats.parquet');
    const summary = await writeDriverStatsParquet(file, { nowMicros: NOW });
    expect(summary).toEqual({
      rows: 5 * 360 + 1,
      firstEventMicros: (NOW_HOUR - 360n) * HOUR_MICROS,
      lastEventMicros: (NOW_HOUR - 1n) * HOUR_MICROS,
      createdMicros: NOW,
    });
    rows = await readRows(file);
  });

  it("has Feast's driver stats columns and types", async () => {
    const cols = await query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${quotedString(file)})`);
    expect(cols.map((c) => [c.column_name, c.column_type])).toEqual([
      ['driver_id', 'BIGINT'],
      ['event_timestamp', 'TIMESTAMP WITH TIME ZONE'],
      ['created', 'TIMESTAMP WITH TIME ZONE'],
      ['conv_rate', 'FLOAT'],
      ['acc_rate', 'FLOAT'],
      ['avg_daily_trips', 'BIGINT'],
    ]);
    const schema = await query<{ name: string; logical_type: string | null }>(
      `SELECT name, logical_type FROM parquet_schema(${quotedString(file)}) WHERE name IN ('event_timestamp', 'created')`,
    );
    for (const s of schema) expect(s.logical_type).toMatch(/isAdjustedToUTC=1.*MICROS=MicroSeconds/);
  });

  it('writes 5 drivers × 360 hours ending the hour before now, plus one duplicate', () => {
    expect(rows).toHaveLength(1801);
    const drivers = [...new Set(rows.map((r) => r.driver_id))].sort();
    expect(drivers).toEqual([1001n, 1002n, 1003n, 1004n, 1005n]);
    for (const d of drivers) expect(rows.filter((r) => r.driver_id === d).length).toBe(d === 1001n ? 361 : 360);
    const events = rows.map((r) => r.ev);
    expect(events.reduce((a, b) => (b < a ? b : a))).toBe((NOW_HOUR - 360n) * HOUR_MICROS);
    expect(events.reduce((a, b) => (b > a ? b : a))).toBe((NOW_HOUR - 1n) * HOUR_MICROS);
    expect(events.every((e) => e % HOUR_MICROS === 0n)).toBe(true);
  });

  it('keeps microseconds in created and sorts rows by event_timestamp', () => {
    const ordinary = rows.filter((r) => r.avg_daily_trips !== DUPLICATE_ROW_VALUES.avgDailyTrips);
    expect(ordinary.every((r) => r.cr === NOW)).toBe(true);
    for (let i = 1; i < rows.length; i++) expect(defined(rows[i]).ev >= defined(rows[i - 1]).ev).toBe(true);
  });

  it('writes the values the JS twin predicts', () => {
    const ordinary = rows.filter((r) => r.cr === NOW);
    expect(ordinary).toHaveLength(1800);
    for (const r of ordinary) {
      const v = driverStatsValues(42, r.driver_id, r.ev / HOUR_MICROS);
      expect([r.conv_rate, r.acc_rate, r.avg_daily_trips]).toEqual([v.convRate, v.accRate, v.avgDailyTrips]);
    }
    // pseudo-random, not constant
    expect(new Set(ordinary.map((r) => r.conv_rate)).size).toBeGreaterThan(1700);
    expect(ordinary.every((r) => r.conv_rate >= 0 && r.conv_rate < 1 && r.avg_daily_trips < 1000n)).toBe(true);
  });

  it('repeats the newest row of driver 1001 with a created one microsecond later', () => {
    const newest = rows.filter((r) => r.driver_id === 1001n && r.ev === (NOW_HOUR - 1n) * HOUR_MICROS);
    expect(newest).toHaveLength(2);
    const [first, second] = [...newest].sort((a, b) => (a.cr < b.cr ? -1 : 1)) as [Row, Row];
    expect(second.cr - first.cr).toBe(1n);
    expect([second.conv_rate, second.acc_rate, second.avg_daily_trips]).toEqual([
      DUPLICATE_ROW_VALUES.convRate,
      DUPLICATE_ROW_VALUES.accRate,
      DUPLICATE_ROW_VALUES.avgDailyTrips,
    ]);
    expect(first.avg_daily_trips).not.toBe(second.avg_daily_trips);
  });

  it('honours days, drivers and duplicate: false', async () => {
    const small = path.join(dir, 'small.parquet');
    const summary = await writeDriverStatsParquet(small, { nowMicros: NOW, days: 1, drivers: [7, 8], duplicate: false });
    const got = await readRows(small);
    expect(summary.rows).toBe(48);
    expect(got).toHaveLength(48);
    expect(new Set(got.map((r) => r.driver_id))).toEqual(new Set([7n, 8n]));
  });

  it('rejects arguments that would not make sense', async () => {
    const bad = path.join(dir, 'bad.parquet');
    for (const o of [{ days: 0 }, { drivers: [] }, { drivers: [1.5] }, { seed: -1 }]) {
      await expect(writeDriverStatsParquet(bad, { nowMicros: NOW, ...o })).rejects.toMatchObject({ code: 'usage.badArgument' });
    }
    await expect(writeDriverStatsParquet(bad, { nowMicros: 3_600_000_000n })).rejects.toMatchObject({ code: 'usage.badArgument', path: 'nowMicros' });
  });
});

describe('writeDriverStatsRows', () => {
  it('spreads rows over drivers, one hour per block of drivers, with the predicted values', async () => {
    const file = path.join(dir, 'rows.parquet');
    await writeDriverStatsRows(file, { rows: 2500, drivers: 1000, nowMicros: NOW, compression: 'zstd', rowGroupSize: 1000 });
    const got = await readRows(file);
    expect(got).toHaveLength(2500);
    expect(new Set(got.map((r) => r.driver_id)).size).toBe(1000);
    const hours = new Set(got.map((r) => r.ev / HOUR_MICROS));
    expect([...hours].sort()).toEqual([NOW_HOUR - 3n, NOW_HOUR - 2n, NOW_HOUR - 1n]);
    for (const r of got.slice(0, 50)) {
      const v = driverStatsValues(42, r.driver_id, r.ev / HOUR_MICROS);
      expect([r.conv_rate, r.acc_rate, r.avg_daily_trips]).toEqual([v.convRate, v.accRate, v.avgDailyTrips]);
    }
    const meta = await query<{ compression: string }>(`SELECT DISTINCT compression FROM parquet_metadata(${quotedString(file)})`);
    expect(meta.map((m) => m.compression)).toEqual(['ZSTD']);
  });

  it('jitters event timestamps inside their hour when asked', async () => {
    const file = path.join(dir, 'jitter.parquet');
    await writeDriverStatsRows(file, { rows: 200, drivers: 100, nowMicros: NOW, jitter: true });
    const got = await readRows(file);
    expect(got.some((r) => r.ev % 1_000_000n !== 0n)).toBe(true);
    expect(got.every((r) => r.ev < NOW_HOUR * HOUR_MICROS && r.ev >= (NOW_HOUR - 2n) * HOUR_MICROS)).toBe(true);
  });
});
