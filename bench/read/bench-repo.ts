/**
 * The read benchmark's feature repo: three driver-stats-shaped views (two Float32 and one Int64
 * feature, no ttl) over `drivers` entities, written into a dynalite child process.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildItem, createEntityKeyEncoder, createValueEncoder, entityIdOf, formatEventTs, type Item } from '../../src/core/layout/index.js';
import { featureStoreYaml } from '../../test/helpers/config.js';
import { createFeastTable } from '../../test/helpers/dynalite.js';

export const PROJECT = 'readbench';
export const VIEWS = ['stats_a', 'stats_b', 'stats_c'] as const;
export const FEATURES = ['conv_rate', 'acc_rate', 'avg_daily_trips'] as const;
export const FIRST_DRIVER = 1_000_001;

export async function writeBenchRepo(dir: string, endpoint: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'feature_store.yaml'), featureStoreYaml({ project: PROJECT, endpoint }));
  const views = VIEWS.map((v) =>
    [
      `  - name: ${v}`,
      '    entities: [driver]',
      '    ttl: 0',
      '    source: src',
      '    schema:',
      '      - {name: conv_rate, dtype: Float32}',
      '      - {name: acc_rate, dtype: Float32}',
      '      - {name: avg_daily_trips, dtype: Int64}',
    ].join('\n'),
  );
  await writeFile(
    path.join(dir, 'features.yaml'),
    [
      'entities:',
      '  - {name: driver, join_keys: [driver_id], value_type: Int64}',
      'sources:',
      '  - {name: src, type: file, path: data/none.parquet, timestamp_field: event_timestamp}',
      'feature_views:',
      ...views,
      '',
    ].join('\n'),
  );
}

/** The item of driver number `d` (0-based), the same in every view. */
export function benchItemFactory(): (d: number) => Item {
  const key = createEntityKeyEncoder([{ name: 'driver_id', dtype: 'Int64' }]);
  const f32 = createValueEncoder({ kind: 'scalar', scalar: 'Float32' });
  const i64 = createValueEncoder({ kind: 'scalar', scalar: 'Int64' });
  const eventTs = formatEventTs(1_618_210_800_000_000n);
  return (d) =>
    buildItem({
      entityId: entityIdOf(key([FIRST_DRIVER + d])),
      eventTs,
      values: { conv_rate: f32((d % 100) / 100), acc_rate: f32((d % 7) / 7), avg_daily_trips: i64(d) },
    });
}

/** Creates the three tables and writes one item per driver into each. */
export async function populate(client: DynamoDBClient, drivers: number): Promise<void> {
  const itemOf = benchItemFactory();
  for (const view of VIEWS) {
    const table = `${PROJECT}.${view}`;
    await createFeastTable(client, table);
    for (let start = 0; start < drivers; start += 25) {
      const puts = [];
      for (let d = start; d < Math.min(drivers, start + 25); d++) puts.push({ PutRequest: { Item: itemOf(d) } });
      await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: puts } }));
    }
  }
}
