/**
 * How an OnlineReader built by dynafeast sends BatchGetItem: the lean HTTP sender (default), or the
 * SDK client. Both use the client factory's endpoint and credentials chain.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoSdk } from '../aws/sdk.js';
import type { AwsClients } from '../aws/clients.js';
import type { RepoConfig } from '../config/types.js';
import type { BatchGetSend } from './batch-get-runner.js';
import { retryPolicyOf } from '../util/retry.js';
import { createLeanBatchGet } from './lean-batch-get.js';
import type { ReadTransport } from './types.js';
import type { DynamoCallObserver } from '../aws/call-observer.js';

export interface ReadSender {
  send: BatchGetSend;
  close(): void;
}

/**
 * The SDK's logger middleware builds a redacted copy of every input and output (walking the schema of
 * all 100 keys and items) before handing it to a logger that, unless one was configured, drops it:
 * about a quarter of the SDK's CPU per 100-key BatchGetItem. Only for clients built by dynafeast.
 */
export function dropSdkLogMiddleware(client: Pick<DynamoDBClient, 'middlewareStack'>): void {
  client.middlewareStack.remove('loggerMiddleware');
}

export function createReadSender(
  config: RepoConfig,
  aws: Pick<AwsClients, 'dynamo' | 'endpoint' | 'credentials'> & Partial<Pick<AwsClients, 'slowCalls'>>,
  transport: ReadTransport = 'lean',
  observer?: DynamoCallObserver,
): ReadSender {
  const store = config.onlineStore;
  if (transport === 'sdk') {
    dropSdkLogMiddleware(aws.dynamo);
    return {
      send: (input, signal) => aws.dynamo.send(new (dynamoSdk().BatchGetItemCommand)(input), signal ? { abortSignal: signal } : {}),
      close: () => {},
    };
  }
  return createLeanBatchGet({
    endpoint: aws.endpoint,
    region: store.region,
    credentials: aws.credentials,
    // NOTE: max_read_workers bounds one read (batch-get-runner); the sockets are shared by every read of
    // the process, so a server's concurrent reads are bounded by the pool, not by one read's limit.
    maxSockets: store.maxPoolConnections,
    readTimeoutMs: store.readTimeout * 1000,
    // Feast's per-request attempts; backoff and budgets from dynafeast.retry
    retry: { ...retryPolicyOf(config), maxAttempts: Math.max(1, store.totalMaxRetryAttempts) },
    connectTimeoutMs: store.connectTimeout * 1000,
    ...(aws.slowCalls ? { slowCalls: aws.slowCalls } : {}),
    ...(observer ? { observer } : {}),
  });
}
