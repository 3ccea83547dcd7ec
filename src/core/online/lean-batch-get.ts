/**
 * The default BatchGetItem sender for clients dynafeast owns: a keep-alive HTTP client that writes the
 * request as JSON, signs it (SigV4, shared with the lean writer) and parses the answer itself. Measured
 * against the SDK on the same server it spends about a third of the SDK's CPU per 100-key request (see
 * docs/read.md), which is most of a read's client-side cost. It retries what the SDK would retry
 * (throttling, 5xx, dropped connections) up to `total_max_retry_attempts`; its errors carry the SDK's
 * `name` / `code` / `$metadata.httpStatusCode`, so describeAwsError treats both alike.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import type { AttributeValue, BatchGetItemCommandInput, BatchGetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { signRequest } from '../materialize/lean/sigv4.js';
import type { BatchGetSend } from './batch-get-runner.js';

export interface LeanBatchGetOptions {
  /** e.g. `https://dynamodb.eu-west-1.amazonaws.com` or `http://127.0.0.1:8000`. */
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Sockets kept open: max_read_workers. */
  maxSockets: number;
  /** No answer within this long fails the attempt (botocore's read_timeout). */
  readTimeoutMs: number;
  /** Attempts per request, the first included (total_max_retry_attempts). */
  maxAttempts: number;
  nowMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface LeanBatchGet {
  send: BatchGetSend;
  /** Closes pooled sockets. */
  close(): void;
}

const TARGET = 'DynamoDB_20120810.BatchGetItem';
const REFRESH_MARGIN_MS = 5 * 60_000;
const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Shaped like the SDK's service exceptions so errors are classified and described the same way. */
export class LeanServiceError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

/** DynamoDB errors are `{"__type":"com.amazonaws.dynamodb.v20120810#Name","message":"…"}`. */
export function serviceError(status: number, text: string): LeanServiceError {
  let name = status >= 500 ? 'InternalServerError' : 'UnknownError';
  let message = text.slice(0, 500);
  try {
    const parsed = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    if (parsed.__type) name = parsed.__type.slice(parsed.__type.lastIndexOf('#') + 1);
    message = parsed.message ?? parsed.Message ?? message;
  } catch {
    // not JSON (a proxy's HTML page, an empty 503): keep the status-derived name
  }
  return new LeanServiceError(name, message, status);
}

function isRetryable(e: unknown): boolean {
  const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (err.name !== undefined && RETRYABLE_NAMES.has(err.name)) return true;
  if (err.code !== undefined && RETRYABLE_CODES.has(err.code)) return true;
  const status = err.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/** DynamoDB JSON → the SDK's AttributeValue shapes (B and BS as bytes). */
export function attributeFromJson(v: Record<string, unknown>): AttributeValue {
  if (typeof v.B === 'string') return { B: Buffer.from(v.B, 'base64') };
  if (v.M !== undefined) {
    const m: Record<string, AttributeValue> = {};
    const src = v.M as Record<string, Record<string, unknown>>;
    for (const k in src) m[k] = attributeFromJson(src[k]!);
    return { M: m };
  }
  if (Array.isArray(v.L)) return { L: (v.L as Record<string, unknown>[]).map(attributeFromJson) };
  if (Array.isArray(v.BS)) return { BS: (v.BS as string[]).map((b) => Buffer.from(b, 'base64')) };
  return v as unknown as AttributeValue;
}

interface BatchGetAnswer {
  Responses?: Record<string, Record<string, Record<string, unknown>>[]>;
  UnprocessedKeys?: BatchGetItemCommandOutput['UnprocessedKeys'];
}

function parseAnswer(text: string): BatchGetItemCommandOutput {
  const answer = JSON.parse(text) as BatchGetAnswer;
  const responses: Record<string, Record<string, AttributeValue>[]> = {};
  for (const table in answer.Responses ?? {}) {
    responses[table] = answer.Responses![table]!.map((item) => {
      const out: Record<string, AttributeValue> = {};
      for (const name in item) out[name] = attributeFromJson(item[name]!);
      return out;
    });
  }
  return { Responses: responses, UnprocessedKeys: answer.UnprocessedKeys ?? {}, $metadata: { httpStatusCode: 200 } };
}

export function createLeanBatchGet(options: LeanBatchGetOptions): LeanBatchGet {
  const url = new URL(options.endpoint);
  const secure = url.protocol === 'https:';
  const agent = new (secure ? https : http).Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const request = secure ? https.request : http.request;
  const now = options.nowMs ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => sleepTimer(ms).then(() => undefined));
  const random = options.random ?? Math.random;
  let cached: AwsCredentialIdentity | undefined;

  const credentials = async (): Promise<AwsCredentialIdentity> => {
    if (typeof options.credentials !== 'function') return options.credentials;
    const exp = cached?.expiration?.getTime();
    if (!cached || (exp !== undefined && exp - now() < REFRESH_MARGIN_MS)) cached = await options.credentials();
    return cached;
  };

  const post = (body: string, headers: Record<string, string>) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          agent,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port || undefined,
          method: 'POST',
          path: '/',
          headers: { ...headers, host: url.host, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(options.readTimeoutMs, () => {
        const e = new Error(`no answer from ${url.host} within ${options.readTimeoutMs} ms`);
        e.name = 'TimeoutError';
        req.destroy(e);
      });
      req.on('error', reject);
      req.end(body);
    });

  const attempt = async (body: string): Promise<BatchGetItemCommandOutput> => {
    const headers = signRequest({ host: url.host, region: options.region, service: 'dynamodb', target: TARGET, body, credentials: await credentials(), nowMs: now() });
    const { status, text } = await post(body, headers);
    if (status !== 200) throw serviceError(status, text);
    return parseAnswer(text);
  };

  return {
    async send(input: BatchGetItemCommandInput): Promise<BatchGetItemCommandOutput> {
      const body = JSON.stringify(input);
      for (let n = 1; ; n++) {
        try {
          return await attempt(body);
        } catch (e) {
          if (n >= options.maxAttempts || !isRetryable(e)) throw e;
          // Full jitter, as the SDK's standard retry mode.
          await sleep(random() * Math.min(2000, 50 * 2 ** (n - 1)));
        }
      }
    },
    close: () => agent.destroy(),
  };
}
