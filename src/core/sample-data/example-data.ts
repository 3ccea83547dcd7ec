/**
 * The data files of examples/driver-stats, generated with a fixed clock so the committed files (and the
 * e2e tests that read them) never change. Regenerate with `npm run build && node scripts/gen-example-data.mjs`.
 */
import path from 'node:path';
import { copyQueryToParquet } from './duckdb-copy.js';
import { DEFAULT_DRIVERS } from './driver-stats-values.js';
import { writeDriverStatsParquet, type DriverStatsSummary } from './driver-stats.js';

/** 2021-04-12T11:00:00.123456Z: the newest hourly row is 2021-04-12T10:00:00Z, as in Feast's sample. */
export const EXAMPLE_NOW_MICROS = 1_618_225_200_123_456n;

/** Days of daily driver_profile rows, the newest at 2021-04-12T00:00:00Z. */
export const EXAMPLE_PROFILE_DAYS = 15;

export const EXAMPLE_FILES = {
  driverStats: 'data/driver_stats.parquet',
  driverProfile: 'data/driver_profile.parquet',
} as const;

const DAY_MICROS = 86_400_000_000n;

/**
 * One row per driver per day, exercising every Feast dtype family: String, Float64, Bool, Int32,
 * UnixTimestamp, Json, Bytes, Array(Float32), Array(String). The newest day holds the edge cases:
 * driver 1004 has a null rating, an empty embedding and null languages; driver 1005 has every feature
 * null (stored as empty Values, read back as NULL_VALUE).
 */
function driverProfileQuery(nowMicros: bigint): string {
  const newestDay = (nowMicros / DAY_MICROS) * DAY_MICROS;
  const drivers = DEFAULT_DRIVERS.map((d) => `(${d})`).join(', ');
  const ts = (micros: string) => `CAST(make_timestamp(CAST(${micros} AS BIGINT)) AS TIMESTAMPTZ)`;
  const newest = `k = 0`;
  const allNull = `(${newest} AND driver_id = 1005)`;
  const col = (expr: string, name: string, sqlType: string, extraNull = 'false') =>
    `CASE WHEN ${allNull} OR (${extraNull}) THEN CAST(NULL AS ${sqlType}) ELSE CAST(${expr} AS ${sqlType}) END AS ${name}`;
  return `SELECT driver_id,
      ${ts(`${newestDay} - k * ${DAY_MICROS}`)} AS event_timestamp,
      ${ts(`${nowMicros}`)} AS created,
      ${col(`'Driver ' || driver_id`, 'name', 'VARCHAR')},
      ${col(`4.0 + (driver_id % 10) / 10.0 - k / 100.0`, 'rating', 'DOUBLE', `${newest} AND driver_id = 1004`)},
      ${col(`(driver_id + k) % 2 = 0`, 'active', 'BOOLEAN')},
      ${col(`driver_id % 3 + 1`, 'vehicle_count', 'INTEGER')},
      ${col(ts(`1577836800000000 + (driver_id - 1000) * ${DAY_MICROS}`), 'signup_ts', 'TIMESTAMPTZ')},
      ${col(`'{"vehicle":"' || CASE driver_id % 2 WHEN 0 THEN 'sedan' ELSE 'van' END || '","seats":' || (4 + driver_id % 3) || '}'`, 'attributes', 'VARCHAR')},
      ${col(`encode('avatar-' || driver_id)`, 'avatar', 'BLOB')},
      ${col(`CASE WHEN ${newest} AND driver_id = 1004 THEN []::FLOAT[] ELSE [(driver_id % 10) / 8.0, k / 16.0, 0.5]::FLOAT[] END`, 'embedding', 'FLOAT[]')},
      ${col(`CASE WHEN driver_id % 2 = 0 THEN ['en', 'fr'] ELSE ['en'] END`, 'languages', 'VARCHAR[]', `${newest} AND driver_id = 1004`)}
    FROM (SELECT CAST(d.id AS BIGINT) AS driver_id, r.k FROM (VALUES ${drivers}) AS d(id), range(0, ${EXAMPLE_PROFILE_DAYS}) AS r(k))
    ORDER BY event_timestamp, driver_id`;
}

export interface ExampleDataSummary {
  driverStats: DriverStatsSummary;
  driverProfileRows: number;
}

/** Writes examples/driver-stats/data/* under `exampleDir`. */
export async function writeExampleData(exampleDir: string, nowMicros: bigint = EXAMPLE_NOW_MICROS): Promise<ExampleDataSummary> {
  const driverStats = await writeDriverStatsParquet(path.join(exampleDir, EXAMPLE_FILES.driverStats), { nowMicros });
  await copyQueryToParquet(driverProfileQuery(nowMicros), path.join(exampleDir, EXAMPLE_FILES.driverProfile), { threads: 1 });
  return { driverStats, driverProfileRows: DEFAULT_DRIVERS.length * EXAMPLE_PROFILE_DAYS };
}
