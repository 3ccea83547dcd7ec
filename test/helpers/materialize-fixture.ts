/**
 * Shared by the materialize integration suites: the example repo (what `init -t local` writes) applied
 * to a test server, reading a table back with the raw SDK, and expected bytes computed independently of
 * the layout codec (generated protobuf schema, hand-serialized keys, the shared Feast vectors).
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { create, toBinary } from '@bufbuild/protobuf';
import { loadConfig } from '../../src/core/config/load-config.js';
import type { RepoConfig } from '../../src/core/config/types.js';
import { fixedClock, silentLogger } from '../../src/core/context.js';
import { initRepo } from '../../src/core/init/init-repo.js';
import { entityIdOfJs } from '../../src/core/layout/entity-id.js';
import type { MaterializeContext } from '../../src/core/materialize/run-materialize.js';
import { applyPlan } from '../../src/core/plan/apply-plan.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { loadRepo } from '../../src/core/repo/load-repo.js';
import type { RepoModel } from '../../src/core/repo/model.js';
import { ValueSchema, type Value } from '../../src/gen/feast/types/Value_pb.js';
import { loadVectors } from './layout-vectors.js';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { defined } from './defined.js';
import { tempRepoDir } from './temp-dir.js';

/** 2026-01-01T00:00:00.000042Z: the sample data's newest rows are one hour before its hour. */
export const NOW = 1_767_225_600_000_042n;
export const HOUR = 3_600_000_000n;
/** Epoch hour of the newest sample rows. */
export const LAST_HOUR = NOW / HOUR - 1n;

export interface ExampleRepo {
  dir: string;
  config: RepoConfig;
  repo: RepoModel;
  ctx(over?: Partial<MaterializeContext>): MaterializeContext;
  cleanup(): Promise<void>;
}

/** `init -t local` into a temp folder, pointed at `endpoint` with a unique project, then applied. */
export async function exampleRepo(client: DynamoDBClient, endpoint: string, configOver: (c: RepoConfig) => RepoConfig = (c) => c): Promise<ExampleRepo> {
  const parent = tempRepoDir('dynafeast-mat-');
  const name = `m${randomUUID().slice(0, 8)}`;
  const init = await initRepo({ parentDir: parent, name, template: 'local', env: {}, clock: fixedClock(NOW) });
  const loaded = loadConfig({ repoPath: init.repoDir, env: {} });
  const config = configOver({
    ...loaded,
    onlineStore: { ...loaded.onlineStore, endpointUrl: endpoint },
    dynafeast: { ...loaded.dynafeast, embedded: undefined },
  });
  const repo = loadRepo(config.repoPath, config);
  const plan = await buildPlan({ dynamo: client, endpoint, customEndpoint: true }, config, repo);
  await applyPlan(plan, { dynamo: client, endpoint, confirm: async () => true, wait: { pollMs: 20 } });
  return {
    dir: init.repoDir,
    config,
    repo,
    ctx: (over = {}) => ({ config, repo, aws: { endpoint, credentials: localDummyCredentials() }, clock: fixedClock(NOW), logger: silentLogger, ...over }),
    cleanup: () => rm(parent, { recursive: true, force: true }),
  };
}

export type StoredItem = Record<string, AttributeValue>;

/** Every item of a table, by entity_id. */
export async function scanTable(client: DynamoDBClient, table: string): Promise<Map<string, StoredItem>> {
  const items = new Map<string, StoredItem>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of out.Items ?? []) {
      const id = defined(item.entity_id?.S);
      if (items.has(id)) throw new Error(`entity_id ${id} scanned twice`);
      items.set(id, item);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** An item as comparable text: attributes sorted by name, binary values in hex (byte-for-byte comparison). */
export function itemText(item: StoredItem): string {
  return JSON.stringify(
    Object.keys(item)
      .sort()
      .map((k) => [k, item[k]]),
    (_, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v),
  );
}

const vectors = loadVectors();

/** entity_id of an Int64 join key: the shared vector when there is one, else hashed from hand-made bytes. */
export function int64EntityId(joinKey: string, value: bigint): string {
  const known = vectors.entity_keys.find(
    (k) => k.join_keys.length === 1 && defined(k.join_keys[0]).name === joinKey && BigInt(defined(k.join_keys[0]).value) === value,
  );
  if (known) return known.entity_id;
  const name = Buffer.from(joinKey, 'utf8');
  const b = Buffer.alloc(4 + 8 + name.length + 8 + 8);
  let p = b.writeUInt32LE(1, 0);
  p = b.writeUInt32LE(2, p);
  p = b.writeUInt32LE(name.length, p);
  p += name.copy(b, p);
  p = b.writeUInt32LE(4, p);
  p = b.writeUInt32LE(8, p);
  b.writeBigInt64LE(value, p);
  return entityIdOfJs(b);
}

/** Value bytes through the generated schema (not the hand-written codec under test). */
export function valueBytes(val: Value['val']): Buffer {
  return Buffer.from(toBinary(ValueSchema, create(ValueSchema, { val })));
}

/** Python's str() of an aware UTC datetime, for whole-second or microsecond instants, computed via Date. */
export function eventTsOf(micros: bigint): string {
  const ms = Number(micros / 1000n);
  const base = new Date(ms - (ms % 1000)).toISOString().slice(0, 19).replace('T', ' ');
  const us = Number(micros % 1_000_000n);
  return `${base}${us ? `.${String(us).padStart(6, '0')}` : ''}+00:00`;
}

export function bytesOf(item: StoredItem, feature: string): Buffer {
  const b = item.values?.M?.[feature]?.B;
  if (b === undefined) throw new Error(`item has no feature ${feature}`);
  return Buffer.from(b);
}

/** Feature values of one driver_stats row (driverStatsValues, or the sample's duplicate row). */
export interface DriverStatsValues {
  convRate: number;
  accRate: number;
  avgDailyTrips: bigint;
}

/** What a driver_hourly_stats item holds that Feast decides: event_ts and each feature's Value bytes. */
export function driverItemFields(item: StoredItem): Record<string, unknown> {
  return {
    event_ts: item.event_ts,
    conv_rate: bytesOf(item, 'conv_rate'),
    acc_rate: bytesOf(item, 'acc_rate'),
    avg_daily_trips: bytesOf(item, 'avg_daily_trips'),
    attributes: Object.keys(item).sort(),
  };
}

/** The same fields as Feast writes them for a row of values `v` at epoch hour `hour`, computed without the codec under test. */
export function expectedDriverItemFields(hour: bigint, v: DriverStatsValues): Record<string, unknown> {
  return {
    event_ts: { S: eventTsOf(hour * HOUR) },
    conv_rate: valueBytes({ case: 'floatVal', value: v.convRate }),
    acc_rate: valueBytes({ case: 'floatVal', value: v.accRate }),
    avg_daily_trips: valueBytes({ case: 'int64Val', value: v.avgDailyTrips }),
    attributes: ['entity_id', 'event_ts', 'values'],
  };
}
