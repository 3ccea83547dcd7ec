/**
 * An in-memory dynalite on a free loopback port for integration tests, plus a RepoConfig pointing at it.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RepoConfig } from '../../src/core/config/types.js';
import { silentLogger } from '../../src/core/context.js';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { startDynalite as startServer } from '../../src/core/embedded/dynalite-server.js';
import { createTableInput } from '../../src/core/plan/execute-step.js';
import { waitForActive } from '../../src/core/plan/wait.js';
import { testConfig } from './config.js';

export interface TestDynalite {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** A plain SDK client for arranging and checking data (dummy credentials, 3 attempts). */
  client: DynamoDBClient;
  /** Destroys the client and stops the server. */
  stop(): Promise<void>;
}

/** Starts dynalite in this process, in memory unless `path` names a LevelDB folder. */
export async function startDynalite(opts: { path?: string } = {}): Promise<TestDynalite> {
  const server = await startServer({ dataDir: opts.path, host: '127.0.0.1', port: 0 }, silentLogger);
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: localDummyCredentials(),
    maxAttempts: 3,
  });
  return {
    endpoint: server.endpoint,
    client,
    async stop() {
      client.destroy();
      await server.close();
    },
  };
}

/** A validated-looking RepoConfig with Feast's defaults, pointing at `endpointUrl`. */
export function localRepoConfig(
  repoPath: string,
  endpointUrl: string | undefined,
  overrides: { onlineStore?: Partial<RepoConfig['onlineStore']>; dynafeast?: Partial<RepoConfig['dynafeast']> } = {},
): RepoConfig {
  // NOTE: ttl_attribute and retry_budget differ from the defaults on purpose: tests that depend on
  // them were written against these values.
  return testConfig({
    repoPath,
    endpointUrl,
    onlineStore: overrides.onlineStore,
    tables: { ttlAttribute: 'dynafeast_expires_at' },
    materialize: { concurrency: 16, retryBudget: 1000 },
    dynafeast: overrides.dynafeast,
  });
}

/**
 * Creates an on-demand table in Feast's layout with the CreateTable input apply sends, and waits until it
 * is ACTIVE (writes before that fail on some servers).
 */
export async function createFeastTable(client: DynamoDBClient, table: string): Promise<void> {
  const step = { kind: 'create_table', table, view: table, billing: { mode: 'PAY_PER_REQUEST' }, tableClass: 'STANDARD', deletionProtection: false } as const;
  await client.send(new CreateTableCommand(createTableInput(step)));
  await waitForActive(client, table);
}
