/**
 * A `type: dynamodb` source (architecture.md §4.11): the table is read by parallel Scan (only the
 * attributes the view needs), each page's items converted by the view's declared dtypes
 * (attribute-columns.ts) and spooled as a parquet file, then the view's query runs over the spool
 * exactly as over a parquet source: the same window, latest-per-key and write path.
 *
 * The scan is resumable: the spool and a checkpoint (each segment's LastEvaluatedKey and whether it is
 * done, written atomically after the page it follows is on disk) live under the repo's
 * `data/.dynafeast-scans/<view>-<key>/`, keyed by view, window, source settings, columns and run. An
 * interrupted materialize run goes on from the checkpoint; the folder is removed once the view is
 * written. scan-spool.ts finds, discards and removes spools; a running scan holds the spool's scan.lock.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBAppender, DuckDBType } from '@duckdb/node-api';
import { createAwsClients, type AwsClients } from '../../aws/clients.js';
import { describeAwsError } from '../../aws/errors.js';
import { isNotFound } from '../../aws/aws-errors.js';
import { dynamoSdk } from '../../aws/sdk.js';
import type { RepoConfig } from '../../config/types.js';
import type { Logger } from '../../context.js';
import { DynafeastError } from '../../errors.js';
import { isEntityless, type DynamoDBSource, type FeatureView } from '../../repo/model.js';
import { ignoreProgress, type ProgressSink } from '../../progress.js';
import { defaultSegments, parallelScan, type ParallelScanOptions, type ScanPage } from '../../online/scan-table.js';
import { tryLock, type HeldLock } from '../../lock/file-lock.js';
import { commitFile, writeFileAtomic } from '../../util/atomic-file.js';
import { retryPolicyOf } from '../../util/retry.js';
import type { Sleep } from '../../util/sleep.js';
import type { OfflineStore } from '../offline-store.js';
import { sqlIdentifier, sqlString, type SourceReader } from '../source-reader.js';
import {
  AttributeMismatch,
  TIMESTAMP_COLUMN,
  columnRuleOf,
  expectedTimestamp,
  kindOf,
  timestampCell,
  timestampMicrosOf,
  type AttributeValue,
  type ColumnRule,
} from './attribute-columns.js';
import { CHECKPOINT_FILE, discardStaleSpools, oldSpools, SCAN_LOCK_FILE, scansRoot, spoolName, type SpoolInfo } from './scan-spool.js';

/** How a DynamoDB source is reached and what a run tells about it. */
export interface DynamoSourceContext {
  config: RepoConfig;
  /** The online store's clients: a source in the same region and endpoint scans with them. */
  aws: Pick<AwsClients, 'endpoint'> & Partial<Pick<AwsClients, 'dynamo' | 'credentials'>>;
  logger?: Logger;
  progress?: ProgressSink;
  progressId: string;
  signal?: AbortSignal;
  /** An item whose timestamp attribute is missing or not a time fails the run (default: skipped with a warning). */
  strict?: boolean;
  /** Extra part of the checkpoint key (a shard's spec: shards spool apart). */
  runKey?: string;
  /**
   * Where the spool goes instead of the repo's resumable `data/.dynafeast-scans/`: a one-shot read
   * (`sql`) spools into its run's temp folder, which is removed with it, and never resumes.
   */
  spoolDir?: string;
  /** Backoff waits (tests). */
  sleep?: Sleep;
}

/** What the scan of a DynamoDB source did: the report's `dynamodb` entry. */
export interface DynamoScanStats {
  table: string;
  segments: number;
  /** Segments done by an earlier, interrupted run (not scanned again). */
  resumedSegments: number;
  /** Scan requests this run sent (retries included). */
  requests: number;
  throttles: number;
  /** Items read (all runs of this scan); rows spooled: those with a timestamp inside the window. */
  items: number;
  rowsSpooled: number;
  consumedReadUnits: number;
  /** Items skipped because their timestamp attribute is missing / not a time in the declared format. */
  missingTimestamp: number;
  badTimestamp: number;
}

interface Checkpoint {
  version: 2;
  key: string;
  /** Whose spool it is (scan-spool.ts judges spools by them): view, run ('' unsharded, `i/N`, export, verify), table. */
  view: string;
  run: string;
  table: string;
  segments: number;
  state: Array<{ lastKey?: Record<string, AttributeValue>; done: boolean; pages: number }>;
  counts: Pick<DynamoScanStats, 'items' | 'rowsSpooled' | 'consumedReadUnits' | 'missingTimestamp' | 'badTimestamp'>;
}

/** One spool column: the attribute it reads and how. */
interface SpoolColumn {
  attribute: string;
  duck: DuckDBType;
  /** A cell value from the item (throws AttributeMismatch / a DynafeastError). */
  cell(item: Record<string, AttributeValue>): unknown;
}

let spoolCounter = 0;

function sourceError(source: DynamoDBSource, code: 'repo.unreadableSource' | 'repo.badColumnType', message: string, hint: string, cause?: unknown) {
  return new DynafeastError(code, `source "${source.name}" (DynamoDB table "${source.table}"): ${message}`, {
    path: `sources.${source.name}`,
    ...(source.location ? { location: source.location } : {}),
    hint,
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** `user_id="u1"`: an item's key for messages. */
function describeKey(item: Record<string, AttributeValue>, keyNames: readonly string[]): string {
  return keyNames
    .map((k) => {
      const v = item[k];
      if (v === undefined) return `${k}=?`;
      const t = v.S ?? v.N;
      return `${k}=${t !== undefined ? JSON.stringify(t) : v.B ? `bytes(${v.B.length})` : kindOf(v)}`;
    })
    .join(', ');
}

/** The clients a source scans with: the store's, unless it names its own region or endpoint. */
function clientsFor(source: DynamoDBSource, ctx: DynamoSourceContext): { dynamo: AwsClients['dynamo']; endpoint: string; close(): void } {
  const own = source.region !== undefined || source.endpointUrl !== undefined;
  if (!own && ctx.aws.dynamo) return { dynamo: ctx.aws.dynamo, endpoint: ctx.aws.endpoint, close: () => undefined };
  const store = ctx.config.onlineStore;
  const config: RepoConfig = own
    ? {
        ...ctx.config,
        onlineStore: {
          ...store,
          region: source.region ?? store.region,
          // a region of its own means that region's AWS endpoint, not the store's endpoint_url
          endpointUrl: source.endpointUrl ?? (source.region !== undefined ? undefined : store.endpointUrl),
        },
      }
    : ctx.config;
  const sameEndpoint = !own || (source.endpointUrl !== undefined && source.endpointUrl === store.endpointUrl);
  const clients = createAwsClients(config, {
    ...(ctx.logger ? { logger: ctx.logger } : {}),
    ...(sameEndpoint && ctx.aws.credentials ? { credentials: ctx.aws.credentials } : {}),
    ...(!own ? { endpointUrl: ctx.aws.endpoint } : {}),
  });
  return { dynamo: clients.dynamo, endpoint: clients.endpoint, close: () => clients.destroy() };
}

/** The spool's columns: join keys, features, timestamps, each once by attribute name. */
function spoolColumns(view: FeatureView, source: DynamoDBSource): SpoolColumn[] {
  const reverse = new Map(Object.entries(source.fieldMapping).map(([from, to]) => [to, from]));
  const attr = (name: string) => reverse.get(name) ?? name;
  const columns = new Map<string, { duck: DuckDBType; rule: ColumnRule; what: string }>();
  const add = (name: string, rule: ColumnRule | { unsupported: string }, what: string) => {
    const a = attr(name);
    if ('unsupported' in rule) {
      throw sourceError(
        source,
        'repo.badColumnType',
        `${what}: ${rule.unsupported}`,
        'change the dtype in the view schema, or read this data from a file source',
      );
    }
    const had = columns.get(a);
    if (had && had.duck.toString() !== rule.duck.toString()) {
      throw sourceError(
        source,
        'repo.badColumnType',
        `attribute "${a}" feeds both ${had.what} and ${what}, of different types`,
        'map one of them to another attribute with field_mapping',
      );
    }
    if (!had) columns.set(a, { duck: rule.duck, rule, what });
  };
  if (!isEntityless(view))
    for (const k of view.entityColumns) add(k.name, columnRuleOf({ kind: 'scalar', scalar: k.dtype }), `join key ${k.name} (${k.dtype})`);
  for (const f of view.features) add(f.name, columnRuleOf(f.dtype), `feature ${f.name}`);
  const out: SpoolColumn[] = [...columns].map(([attribute, c]) => ({ attribute, duck: c.duck, cell: (item) => c.rule.convert(item[attribute]) }));
  const timestamps = [attr(source.timestampField), ...(source.createdTimestampColumn ? [attr(source.createdTimestampColumn)] : [])];
  for (const t of timestamps) {
    if (columns.has(t)) {
      throw sourceError(
        source,
        'repo.badColumnType',
        `attribute "${t}" is both a timestamp and a feature or join key`,
        'declare the timestamp under another name with field_mapping',
      );
    }
  }
  return out;
}

/** Appends one cell of a column to the appender, by its DuckDB type. */
function appendCell(appender: DuckDBAppender, duck: DuckDBType, v: unknown): void {
  if (v === null || v === undefined) appender.appendNull();
  else appender.appendValue(v as never, duck);
}

/**
 * Scans the source (or goes on with an interrupted scan) into the spool and returns the reader the
 * view's query runs over. `done()` removes the spool and checkpoint once the view is written.
 */
export async function resolveDynamoSourceReader(
  store: OfflineStore,
  source: DynamoDBSource,
  view: FeatureView,
  window: { startMicros: bigint; endMicros: bigint },
  ctx: DynamoSourceContext,
): Promise<SourceReader & { dynamodb: DynamoScanStats; done(): Promise<void>; release(): Promise<void> }> {
  const columns = spoolColumns(view, source);
  const progress = ctx.progress ?? ignoreProgress;
  const tsAttr = Object.entries(source.fieldMapping).find(([, to]) => to === source.timestampField)?.[0] ?? source.timestampField;
  const createdName = source.createdTimestampColumn;
  const createdAttr = createdName ? (Object.entries(source.fieldMapping).find(([, to]) => to === createdName)?.[0] ?? createdName) : undefined;
  const createdFormat = source.createdTimestampFormat ?? source.timestampFormat;
  const clients = clientsFor(source, ctx);
  let lock: HeldLock<undefined> | undefined;
  const release = async () => {
    await lock?.release();
    lock = undefined;
  };
  try {
    let described;
    try {
      described = await clients.dynamo.send(new (dynamoSdk().DescribeTableCommand)({ TableName: source.table }), ctx.signal ? { abortSignal: ctx.signal } : {});
    } catch (e) {
      if (ctx.signal?.aborted) throw new DynafeastError('aborted', `scan of "${source.table}" interrupted`, { cause: e });
      if (isNotFound(e)) {
        throw sourceError(
          source,
          'repo.unreadableSource',
          `no such table at ${clients.endpoint}`,
          "fix `table` (or `region` / `endpoint_url`, which default to the online store's), or create the table first",
          e,
        );
      }
      throw describeAwsError(e, { table: source.table, action: 'dynamodb:DescribeTable', endpoint: clients.endpoint });
    }
    const keyNames = (described.Table?.KeySchema ?? []).map((k) => k.AttributeName ?? '?');

    const run = ctx.runKey ?? '';
    const spec = {
      view: view.name,
      window: [String(window.startMicros), String(window.endMicros)],
      source: { ...source, location: undefined, description: undefined, tags: undefined, owner: undefined },
      columns: columns.map((c) => [c.attribute, c.duck.toString()]),
      run,
    };
    const key = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 24);
    const dir = path.join(ctx.spoolDir ?? scansRoot(ctx.config.repoPath), spoolName(view.name, key));
    const pagesDir = path.join(dir, 'pages');
    const checkpointFile = path.join(dir, CHECKPOINT_FILE);
    if (ctx.spoolDir === undefined) await noticeOtherSpools(ctx, view.name, run, key, progress);
    await mkdir(pagesDir, { recursive: true });
    lock = await lockSpool(dir, source, view);
    const resumed = await readCheckpoint(checkpointFile, key);
    // a resumed scan keeps the segments it started with, whatever the table's size is now
    const segments = resumed?.segments ?? source.segments ?? defaultSegments(Number(described.Table?.TableSizeBytes ?? 0));
    const checkpoint = resumed ?? freshCheckpoint({ key, view: view.name, run, table: source.table }, segments);
    if (resumed && resumed.state.some((st) => st.done || st.pages > 0 || st.lastKey)) {
      const done = resumed.state.filter((st) => st.done).length;
      const pages = resumed.state.reduce((n, st) => n + st.pages, 0);
      progress({
        type: 'warning',
        id: ctx.progressId,
        message: `DynamoDB table "${source.table}": resuming the scan an interrupted run left (${done} of ${segments} segments done, ${pages} page(s) spooled, ${resumed.counts.items} item(s) read) from ${path.relative(ctx.config.repoPath, dir)}`,
      });
    }
    // pages written after the checkpoint's last record are written again by the resumed scan
    for (const f of await readdir(pagesDir)) {
      const m = /^s(\d+)-p(\d+)\.parquet$/.exec(f);
      const st = m ? checkpoint.state[Number(m[1])] : undefined;
      if (f !== 'schema.parquet' && (!m || !st || Number(m[2]) >= st.pages)) await rm(path.join(pagesDir, f), { force: true });
    }

    const stats: DynamoScanStats = {
      table: source.table,
      segments,
      resumedSegments: checkpoint.state.filter((s) => s.done).length,
      requests: 0,
      throttles: 0,
      ...checkpoint.counts,
    };
    const c = store.connection;
    const table = `__dynafeast_spool_${++spoolCounter}`;
    const tsColumn = tsAttr;
    const defs = [
      ...columns.map((col) => `${sqlIdentifier(col.attribute)} ${col.duck.toString()}`),
      `${sqlIdentifier(tsColumn)} ${TIMESTAMP_COLUMN.toString()}`,
      ...(createdAttr ? [`${sqlIdentifier(createdAttr)} ${TIMESTAMP_COLUMN.toString()}`] : []),
    ];
    await c.run(`CREATE TABLE ${table} (${defs.join(', ')})`);
    const copyTo = async (file: string) => {
      const tmp = `${file}.tmp`;
      await c.run(`COPY ${table} TO ${sqlString(tmp)} (FORMAT parquet)`);
      await commitFile(tmp, file);
    };
    // the spool always holds one file, so an empty table reads as no rows rather than "no files"
    await copyTo(path.join(pagesDir, 'schema.parquet'));

    let queue: Promise<void> = Promise.resolve();
    const serial = <T>(f: () => Promise<T>): Promise<T> => {
      const next = queue.then(f);
      queue = next.then(
        () => undefined,
        () => undefined,
      );
      return next;
    };
    const attributes = [...new Set([...keyNames, ...columns.map((col) => col.attribute), tsAttr, ...(createdAttr ? [createdAttr] : [])])];
    const where = (item: Record<string, AttributeValue>) => `item ${describeKey(item, keyNames)}`;
    const warnEvery = { missing: 0, bad: 0 };

    const onPage = (page: ScanPage) =>
      serial(async () => {
        // a page that fails counts nothing: pages of other segments still queued would otherwise write
        // its partial counts into the checkpoint, and the resumed scan, reading the page again, count twice
        const before = { items: stats.items, missingTimestamp: stats.missingTimestamp, badTimestamp: stats.badTimestamp };
        const appender = await c.createAppender(table);
        let rows = 0;
        try {
          for (const raw of page.items) {
            const item = raw as unknown as Record<string, AttributeValue>;
            stats.items++;
            const ts = timestampMicrosOf(item[tsAttr], source.timestampFormat);
            if (typeof ts === 'string') {
              const found = item[tsAttr] ? kindOf(item[tsAttr]) : 'no attribute';
              if (ctx.strict) {
                throw sourceError(
                  source,
                  'repo.badColumnType',
                  `--strict: ${where(item)}: timestamp attribute "${tsAttr}" is ${ts === 'missing' ? 'missing' : `not ${expectedTimestamp(source.timestampFormat)} (found ${found})`}; nothing was written`,
                  'fix the item, or run without --strict to skip such items with a warning',
                );
              }
              if (ts === 'missing') stats.missingTimestamp++;
              else stats.badTimestamp++;
              const first = ts === 'missing' ? warnEvery.missing++ === 0 : warnEvery.bad++ === 0;
              if (first) {
                progress({
                  type: 'warning',
                  id: ctx.progressId,
                  message: `DynamoDB table "${source.table}": ${where(item)} ${ts === 'missing' ? `has no timestamp attribute "${tsAttr}"` : `has "${tsAttr}" that is not ${expectedTimestamp(source.timestampFormat)} (found ${found})`}; such items are skipped (the report counts them; --strict makes this an error)`,
                });
              }
              continue;
            }
            if (ts < window.startMicros || ts > window.endMicros) continue;
            let created: bigint | null = null;
            if (createdAttr) {
              const cr = timestampMicrosOf(item[createdAttr], createdFormat);
              if (cr === 'wrongKind') {
                throw sourceError(
                  source,
                  'repo.badColumnType',
                  `${where(item)}: created timestamp attribute "${createdAttr}" is not ${expectedTimestamp(createdFormat)} (found ${item[createdAttr] ? kindOf(item[createdAttr]) : '?'})`,
                  "fix the item, or declare the attribute's format with `created_timestamp_format`",
                );
              }
              created = cr === 'missing' ? null : cr;
            }
            const cells = columns.map((col) => {
              try {
                return col.cell(item);
              } catch (e) {
                if (!(e instanceof AttributeMismatch)) throw e;
                throw sourceError(
                  source,
                  'repo.badColumnType',
                  `${where(item)}: attribute "${col.attribute}": expected ${e.expected}, found ${e.found}`,
                  'fix the item, or change the dtype in the view schema; nothing is rounded',
                );
              }
            });
            cells.forEach((v, i) => appendCell(appender, (columns[i] as SpoolColumn).duck, v));
            appender.appendTimestamp(timestampCell(ts) as never);
            if (createdAttr) {
              if (created === null) appender.appendNull();
              else appender.appendTimestamp(timestampCell(created) as never);
            }
            appender.endRow();
            rows++;
          }
          appender.flushSync();
        } catch (e) {
          Object.assign(stats, before);
          await c.run(`DELETE FROM ${table}`);
          throw e;
        } finally {
          appender.closeSync();
        }
        stats.consumedReadUnits += page.consumed;
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- one state per segment
        const state = checkpoint.state[page.segment]!;
        if (rows > 0) {
          await copyTo(path.join(pagesDir, `s${page.segment}-p${state.pages}.parquet`));
          await c.run(`DELETE FROM ${table}`);
          state.pages++;
        }
        stats.rowsSpooled += rows;
        if (page.lastKey) state.lastKey = page.lastKey;
        else {
          delete state.lastKey;
          state.done = true;
        }
        const { items, rowsSpooled, consumedReadUnits, missingTimestamp, badTimestamp } = stats;
        checkpoint.counts = { items, rowsSpooled, consumedReadUnits, missingTimestamp, badTimestamp };
        // after the page is on disk: a resumed scan never skips rows it did not keep
        await writeFileAtomic(
          checkpointFile,
          JSON.stringify(checkpoint, (_, v: unknown) => (v instanceof Uint8Array ? { $b64: Buffer.from(v).toString('base64') } : v)),
        );
      });

    try {
      await parallelScan(
        {
          dynamo: clients.dynamo,
          table: source.table,
          segments,
          consistentRead: source.consistentRead,
          endpoint: clients.endpoint,
          attributes,
          resume: checkpoint.state.map((s) => (s.done ? 'done' : s.lastKey)) as ParallelScanOptions['resume'],
          ...(source.maxReadUnitsPerSecond !== undefined ? { maxReadUnitsPerSecond: source.maxReadUnitsPerSecond } : {}),
          retry: retryPolicyOf(ctx.config),
          ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          onRequest: () => stats.requests++,
          onThrottle: () => stats.throttles++,
        },
        onPage,
      );
      await queue;
    } finally {
      // a page being spooled when another segment failed finishes first (its checkpoint stays true)
      await queue.catch(() => undefined);
      await c.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    }
    if (stats.missingTimestamp + stats.badTimestamp > 0) {
      progress({
        type: 'warning',
        id: ctx.progressId,
        message: `DynamoDB table "${source.table}": ${stats.missingTimestamp} item(s) without "${tsAttr}" and ${stats.badTimestamp} with a "${tsAttr}" that is not ${expectedTimestamp(source.timestampFormat)} were skipped`,
      });
    }
    const display = `dynamodb://${source.table}`;
    const pattern = path.join(pagesDir, '*.parquet');
    return {
      sql: `read_parquet(${sqlString(pattern)}, hive_partitioning = false, union_by_name = true)`,
      display,
      format: 'parquet',
      pattern,
      displayFile: () => display,
      dynamodb: stats,
      done: async () => {
        await release();
        await rm(dir, { recursive: true, force: true });
      },
      release,
    };
  } catch (e) {
    await release();
    throw e;
  } finally {
    clients.close();
  }
}

/**
 * Before a scan of `view` for `run`: discards that view's spools of the same run under another key (another
 * window or definition: never mixed in, never left to pile up), and names spools nobody resumed for a long
 * time with how to delete them.
 */
async function noticeOtherSpools(ctx: DynamoSourceContext, view: string, run: string, key: string, progress: ProgressSink): Promise<void> {
  const where = (s: SpoolInfo) => path.relative(ctx.config.repoPath, s.dir);
  for (const s of await discardStaleSpools(ctx.config.repoPath, view, run, key)) {
    progress({
      type: 'warning',
      id: ctx.progressId,
      message: `discarded ${where(s)}, the spool of an interrupted scan${s.table ? ` of DynamoDB table "${s.table}"` : ''} for view "${view}" with another window or definition (its rows are not this run's)`,
    });
  }
  for (const s of await oldSpools(ctx.config.repoPath, Date.now(), spoolName(view, key))) {
    const days = Math.floor((Date.now() - s.modifiedMs) / (24 * 3600_000));
    progress({
      type: 'warning',
      id: ctx.progressId,
      message: `${where(s)} holds the spool of a scan for view "${s.view}"${s.run ? ` (run ${s.run})` : ''} interrupted ${days} day(s) ago; the same command with the same window resumes it, otherwise delete it: rm -rf '${s.dir}'`,
    });
  }
}

/** Takes the spool's scan.lock: a second run of the same scan would write over this one's pages. */
async function lockSpool(dir: string, source: DynamoDBSource, view: FeatureView): Promise<HeldLock<undefined>> {
  const got = await tryLock<undefined>(path.join(dir, SCAN_LOCK_FILE));
  if (got.acquired) return got.lock;
  const who = got.holder ? `process ${got.holder.pid}${got.holder.host ? ` on ${got.holder.host}` : ''}` : 'another process';
  throw new DynafeastError(
    'materialize.scanInUse',
    `${who} is scanning DynamoDB table "${source.table}" for view "${view.name}" with the same window right now`,
    {
      path: `sources.${source.name}`,
      hint: 'wait for that run to finish (it writes the same items), or stop it and run this command again: it resumes from the spool',
    },
  );
}

function freshCheckpoint(who: Pick<Checkpoint, 'key' | 'view' | 'run' | 'table'>, segments: number): Checkpoint {
  return {
    version: 2,
    ...who,
    segments,
    state: Array.from({ length: segments }, () => ({ done: false, pages: 0 })),
    counts: { items: 0, rowsSpooled: 0, consumedReadUnits: 0, missingTimestamp: 0, badTimestamp: 0 },
  };
}

/** The checkpoint of this scan, if an interrupted run left one. */
async function readCheckpoint(file: string, key: string): Promise<Checkpoint | undefined> {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text, (_, v: unknown) =>
      v !== null && typeof v === 'object' && '$b64' in v ? new Uint8Array(Buffer.from(String((v as { $b64: string }).$b64), 'base64')) : v,
    ) as Checkpoint;
    // a checkpoint of another scan is not resumed
    if (parsed.version === 2 && parsed.key === key && Array.isArray(parsed.state) && parsed.state.length === parsed.segments) return parsed;
  } catch {
    // unreadable: start over
  }
  return undefined;
}
