/**
 * The default BatchGetItem sender for clients dynafeast owns: a keep-alive HTTP client that writes the
 * request as JSON, signs it (the lean client shared with the writer) and parses the answer itself. Measured
 * against the SDK on the same server it spends about a third of the SDK's CPU per 100-key request (see
 * docs/read.md), which is most of a read's client-side cost. It retries under the one policy (util/retry.ts)
 * with `total_max_retry_attempts` attempts; its errors carry the SDK's
 * `name` / `code` / `$metadata.httpStatusCode`, so describeAwsError treats both alike.
 */
import { ownRecord } from '../util/own-record.js';
import { Buffer } from 'node:buffer';
import type { AttributeValue, BatchGetItemCommandInput, BatchGetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import type { AwsCredentials, AwsCredentialsProvider } from '../aws/identity.js';
import { createLeanClient } from '../aws/lean/lean-client.js';
import { withRetry, type RetryPolicy } from '../util/retry.js';
import type { Sleep } from '../util/sleep.js';
import type { SlowCallWatch } from '../aws/slow-call.js';
import type { BatchGetSend } from './batch-get-runner.js';
import type { DynamoCallObserver } from '../aws/call-observer.js';
import { classifyAwsError } from '../aws/aws-errors.js';

export { LeanServiceError, serviceError } from '../aws/lean/lean-client.js';

export interface LeanBatchGetOptions {
  /** e.g. `https://dynamodb.eu-west-1.amazonaws.com` or `http://127.0.0.1:8000`. */
  endpoint: string;
  region: string;
  credentials: AwsCredentials | AwsCredentialsProvider;
  /** Sockets kept open, shared by every read of the process: max_pool_connections. */
  maxSockets: number;
  /** No answer within this long fails the attempt (botocore's read_timeout). */
  readTimeoutMs: number;
  /** Backoff and budgets; maxAttempts is online_store.total_max_retry_attempts (Feast's, per request). */
  retry: RetryPolicy;
  /** No connection within this long fails the attempt (botocore's connect_timeout). */
  connectTimeoutMs?: number;
  /** Says what a call waits for when the endpoint is slow. */
  slowCalls?: SlowCallWatch;
  /** Signing time, for tests. */
  nowMs?: () => number;
  sleep?: Sleep;
  random?: () => number;
  /** Told of every request and retry (the feature server's metrics). */
  observer?: DynamoCallObserver;
}

export interface LeanBatchGet {
  send: BatchGetSend;
  /** Closes pooled sockets. */
  close(): void;
}

/** DynamoDB JSON → the SDK's AttributeValue shapes (B and BS as bytes). */
export function attributeFromJson(v: Record<string, unknown>): AttributeValue {
  if (typeof v.B === 'string') return { B: Buffer.from(v.B, 'base64') };
  if (v.M !== undefined) {
    const m = ownRecord<AttributeValue>();
    const src = v.M as Record<string, Record<string, unknown>>;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- k comes from iterating the same record
    for (const k in src) m[k] = attributeFromJson(src[k]!);
    return { M: m };
  }
  if (Array.isArray(v.L)) return { L: (v.L as Record<string, unknown>[]).map(attributeFromJson) };
  if (Array.isArray(v.BS)) return { BS: (v.BS as string[]).map((b) => Buffer.from(b, 'base64')) };
  return v as unknown as AttributeValue;
}

/** An item (or key) of an answer's DynamoDB JSON as the SDK would give it. */
export function itemFromJson(json: Record<string, Record<string, unknown>>): Record<string, AttributeValue> {
  const item = ownRecord<AttributeValue>();
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- name comes from iterating the same item
  for (const name in json) item[name] = attributeFromJson(json[name]!);
  return item;
}

interface BatchGetAnswer {
  Responses?: Record<string, Record<string, Record<string, unknown>>[]>;
  UnprocessedKeys?: BatchGetItemCommandOutput['UnprocessedKeys'];
}

function toOutput(answer: BatchGetAnswer): BatchGetItemCommandOutput {
  const responses: Record<string, Record<string, AttributeValue>[]> = {};
  for (const table in answer.Responses ?? {}) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- table comes from iterating answer.Responses
    responses[table] = answer.Responses![table]!.map(itemFromJson);
  }
  return { Responses: responses, UnprocessedKeys: answer.UnprocessedKeys ?? {}, $metadata: { httpStatusCode: 200 } };
}

export function createLeanBatchGet(options: LeanBatchGetOptions): LeanBatchGet {
  const client = createLeanClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials,
    maxSockets: options.maxSockets,
    requestTimeoutMs: options.readTimeoutMs,
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.slowCalls ? { slowCalls: options.slowCalls } : {}),
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
  });
  const observer = options.observer;
  const retry = {
    policy: options.retry,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(observer ? { onRetry: (e: unknown) => observer.retry('BatchGetItem', classifyAwsError(e) === 'throttled') } : {}),
  };

  return {
    async send(input: BatchGetItemCommandInput, signal?: AbortSignal): Promise<BatchGetItemCommandOutput> {
      const body = JSON.stringify(input);
      return withRetry(
        async () => {
          observer?.request('BatchGetItem');
          return toOutput(await client.call<BatchGetAnswer>('BatchGetItem', body, signal));
        },
        signal ? { ...retry, signal } : retry,
      );
    },
    close: () => client.close(),
  };
}
