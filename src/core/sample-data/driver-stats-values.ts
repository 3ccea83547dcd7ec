/**
 * The pseudo-random feature values of the sample driver stats, defined twice — as a DuckDB SQL expression
 * (what the generators write) and as a bigint JS function (what tests predict with). Both use only
 * integer arithmetic below 2^63 and one IEEE double division, so they agree bit for bit on any DuckDB
 * version; DuckDB's own hash() is not guaranteed stable across releases, which is why it is not used.
 */

/** Microseconds in one hour. */
export const HOUR_MICROS = 3_600_000_000n;

/** The default seed; change it to get another, equally reproducible data set. */
export const DEFAULT_SEED = 42;

/** Feast's sample drivers. */
export const DEFAULT_DRIVERS: readonly number[] = [1001, 1002, 1003, 1004, 1005];

/** Salts that decorrelate the columns drawn for the same (driver, hour). */
export const SALT = { convRate: 1, accRate: 2, avgDailyTrips: 3, jitter: 4 } as const;

/**
 * The values of the extra row that repeats the newest row of the first driver with a `created` one
 * microsecond later: a reader that keeps the latest row per entity must return these. avg_daily_trips
 * is outside the 0..999 range of ordinary rows, so the two rows can never be confused.
 */
export const DUPLICATE_ROW_VALUES = { convRate: 0.875, accRate: 0.125, avgDailyTrips: 1000n } as const;

const MOD = 2_147_483_648n; // 2^31: keeps every product below 2^62, so BIGINT never overflows in SQL
const MUL = 1_103_515_245n;
const INC = 12_345n;
const K_DRIVER = 2_654_435n;
const K_HOUR = 40_503n;
const K_SALT = 977n;
const K_SEED = 7_919n;

function step(h: bigint): bigint {
  return ((h ^ (h >> 16n)) * MUL + INC) % MOD;
}

/** A value in [0, 2^31) for (seed, driver, epoch hour, salt). Inputs must be non-negative. */
export function mixJs(seed: number, driverId: bigint, epochHour: bigint, salt: number): bigint {
  const h0 = (driverId * K_DRIVER + epochHour * K_HOUR + BigInt(salt) * K_SALT + BigInt(seed) * K_SEED) % MOD;
  return step(step(step(h0)));
}

function stepSql(h: string): string {
  return `((xor(${h}, (${h}) >> 16) * ${MUL}) + ${INC}) % ${MOD}`;
}

/** The SQL twin of mixJs over BIGINT column expressions. */
export function mixSql(seed: number, driverIdSql: string, epochHourSql: string, salt: number): string {
  const h0 = `((${driverIdSql}) * ${K_DRIVER} + (${epochHourSql}) * ${K_HOUR} + ${salt * Number(K_SALT)} + ${seed * Number(K_SEED)}) % ${MOD}`;
  return stepSql(stepSql(stepSql(h0)));
}

/** A rate in [0, 1) with six decimal digits, rounded to float32 as a FLOAT column stores it. */
function rateJs(h: bigint): number {
  return Math.fround(Number(h % 1_000_000n) / 1_000_000);
}

function rateSql(h: string): string {
  return `CAST(CAST((${h}) % 1000000 AS DOUBLE) / CAST(1000000 AS DOUBLE) AS FLOAT)`;
}

export interface DriverStatsValues {
  convRate: number;
  accRate: number;
  avgDailyTrips: bigint;
}

/** What the generators write for one driver at one hour (the hour counted from the epoch, in UTC). */
export function driverStatsValues(seed: number, driverId: bigint, epochHour: bigint): DriverStatsValues {
  return {
    convRate: rateJs(mixJs(seed, driverId, epochHour, SALT.convRate)),
    accRate: rateJs(mixJs(seed, driverId, epochHour, SALT.accRate)),
    avgDailyTrips: mixJs(seed, driverId, epochHour, SALT.avgDailyTrips) % 1000n,
  };
}

/** SQL select-list items producing conv_rate, acc_rate and avg_daily_trips from BIGINT expressions. */
export function driverStatsValuesSql(seed: number, driverIdSql: string, epochHourSql: string): string {
  return [
    `${rateSql(mixSql(seed, driverIdSql, epochHourSql, SALT.convRate))} AS conv_rate`,
    `${rateSql(mixSql(seed, driverIdSql, epochHourSql, SALT.accRate))} AS acc_rate`,
    `CAST((${mixSql(seed, driverIdSql, epochHourSql, SALT.avgDailyTrips)}) % 1000 AS BIGINT) AS avg_daily_trips`,
  ].join(',\n      ');
}
