/**
 * `dynafeast sql` (architecture.md §4.9): DuckDB SQL over the decoded online data, each online view a
 * table named like the view, and each offline source a view `offline.<source>`: a file source over its
 * files, a DynamoDB source over a scan of its table (scanDynamoSource). Only the views and sources the
 * query names are loaded (a whole-word match of the name), so a question about one view scans one table.
 */
import path from 'node:path';
import { DynafeastError } from '../errors.js';
import { MAX_EVENT_MICROS, MIN_EVENT_MICROS } from '../layout/event-ts.js';
import { selectViews } from '../materialize/windows.js';
import { resolveDynamoSourceReader } from '../offline/dynamodb/dynamodb-source.js';
import { sourceViewOf } from '../offline/dynamodb/source-view.js';
import { LOAD_MEMORY_LIMIT, openOfflineStore, type OfflineStore } from '../offline/offline-store.js';
import { resolveSourceReader, sqlIdentifier, type SourceReader } from '../offline/source-reader.js';
import { ignoreProgress } from '../progress.js';
import type { DynamoDBSource } from '../repo/model.js';
import { loadOnlineView, type LoadDeps, type LoadedView } from './online-tables.js';

export interface SqlResult {
  columns: string[];
  /** Rows with JSON-safe values (DuckDB's JSON conversion: big integers and decimals as strings). */
  rows: Record<string, unknown>[];
  loaded: LoadedView[];
}

/** The schema the offline sources are views in. */
export const OFFLINE_SCHEMA = 'offline';

function mentions(query: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_])${escaped}($|[^A-Za-z0-9_])`, 'i').test(query);
}

/**
 * A `type: dynamodb` source, read as materialize reads it (dynamodb-source.ts: parallel Scan of the
 * declared attributes, exact types, the read budget) over all time, with the union of the views it
 * feeds as its columns (source-view.ts). The spool is the run's own, removed with the store.
 */
async function scanDynamoSource(deps: LoadDeps, store: OfflineStore, source: DynamoDBSource): Promise<SourceReader & { release(): Promise<void> }> {
  const progress = deps.progress ?? ignoreProgress;
  const id = `${OFFLINE_SCHEMA}.${source.name}`;
  progress({ type: 'start', id });
  const reader = await resolveDynamoSourceReader(
    store,
    source,
    sourceViewOf(deps.repo, source),
    { startMicros: MIN_EVENT_MICROS, endMicros: MAX_EVENT_MICROS },
    {
      config: deps.config,
      aws: deps.aws,
      progress,
      progressId: id,
      spoolDir: path.join(store.tempDir, 'dynamodb'),
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
  );
  const d = reader.dynamodb;
  const skipped = d.missingTimestamp + d.badTimestamp;
  progress({
    type: 'done',
    id,
    message: `${d.items} item(s) scanned from DynamoDB table ${d.table} in ${d.requests} request(s)${skipped > 0 ? `, ${skipped} skipped for their timestamp` : ''}`,
  });
  return reader;
}

export async function runSql(deps: LoadDeps, query: string): Promise<SqlResult> {
  if (query.trim() === '') {
    throw new DynafeastError('usage.badArgument', 'the query is empty', { hint: 'e.g. dynafeast sql "SELECT count(*) FROM driver_hourly_stats"' });
  }
  const store = await openOfflineStore({ operation: 'sql', memoryLimit: LOAD_MEMORY_LIMIT, onDisk: true });
  const onAbort = () => store.interrupt();
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  // the scans' locks (their spools go with the store's temp folder)
  const scanned: Array<() => Promise<void>> = [];
  try {
    const loaded: LoadedView[] = [];
    for (const view of selectViews(deps.repo, []).filter((v) => mentions(query, v.name))) {
      loaded.push(await loadOnlineView(deps, store, view, view.name));
    }
    const sources = deps.repo.sources.filter((s) => mentions(query, s.name));
    if (sources.length > 0) await store.connection.run(`CREATE SCHEMA ${OFFLINE_SCHEMA}`);
    for (const source of sources) {
      let reader: SourceReader;
      if (source.type === 'dynamodb') {
        const scan = await scanDynamoSource(deps, store, source);
        scanned.push(scan.release);
        reader = scan;
      } else {
        reader = await resolveSourceReader(source, deps.config.repoPath);
      }
      await store.connection.run(`CREATE VIEW ${OFFLINE_SCHEMA}.${sqlIdentifier(source.name)} AS SELECT * FROM ${reader.sql}`);
    }
    let result;
    try {
      result = await store.connection.runAndReadAll(query);
    } catch (e) {
      if (deps.signal?.aborted) throw new DynafeastError('aborted', 'query interrupted', { cause: e });
      const tables = [...loaded.map((l) => l.relation), ...sources.map((s) => `${OFFLINE_SCHEMA}.${s.name}`)];
      throw new DynafeastError('sql.badQuery', `the query failed in DuckDB: ${(e as Error).message.split('\n')[0]}`, {
        path: 'query',
        hint: `tables: ${
          tables.join(', ') ||
          `(none named in the query; online views: ${
            selectViews(deps.repo, [])
              .map((v) => v.name)
              .join(', ') || 'none'
          }, offline sources: ${deps.repo.sources.map((s) => `${OFFLINE_SCHEMA}.${s.name}`).join(', ') || 'none'})`
        }`,
        cause: e,
      });
    }
    return { columns: result.columnNames(), rows: result.getRowObjectsJson() as Record<string, unknown>[], loaded };
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
    for (const release of scanned) await release();
    await store.close();
  }
}
