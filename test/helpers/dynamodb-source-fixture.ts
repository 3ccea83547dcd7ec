/**
 * A repo with a `user_profiles` DynamoDB application table (mixed attribute kinds) as a `type: dynamodb`
 * source, and the same rows as a parquet file source: two views of one schema, so what materialize writes
 * from the table can be compared item for item with what it writes from the file.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BatchWriteItemCommand, CreateTableCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../../src/core/config/load-config.js';
import type { RepoConfig } from '../../src/core/config/types.js';
import { fixedClock, silentLogger } from '../../src/core/context.js';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import type { MaterializeContext } from '../../src/core/materialize/run-materialize.js';
import { applyPlan } from '../../src/core/plan/apply-plan.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { waitForActive } from '../../src/core/plan/wait.js';
import { loadRepo } from '../../src/core/repo/load-repo.js';
import type { RepoModel } from '../../src/core/repo/model.js';
import { runPool } from '../../src/core/util/pool.js';
import { featureStoreYaml } from './config.js';
import { tempRepoDir } from './temp-dir.js';

/** 2026-01-01T00:00:00Z */
export const PROFILES_NOW = 1_767_225_600_000_000n;
export const DDB_VIEW = 'profiles_ddb';
export const FILE_VIEW = 'profiles_file';

/** One profile as both sources hold it. */
export interface Profile {
  userId: string;
  /** Epoch milliseconds (the table's `updated_at`, N). */
  updatedMs: bigint;
  age: number | null;
  visits: bigint;
  score: number;
  ratio: number;
  name: string;
  active: boolean;
  avatar: Uint8Array;
  tags: string[];
  history: number[];
  lucky: bigint[];
  labels: string[];
  blobs: Uint8Array[];
  /** A Map feature: an M in the table, a STRUCT in the file (every key in every row, so both hold the same keys). */
  prefs: { plan: string; seats: bigint; tier: { level: bigint; beta: boolean }; codes: string[]; note: string | null };
}

/** Deterministic profiles: every kind of attribute, some nulls, several rows for one user (latest wins). */
export function makeProfiles(n: number, seed = 7): Profile[] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648), x / 2147483648);
  const out: Profile[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rnd() * 1000);
    const sortedUnique = <T>(xs: T[], cmp: (a: T, b: T) => number) => [...new Map(xs.map((v) => [String(v), v])).values()].sort(cmp);
    out.push({
      // a few users appear twice: the later row wins
      userId: `u${i % Math.max(1, n - Math.floor(n / 50))}`,
      updatedMs: PROFILES_NOW / 1000n - BigInt(i) * 1000n - 17n,
      age: i % 13 === 0 ? null : (k % 90) + 10,
      visits: 2n ** 40n + BigInt(i) * 12345n,
      score: Math.round(rnd() * 1e6) / 1e3,
      ratio: Math.fround(rnd()),
      name: `user ${i} ${'é✓'.repeat(k % 3)}`,
      active: k % 2 === 0,
      avatar: Uint8Array.from([i & 255, k & 255, 0, 255]),
      tags: [`t${k % 5}`, `t${k % 7}`],
      history: [rnd(), -0.5, 1e-7],
      lucky: sortedUnique([BigInt(k), BigInt(k * 7), -3n], (a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      labels: sortedUnique([`l${k % 3}`, `l${k % 4}`], (a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      blobs: [Uint8Array.from([1, k & 255]), Uint8Array.from([2])].sort((a, b) => Buffer.compare(a, b)),
      prefs: {
        plan: ['free', 'pro', 'team ✓'][k % 3] as string,
        seats: BigInt(k) * 1_000_003n - 400_000_000n,
        tier: { level: BigInt(k % 4), beta: k % 5 === 0 },
        codes: [`c${k % 9}`, `d${i}`],
        note: i % 7 === 0 ? null : `n${k}`,
      },
    });
  }
  return out;
}

/** A profile as the application table stores it. */
export function profileItem(p: Profile): Record<string, AttributeValue> {
  return {
    user_id: { S: p.userId },
    updated_at: { N: String(p.updatedMs) },
    ...(p.age === null ? {} : { age: { N: String(p.age) } }),
    visits: { N: String(p.visits) },
    score: { N: String(p.score) },
    ratio: { N: String(p.ratio) },
    // `name` is a DynamoDB reserved word: the scan's projection must go through ExpressionAttributeNames
    name: { S: p.name },
    active: { BOOL: p.active },
    avatar: { B: p.avatar },
    tags: { L: p.tags.map((S) => ({ S })) },
    history: { L: p.history.map((v) => ({ N: String(v) })) },
    lucky: { NS: p.lucky.map(String) },
    labels: { SS: p.labels },
    blobs: { BS: p.blobs },
    prefs: {
      M: {
        plan: { S: p.prefs.plan },
        seats: { N: String(p.prefs.seats) },
        tier: { M: { level: { N: String(p.prefs.tier.level) }, beta: { BOOL: p.prefs.tier.beta } } },
        codes: { L: p.prefs.codes.map((S) => ({ S })) },
        note: p.prefs.note === null ? { NULL: true } : { S: p.prefs.note },
      },
    },
    unrelated: { M: { not: { S: 'read' } } },
  };
}

export const PROFILE_SCHEMA = `    schema:
      - {name: age, dtype: Int32}
      - {name: visits, dtype: Int64}
      - {name: score, dtype: Float64}
      - {name: ratio, dtype: Float32}
      - {name: name, dtype: String}
      - {name: active, dtype: Bool}
      - {name: avatar, dtype: Bytes}
      - {name: tags, dtype: Array(String)}
      - {name: history, dtype: Array(Float64)}
      - {name: lucky, dtype: Set(Int64)}
      - {name: labels, dtype: Set(String)}
      - {name: blobs, dtype: Set(Bytes)}
      - {name: prefs, dtype: Map}`;

export interface ProfilesRepo {
  dir: string;
  appTable: string;
  config: RepoConfig;
  repo: RepoModel;
  ctx(over?: Partial<MaterializeContext>): MaterializeContext;
  /** Reloads config and definitions after the test changed a file. */
  reload(): void;
}

export interface ProfilesRepoOptions {
  /** Extra lines of the dynamodb source (four-space indented). */
  sourceLines?: string[];
  /** Write the parquet twin and its view (default true). */
  fileTwin?: boolean;
  /** The application table is not created (a missing-table test). */
  noTable?: boolean;
  /** feature_store.yaml extras (config.ts featureStoreYaml). */
  onlineStoreLines?: string[];
  dynafeastBlock?: string;
}

/** Writes items with BatchWriteItem, several batches in flight. */
export async function putItems(client: DynamoDBClient, table: string, items: Record<string, AttributeValue>[]): Promise<void> {
  const batches: Record<string, AttributeValue>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await runPool(batches, 8, async (batch) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  });
}

const PREFS_STRUCT = 'STRUCT(plan VARCHAR, seats BIGINT, tier STRUCT(level BIGINT, beta BOOLEAN), codes VARCHAR[], note VARCHAR)';

/** The profiles as a parquet file of the same columns (the file twin). */
async function writeProfilesParquet(file: string, profiles: readonly Profile[]): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    await c.run(
      `CREATE TABLE p (user_id VARCHAR, updated_at TIMESTAMP, age INTEGER, visits BIGINT, score DOUBLE, ratio DOUBLE, name VARCHAR, active BOOLEAN, avatar BLOB, tags VARCHAR[], history DOUBLE[], lucky BIGINT[], labels VARCHAR[], blobs BLOB[], prefs ${PREFS_STRUCT})`,
    );
    const json = path.join(path.dirname(file), 'profiles.jsonl');
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
    writeFileSync(
      json,
      profiles
        .map((p) =>
          JSON.stringify({
            user_id: p.userId,
            updated_us: String(p.updatedMs * 1000n),
            age: p.age,
            visits: String(p.visits),
            score: p.score,
            ratio: p.ratio,
            name: p.name,
            active: p.active,
            avatar: b64(p.avatar),
            tags: p.tags,
            history: p.history,
            lucky: p.lucky.map(String),
            labels: p.labels,
            blobs: p.blobs.map(b64),
            prefs: { ...p.prefs, seats: Number(p.prefs.seats), tier: { ...p.prefs.tier, level: Number(p.prefs.tier.level) } },
          }),
        )
        .join('\n'),
    );
    await c.run(
      `INSERT INTO p SELECT user_id, make_timestamp(CAST(updated_us AS BIGINT)), age, CAST(visits AS BIGINT), score, ratio, name, active, from_base64(avatar), tags, history, ` +
        `list_transform(lucky, x -> CAST(x AS BIGINT)), labels, list_transform(blobs, x -> from_base64(x)), prefs ` +
        `FROM read_json('${json}', columns = {user_id: 'VARCHAR', updated_us: 'VARCHAR', age: 'INTEGER', visits: 'VARCHAR', score: 'DOUBLE', ratio: 'DOUBLE', name: 'VARCHAR', active: 'BOOLEAN', avatar: 'VARCHAR', tags: 'VARCHAR[]', history: 'DOUBLE[]', lucky: 'VARCHAR[]', labels: 'VARCHAR[]', blobs: 'VARCHAR[]', prefs: '${PREFS_STRUCT}'})`,
    );
    await c.run(`COPY p TO '${file}' (FORMAT parquet)`);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** A temp repo against `endpoint` with the application table filled with `profiles`, applied. */
export async function profilesRepo(client: DynamoDBClient, endpoint: string, profiles: readonly Profile[], o: ProfilesRepoOptions = {}): Promise<ProfilesRepo> {
  const dir = tempRepoDir('dynafeast-ddbsrc-');
  const project = `p${randomUUID().slice(0, 8)}`;
  const appTable = `${project}_user_profiles`;
  const fileTwin = o.fileTwin ?? true;
  writeFileSync(
    path.join(dir, 'feature_store.yaml'),
    featureStoreYaml({
      project,
      endpoint,
      ...(o.onlineStoreLines ? { onlineStoreLines: o.onlineStoreLines } : {}),
      ...(o.dynafeastBlock ? { dynafeastBlock: o.dynafeastBlock } : {}),
    }),
  );
  const defs = [
    'entities:',
    '  - {name: user, join_keys: [user_id], value_type: String}',
    'sources:',
    '  - name: profiles_table',
    '    type: dynamodb',
    `    table: ${appTable}`,
    '    timestamp_field: updated_at',
    '    timestamp_format: epoch_millis',
    ...(o.sourceLines ?? []),
    ...(fileTwin ? ['  - {name: profiles_file, path: data/profiles.parquet, timestamp_field: updated_at}'] : []),
    'feature_views:',
    `  - name: ${DDB_VIEW}`,
    '    entities: [user]',
    '    ttl: 0',
    '    source: profiles_table',
    PROFILE_SCHEMA,
    ...(fileTwin ? [`  - name: ${FILE_VIEW}`, '    entities: [user]', '    ttl: 0', '    source: profiles_file', PROFILE_SCHEMA] : []),
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'features.yaml'), defs);
  if (fileTwin) {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    await writeProfilesParquet(path.join(dir, 'data', 'profiles.parquet'), profiles);
  }
  if (!o.noTable) {
    await client.send(
      new CreateTableCommand({
        TableName: appTable,
        KeySchema: [{ AttributeName: 'user_id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'user_id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitForActive(client, appTable);
    // the table holds one item per user, the latest (its key is the user): the file's latest-per-key picks the same
    const latest = new Map<string, Profile>();
    for (const p of profiles) if ((latest.get(p.userId)?.updatedMs ?? -1n) < p.updatedMs) latest.set(p.userId, p);
    await putItems(client, appTable, [...latest.values()].map(profileItem));
  }
  const state = {} as { config: RepoConfig; repo: RepoModel };
  const reload = () => {
    state.config = loadConfig({ repoPath: dir, env: {} });
    state.repo = loadRepo(dir, state.config);
  };
  reload();
  const plan = await buildPlan({ dynamo: client, endpoint, customEndpoint: true }, state.config, state.repo);
  await applyPlan(plan, { dynamo: client, endpoint, confirm: async () => true, wait: { pollMs: 20 } });
  return {
    dir,
    appTable,
    get config() {
      return state.config;
    },
    get repo() {
      return state.repo;
    },
    ctx: (over = {}) => ({
      config: state.config,
      repo: state.repo,
      aws: { endpoint, credentials: localDummyCredentials() },
      clock: fixedClock(PROFILES_NOW),
      logger: silentLogger,
      ...over,
    }),
    reload,
  };
}
