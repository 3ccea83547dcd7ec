/**
 * Materialize's senders: BatchWriteItem, and conditional PutItem for monotonic writes (architecture.md §4.4), over
 * the lean client with request bodies written as text. They cost a fraction of the SDK's CPU per request
 * (docs/materialize.md), which is what bounds the write rate on a small machine; the batch path's retry
 * loop lives in BatchWriter.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { classifyAwsError } from '../../aws/aws-errors.js';
import type { BatchSender, SendOutcome, WriteUnit } from '../batch-writer.js';
import { DynafeastError } from '../../errors.js';
import { ENTITY_ID_ATTR, EVENT_TS_ATTR } from '../../layout/item.js';
import { createLeanClient, type LeanClientOptions } from '../../aws/lean/lean-client.js';

export { LeanServiceError } from '../../aws/lean/lean-client.js';
export type LeanSenderOptions = LeanClientOptions;

/** DynamoDB's limit on BatchWriteItem. */
export const MAX_BATCH_WRITE = 25;

/** Monotonic mode's put condition: no item yet, or the stored one is older (see createConditionalPutSender). */
export const MONOTONIC_CONDITION = `attribute_not_exists(${ENTITY_ID_ATTR}) OR ${EVENT_TS_ATTR} < :ts`;

/**
 * The units of `batch` that an answer's UnprocessedItems names. An item the batch never held means the
 * answer cannot be trusted: failing beats silently dropping a row.
 */
export function unprocessedUnits(batch: readonly WriteUnit[], left: ReadonlyArray<{ PutRequest?: { Item?: Record<string, AttributeValue> } }>): WriteUnit[] {
  if (left.length === 0) return [];
  const byKey = new Map(batch.map((u) => [u.key, u]));
  return left.map((r) => {
    const key = r.PutRequest?.Item?.[ENTITY_ID_ATTR]?.S;
    const unit = key === undefined ? undefined : byKey.get(key);
    if (!unit) {
      throw new DynafeastError('dynamo.failed', `BatchWriteItem answered with an unprocessed item that was not sent (entity_id ${String(key)})`, {
        hint: 'the endpoint is not behaving like DynamoDB; check online_store.endpoint_url',
      });
    }
    return unit;
  });
}

export interface LeanBatchSender extends BatchSender {
  /** Closes pooled sockets. */
  close(): void;
}

interface BatchWriteAnswer {
  UnprocessedItems?: Record<string, Array<{ PutRequest?: { Item?: Record<string, AttributeValue> } }>>;
  ConsumedCapacity?: Array<{ CapacityUnits?: number }>;
}

export function createLeanBatchSender(options: LeanSenderOptions): LeanBatchSender {
  const client = createLeanClient(options);
  return {
    maxBatch: MAX_BATCH_WRITE,
    operation: 'BatchWriteItem',
    async send(table, batch): Promise<SendOutcome> {
      let body = `{"RequestItems":{${JSON.stringify(table)}:[`;
      let sep = '';
      for (const unit of batch) {
        body += `${sep}{"PutRequest":{"Item":${unit.json}}}`;
        sep = ',';
      }
      body += ']},"ReturnConsumedCapacity":"TOTAL"}';
      const answer = await client.call<BatchWriteAnswer>('BatchWriteItem', body);
      const unprocessed = unprocessedUnits(batch, answer.UnprocessedItems?.[table] ?? []);
      const consumed = answer.ConsumedCapacity?.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
      return { unprocessed, ...(consumed !== undefined ? { consumedCapacity: consumed } : {}) };
    },
    close: () => client.close(),
  };
}

/**
 * One conditional put per item: written only when no item is stored for the key or the stored one is
 * older, so replaying an old window or a concurrent writer never replaces newer values.
 *
 * NOTE: `event_ts < :ts` compares strings. That orders instants correctly only when both use the same
 * offset: dynafeast always writes `+00:00` (Python's str() of a UTC datetime, as Feast does), and
 * "YYYY-MM-DD HH:MM:SS+00:00" sorts before "YYYY-MM-DD HH:MM:SS.ffffff+00:00" of the same second because
 * '+' (0x2B) < '.' (0x2E). An item Feast wrote from a source with another offset (e.g. +02:00) would
 * compare by its local wall time; such items are rare and `materialize` without monotonic mode fixes them.
 */
export function createLeanConditionalPutSender(options: LeanSenderOptions): LeanBatchSender {
  const client = createLeanClient(options);
  const condition = JSON.stringify(MONOTONIC_CONDITION);
  return {
    maxBatch: 1,
    operation: 'PutItem',
    async send(table, batch): Promise<SendOutcome> {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the batch writer never sends an empty batch
      const unit = batch[0]!;
      const body =
        `{"TableName":${JSON.stringify(table)},"Item":${unit.json},"ConditionExpression":${condition},` +
        `"ExpressionAttributeValues":{":ts":{"S":${JSON.stringify(unit.eventTs)}}},"ReturnConsumedCapacity":"TOTAL"}`;
      try {
        const answer = await client.call<{ ConsumedCapacity?: { CapacityUnits?: number } }>('PutItem', body);
        return {
          unprocessed: [],
          ...(answer.ConsumedCapacity?.CapacityUnits !== undefined ? { consumedCapacity: answer.ConsumedCapacity.CapacityUnits } : {}),
        };
      } catch (e) {
        if (classifyAwsError(e) === 'conditional-failed') return { unprocessed: [], skipped: 1 };
        throw e;
      }
    },
    close: () => client.close(),
  };
}
