/**
 * Reads a whole online table by parallel Scan (architecture.md §4.9): `segments` workers each page
 * through one segment; every page is handed to `onPage` and awaited before the next is asked for, so at
 * most one page per segment is in memory whatever the table's size. The store's tables are scanned
 * through the lean client (aws/lean/lean-client.ts), its JSON answers turned into items by the lean read
 * path's converter: the SDK's parser cost several times the CPU per page, which bounded the scan
 * whatever the segments (bench/scan.bench.ts). Throttling and transient failures are retried under the
 * config's retry policy (util/retry.ts) on either client.
 */
import type { AttributeValue, DynamoDBClient, ScanCommandInput, ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { Buffer } from 'node:buffer';
import type { AwsClients } from '../aws/clients.js';
import { AnswerBuffer, createLeanClient, type LeanClientOptions } from '../aws/lean/lean-client.js';
import { itemFromJson } from './lean-batch-get.js';
import { FeastScanPageReader } from './scan-page.js';
import { dynamoSdk } from '../aws/sdk.js';
import type { RepoConfig } from '../config/types.js';
import { describeAwsError } from '../aws/errors.js';
import { DynafeastError } from '../errors.js';
import { ENTITY_ID_ATTR, parseItem, type Item, type ParsedItem } from '../layout/item.js';
import { runPool } from '../util/pool.js';
import { classifyAwsError } from '../aws/aws-errors.js';
import { DEFAULT_RETRY_POLICY, retryPolicyOf, withRetry, type RetryPolicy } from '../util/retry.js';
import { sleep as defaultSleep, type Sleep } from '../util/sleep.js';

export interface ScanOptions {
  dynamo: Pick<DynamoDBClient, 'send'>;
  table: string;
  /** Parallel segments; default from the table's size ({@link defaultSegments}). */
  segments?: number;
  consistentRead?: boolean;
  /** Where requests go, for error messages. */
  endpoint?: string;
  signal?: AbortSignal;
  /** Scan through a lean client built from these (one socket per segment) instead of `dynamo`. */
  lean?: LeanScanOptions;
  /** Backoff for throttled and transient failures (default: the schema's). */
  retry?: RetryPolicy;
}

/** How the lean client of a scan connects: everything but its pool, which is one socket per segment. */
export type LeanScanOptions = Omit<LeanClientOptions, 'maxSockets'>;

export interface FeastTable {
  table: string;
  /** DescribeTable's ItemCount (refreshed by DynamoDB about every six hours; 0 on some local servers). */
  itemCount: number;
  sizeBytes: number;
}

/**
 * Segments when none are asked for, from DescribeTable's TableSizeBytes.
 *
 * One segment per 16 MiB of table, 1..16: a small table is one request stream, a big one spreads out.
 * A size of 0 says nothing: dynalite and DynamoDB Local report 0 whatever they hold, and DynamoDB
 * refreshes the figure only about every six hours, so a table filled since reads 0 too. It then gets
 * UNKNOWN_SIZE_SEGMENTS, a small fixed parallelism, not 1: on a table that really is empty the extra
 * segments cost one empty page each, on a full one they overlap the request latency, which is where
 * segments pay (bench/scan.bench.ts: the scan is bound by the client's decoding beyond a few).
 * ItemCount would not help, being refreshed with the size.
 */
export function defaultSegments(sizeBytes: number): number {
  if (!(sizeBytes > 0)) return UNKNOWN_SIZE_SEGMENTS;
  return Math.min(16, Math.max(1, Math.ceil(sizeBytes / (16 * 1024 * 1024))));
}

/** {@link defaultSegments} for a table whose size DescribeTable reports as 0. */
export const UNKNOWN_SIZE_SEGMENTS = 4;

/** DescribeTable, and a clear error unless the table has Feast's key schema (hash key entity_id, S). */
export async function describeFeastTable(opts: Pick<ScanOptions, 'dynamo' | 'table' | 'endpoint'>): Promise<FeastTable> {
  let out;
  try {
    out = await opts.dynamo.send(new (dynamoSdk().DescribeTableCommand)({ TableName: opts.table }));
  } catch (e) {
    throw describeAwsError(e, { table: opts.table, action: 'dynamodb:DescribeTable', ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
  }
  const t = out.Table;
  const keys = t?.KeySchema ?? [];
  const hashType = t?.AttributeDefinitions?.find((a) => a.AttributeName === ENTITY_ID_ATTR)?.AttributeType;
  const feast = keys.length === 1 && keys[0]?.AttributeName === ENTITY_ID_ATTR && keys[0].KeyType === 'HASH' && hashType === 'S';
  if (!feast) {
    const found = keys.map((k) => `${k.AttributeName ?? '?'} (${k.KeyType ?? '?'})`).join(', ') || 'none';
    throw new DynafeastError('online.notFeastTable', `table "${opts.table}" is not a Feast online table: its key is ${found}, expected entity_id (HASH, S)`, {
      path: opts.table,
      hint: 'table_name_template in feature_store.yaml must name the tables `dynafeast apply` (or `feast apply`) created',
    });
  }
  return { table: opts.table, itemCount: Number(t?.ItemCount ?? 0), sizeBytes: Number(t?.TableSizeBytes ?? 0) };
}

/** What a command scanning the store's tables hands over. */
export interface StoreScanDeps {
  config: RepoConfig;
  aws: Pick<AwsClients, 'dynamo' | 'endpoint' | 'credentials'> & Partial<Pick<AwsClients, 'slowCalls'>>;
  /** Default: from the table's size ({@link defaultSegments}). */
  segments?: number;
  signal?: AbortSignal;
}

/**
 * Scan options for one of the store's tables: the lean client with the store's endpoint, identity and
 * timeouts, the config's retry policy and consistent reads, segments by the table's size.
 */
export function storeScanOptions(deps: StoreScanDeps, info: FeastTable): ScanOptions {
  const store = deps.config.onlineStore;
  return {
    dynamo: deps.aws.dynamo,
    table: info.table,
    segments: deps.segments ?? defaultSegments(info.sizeBytes),
    consistentRead: store.consistentReads,
    endpoint: deps.aws.endpoint,
    lean: {
      endpoint: deps.aws.endpoint,
      region: store.region,
      credentials: deps.aws.credentials,
      requestTimeoutMs: store.readTimeout * 1000,
      connectTimeoutMs: store.connectTimeout * 1000,
      ...(deps.aws.slowCalls ? { slowCalls: deps.aws.slowCalls } : {}),
    },
    retry: retryPolicyOf(deps.config),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
}

/**
 * Scans every item of the table; `onPage` gets each page's items parsed into Feast's layout. Through
 * the lean client a page is read from its bytes (online/scan-page.ts); what that reader leaves, and
 * every SDK page, goes the general way (AttributeValues, then parseItem).
 */
export async function scanTable(opts: ScanOptions, onPage: (items: ParsedItem[], segment: number) => Promise<void> | void): Promise<void> {
  const general = (item: Item) => parseStored(item, opts.table);
  const reader: PageReader<ParsedItem> = {
    fromBody: (body) => new FeastScanPageReader(body, (json) => general(itemFromJson(json))),
    fromItems: (items) => items.map(general),
  };
  await scanPages(opts, reader, onPage);
}

/** How a scan turns an answer into the items it hands on. */
interface PageReader<I> {
  /** Reads the answer's bytes batch by batch (lean client only). */
  fromBody?: (body: Buffer) => PageBatches<I>;
  /** Reads the answer's items as the SDK shapes them. */
  fromItems: (items: Item[]) => I[];
}

/** An answer read batch by batch; its paging is known once `next` has returned undefined. */
interface PageBatches<I> {
  next(): I[] | undefined;
  readonly lastKey: Record<string, AttributeValue> | undefined;
  readonly consumed: number;
}

const AS_STORED: PageReader<Item> = { fromItems: (items) => items };

/** One page of a segment, as DynamoDB returned it. */
export interface ScanPage {
  items: Item[];
  segment: number;
  /** Where the segment goes on from; undefined: the segment is done. */
  lastKey: Record<string, AttributeValue> | undefined;
  /** Read capacity units the request consumed (ReturnConsumedCapacity TOTAL; 0 when the server says nothing). */
  consumed: number;
}

export interface ParallelScanOptions extends ScanOptions {
  /** Only these attributes (a ProjectionExpression through ExpressionAttributeNames, so reserved words work). */
  attributes?: readonly string[];
  /** Per segment: where to go on from (a resumed scan), or 'done' to skip it. */
  resume?: ReadonlyArray<Record<string, AttributeValue> | 'done' | undefined>;
  /** Read capacity units per second all segments together may consume. */
  maxReadUnitsPerSecond?: number;
  sleep?: Sleep;
  /** Told of each request sent (retries included) and of each throttled answer. */
  onRequest?: () => void;
  onThrottle?: () => void;
}

/**
 * The one scan engine: `segments` workers each page through one segment, each page handed to `onPage`
 * and awaited before the next is asked for. Throttling is waited out (backoff from util/retry.ts, never
 * an error on its own); other transient failures are retried under the retry policy. With a read
 * budget every request first waits for the budget to be back in credit, then pays what it consumed.
 */
export async function parallelScan(opts: ParallelScanOptions, onPage: (page: ScanPage) => Promise<void> | void): Promise<void> {
  // AS_STORED hands each page's items on whole, before its end
  const items = new Map<number, Item[]>();
  await scanPages(
    opts,
    AS_STORED,
    (page, segment) => void items.set(segment, page),
    (segment, end) => {
      const page = items.get(segment) ?? [];
      items.delete(segment);
      return onPage({ items: page, segment, ...end });
    },
  );
}

/**
 * The scan loop: each answer's items go to `onItems` (a whole page, or batch by batch when the reader
 * reads the bytes), then `onPageEnd` hears where the segment goes on from.
 */
async function scanPages<I>(
  opts: ParallelScanOptions,
  reader: PageReader<I>,
  onItems: (items: I[], segment: number) => Promise<void> | void,
  onPageEnd?: (segment: number, end: { lastKey: Record<string, AttributeValue> | undefined; consumed: number }) => Promise<void> | void,
): Promise<void> {
  const segments = Math.max(1, Math.floor(opts.segments ?? 1));
  const indexes = Array.from({ length: segments }, (_, i) => i).filter((i) => opts.resume?.[i] !== 'done');
  const budget = opts.maxReadUnitsPerSecond !== undefined ? new ReadBudget(opts.maxReadUnitsPerSecond) : undefined;
  const sleep = opts.sleep ?? defaultSleep;
  const policy = opts.retry ?? DEFAULT_RETRY_POLICY;
  const names = opts.attributes && opts.attributes.length > 0 ? opts.attributes : undefined;
  const projection = names
    ? {
        ProjectionExpression: names.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
      }
    : {};
  let budgetTurn: Promise<unknown> = Promise.resolve();
  const interrupted = (cause: unknown) => new DynafeastError('aborted', `scan of "${opts.table}" interrupted`, { cause });
  const send = scanSender(opts, indexes.length || 1);
  try {
    await scanSegments();
  } finally {
    send.close();
  }

  async function scanSegments(): Promise<void> {
    await runPool(indexes, indexes.length || 1, async (segment) => {
      const from = opts.resume?.[segment];
      let start: Record<string, AttributeValue> | undefined = from === 'done' ? undefined : from;
      // the segment's answers, each read to its end before the next request
      const answers = new AnswerBuffer();
      do {
        if (opts.signal?.aborted) throw interrupted(opts.signal.reason);
        // segments wait their turn for the budget, each reserving what a page has cost so far
        let reserved = 0;
        if (budget) {
          const turn = budgetTurn.then(() => sleep(budget.waitMs(), opts.signal)).then(() => budget.reserve());
          // a failed wait (Ctrl-C) must not stop the other segments' turns from being taken
          budgetTurn = turn.catch(() => undefined);
          reserved = await turn.catch((e: unknown) => Promise.reject(interrupted(e)));
        }
        const input = {
          TableName: opts.table,
          ...(segments > 1 ? { Segment: segment, TotalSegments: segments } : {}),
          ...(opts.consistentRead ? { ConsistentRead: true } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
          ...projection,
          ReturnConsumedCapacity: 'TOTAL' as const,
        };
        let answer;
        try {
          answer = await sendThrottlePatient(
            () => {
              opts.onRequest?.();
              return send.scan(input, opts.signal, answers);
            },
            { policy, sleep, ...(opts.signal ? { signal: opts.signal } : {}), onThrottle: opts.onThrottle },
          );
        } catch (e) {
          if (opts.signal?.aborted) throw interrupted(e);
          throw describeAwsError(e, { table: opts.table, action: 'dynamodb:Scan', ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
        }
        // an answer that is not JSON is the server's fault, told as any failed call is
        const notJson = (e: SyntaxError) =>
          describeAwsError(e, { table: opts.table, action: 'dynamodb:Scan', ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
        const end = await readAnswer(answer, reader, (items) => onItems(items, segment), notJson);
        budget?.pay(end.consumed, reserved);
        start = end.lastKey;
        await onPageEnd?.(segment, end);
      } while (start !== undefined);
    });
  }
}

type ScanInput = ScanCommandInput & { ReturnConsumedCapacity: 'TOTAL' };
type ScanAnswer = Pick<ScanCommandOutput, 'Items' | 'LastEvaluatedKey' | 'ConsumedCapacity'>;

/** Sends one Scan request: through the lean client when the options name one (its answer's bytes), else the SDK client. */
function scanSender(
  opts: ScanOptions,
  sockets: number,
): { scan(input: ScanInput, signal: AbortSignal | undefined, into: AnswerBuffer): Promise<ScanAnswer | Buffer>; close(): void } {
  if (!opts.lean) {
    return { scan: (input, signal) => opts.dynamo.send(new (dynamoSdk().ScanCommand)(input), signal ? { abortSignal: signal } : {}), close: () => undefined };
  }
  const client = createLeanClient({ ...opts.lean, maxSockets: sockets });
  return { scan: (input, signal, into) => client.callRaw('Scan', dynamoJson(input), signal, into), close: () => client.close() };
}

/**
 * Hands the answer's items on (batch by batch when the reader reads its bytes); resolves with its
 * paging. Reading the answer, not the consumer's handling of it, turns a SyntaxError into `notJson`'s.
 */
async function readAnswer<I>(
  answer: ScanAnswer | Buffer,
  reader: PageReader<I>,
  onItems: (items: I[]) => Promise<void> | void,
  notJson: (e: SyntaxError) => Error,
): Promise<{ lastKey: Record<string, AttributeValue> | undefined; consumed: number }> {
  const read = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw e instanceof SyntaxError ? notJson(e) : e;
    }
  };
  if (Buffer.isBuffer(answer)) {
    if (reader.fromBody) {
      const batches = reader.fromBody(answer);
      for (let items = read(() => batches.next()); items !== undefined; items = read(() => batches.next())) await onItems(items);
      return { lastKey: batches.lastKey, consumed: batches.consumed };
    }
    const body = answer;
    const json = read(() => JSON.parse(body.toString('utf8')) as ScanJson);
    answer = {
      Items: (json.Items ?? []).map(itemFromJson),
      ...(json.LastEvaluatedKey ? { LastEvaluatedKey: itemFromJson(json.LastEvaluatedKey) } : {}),
      ...(json.ConsumedCapacity ? { ConsumedCapacity: json.ConsumedCapacity } : {}),
    };
  }
  await onItems(reader.fromItems((answer.Items ?? []) as Item[]));
  return { lastKey: answer.LastEvaluatedKey, consumed: Number(answer.ConsumedCapacity?.CapacityUnits ?? 0) };
}

interface ScanJson {
  Items?: Record<string, Record<string, unknown>>[];
  LastEvaluatedKey?: Record<string, Record<string, unknown>>;
  ConsumedCapacity?: { CapacityUnits?: number };
}

/** A request as DynamoDB JSON: bytes (a resumed scan's binary key) as base64. */
function dynamoJson(input: ScanInput): string {
  return JSON.stringify(input, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    return raw instanceof Uint8Array ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') : value;
  });
}

/**
 * Sends until an answer: throttling is retried for as long as it lasts (each round a full retry
 * policy's worth of backoff), any other failure under the policy's attempts and time.
 */
async function sendThrottlePatient<T>(
  call: () => Promise<T>,
  o: { policy: RetryPolicy; sleep: Sleep; signal?: AbortSignal; onThrottle?: (() => void) | undefined },
): Promise<T> {
  for (;;) {
    try {
      return await withRetry(call, {
        policy: o.policy,
        sleep: o.sleep,
        ...(o.signal ? { signal: o.signal } : {}),
        onRetry: (e) => {
          if (classifyAwsError(e) === 'throttled') o.onThrottle?.();
        },
      });
    } catch (e) {
      if (classifyAwsError(e) !== 'throttled' || o.signal?.aborted) throw e;
      o.onThrottle?.();
      await o.sleep(o.policy.capMs, o.signal);
    }
  }
}

/**
 * A token bucket in read capacity units: refills at `rate` per second up to one second's worth; a
 * request waits until the bucket is not in debt, then pays what DynamoDB says it consumed (a Scan's
 * cost is known only afterwards), so the average stays within the rate.
 */
export class ReadBudget {
  private tokens: number;
  private at: number;
  private paid = 0;
  private pages = 0;
  constructor(
    readonly rate: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.tokens = rate;
    this.at = nowMs();
  }

  private refill(): void {
    const t = this.nowMs();
    this.tokens = Math.min(this.rate, this.tokens + ((t - this.at) / 1000) * this.rate);
    this.at = t;
  }

  /** Milliseconds to wait before the next request (0: go now). */
  waitMs(): number {
    this.refill();
    return this.tokens > 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000) + 1;
  }

  /** Takes the units an average page has cost so far (what the request about to go will likely cost). */
  reserve(): number {
    const estimate = this.pages === 0 ? 0 : this.paid / this.pages;
    this.tokens -= estimate;
    return estimate;
  }

  /** A page consumed `units`; `reserved` of them were taken when its request went. */
  pay(units: number, reserved = 0): void {
    this.refill();
    this.tokens -= units - reserved;
    this.paid += units;
    this.pages++;
  }
}

function parseStored(item: Item, table: string): ParsedItem {
  try {
    return parseItem(item);
  } catch (e) {
    if (!(e instanceof DynafeastError)) throw e;
    throw new DynafeastError('online.notFeastTable', `table "${table}": ${e.message}`, { path: table, ...(e.hint ? { hint: e.hint } : {}), cause: e });
  }
}
