/**
 * What the 50k-item DynamoDB source suites check after materialize (test/reliability/dynamodb-source-50k.rel.ts,
 * test/interop/dynamodb-source-50k.interop.test.ts): the parquet twin's items against the table's, and
 * the differences injected for `verify` to find. Apart from dynamodb-source-fixture.ts, which benchmarks
 * import too (this file loads the layout vectors through materialize-fixture.ts).
 */
import { DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RepoConfig } from '../../src/core/config/types.js';
import { tableNameOf } from '../../src/core/layout/table-name.js';
import { defined } from './defined.js';
import { DDB_VIEW, FILE_VIEW, PROFILES_NOW } from './dynamodb-source-fixture.js';
import { eventTsOf, scanTable, valueBytes, type StoredItem } from './materialize-fixture.js';

/** An online item as text: its event_ts and each feature's stored bytes, to compare items byte for byte. */
const storedItemText = (item: StoredItem | undefined) =>
  `${item?.event_ts?.S ?? ''}|${Object.entries(item?.values?.M ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${Buffer.from(v.B ?? new Uint8Array()).toString('hex')}`)
    .join(',')}`;

/**
 * Scans the online tables of both views of a repo with the parquet twin: the entity ids whose item
 * written from the DynamoDB table differs from the one written from the file, and both tables' items.
 */
export async function twinDifferences(
  client: DynamoDBClient,
  config: RepoConfig,
): Promise<{ different: string[]; fromTable: Map<string, StoredItem>; fromFile: Map<string, StoredItem> }> {
  // side by side: one table's answers are parsed here while the server works on the other's
  const [fromTable, fromFile] = await Promise.all([scanTable(client, tableNameOf(config, DDB_VIEW)), scanTable(client, tableNameOf(config, FILE_VIEW))]);
  const different = [...new Set([...fromFile.keys(), ...fromTable.keys()])].filter(
    (id) => storedItemText(fromFile.get(id)) !== storedItemText(fromTable.get(id)),
  );
  return { different, fromTable, fromFile };
}

/** The entity_id of the extra item injectDifferences adds. */
export const EXTRA_ENTITY_ID = '0'.repeat(32);

/**
 * Injects into an online table (its items as scanned) one difference of each kind `verify` must find,
 * items from across the table (the scan's order is the server's): one deleted, one stale (event_ts 400
 * days back), one with a changed `score`, and an extra item (a copy of the changed one under an entity
 * id no user has).
 */
export async function injectDifferences(client: DynamoDBClient, table: string, scanned: readonly StoredItem[]): Promise<void> {
  const [deleted, stale, changed] = [scanned[100], scanned[Math.floor(scanned.length / 2)], scanned[scanned.length - 100]].map((i) => defined(i));
  await client.send(new DeleteItemCommand({ TableName: table, Key: { entity_id: defined(defined(deleted).entity_id) } }));
  await client.send(new PutItemCommand({ TableName: table, Item: { ...defined(stale), event_ts: { S: eventTsOf(PROFILES_NOW - 400n * 86_400_000_000n) } } }));
  const values = { ...defined(defined(changed).values?.M), score: { B: valueBytes({ case: 'doubleVal', value: 12.5 }) } };
  await client.send(new PutItemCommand({ TableName: table, Item: { ...defined(changed), values: { M: values } } }));
  await client.send(new PutItemCommand({ TableName: table, Item: { ...defined(changed), entity_id: { S: EXTRA_ENTITY_ID } } }));
}
