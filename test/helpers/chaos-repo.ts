/**
 * A large generated feature repo for the chaos and concurrency suites, and a way to read back every item
 * of a table straight from the server (never through the proxy) to compare runs byte for byte.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { copyQueryToParquet } from '../../src/core/sample-data/duckdb-copy.js';
import { featureStoreYaml, tempRepoDir } from './temp-repo.js';
import { defined } from './defined.js';
import { DRIVER_STATS_SCHEMA, featureViewsYaml } from './definitions-yaml.js';

export const CHAOS_VIEW = 'driver_hourly_stats';
/** The window every chaos materialization uses (both ends inclusive). */
export const CHAOS_WINDOW = ['2025-01-01T00:00:00', '2025-12-31T00:00:00'] as const;

const FEATURES_YAML = `entities:
  - name: driver
    join_keys: [driver_id]
    value_type: Int64
sources:
  - name: driver_stats_source
    type: file
    path: data/driver_stats.parquet
    timestamp_field: event_timestamp
    created_timestamp_column: created
${featureViewsYaml([{ name: CHAOS_VIEW, entities: ['driver'], ttl: 0, source: 'driver_stats_source', schema: [...DRIVER_STATS_SCHEMA, ['city', 'String']] }])}feature_services:
  - name: chaos_read
    features:
      - ${CHAOS_VIEW}: [conv_rate, acc_rate, avg_daily_trips, city]
`;

/**
 * `entities` drivers with one current row each (microsecond timestamps), plus an older row for every
 * fourth driver that must lose to the current one: entities × 1.25 rows in all.
 */
export function chaosQuery(entities: number, firstId = 1_000_000): string {
  const current = `SELECT (${firstId} + i)::BIGINT AS driver_id,
      TIMESTAMPTZ '2025-03-01 00:00:00+00' + to_microseconds((i * 7919) % 2592000000000) AS event_timestamp,
      ((i % 1000) / 1000.0)::FLOAT AS conv_rate,
      (((i * 7) % 1000) / 1000.0)::FLOAT AS acc_rate,
      (i % 500)::BIGINT AS avg_daily_trips,
      'city-' || (i % 97)::VARCHAR AS city
    FROM range(${entities}) t(i)`;
  const older = `SELECT (${firstId} + i)::BIGINT, TIMESTAMPTZ '2025-02-01 00:00:00+00', -1.0::FLOAT, -1.0::FLOAT, -1::BIGINT, 'stale'
    FROM range(0, ${entities}, 4) t(i)`;
  return `SELECT *, event_timestamp AS created FROM (${current} UNION ALL ${older})`;
}

/**
 * Three rows per driver — 10 January, 10 February, 10 March 2025 — whose values say which month they are
 * from, for runs whose windows overlap: the newest row of any union of windows is known in advance.
 */
export function monthlyQuery(entities: number, firstId = 1_000_000): string {
  return `SELECT (${firstId} + i)::BIGINT AS driver_id,
      TIMESTAMPTZ '2025-01-10 00:00:00+00' + to_months(m) + to_microseconds(i) AS event_timestamp,
      (m / 10.0)::FLOAT AS conv_rate, (m / 10.0)::FLOAT AS acc_rate, (m * 1000 + i % 1000)::BIGINT AS avg_daily_trips,
      'month-' || m::VARCHAR AS city, event_timestamp AS created
    FROM range(${entities}) t(i), range(3) s(m)`;
}

/** A repo with the generated data, pointed at `endpoint`. */
export async function makeChaosRepo(opts: {
  entities: number;
  endpoint: string;
  project: string;
  dynafeastBlock?: string;
  onlineStoreLines?: string[];
  /** The data's query (default chaosQuery(entities)). */
  query?: string;
}): Promise<string> {
  const dir = tempRepoDir('dynafeast-chaos-');
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, 'features.yaml'), FEATURES_YAML);
  writeFileSync(
    path.join(dir, 'feature_store.yaml'),
    featureStoreYaml({ project: opts.project, endpoint: opts.endpoint, dynafeastBlock: opts.dynafeastBlock, onlineStoreLines: opts.onlineStoreLines }),
  );
  await copyQueryToParquet(opts.query ?? chaosQuery(opts.entities), path.join(dir, 'data/driver_stats.parquet'), { threads: 1 });
  return dir;
}

function canonical(item: Record<string, AttributeValue>): string {
  return JSON.stringify(item, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
}

/** Every item of `table` by entity_id, as canonical JSON (binary values base64). */
export async function scanTable(client: DynamoDBClient, table: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let key: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: key }));
    for (const item of page.Items ?? []) out.set(defined(item.entity_id?.S), canonical(item));
    key = page.LastEvaluatedKey;
  } while (key);
  return out;
}

/** Items of `actual` missing from or different to `expected`. */
export function compareTables(expected: Map<string, string>, actual: Map<string, string>): { missing: number; different: number; extra: number } {
  let missing = 0;
  let different = 0;
  for (const [k, v] of expected) {
    const got = actual.get(k);
    if (got === undefined) missing++;
    else if (got !== v) different++;
  }
  let extra = 0;
  for (const k of actual.keys()) if (!expected.has(k)) extra++;
  return { missing, different, extra };
}
