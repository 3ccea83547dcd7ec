/**
 * Pure builders for BatchGetItem (CONTRIBUTING.md convention 6): the projection of one view's requested features,
 * the split of every key to read into requests, and the request payloads. The runner sends them.
 */
import type { BatchGetItemCommandInput, KeysAndAttributes } from '@aws-sdk/client-dynamodb';
import { ENTITY_ID_ATTR, EVENT_TS_ATTR, VALUES_ATTR } from '../layout/item.js';

/** DynamoDB's limit of keys in one BatchGetItem (over all tables of the request). */
export const MAX_BATCH_GET_KEYS = 100;

/** What is read from one view's table: the same projection and consistency for every key. */
export interface TableRead {
  table: string;
  consistentRead: boolean;
  projectionExpression: string;
  expressionAttributeNames: Record<string, string>;
}

/** Keys of one request, grouped by table. */
export type Chunk = Map<TableRead, string[]>;

/**
 * `#i, #t, #v.#f0, #v.#f1, …`: only the requested features leave the table (less to read, transfer and
 * decode). Every name goes through ExpressionAttributeNames: `values` is a reserved word and feature
 * names may be too.
 */
export function buildTableRead(table: string, features: readonly string[], consistentRead: boolean): TableRead {
  const names: Record<string, string> = { '#i': ENTITY_ID_ATTR, '#t': EVENT_TS_ATTR, '#v': VALUES_ATTR };
  const paths = ['#i', '#t'];
  features.forEach((f, i) => {
    names[`#f${i}`] = f;
    paths.push(`#v.#f${i}`);
  });
  return { table, consistentRead, projectionExpression: paths.join(', '), expressionAttributeNames: names };
}

/**
 * Splits the keys of every table into requests of at most `batchSize` keys. Keys of several tables may
 * share a request (one round trip reads several views); the chunks are balanced, so N keys take
 * ceil(N / batchSize) requests of nearly equal size and the slowest of them finishes sooner.
 */
export function planChunks(reads: ReadonlyArray<{ read: TableRead; ids: readonly string[] }>, batchSize: number): Chunk[] {
  const size = Math.max(1, Math.min(MAX_BATCH_GET_KEYS, Math.floor(batchSize)));
  const total = reads.reduce((n, r) => n + r.ids.length, 0);
  if (total === 0) return [];
  const count = Math.ceil(total / size);
  const per = Math.ceil(total / count);
  const chunks: Chunk[] = [];
  let current: Chunk = new Map();
  let filled = 0;
  for (const { read, ids } of reads) {
    let start = 0;
    while (start < ids.length) {
      const take = Math.min(per - filled, ids.length - start);
      const list = current.get(read);
      const slice = ids.slice(start, start + take);
      if (list === undefined) current.set(read, slice);
      else list.push(...slice);
      start += take;
      filled += take;
      if (filled === per) {
        chunks.push(current);
        current = new Map();
        filled = 0;
      }
    }
  }
  if (filled > 0) chunks.push(current);
  return chunks;
}

export function keysAndAttributes(read: TableRead, ids: readonly string[]): KeysAndAttributes {
  return {
    Keys: ids.map((id) => ({ [ENTITY_ID_ATTR]: { S: id } })),
    ConsistentRead: read.consistentRead,
    ProjectionExpression: read.projectionExpression,
    ExpressionAttributeNames: read.expressionAttributeNames,
  };
}

export function buildBatchGetInput(chunk: Chunk): BatchGetItemCommandInput {
  const requestItems: Record<string, KeysAndAttributes> = {};
  for (const [read, ids] of chunk) requestItems[read.table] = keysAndAttributes(read, ids);
  return { RequestItems: requestItems };
}
