/**
 * Sends the BatchGetItem chunks, up to `maxInFlight` at once, and owns the UnprocessedKeys loop.
 * DynamoDB hands back keys it did not read (16 MB responses, throttled partitions; dynalite above
 * ~1.4 MB); they are resent with the projection re-attached from our own TableRead, because servers do
 * not all echo it back (dynalite drops ProjectionExpression, which would return whole items).
 */
import type { AttributeValue, BatchGetItemCommandInput, BatchGetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { describeAwsError } from '../aws/errors.js';
import { DynafeastError } from '../errors.js';
import { ENTITY_ID_ATTR, type Item } from '../layout/item.js';
import { runPool } from '../util/pool.js';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from '../util/retry.js';
import { sleep as defaultSleep, type Sleep } from '../util/sleep.js';
import { buildBatchGetInput, type Chunk } from './batch-get.js';

/** Sends one BatchGetItem; an aborted `signal` abandons it (its connection is closed). */
export type BatchGetSend = (input: BatchGetItemCommandInput, signal?: AbortSignal) => Promise<BatchGetItemCommandOutput>;

export interface RunnerOptions {
  send: BatchGetSend;
  maxInFlight: number;
  /** Resends of unprocessed keys: maxAttempts sends per chunk without progress, within maxElapsedMs. */
  retry?: RetryPolicy;
  /** Where requests go, for error messages. */
  endpoint?: string;
  sleep?: Sleep;
  /** Monotonic milliseconds, for tests (default performance.now). */
  nowMs?: () => number;
  random?: () => number;
  /** Abandons the read: requests in flight are cancelled, nothing more is sent (a request timeout). */
  signal?: AbortSignal;
}

/** Items read, per table name. */
export type ReadItems = Map<string, Item[]>;

function unprocessedChunk(chunk: Chunk, left: BatchGetItemCommandOutput['UnprocessedKeys']): Chunk {
  const next: Chunk = new Map();
  if (left === undefined) return next;
  for (const read of chunk.keys()) {
    const keys = left[read.table]?.Keys;
    if (keys === undefined || keys.length === 0) continue;
    next.set(read, keys.map(sentEntityId));
  }
  return next;
}

function sentEntityId(key: Record<string, AttributeValue>): string {
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- unprocessed keys are keys we sent, which always carry entity_id as a string
  return key[ENTITY_ID_ATTR]!.S!;
}

function keyCount(chunk: Chunk): number {
  let n = 0;
  for (const ids of chunk.values()) n += ids.length;
  return n;
}

async function readChunk(first: Chunk, opts: RunnerOptions, out: ReadItems): Promise<void> {
  const retry = opts.retry ?? DEFAULT_RETRY_POLICY;
  const sleep = opts.sleep ?? defaultSleep;
  let chunk = first;
  let stalled = 0;
  let stalledSince = 0;
  for (;;) {
    let res: BatchGetItemCommandOutput;
    try {
      abandonedCheck(opts.signal);
      res = await opts.send(buildBatchGetInput(chunk), opts.signal);
    } catch (e) {
      abandonedCheck(opts.signal, e);
      const tables = [...chunk.keys()].map((r) => r.table).join(', ');
      throw describeAwsError(e, { table: tables, action: 'BatchGetItem', endpoint: opts.endpoint });
    }
    let got = 0;
    if (res.Responses !== undefined) {
      for (const table in res.Responses) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- table comes from iterating the same record
        const items = res.Responses[table]!;
        if (items.length === 0) continue;
        got += items.length;
        const list = out.get(table);
        if (list === undefined) out.set(table, items as Item[]);
        else for (const item of items) list.push(item as Item);
      }
    }
    const sent = keyCount(chunk);
    chunk = unprocessedChunk(chunk, res.UnprocessedKeys);
    const left = keyCount(chunk);
    if (left === 0) return;
    if (got > 0 || left < sent) {
      // Progress (a response cut at its size limit): resend the rest at once.
      stalled = 0;
      continue;
    }
    const now = opts.nowMs ?? (() => performance.now());
    if (stalled === 0) stalledSince = now();
    stalled += 1;
    // Full jitter: concurrent chunks that stalled together do not come back together.
    const delay = backoffDelayMs(stalled - 1, retry, opts.random);
    if (stalled >= retry.maxAttempts || now() + delay - stalledSince > retry.maxElapsedMs) {
      throw new DynafeastError(
        'dynamo.failed',
        `BatchGetItem: ${left} key(s) of ${[...chunk.keys()].map((r) => r.table).join(', ')} were still unprocessed after ${stalled - 1} retries`,
        {
          hint: 'the table is throttled: raise its read capacity (or use on-demand), lower online_store.max_read_workers, or raise dynafeast.retry.max_attempts',
        },
      );
    }
    await sleep(delay, opts.signal).catch(() => abandonedCheck(opts.signal));
  }
}

/** Throws once the read was abandoned: what failed after that is the abandoning, not DynamoDB. */
function abandonedCheck(signal: AbortSignal | undefined, cause?: unknown): void {
  if (signal?.aborted) {
    throw new DynafeastError('aborted', 'the read was abandoned before DynamoDB answered', {
      hint: 'the request timed out or the server is shutting down',
      cause: cause ?? signal.reason,
    });
  }
}

/** Reads every chunk; resolves with the items per table, or rejects with the first failure. */
export async function runBatchGets(chunks: readonly Chunk[], opts: RunnerOptions): Promise<ReadItems> {
  const out: ReadItems = new Map();
  await runPool(chunks, opts.maxInFlight, (chunk) => readChunk(chunk, opts, out));
  return out;
}
