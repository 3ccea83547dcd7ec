/**
 * The online read (architecture.md §4.3): requested features → per view, the deduplicated entity keys →
 * BatchGetItem requests (all views at once) → values and statuses per entity row, in Feast's column
 * order. One OnlineReader serves many reads: table names and key encoders are built once.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoSdk } from '../aws/sdk.js';
import type { RepoConfig } from '../config/types.js';
import type { Clock } from '../context.js';
import { createEntityKeyEncoder, type EntityKeyEncoder } from '../layout/entity-key.js';
import { entityIdOf } from '../layout/entity-id.js';
import { tableNameOf } from '../layout/table-name.js';
import { DUMMY_ENTITY_ID, isEntityless, type EntityColumn, type FeatureView, type RepoModel } from '../repo/model.js';
import { buildTableRead, planChunks, type TableRead } from './batch-get.js';
import { retryPolicyOf, type RetryPolicy } from '../util/retry.js';
import type { Sleep } from '../util/sleep.js';
import { runBatchGets, type BatchGetSend } from './batch-get-runner.js';
import { echoedJoinKeyOutput, joinKeyOutput } from './convert-value.js';
import { convertEntityRows, type EchoKey, type EntityTable } from './entity-rows.js';
import { resolveFeatures, type ResolvedFeature } from './feature-refs.js';
import { EventTsCache, viewColumns } from './view-columns.js';
import type { FieldStatus, OnlineColumn, OnlineFeaturesRequest, OnlineFeaturesColumns, ValueFormat } from './types.js';

export interface OnlineReaderDeps {
  config: RepoConfig;
  repo: RepoModel;
  /** Used unless `send` is given. */
  dynamo?: Pick<DynamoDBClient, 'send'>;
  /** Sends one BatchGetItem; default: a BatchGetItemCommand through `dynamo`. */
  send?: BatchGetSend;
  clock: Clock;
  /** Where requests go, for error messages (AwsClients.endpoint). */
  endpoint?: string;
  /** Resends of unprocessed keys; default dynafeast.retry of the config. */
  retry?: RetryPolicy;
  sleep?: Sleep;
}

/** Keys of one set of join key columns: the entity_id of every row, deduplicated. */
interface KeyedRows {
  /** Distinct entity ids, in first-seen order. */
  ids: string[];
  /** Row index → index into ids. */
  rowToId: Int32Array;
}

interface ViewPlan {
  view: FeatureView;
  features: ResolvedFeature[];
  read: TableRead;
  keyed: KeyedRows;
}

const DUMMY_COLUMNS: EntityColumn[] = [{ name: DUMMY_ENTITY_ID, dtype: 'String' }];

export class OnlineReader {
  private readonly send: BatchGetSend;
  private readonly encoders = new Map<string, EntityKeyEncoder>();
  private readonly tables = new Map<string, string>();
  private readonly tsCache = new EventTsCache();
  private joinKeys: EchoKey[] | undefined;
  private readonly retryPolicy: RetryPolicy;

  constructor(private readonly deps: OnlineReaderDeps) {
    this.retryPolicy = retryPolicyOf(deps.config);
    if (deps.send !== undefined) {
      this.send = deps.send;
    } else if (deps.dynamo !== undefined) {
      const dynamo = deps.dynamo;
      this.send = (input, signal) => dynamo.send(new (dynamoSdk().BatchGetItemCommand)(input), signal ? { abortSignal: signal } : {});
    } else {
      throw new TypeError('OnlineReader needs a DynamoDB client or a send function');
    }
  }

  /** `signal` abandons the read: its DynamoDB requests are cancelled and it rejects with `aborted`. */
  async read(request: OnlineFeaturesRequest, signal?: AbortSignal): Promise<OnlineFeaturesColumns> {
    const { config, repo } = this.deps;
    const format: ValueFormat = request.valueFormat ?? 'json';
    const resolved = resolveFeatures(repo, request);
    const byView = new Map<FeatureView, ResolvedFeature[]>();
    for (const r of resolved) {
      const list = byView.get(r.view);
      if (list === undefined) byView.set(r.view, [r]);
      else list.push(r);
    }
    const needed = new Map<string, EntityColumn>();
    for (const view of byView.keys()) {
      if (!isEntityless(view)) for (const c of view.entityColumns) needed.set(c.name, c);
    }
    const entities = convertEntityRows(request.entityRows, [...needed.values()], this.projectJoinKeys());

    const keyedBySignature = new Map<string, KeyedRows>();
    const plans: ViewPlan[] = [];
    for (const [view, features] of byView) {
      const columns = isEntityless(view) ? DUMMY_COLUMNS : view.entityColumns;
      const signature = columns.map((c) => `${c.name}:${c.dtype}`).join('|');
      let keyed = keyedBySignature.get(signature);
      if (keyed === undefined) {
        keyed = this.keyRows(signature, columns, entities, isEntityless(view));
        keyedBySignature.set(signature, keyed);
      }
      const read = buildTableRead(
        this.tableOf(view.name),
        features.map((f) => f.feature.name),
        config.onlineStore.consistentReads,
      );
      plans.push({ view, features, read, keyed });
    }

    const chunks = planChunks(
      plans.map((p) => ({ read: p.read, ids: p.keyed.ids })),
      config.onlineStore.batchSize,
    );
    const items = await runBatchGets(chunks, {
      send: this.send,
      maxInFlight: config.onlineStore.maxReadWorkers,
      endpoint: this.deps.endpoint,
      retry: this.deps.retry ?? this.retryPolicy,
      ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}),
      ...(signal ? { signal } : {}),
    });

    const nowMicros = this.deps.clock.nowMicros();
    const columns: OnlineColumn[] = entities.columns.map((k) => {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- entities.values has a column for every entity column
      const raw = entities.values.get(k.name)!;
      return {
        name: k.name,
        kind: 'joinKey',
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- lookup columns are join keys of a requested entity, which always have a type
        values: k.lookup ? raw.map((v) => joinKeyOutput(k.dtype!, v, format)) : raw.map((v) => echoedJoinKeyOutput(k.dtype, v, format)),
        statuses: new Array<FieldStatus>(entities.rowCount).fill('PRESENT'),
        eventTimestamps: new Array<number>(entities.rowCount).fill(0),
      };
    });
    const featureColumns = new Map<ResolvedFeature, OnlineColumn>();
    for (const plan of plans) {
      const read = { view: plan.view.name, table: plan.read.table, ttlMicros: plan.view.ttlMicros, features: plan.features, ...plan.keyed };
      const cols = viewColumns(read, items.get(plan.read.table), entities.rowCount, nowMicros, format, this.tsCache);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- cols has one column per planned feature
      plan.features.forEach((f, j) => featureColumns.set(f, cols[j]!));
    }
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- every resolved feature was planned above
    for (const r of resolved) columns.push(featureColumns.get(r)!);
    return { rowCount: entities.rowCount, columns };
  }

  /**
   * Every join key of every entity of the project (`__dummy_id` included: the model holds Feast's
   * `__dummy` entity): Feast prints each of them that an entity row holds, whichever views were asked for.
   */
  private projectJoinKeys(): EchoKey[] {
    if (this.joinKeys === undefined) {
      const byName = new Map<string, EchoKey>();
      for (const e of this.deps.repo.entities) {
        for (const name of e.joinKeys) if (!byName.has(name)) byName.set(name, { name, dtype: e.valueType });
      }
      this.joinKeys = [...byName.values()];
    }
    return this.joinKeys;
  }

  private tableOf(view: string): string {
    let t = this.tables.get(view);
    if (t === undefined) {
      t = tableNameOf(this.deps.config, view);
      this.tables.set(view, t);
    }
    return t;
  }

  private keyRows(signature: string, columns: readonly EntityColumn[], entities: EntityTable, entityless: boolean): KeyedRows {
    let encode = this.encoders.get(signature);
    if (encode === undefined) {
      encode = createEntityKeyEncoder(columns);
      this.encoders.set(signature, encode);
    }
    const rowToId = new Int32Array(entities.rowCount);
    if (entityless) {
      return { ids: entities.rowCount === 0 ? [] : [entityIdOf(encode(['']))], rowToId };
    }
    const ids: string[] = [];
    const index = new Map<string, number>();
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- entities.values has a column for every entity column
    const sources = columns.map((c) => entities.values.get(c.name)!);
    const values = new Array<unknown>(columns.length);
    for (let r = 0; r < entities.rowCount; r++) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- c < sources.length, and each source has a value per row
      for (let c = 0; c < sources.length; c++) values[c] = sources[c]![r];
      const id = entityIdOf(encode(values));
      let at = index.get(id);
      if (at === undefined) {
        at = ids.length;
        ids.push(id);
        index.set(id, at);
      }
      rowToId[r] = at;
    }
    return { ids, rowToId };
  }
}
