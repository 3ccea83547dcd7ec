/**
 * The default senders: BatchWriteItem, and conditional PutItem for monotonic writes (DESIGN §4.4), over
 * the lean client with request bodies written as text. Measured on the benchmark's instant endpoint they
 * cost a fraction of the SDK's CPU per request (docs/materialize.md), which is what bounds the write
 * rate on a small machine.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { BatchSender, SendOutcome, WriteUnit } from '../batch-writer.js';
import { MAX_BATCH_WRITE, MONOTONIC_CONDITION, unprocessedUnits } from '../sdk-senders.js';
import { itemJson } from './attribute-json.js';
import { createLeanClient, type LeanClientOptions } from '../../aws/lean/lean-client.js';

export { LeanServiceError } from '../../aws/lean/lean-client.js';
export type LeanSenderOptions = LeanClientOptions;

export interface LeanBatchSender extends BatchSender {
  /** Closes pooled sockets. */
  close(): void;
}

interface BatchWriteAnswer {
  UnprocessedItems?: Record<string, Array<{ PutRequest?: { Item?: Record<string, AttributeValue> } }>>;
  ConsumedCapacity?: Array<{ CapacityUnits?: number }>;
}

const unitJson = (u: WriteUnit) => u.json ?? itemJson(u.item);

export function createLeanBatchSender(options: LeanSenderOptions): LeanBatchSender {
  const client = createLeanClient(options);
  return {
    maxBatch: MAX_BATCH_WRITE,
    wire: 'json',
    async send(table, batch): Promise<SendOutcome> {
      let body = `{"RequestItems":{${JSON.stringify(table)}:[`;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < batch.length
      for (let i = 0; i < batch.length; i++) body += `${i ? ',' : ''}{"PutRequest":{"Item":${unitJson(batch[i]!)}}}`;
      body += ']},"ReturnConsumedCapacity":"TOTAL"}';
      const answer = await client.call<BatchWriteAnswer>('BatchWriteItem', body);
      const unprocessed = unprocessedUnits(batch, answer.UnprocessedItems?.[table] ?? []);
      const consumed = answer.ConsumedCapacity?.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
      return { unprocessed, ...(consumed !== undefined ? { consumedCapacity: consumed } : {}) };
    },
    close: () => client.close(),
  };
}

/** See createConditionalPutSender (sdk-senders.ts) for the condition and why comparing strings is sound. */
export function createLeanConditionalPutSender(options: LeanSenderOptions): LeanBatchSender {
  const client = createLeanClient(options);
  const condition = JSON.stringify(MONOTONIC_CONDITION);
  return {
    maxBatch: 1,
    wire: 'json',
    async send(table, batch): Promise<SendOutcome> {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the batch writer never sends an empty batch
      const unit = batch[0]!;
      const eventTs = unit.json === undefined ? unit.item.event_ts?.S : unit.eventTs;
      const body =
        `{"TableName":${JSON.stringify(table)},"Item":${unitJson(unit)},"ConditionExpression":${condition},` +
        `"ExpressionAttributeValues":{":ts":{"S":${JSON.stringify(eventTs)}}},"ReturnConsumedCapacity":"TOTAL"}`;
      try {
        const answer = await client.call<{ ConsumedCapacity?: { CapacityUnits?: number } }>('PutItem', body);
        return { unprocessed: [], ...(answer.ConsumedCapacity?.CapacityUnits !== undefined ? { consumedCapacity: answer.ConsumedCapacity.CapacityUnits } : {}) };
      } catch (e) {
        if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return { unprocessed: [], skipped: 1 };
        throw e;
      }
    },
    close: () => client.close(),
  };
}
