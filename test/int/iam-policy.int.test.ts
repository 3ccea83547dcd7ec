/**
 * The proof behind `iam-policy`: apply, plan, materialize, materialize-incremental, get-online-features
 * and teardown run against dynalite, through the same core functions, client factory and senders the CLI
 * uses (materialize's lean writer, FeatureStore's lean reader), while every DynamoDB/STS operation is
 * recorded (SDK middleware, and a proxy on the wire for what bypasses the SDK). Before each run
 * the policy is generated from the same config, repo and registry, as a CI step would. Then:
 * 1. every recorded call is allowed by that run's policy on the recorded table;
 * 2. over the scenario, every action × table a policy of a command allows was called by that command,
 *    so the policies hold nothing beyond what the code calls; no wildcard resource; no STS call.
 * Plans run in AWS mode (no endpoint probing), so the calls are the ones AWS would receive: operations
 * dynalite lacks (UpdateTimeToLive, the backup calls) are still sent and answered "unknown operation".
 */
import { jest } from '@jest/globals';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { loadConfigWithWarnings } from '../../src/core/config/load-config.js';
import type { RepoConfig } from '../../src/core/config/types.js';
import { fixedClock, silentLogger } from '../../src/core/context.js';
import type { PolicyDocument } from '../../src/core/iam/build-policy.js';
import type { IamCommand } from '../../src/core/iam/commands.js';
import { generateIamPolicy } from '../../src/core/iam/generate.js';
import { exportOnline } from '../../src/core/export/export.js';
import { runSql } from '../../src/core/export/sql.js';
import { verify } from '../../src/core/verify/verify.js';
import { materialize, materializeIncremental, type MaterializeContext } from '../../src/core/materialize/run-materialize.js';
import { applyPlan } from '../../src/core/plan/apply-plan.js';
import { buildPlan, type PlanContext } from '../../src/core/plan/build-plan.js';
import { loadRepo } from '../../src/core/repo/load-repo.js';
import type { RepoModel } from '../../src/core/repo/model.js';
import { planTeardown, runTeardown } from '../../src/core/teardown.js';
import { FeatureStore } from '../../src/index.js';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { CallRecorder, iamMatches, startRecordingProxy, type RecordedCall, type RecordingProxy } from '../helpers/record-aws-calls.js';
import { defined } from '../helpers/defined.js';
import { tempRepoDir } from '../helpers/temp-dir.js';

jest.setTimeout(120_000);

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const PROJECT = 'iam_proof';
const rawArn = (table: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}`;
const T = {
  hourly: `${PROJECT}.driver_hourly_stats`,
  profile: `${PROJECT}.driver_profile`,
  old: `${PROJECT}.old_stats`,
};
const fastWait = { pollMs: 20, maxPollMs: 100 };

interface Settings {
  capacity: number;
  monotonic?: boolean;
  /** Every table setting at its default and no tags: no tag, TTL, PITR or UpdateTable action possible. */
  plain?: boolean;
}

function configText(endpoint: string, s: Settings): string {
  if (s.plain) {
    return `project: ${PROJECT}\nregistry: data/registry.db\nprovider: aws\nonline_store: {type: dynamodb, region: ${REGION}, endpoint_url: ${endpoint}}\n`;
  }
  return `project: ${PROJECT}
registry: data/registry.db
provider: aws
online_store:
  type: dynamodb
  region: ${REGION}
  endpoint_url: ${endpoint}
entity_key_serialization_version: 3
dynafeast:
  tables:
    billing_mode: PROVISIONED
    read_capacity_units: ${s.capacity}
    write_capacity_units: ${s.capacity}
    point_in_time_recovery: true
    ttl_expiry: true
  materialize:
    monotonic_writes: ${s.monotonic === true}
`;
}

const VIEW = (name: string, ttl: string, features: string[], extra = '', source = 'driver_stats_source') => `  - name: ${name}
    entities: [driver]
    ttl: ${ttl}
    source: ${source}
${extra}    schema:
${features.map((f) => `      - {name: ${f}, dtype: ${f === 'avg_daily_trips' ? 'Int64' : 'Float32'}}`).join('\n')}
`;

const APP_TABLE = 'iam_app_driver_profiles';

/**
 * Phase 1 has old_stats; phase 2 drops it and one tag of the hourly view. `fromTable`: driver_profile
 * ('online') or the offline-only view ('offline') reads a DynamoDB table.
 */
function definitions(phase: 1 | 2, plain = false, fromTableFor: false | 'online' | 'offline' = false): string {
  const fromTable = fromTableFor !== false;
  const hourlyTags = plain ? '{}' : phase === 1 ? '{team: drivers, tier: gold}' : '{team: drivers}';
  return `entities:
  - {name: driver, join_keys: [driver_id], value_type: Int64}
sources:
  - name: driver_stats_source
    type: file
    path: data/driver_stats.csv
    timestamp_field: event_timestamp
    created_timestamp_column: created
${fromTable ? `  - {name: profile_table, type: dynamodb, table: ${APP_TABLE}, timestamp_field: event_timestamp, timestamp_format: iso8601}\n` : ''}feature_views:
${VIEW('driver_hourly_stats', '1d', ['conv_rate', 'acc_rate'], `    tags: ${hourlyTags}\n`)}${VIEW('driver_profile', '0', ['avg_daily_trips'], '', fromTableFor === 'online' ? 'profile_table' : 'driver_stats_source')}${phase === 1 ? VIEW('old_stats', '0', ['acc_rate']) : ''}${VIEW('offline_only', '0', [fromTableFor === 'offline' ? 'avg_daily_trips' : 'conv_rate'], '    online: false\n', fromTableFor === 'offline' ? 'profile_table' : 'driver_stats_source')}`;
}

const CSV = `driver_id,event_timestamp,created,conv_rate,acc_rate,avg_daily_trips
1001,2024-01-01 10:00:00,2024-01-01 10:00:01,0.5,0.9,12
1002,2024-01-01 11:00:00,2024-01-01 11:00:01,0.25,0.75,7
1001,2024-01-01 12:00:00,2024-01-01 12:00:01,0.625,0.875,13
`;

let dynalite: TestDynalite;
let proxy: RecordingProxy;
let dir: string;
let clients: AwsClients;
const recorder = new CallRecorder();

/** Per command: every action × ARN any of its policies allowed, and every one it was seen calling. */
const allowed = new Map<IamCommand, Set<string>>();
const called = new Map<IamCommand, Set<string>>();

async function writeRepo(settings: Settings, phase: 1 | 2, fromTable: false | 'online' | 'offline' = false): Promise<{ config: RepoConfig; repo: RepoModel }> {
  await writeFile(join(dir, 'feature_store.yaml'), configText(proxy.endpoint, settings));
  await writeFile(join(dir, 'features.yaml'), definitions(phase, settings.plain, fromTable));
  const { config } = loadConfigWithWarnings({ repoPath: dir, env: {} });
  return { config, repo: loadRepo(dir, config) };
}

const planCtx = (): PlanContext => ({ dynamo: clients.dynamo, endpoint: clients.endpoint, customEndpoint: false });

function statementPairs(document: PolicyDocument): string[] {
  return document.Statement.flatMap((s) => s.Action.flatMap((a) => s.Resource.map((r) => `${a} ${r}`)));
}

function allows(document: PolicyDocument, action: string, arn: string): boolean {
  return document.Statement.some(
    (s) => s.Effect === 'Allow' && s.Action.some((a) => iamMatches(a, action, true)) && s.Resource.some((r) => iamMatches(r, arn)),
  );
}

/**
 * Generates the policy for `command` from the repo as it is now, runs `body`, and checks every call it
 * sent against the policy. Returns the calls (operation and table) for scenario assertions.
 */
async function recorded(command: IamCommand, state: { config: RepoConfig; repo: RepoModel }, body: () => Promise<unknown>): Promise<string[]> {
  const policy = await generateIamPolicy({ config: state.config, repo: state.repo, commands: [command], accountId: ACCOUNT, sts: () => clients.sts });
  const from = recorder.calls.length;
  await body();
  const sdk = recorder.since(from, 'sdk');
  const wire = recorder.since(from, 'wire');
  expect(sdk.filter((c) => c.service === 'sts')).toEqual([]);
  // the proxy sees everything the SDK sent (and the lean sender's requests besides)
  const key = (c: RecordedCall) => c.tables.map((t) => `dynamodb:${c.operation} ${t}`);
  const wirePairs = new Set(wire.flatMap(key));
  for (const p of sdk.flatMap(key)) expect(wirePairs).toContain(p);

  const denied: string[] = [];
  for (const c of wire) {
    expect(c.tables.length).toBeGreaterThan(0);
    for (const table of c.tables) {
      const action = `dynamodb:${c.operation}`;
      if (!allows(policy.document, action, rawArn(table))) denied.push(`${action} on ${table}`);
      (called.get(command) ?? defined(called.set(command, new Set()).get(command))).add(`${action} ${rawArn(table)}`);
    }
  }
  expect(denied).toEqual([]);
  const mine = allowed.get(command) ?? defined(allowed.set(command, new Set()).get(command));
  for (const p of statementPairs(policy.document)) mine.add(p);
  return [...new Set(wire.flatMap((c) => c.tables.map((t) => `${c.operation} ${t.replace(`${PROJECT}.`, '')}`)))].sort();
}

beforeAll(async () => {
  dynalite = await startDynalite();
  proxy = await startRecordingProxy(dynalite.endpoint, recorder);
  dir = tempRepoDir('dynafeast-iam-');
  await mkdir(join(dir, 'data'));
  await writeFile(join(dir, 'data', 'driver_stats.csv'), CSV);
  const { config } = await writeRepo({ capacity: 1 }, 1);
  clients = createAwsClients(config, { credentials: localDummyCredentials(), logger: silentLogger });
  recorder.attach(clients.dynamo, 'dynamodb');
  recorder.attach(clients.sts, 'sts');
});

afterAll(async () => {
  clients?.destroy();
  await proxy?.close();
  await dynalite?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('iam-policy against the calls the commands really send', () => {
  it('apply on an empty account: creates, tags, turns on TTL and PITR', async () => {
    const state = await writeRepo({ capacity: 1 }, 1);
    const calls = await recorded('apply', state, async () => {
      const plan = await buildPlan(planCtx(), state.config, state.repo);
      await applyPlan(plan, { dynamo: clients.dynamo, endpoint: clients.endpoint, wait: fastWait });
    });
    expect(calls).toEqual(
      expect.arrayContaining([
        'CreateTable driver_hourly_stats',
        'TagResource driver_hourly_stats',
        'UpdateTimeToLive driver_hourly_stats',
        'UpdateContinuousBackups old_stats',
      ]),
    );
    // every table gets the project tag; only tables with configured tags may be untagged
    expect(calls).toContain('TagResource driver_profile');
    expect(calls).not.toContain('UpdateTimeToLive driver_profile');
  });

  it('apply on existing tables: introspects them and changes the capacity (UpdateTable)', async () => {
    const state = await writeRepo({ capacity: 2 }, 1);
    const calls = await recorded('apply', state, async () => {
      const plan = await buildPlan(planCtx(), state.config, state.repo);
      expect(plan.steps.filter((s) => s.kind === 'update_billing')).toHaveLength(3);
      await applyPlan(plan, { dynamo: clients.dynamo, endpoint: clients.endpoint, wait: fastWait });
    });
    expect(calls).toEqual(expect.arrayContaining(['ListTagsOfResource old_stats', 'DescribeTimeToLive driver_profile', 'UpdateTable driver_profile']));
  });

  it('plan with a view removed from the repo: reads the tables and scans the one apply would delete', async () => {
    await clients.dynamo.send(
      new PutItemCommand({ TableName: T.old, Item: { entity_id: { S: 'x' }, event_ts: { S: '2024-01-01 00:00:00+00:00' }, values: { M: {} } } }),
    );
    const state = await writeRepo({ capacity: 2 }, 2);
    const calls = await recorded('plan', state, async () => {
      const plan = await buildPlan(planCtx(), state.config, state.repo);
      expect(plan.steps.map((s) => s.kind)).toEqual(expect.arrayContaining(['delete_table', 'remove_tags']));
    });
    expect(calls).toEqual(expect.arrayContaining(['Scan old_stats', 'DescribeTable old_stats', 'ListTagsOfResource driver_profile']));
    expect(calls.filter((c) => c.startsWith('Create') || c.startsWith('Update') || c.startsWith('Delete'))).toEqual([]);
  });

  it('against a custom endpoint plan also probes: only those probes fall outside the policy (AWS would deny them harmlessly)', async () => {
    const state = await writeRepo({ capacity: 2 }, 2);
    const policy = await generateIamPolicy({ ...state, commands: ['plan'], accountId: ACCOUNT, sts: () => clients.sts });
    const from = recorder.calls.length;
    await buildPlan({ ...planCtx(), customEndpoint: true }, state.config, state.repo);
    const outside = recorder
      .since(from, 'wire')
      .flatMap((c) => c.tables.map((t) => ({ action: `dynamodb:${c.operation}`, table: t })))
      .filter(({ action, table }) => !allows(policy.document, action, rawArn(table)));
    expect(outside.map((o) => o.action).sort()).toEqual(['dynamodb:DescribeContinuousBackups', 'dynamodb:ListTagsOfResource', 'dynamodb:UpdateTimeToLive']);
    for (const o of outside) expect(o.table).toMatch(/^dynafeast-probe-/);
  });

  it("apply deletes the removed view's table and untags the dropped tag", async () => {
    const state = await writeRepo({ capacity: 2 }, 2);
    const calls = await recorded('apply', state, async () => {
      const plan = await buildPlan(planCtx(), state.config, state.repo);
      await applyPlan(plan, { dynamo: clients.dynamo, endpoint: clients.endpoint, wait: fastWait, confirm: async () => true });
    });
    expect(calls).toEqual(expect.arrayContaining(['DeleteTable old_stats', 'UntagResource driver_hourly_stats']));
  });

  const clock = fixedClock(1_704_150_000_000_000n); // 2024-01-01T23:00Z: the rows are within the 1d ttl
  /** What `dynafeast materialize*` hands the core: the session's clients; the core picks the lean sender. */
  const matCtx = (state: { config: RepoConfig; repo: RepoModel }): MaterializeContext => ({ ...state, aws: clients, clock, logger: silentLogger });

  // first, while the registry holds no interval: the window starts at now - ttl (52 weeks for ttl 0)
  it('materialize-incremental (lean BatchWriteItem, as the command sends it)', async () => {
    const state = await writeRepo({ capacity: 2 }, 2);
    const calls = await recorded('materialize', state, async () => {
      const report = await materializeIncremental(matCtx(state), { end: 'now', views: [] });
      expect(report.views.map((v) => [v.view, v.status, v.written])).toEqual([
        ['driver_hourly_stats', 'written', 2],
        ['driver_profile', 'written', 2],
      ]);
      expect(report.recorded).toBe(true);
    });
    expect(calls).toEqual(['BatchWriteItem driver_hourly_stats', 'BatchWriteItem driver_profile']);
  });

  it('materialize (lean BatchWriteItem, as the command sends it)', async () => {
    const state = await writeRepo({ capacity: 2 }, 2);
    const calls = await recorded('materialize', state, async () => {
      const report = await materialize(matCtx(state), { start: '2024-01-01T00:00:00', end: '2024-01-02T00:00:00', views: [] });
      expect(report.views.map((v) => v.written)).toEqual([2, 2]);
    });
    expect(calls).toEqual(['BatchWriteItem driver_hourly_stats', 'BatchWriteItem driver_profile']);
  });

  it('materialize with monotonic writes (lean conditional PutItem)', async () => {
    const state = await writeRepo({ capacity: 2, monotonic: true }, 2);
    const calls = await recorded('materialize', state, async () => {
      const report = await materialize(matCtx(state), { start: '2024-01-01T00:00:00', end: '2024-01-02T00:00:00', views: [] });
      // the same rows are stored already: every conditional put is sent and refused
      expect(report.views.map((v) => [v.written, v.skipped])).toEqual([
        [0, 2],
        [0, 2],
      ]);
    });
    expect(calls).toEqual(['PutItem driver_hourly_stats', 'PutItem driver_profile']);
  });

  it('materialize from a DynamoDB table source: DescribeTable and Scan on that table', async () => {
    await dynalite.client.send(
      new CreateTableCommand({
        TableName: APP_TABLE,
        KeySchema: [{ AttributeName: 'driver_id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'driver_id', AttributeType: 'N' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // driver 1001's latest row of the CSV: the later tests read the same item as from the file
    await dynalite.client.send(
      new PutItemCommand({
        TableName: APP_TABLE,
        Item: { driver_id: { N: '1001' }, event_timestamp: { S: '2024-01-01 12:00:00' }, avg_daily_trips: { N: '13' } },
      }),
    );
    const state = await writeRepo({ capacity: 2 }, 2, 'online');
    const calls = await recorded('materialize', state, async () => {
      const report = await materialize(matCtx(state), { start: '2024-01-01T00:00:00', end: '2024-01-02T00:00:00', views: ['driver_profile'] });
      expect(report.views.map((v) => v.written)).toEqual([1]);
    });
    expect(calls).toEqual([`DescribeTable ${APP_TABLE}`, 'BatchWriteItem driver_profile', `Scan ${APP_TABLE}`].sort());
  });

  it('sql over a DynamoDB table source, and export of the view it feeds: DescribeTable and Scan on that table too', async () => {
    const state = await writeRepo({ capacity: 2 }, 2, 'online');
    const deps = { config: state.config, repo: state.repo, aws: clients };
    const calls = await recorded('inspect', state, async () => {
      const sql = await runSql(deps, 'SELECT driver_id, avg_daily_trips FROM offline.profile_table');
      expect(sql.rows).toEqual([{ driver_id: '1001', avg_daily_trips: '13' }]);
      const report = await exportOnline(deps, { views: ['driver_profile'], format: 'parquet', out: join(dir, 'export-profile.parquet') });
      expect(report.views.map((v) => v.view)).toEqual(['driver_profile']);
    });
    expect(calls).toEqual(expect.arrayContaining([`DescribeTable ${APP_TABLE}`, `Scan ${APP_TABLE}`]));
  });

  it('sql over a DynamoDB table source that only an offline view reads: DescribeTable and Scan on that table', async () => {
    const state = await writeRepo({ capacity: 2 }, 2, 'offline');
    const deps = { config: state.config, repo: state.repo, aws: clients };
    const calls = await recorded('inspect', state, async () => {
      const sql = await runSql(deps, 'SELECT driver_id, avg_daily_trips FROM offline.profile_table');
      expect(sql.rows).toEqual([{ driver_id: '1001', avg_daily_trips: '13' }]);
    });
    expect(calls).toEqual([`DescribeTable ${APP_TABLE}`, `Scan ${APP_TABLE}`]);
  });

  it('get-online-features (BatchGetItem through FeatureStore, the reader and sender the command uses)', async () => {
    const state = await writeRepo({ capacity: 2 }, 2);
    const calls = await recorded('read', state, async () => {
      const store = await FeatureStore.open({ repoPath: dir, env: {}, clock });
      try {
        const result = await store.getOnlineFeatures({
          features: ['driver_hourly_stats:conv_rate', 'driver_profile:avg_daily_trips'],
          entityRows: [{ driver_id: 1001 }, { driver_id: 1002 }],
        });
        // the latest row of 1001 is the 12:00 one
        expect(result).toEqual({ driver_id: [1001, 1002], conv_rate: [0.625, 0.25], avg_daily_trips: [13, 7] });
      } finally {
        await store.close();
      }
    });
    expect(calls).toEqual(['BatchGetItem driver_hourly_stats', 'BatchGetItem driver_profile']);
  });

  it('export, verify (full and --sample) and sql (Scan, DescribeTable, BatchGetItem)', async () => {
    const state = await writeRepo({ capacity: 2 }, 2);
    const deps = { config: state.config, repo: state.repo, aws: clients };
    const calls = await recorded('inspect', state, async () => {
      const report = await exportOnline(deps, { views: [], format: 'parquet', out: join(dir, 'export') });
      expect(report.views.map((v) => v.items)).toEqual([2, 2]);
      const full = await verify({ ...deps, clock }, { start: '2024-01-01T00:00:00', end: '2024-01-02T00:00:00', views: [] });
      expect(full.ok).toBe(true);
      const sample = await verify({ ...deps, clock }, { start: '2024-01-01T00:00:00', end: '2024-01-02T00:00:00', views: [], sample: 1 });
      expect(sample.ok).toBe(true);
      expect((await runSql(deps, 'SELECT count(*) AS n FROM driver_profile')).rows).toEqual([{ n: '2' }]);
    });
    expect(calls).toEqual([
      'BatchGetItem driver_hourly_stats',
      'BatchGetItem driver_profile',
      'DescribeTable driver_hourly_stats',
      'DescribeTable driver_profile',
      'Scan driver_hourly_stats',
      'Scan driver_profile',
    ]);
  });

  it('teardown', async () => {
    const state = await writeRepo({ capacity: 2 }, 2);
    const calls = await recorded('teardown', state, async () => {
      const plan = await planTeardown(planCtx(), state.config, state.repo);
      await runTeardown(plan, { dynamo: clients.dynamo, endpoint: clients.endpoint, confirm: async () => true, wait: fastWait });
    });
    expect(calls).toEqual(expect.arrayContaining(['DeleteTable driver_hourly_stats', 'DeleteTable driver_profile', 'Scan driver_profile']));
  });

  it('with default table settings and no tags, apply tags only with the project tag and calls no untag, TTL, PITR or UpdateTable action', async () => {
    const state = await writeRepo({ capacity: 1, plain: true }, 2);
    const all: string[] = [];
    for (let run = 0; run < 2; run++) {
      all.push(
        ...(await recorded('apply', state, async () => {
          const plan = await buildPlan(planCtx(), state.config, state.repo);
          await applyPlan(plan, { dynamo: clients.dynamo, endpoint: clients.endpoint, wait: fastWait });
        })),
      );
    }
    // TagResource: the project tag alone (plan/ownership.ts)
    expect(all.filter((c) => /^(UntagResource|UpdateTimeToLive|UpdateContinuousBackups|UpdateTable) /.test(c))).toEqual([]);
    expect(all).toEqual(
      expect.arrayContaining(['CreateTable driver_profile', 'ListTagsOfResource driver_profile', 'DescribeContinuousBackups driver_profile']),
    );
    await recorded('teardown', state, async () => {
      const plan = await planTeardown(planCtx(), state.config, state.repo);
      await runTeardown(plan, { dynamo: clients.dynamo, endpoint: clients.endpoint, confirm: async () => true, wait: fastWait });
    });
  });

  it('no policy allows an action on a table its command never called, and none uses a wildcard', () => {
    expect([...allowed.keys()].sort()).toEqual(['apply', 'inspect', 'materialize', 'plan', 'read', 'teardown']);
    for (const [command, pairs] of allowed) {
      const never = [...pairs].filter((p) => !called.get(command)?.has(p));
      expect({ command, never }).toEqual({ command, never: [] });
      for (const p of pairs) expect(p.split(' ')[1]).not.toMatch(/[*?]/);
    }
    // the offline view never got a table, a call or a grant
    const everything = [...allowed.values(), ...called.values()].flatMap((s) => [...s]).join('\n');
    expect(everything).not.toContain('offline_only');
  });
});
