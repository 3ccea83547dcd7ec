/**
 * The DynamoDB-compatible server the plan/apply/teardown integration suites run against: in-process
 * dynalite by default, or whatever DYNAFEAST_TEST_ENDPOINT points at (moto server, DynamoDB Local).
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_DUMMY_CREDENTIALS } from '../../src/core/aws/credentials.js';
import type { RepoConfig } from '../../src/core/config/types.js';
import type { PlanContext } from '../../src/core/plan/build-plan.js';
import { startDynalite } from './dynalite.js';
import { makeConfig } from './plan-fixtures.js';
import { hookValue } from './hook-value.js';
import { tempRepoDir } from './temp-dir.js';

export interface TestServer {
  endpoint: string;
  client: DynamoDBClient;
  /**
   * 'dynalite' for the in-process default; for DYNAFEAST_TEST_ENDPOINT, the server named by
   * DYNAFEAST_TEST_SERVER ('moto', 'dynamodb-local': scripts/test-server-tier.sh sets both), else the
   * endpoint itself.
   */
  kind: string;
  stop(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const external = process.env.DYNAFEAST_TEST_ENDPOINT;
  if (!external) {
    const d = await startDynalite();
    return { endpoint: d.endpoint, client: d.client, kind: 'dynalite', stop: () => d.stop() };
  }
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: external, credentials: LOCAL_DUMMY_CREDENTIALS, maxAttempts: 3 });
  return { endpoint: external, client, kind: process.env.DYNAFEAST_TEST_SERVER || external, stop: async () => client.destroy() };
}

/** The suite's server: started before its tests, stopped after them. */
export function useTestServer(): TestServer {
  let started: TestServer | undefined;
  beforeAll(async () => {
    started = await startTestServer();
  });
  afterAll(async () => {
    await started?.stop();
  });
  return hookValue('the test server', () => started);
}

export interface TestRepo {
  dir: string;
  config: RepoConfig;
  ctx: PlanContext;
  cleanup(): Promise<void>;
}

/** A temp repo folder and a config with a unique project, so suites can share one external server. */
export async function makeTestRepo(server: TestServer, over: Parameters<typeof makeConfig>[0] = {}): Promise<TestRepo> {
  const dir = tempRepoDir('dynafeast-plan-');
  const project = over.project ?? `p${randomUUID().slice(0, 8)}`;
  const config = { ...makeConfig({ ...over, project }), repoPath: dir, source: join(dir, 'feature_store.yaml') };
  config.onlineStore.endpointUrl = server.endpoint;
  return {
    dir,
    config,
    ctx: { dynamo: server.client, endpoint: server.endpoint, customEndpoint: true },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A fresh test repo (makeTestRepo) for each test of the suite, removed after it; its fields are the current test's. */
export function useTestRepo(server: TestServer, over: Parameters<typeof makeConfig>[0] = {}): TestRepo {
  let current: TestRepo | undefined;
  beforeEach(async () => {
    current = await makeTestRepo(server, over);
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return hookValue('the test repo', () => current);
}

export async function tablesWithPrefix(client: DynamoDBClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const out = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    names.push(...(out.TableNames ?? []));
    start = out.LastEvaluatedTableName;
  } while (start);
  return names.filter((n) => n.startsWith(prefix)).sort();
}

export async function putItem(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(
    new PutItemCommand({ TableName: table, Item: { entity_id: { S: 'abc' }, event_ts: { S: '2024-01-01 00:00:00+00:00' }, values: { M: {} } } }),
  );
}
