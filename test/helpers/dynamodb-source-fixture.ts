/**
 * A repo with a `user_profiles` DynamoDB application table (mixed attribute kinds) as a `type: dynamodb`
 * source, and the same rows as a parquet file source: two views of one schema, so what materialize writes
 * from the table can be compared item for item with what it writes from the file.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
import { DynafeastError } from '../../src/core/errors.js';
import { featureStoreYaml } from './config.js';
import type { FaultProxy } from './fault-proxy.js';
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

/**
 * Profiles at the edges of their dtypes, newer than any of makeProfiles: Int32 and Int64 extremes (in a
 * Set too), a whole Float64 beyond 2^53 and a tiny one, the smallest normal Float32, empty lists and
 * nulls. Every value is one DynamoDB can hold (no NaN or infinity, no empty set) and means the same
 * whatever text a server stores it as (dynalite and DynamoDB Local rewrite a number's text).
 */
export function edgeProfiles(): Profile[] {
  const [base] = makeProfiles(1, 11) as [Profile];
  const updatedMs = PROFILES_NOW / 1000n - 5n;
  return [
    {
      ...base,
      userId: 'edge-max',
      updatedMs,
      age: 2_147_483_647,
      visits: 2n ** 63n - 1n,
      score: 2 ** 70,
      ratio: 1.1754943508222875e-38,
      lucky: [2n ** 63n - 1n],
    },
    { ...base, userId: 'edge-min', updatedMs, age: -2_147_483_648, visits: -(2n ** 63n), score: -1e-100, ratio: -0.5, lucky: [-(2n ** 63n), 0n] },
    // (an empty list in a Map is refused: Feast cannot type it)
    { ...base, userId: 'edge-empty', updatedMs, age: null, tags: [], history: [], prefs: { ...base.prefs, note: null } },
  ];
}

/** Each user's latest profile, users in order of first appearance: what the application table holds. */
export function latestProfiles(profiles: readonly Profile[]): Map<string, Profile> {
  const latest = new Map<string, Profile>();
  for (const p of profiles) if ((latest.get(p.userId)?.updatedMs ?? -1n) < p.updatedMs) latest.set(p.userId, p);
  return latest;
}

/** A profile as the application table stores it. */
export function profileItem(p: Profile): Record<string, AttributeValue> {
  return {
    user_id: { S: p.userId },
    updated_at: { N: String(p.updatedMs) },
    ...(p.age === null ? {} : { age: { N: String(p.age) } }),
    visits: { N: String(p.visits) },
    // a whole number as its exact digits (String(2 ** 70) is 1.1805916207174113e+21, which servers store as that decimal)
    score: { N: Number.isInteger(p.score) ? BigInt(p.score).toString() : String(p.score) },
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

/** Where an interrupted scan of the repo's DynamoDB source keeps its spool and checkpoint (dynamodb-source.ts). */
export const scansDir = (repoDir: string) => path.join(repoDir, 'data', '.dynafeast-scans');

/** The checkpoint of the repo's one DynamoDB source scan under way, if any: each segment's progress. */
export function readScanCheckpoint(repoDir: string): { state: Array<{ done: boolean; pages: number; lastKey?: unknown }> } | undefined {
  const dirs = existsSync(scansDir(repoDir)) ? readdirSync(scansDir(repoDir)) : [];
  const file = dirs[0] ? path.join(scansDir(repoDir), dirs[0], 'checkpoint.json') : '';
  return file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ReturnType<typeof readScanCheckpoint>) : undefined;
}

/**
 * Interrupts a scan of the repo's DynamoDB source (read through `proxy`) at a known point: segment 0 runs
 * to its end, every other segment gets its first page and its next Scan is held at the proxy; then the
 * run is aborted through its AbortSignal and the held requests are dropped. Returns the checkpoint left.
 */
export async function interruptScan(
  repoDir: string,
  proxy: FaultProxy,
  segments: number,
  run: (signal: AbortSignal) => Promise<unknown>,
): Promise<NonNullable<ReturnType<typeof readScanCheckpoint>>> {
  const hold = proxy.hold('Scan', { match: (body) => (JSON.parse(body) as { Segment?: number }).Segment !== 0 && body.includes('"ExclusiveStartKey"') });
  const abort = new AbortController();
  const first = run(abort.signal);
  let settled: unknown;
  first.then(
    (v) => (settled = v ?? 'done'),
    (e: unknown) => (settled = e),
  );
  const ready = () => {
    const c = readScanCheckpoint(repoDir);
    return (
      c !== undefined &&
      c.state[0]?.done === true &&
      c.state.slice(1).every((st) => !st.done && st.lastKey !== undefined) &&
      hold.held().length === segments - 1
    );
  };
  for (let i = 0; i < 6000 && !ready() && settled === undefined; i++) await new Promise((res) => setTimeout(res, 100));
  if (!ready()) {
    await hold.release('drop');
    throw new Error(
      `the scan did not reach the point to interrupt it at (segment 0 done, the others held): ${settled === undefined ? 'timed out' : String(settled)}`,
    );
  }
  abort.abort();
  const e = await first.then(
    () => undefined,
    (x: unknown) => x,
  );
  await hold.release('drop');
  if (!(e instanceof DynafeastError) || e.code !== 'aborted') throw new Error(`expected the run to end "aborted", got ${String(e)}`);
  const left = readScanCheckpoint(repoDir);
  if (!left) throw new Error('the interrupted scan left no checkpoint');
  return left;
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

/**
 * Creates the application table (key `user_id`) and fills it: one item per user, the latest (its key is
 * the user), so the file twin's latest-per-key picks the same.
 */
export async function createProfilesTable(client: DynamoDBClient, table: string, profiles: readonly Profile[]): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'user_id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'user_id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitForActive(client, table);
  await putItems(client, table, [...latestProfiles(profiles).values()].map(profileItem));
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
  if (!o.noTable) await createProfilesTable(client, appTable, profiles);
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
