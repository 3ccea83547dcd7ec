/**
 * Loads one view's online table into DuckDB (architecture.md §4.9), for export and sql: a parallel Scan
 * decodes every item (Feast layout → entity_id, event timestamp, features typed per the view) and
 * appends it page by page, so the JS heap holds one page per segment; DuckDB keeps the rows on disk
 * beyond its memory limit.
 *
 * Feast's items hold the hash of the entity key, not the join keys. They are recovered from the view's
 * offline source: its distinct entity keys (read with materialize's own key conversions, so they hash to
 * the ids materialize wrote) are hashed and joined on entity_id. Entities the source does not hold keep
 * NULL join keys and are counted.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { RepoConfig } from '../config/types.js';
import { createEntityKeyEncoder } from '../layout/entity-key.js';
import { entityIdOf } from '../layout/entity-id.js';
import { MAX_EVENT_MICROS, MIN_EVENT_MICROS } from '../layout/event-ts.js';
import { tableNameOf } from '../layout/table-name.js';
import { decodeStoredValue } from '../online/fast-decode.js';
import { describeFeastTable, scanTable, storeScanOptions, type StoreScanDeps } from '../online/scan-table.js';
import { appendMemoryLimit, type OfflineStore } from '../offline/offline-store.js';
import { planView } from '../offline/read-view.js';
import { ignoreProgress, type ProgressSink } from '../progress.js';
import { isEntityless, type FeatureView, type RepoModel } from '../repo/model.js';
import { duckColumnOf, EVENT_TIMESTAMP_COLUMN } from './duck-columns.js';
import { sqlIdentifier as quoteIdent } from '../offline/source-reader.js';
import { createBoundedAppender } from '../offline/bounded-appender.js';

export interface LoadDeps {
  config: RepoConfig;
  repo: RepoModel;
  aws: StoreScanDeps['aws'];
  progress?: ProgressSink;
  signal?: AbortSignal;
  /** Scan segments; default from the table's size. */
  segments?: number;
  /** Progress update interval (ms). */
  progressIntervalMs?: number;
  /** Entities per step of the key join (default {@link JOIN_STEP_ROWS}). */
  joinStepRows?: number;
  /** DuckDB's limit for the key join, by the relation's number of columns (default: the store's own). */
  queryMemoryLimit?: (columns: number) => string;
}

export interface LoadedView {
  view: string;
  table: string;
  /** The DuckDB relation with the view's rows: join keys, features, event_timestamp, entity_id. */
  relation: string;
  items: number;
  /** Items whose join keys the offline source does not hold (their join key columns are NULL). */
  unresolvedKeys: number;
  /** Why join keys are not recovered at all (no readable source), if so. */
  keysUnavailable?: string;
  seconds: number;
}

export const ENTITY_ID_COLUMN = 'entity_id';

/**
 * Entities per step of the join that puts the join keys beside the rows. One hash join of the whole
 * table builds a hash table of every entity's keys: DuckDB keeps it within its memory limit, but below
 * that limit it grew with the table (peak RSS +90 MB from 100k to 500k items in bench/export.bench.ts).
 * Joined in steps of about this many entities (by a hash of entity_id), the hash table is the size of
 * one step whatever the table's size; each step scans both tables, which costs far less than the scan
 * of DynamoDB that filled them.
 */
export const JOIN_STEP_ROWS = 100_000;
export const EVENT_TIMESTAMP = 'event_timestamp';

let counter = 0;

/** Loads `view` into the DuckDB relation `relation` (a view over the scanned rows joined with their keys). */
export async function loadOnlineView(deps: LoadDeps, store: OfflineStore, view: FeatureView, relation: string): Promise<LoadedView> {
  const started = performance.now();
  const progress = deps.progress ?? ignoreProgress;
  const table = tableNameOf(deps.config, view.name);
  const info = await describeFeastTable({ dynamo: deps.aws.dynamo, table, endpoint: deps.aws.endpoint });
  const n = ++counter;
  const keyTable = `__dynafeast_keys_${n}`;
  const rowTable = `__dynafeast_online_${n}`;
  const c = store.connection;

  const keys = isEntityless(view) ? { unavailable: 'the view has no entities' } : await loadKeys(deps, store, view, keyTable);

  const features = view.features.map((f) => ({ name: f.name, column: duckColumnOf(f.dtype) }));
  const columns = [
    `${ENTITY_ID_COLUMN} VARCHAR`,
    `${EVENT_TIMESTAMP} ${EVENT_TIMESTAMP_COLUMN.loadedSql}`,
    ...features.map((f) => `${quoteIdent(f.name)} ${f.column.sql}`),
  ];
  await c.run(`CREATE TABLE ${rowTable} (${columns.join(', ')})`);
  // appending: DuckDB needs the appender's chunks and the columns' blocks only; the join gets its own limit
  await store.limitMemory(appendMemoryLimit(columns.length));
  const appender = await createBoundedAppender(c, rowTable);
  let items = 0;
  let lastTick = performance.now();
  const interval = deps.progressIntervalMs ?? 500;
  const tick = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastTick < interval) return;
    lastTick = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? Math.round(items / seconds) : 0;
    const total = info.itemCount > 0 ? `/${info.itemCount}` : '';
    progress({ type: 'update', id: view.name, message: `scanned ${items}${total} items · ${rate} items/s`, stats: { items, itemsPerSecond: rate } });
  };
  // one closure for the error message of every cell, not one per cell
  let [whereId, whereFeature] = ['', ''];
  const where = () => `table "${table}", entity_id ${whereId}, feature "${whereFeature}"`;
  progress({ type: 'start', id: view.name });
  try {
    await scanTable(storeScanOptions(deps, info), (page) => {
      for (const item of page) {
        whereId = item.entityId;
        appender.appendVarchar(item.entityId);
        EVENT_TIMESTAMP_COLUMN.append(appender, item.eventMicros);
        for (const f of features) {
          whereFeature = f.name;
          const bytes = item.values[f.name];
          f.column.appendDecoded(appender, bytes === undefined ? null : decodeStoredValue(bytes), where);
        }
        appender.endRow();
      }
      items += page.length;
      tick(false);
    });
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await store.limitMemory(deps.queryMemoryLimit?.(view.entityColumns.length + features.length + 2));
  tick(true);

  const keyNames = view.entityColumns.map((k) => quoteIdent(k.name));
  const featureNames = features.map((f) => `o.${quoteIdent(f.name)}`);
  const eventTimestamp = `${EVENT_TIMESTAMP_COLUMN.sql(`o.${EVENT_TIMESTAMP}`)} AS ${EVENT_TIMESTAMP}`;
  let unresolved = 0;
  if (keys.unavailable === undefined) {
    unresolved = await joinKeys(c, {
      rowTable,
      keyTable,
      relation,
      items,
      keyNames,
      featureNames,
      eventTimestamp,
      stepRows: deps.joinStepRows ?? JOIN_STEP_ROWS,
    });
  } else {
    await c.run(`CREATE VIEW ${quoteIdent(relation)} AS SELECT ${[...featureNames, eventTimestamp, `o.${ENTITY_ID_COLUMN}`].join(', ')} FROM ${rowTable} o`);
  }
  const seconds = (performance.now() - started) / 1000;
  progress({ type: 'done', id: view.name, message: `${items} items in ${seconds.toFixed(1)}s (${Math.round(items / Math.max(seconds, 1e-3))} items/s)` });
  return {
    view: view.name,
    table,
    relation,
    items,
    unresolvedKeys: unresolved,
    ...(keys.unavailable !== undefined ? { keysUnavailable: keys.unavailable } : {}),
    seconds,
  };
}

/** entity_id → join keys of every entity the view's offline source holds, in a DuckDB table. */
async function loadKeys(deps: LoadDeps, store: OfflineStore, view: FeatureView, keyTable: string): Promise<{ unavailable?: string }> {
  const source = deps.repo.sources.find((s) => s.name === view.source);
  if (source === undefined || view.notMaterializable !== undefined) {
    return { unavailable: view.notMaterializable ?? `source "${view.source}" is not defined in the repo` };
  }
  const c: DuckDBConnection = store.connection;
  const keyColumns = view.entityColumns.map((k) => ({ name: k.name, column: duckColumnOf({ kind: 'scalar', scalar: k.dtype }) }));
  await c.run(`CREATE TABLE ${keyTable} (${[`${ENTITY_ID_COLUMN} VARCHAR`, ...keyColumns.map((k) => `${quoteIdent(k.name)} ${k.column.sql}`)].join(', ')})`);
  // Only the keys are read: a feature no file column feeds (ScalarMap, ZonedTimestamp, written by Feast
  // from Python objects) or one the file lacks does not stand in the way of naming the entities. The
  // distinct keys of the whole source, not its latest row per key: the query spills to disk, so this
  // stays within the store's memory limit however many entities the source holds.
  const keysOnly: FeatureView = { ...view, features: [] };
  const planned = await planView(store, {
    view: keysOnly,
    source,
    repoRoot: deps.config.repoPath,
    startMicros: MIN_EVENT_MICROS,
    endMicros: MAX_EVENT_MICROS,
    // a DynamoDB source's keys come from a scan of its table (spooled apart from materialize's)
    dynamo: { config: deps.config, aws: deps.aws, progressId: view.name, runKey: 'export', ...(deps.signal ? { signal: deps.signal } : {}) },
  });
  const encode = createEntityKeyEncoder(view.entityColumns);
  // NOTE: its own connection: the keys stream out of the main one, and an appender flushing on that
  // connection (every 204,800 rows) ends the stream early — a source of more entities than that lost
  // the rest of its keys without an error.
  const writer = await store.connect();
  let appender: DuckDBAppender | undefined;
  // a failed read keeps a DynamoDB source's spool for the next run, without its scan lock
  let failed = true;
  try {
    const out = (appender = await createBoundedAppender(writer, keyTable));
    const values = new Array<unknown>(keyColumns.length);
    let appending = false;
    for await (const keys of planned.distinctKeys()) {
      if (!appending) {
        // the distinct keys are a table by now (planView's query, under the store's limit): what follows only appends
        await store.limitMemory(appendMemoryLimit(keyColumns.length + 1));
        appending = true;
      }
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- one array per key column, all as long
      const length = keys[0]!.length;
      for (let row = 0; row < length; row++) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- one array per key column
        for (let k = 0; k < keyColumns.length; k++) values[k] = keys[k]![row];
        out.appendVarchar(entityIdOf(encode(values)));
        keyColumns.forEach((k, i) => k.column.append(out, values[i]));
        out.endRow();
      }
    }
    out.flushSync();
    failed = false;
  } finally {
    appender?.closeSync();
    store.disconnect(writer);
    if (failed) await planned.reader.release?.();
  }
  await planned.reader.done?.();
  return {};
}

/**
 * Fills the table `relation` with the rows of `rowTable` and their join keys from `keyTable` (NULL where
 * the source lacks the entity), in steps of about `stepRows` entities so the join's hash table stays
 * that size; drops both tables. Returns how many rows have no keys.
 */
async function joinKeys(
  c: DuckDBConnection,
  t: {
    rowTable: string;
    keyTable: string;
    relation: string;
    items: number;
    keyNames: string[];
    featureNames: string[];
    eventTimestamp: string;
    stepRows: number;
  },
): Promise<number> {
  const relation = quoteIdent(t.relation);
  const select = [...t.keyNames.map((k) => `k.${k}`), ...t.featureNames, t.eventTimestamp, `o.${ENTITY_ID_COLUMN}`].join(', ');
  const from = (where: string) => `FROM (SELECT * FROM ${t.rowTable}${where}) o LEFT JOIN (SELECT * FROM ${t.keyTable}${where}) k USING (${ENTITY_ID_COLUMN})`;
  await c.run(`CREATE TABLE ${relation} AS SELECT ${select} ${from('')} LIMIT 0`);
  const steps = Math.max(1, Math.ceil(t.items / t.stepRows));
  for (let step = 0; step < steps; step++) {
    await c.run(`INSERT INTO ${relation} SELECT ${select} ${from(steps > 1 ? ` WHERE hash(${ENTITY_ID_COLUMN}) % ${steps} = ${step}` : '')}`);
  }
  await c.run(`DROP TABLE ${t.rowTable}`);
  await c.run(`DROP TABLE ${t.keyTable}`);
  // the source's keys are never NULL (read-view.ts leaves such rows out), so a NULL key is a missing entity
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- an entity view has at least one join key
  const first = t.keyNames[0]!;
  return Number((await c.runAndReadAll(`SELECT count(*) FROM ${relation} WHERE ${first} IS NULL`)).getRows()[0]?.[0] ?? 0);
}
