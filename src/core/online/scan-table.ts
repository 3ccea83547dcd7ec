/**
 * Reads a whole online table by parallel Scan (architecture.md §4.9): `segments` workers each page
 * through one segment; every page is handed to `onPage` and awaited before the next is asked for, so at
 * most one page per segment is in memory whatever the table's size. Throttling and 5xx are retried by
 * the SDK client's own policy (aws/clients.ts, from the config's retry settings).
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsClients } from '../aws/clients.js';
import { dynamoSdk } from '../aws/sdk.js';
import type { RepoConfig } from '../config/types.js';
import { describeAwsError } from '../aws/errors.js';
import { DynafeastError } from '../errors.js';
import { ENTITY_ID_ATTR, parseItem, type Item, type ParsedItem } from '../layout/item.js';
import { runPool } from '../util/pool.js';

export interface ScanOptions {
  dynamo: Pick<DynamoDBClient, 'send'>;
  table: string;
  /** Parallel segments; default from the table's size ({@link defaultSegments}). */
  segments?: number;
  consistentRead?: boolean;
  /** Where requests go, for error messages. */
  endpoint?: string;
  signal?: AbortSignal;
}

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
  aws: Pick<AwsClients, 'dynamo' | 'endpoint'>;
  /** Default: from the table's size ({@link defaultSegments}). */
  segments?: number;
  signal?: AbortSignal;
}

/** Scan options for one of the store's tables: the config's consistent reads, segments by the table's size. */
export function storeScanOptions(deps: StoreScanDeps, info: FeastTable): ScanOptions {
  return {
    dynamo: deps.aws.dynamo,
    table: info.table,
    segments: deps.segments ?? defaultSegments(info.sizeBytes),
    consistentRead: deps.config.onlineStore.consistentReads,
    endpoint: deps.aws.endpoint,
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
}

/** Scans every item of the table; `onPage` gets each page's items parsed into Feast's layout. */
export async function scanTable(opts: ScanOptions, onPage: (items: ParsedItem[], segment: number) => Promise<void> | void): Promise<void> {
  const segments = Math.max(1, Math.floor(opts.segments ?? 1));
  const indexes = Array.from({ length: segments }, (_, i) => i);
  await runPool(indexes, segments, async (segment) => {
    let start: Record<string, AttributeValue> | undefined;
    do {
      if (opts.signal?.aborted) throw new DynafeastError('aborted', `scan of "${opts.table}" interrupted`, { cause: opts.signal.reason });
      let page;
      try {
        page = await opts.dynamo.send(
          new (dynamoSdk().ScanCommand)({
            TableName: opts.table,
            ...(segments > 1 ? { Segment: segment, TotalSegments: segments } : {}),
            ...(opts.consistentRead ? { ConsistentRead: true } : {}),
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
          opts.signal ? { abortSignal: opts.signal } : {},
        );
      } catch (e) {
        if (opts.signal?.aborted) throw new DynafeastError('aborted', `scan of "${opts.table}" interrupted`, { cause: e });
        throw describeAwsError(e, { table: opts.table, action: 'dynamodb:Scan', ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
      }
      const items = (page.Items ?? []) as Item[];
      await onPage(
        items.map((item) => parseStored(item, opts.table)),
        segment,
      );
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  });
}

function parseStored(item: Item, table: string): ParsedItem {
  try {
    return parseItem(item);
  } catch (e) {
    if (!(e instanceof DynafeastError)) throw e;
    throw new DynafeastError('online.notFeastTable', `table "${table}": ${e.message}`, { path: table, ...(e.hint ? { hint: e.hint } : {}), cause: e });
  }
}
