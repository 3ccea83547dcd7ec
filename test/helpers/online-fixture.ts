/**
 * A small repo model and its tables for the online reader's integration suites: items are written
 * directly with the layout codec (Feast's exact layout), so these suites need no materialize.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RepoConfig } from '../../src/core/config/types.js';
import { fixedClock } from '../../src/core/context.js';
import { buildItem, createValueEncoder, entityIdOf, formatEventTs, serializeEntityKey, type EntityKeyPart } from '../../src/core/layout/index.js';
import { OnlineReader } from '../../src/core/online/read-online.js';
import type { BatchGetSend } from '../../src/core/online/batch-get-runner.js';
import { tableNameOf } from '../../src/core/layout/table-name.js';
import { buildRepoModel } from '../../src/core/repo/load-repo.js';
import type { FeatureView, RepoModel } from '../../src/core/repo/model.js';
import { createFeastTable, localRepoConfig } from './dynalite.js';
import { DEFINITIONS } from './online-definitions.js';
import { defined } from './defined.js';

/** 2021-04-12T10:00:00Z in µs: "now" for ttl checks. */
export const NOW = 1618221600n * 1_000_000n;
export const HOUR = 3_600_000_000n;
export const DAY = 24n * HOUR;

export interface OnlineFixture {
  config: RepoConfig;
  repo: RepoModel;
  view(name: string): FeatureView;
  table(view: string): string;
  /** Writes one item in Feast's layout; `values` are JS values encoded with each feature's dtype. */
  put(
    view: string,
    key: Record<string, unknown>,
    eventTs: bigint | string,
    values: Record<string, unknown>,
    extra?: Record<string, AttributeValue>,
  ): Promise<void>;
  reader(opts?: { send?: BatchGetSend; now?: bigint }): OnlineReader;
}

export async function createOnlineFixture(client: DynamoDBClient, endpoint: string, over: Partial<RepoConfig['onlineStore']> = {}): Promise<OnlineFixture> {
  const config = localRepoConfig('/tmp/online-fixture', endpoint, { onlineStore: over });
  config.project = `o${randomUUID().slice(0, 8)}`;
  const repo = buildRepoModel('/tmp/online-fixture', [{ file: 'features.yaml', text: DEFINITIONS }], config);
  const view = (name: string) => defined(repo.featureViews.find((v) => v.name === name));
  const table = (name: string) => tableNameOf(config, name);
  await Promise.all(
    repo.featureViews.map(async (v) => {
      await createFeastTable(client, table(v.name));
    }),
  );
  return {
    config,
    repo,
    view,
    table,
    async put(viewName, key, eventTs, values, extra) {
      const v = view(viewName);
      const parts: EntityKeyPart[] = v.entityColumns.map((c) => ({ name: c.name, dtype: c.dtype, value: key[c.name] }));
      const encoded: Record<string, Uint8Array> = {};
      for (const [name, value] of Object.entries(values)) {
        const f = v.features.find((x) => x.name === name);
        encoded[name] = f ? createValueEncoder(f.dtype, name)(value) : (value as Uint8Array);
      }
      const item = buildItem({
        entityId: entityIdOf(serializeEntityKey(parts)),
        eventTs: typeof eventTs === 'string' ? eventTs : formatEventTs(eventTs),
        values: encoded,
        extra,
      });
      await client.send(new BatchWriteItemCommand({ RequestItems: { [table(viewName)]: [{ PutRequest: { Item: item } }] } }));
    },
    reader(opts = {}) {
      return new OnlineReader({ config, repo, dynamo: client, send: opts.send, clock: fixedClock(opts.now ?? NOW), endpoint });
    },
  };
}
