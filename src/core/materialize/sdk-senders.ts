/**
 * BatchSenders over the AWS SDK client: BatchWriteItem (the default path) and conditional PutItem for
 * monotonic writes (DESIGN §4.4). The batch path's own retry loop lives in BatchWriter; the SDK's
 * internal retries are reported back so they are counted and paid from the same budget.
 */
import { BatchWriteItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynafeastError } from '../errors.js';
import { ENTITY_ID_ATTR, EVENT_TS_ATTR } from '../layout/item.js';
import type { BatchSender, SendOutcome, WriteUnit } from './batch-writer.js';

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

/** The SDK senders take attribute-value items (materialize encodes for the sender's `wire`). */
function itemOf(unit: WriteUnit): Record<string, AttributeValue> {
  if (unit.item === undefined) throw new DynafeastError('internal', `write unit ${unit.key} was encoded as JSON for an SDK sender`);
  return unit.item;
}

function innerRetries(metadata: { attempts?: number } | undefined): number {
  return Math.max(0, (metadata?.attempts ?? 1) - 1);
}

export function createSdkBatchSender(client: DynamoDBClient): BatchSender {
  return {
    maxBatch: MAX_BATCH_WRITE,
    wire: 'item',
    async send(table, batch): Promise<SendOutcome> {
      const out = await client.send(
        new BatchWriteItemCommand({
          RequestItems: { [table]: batch.map((u) => ({ PutRequest: { Item: itemOf(u) } })) },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      const unprocessed = unprocessedUnits(batch, out.UnprocessedItems?.[table] ?? []);
      const consumed = out.ConsumedCapacity?.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
      return { unprocessed, consumedCapacity: consumed, innerRetries: innerRetries(out.$metadata) };
    },
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
export function createConditionalPutSender(client: DynamoDBClient): BatchSender {
  return {
    maxBatch: 1,
    wire: 'item',
    async send(table, batch): Promise<SendOutcome> {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the batch writer never sends an empty batch
      const unit = batch[0]!;
      const item = itemOf(unit);
      try {
        const out = await client.send(
          new PutItemCommand({
            TableName: table,
            Item: item,
            ConditionExpression: MONOTONIC_CONDITION,
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- buildItem always writes event_ts
            ExpressionAttributeValues: { ':ts': item[EVENT_TS_ATTR]! },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        return { unprocessed: [], consumedCapacity: out.ConsumedCapacity?.CapacityUnits, innerRetries: innerRetries(out.$metadata) };
      } catch (e) {
        if ((e as { name?: string }).name === 'ConditionalCheckFailedException') {
          const meta = (e as { $metadata?: { attempts?: number } }).$metadata;
          return { unprocessed: [], skipped: 1, innerRetries: innerRetries(meta) };
        }
        throw e;
      }
    },
  };
}
