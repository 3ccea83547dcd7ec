/**
 * `dynafeast verify START END` (architecture.md §4.9): the online store against what materialize would
 * write for the window — the latest offline row per entity (the offline engine's own window and
 * latest-per-key query, encoded by materialize's codec). Per view it counts entities missing online,
 * stale (online older than the offline row), with different values (per feature), and extra (online but
 * not in the window's offline rows). Online items newer than the offline row are counted as `newer` and
 * not compared: a later run wrote them.
 *
 * Full mode appends the scanned items (stored bytes, undecoded) and the expected rows into two tables of
 * an on-disk DuckDB database and joins them there (`compareFull`), so memory holds one scan page per
 * segment and one result chunk, whatever the table's size (DuckDB keeps the rest on disk beyond its
 * memory limit). `--sample N` instead draws N offline entities at random and reads just those by
 * BatchGetItem (extra entities are then not checked).
 */
import { Buffer } from 'node:buffer';
import { DuckDBBlobValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { AwsClients } from '../aws/clients.js';
import type { RepoConfig } from '../config/types.js';
import type { Clock } from '../context.js';
import { describeValue } from '../layout/coerce.js';
import { createEntityKeyEncoder } from '../layout/entity-key.js';
import { entityIdOf } from '../layout/entity-id.js';
import { parseItem, type ParsedItem } from '../layout/item.js';
import { tableNameOf } from '../layout/table-name.js';
import { createValueEncoder } from '../layout/value-codec.js';
import { parseTimeArgument } from '../materialize/time-arg.js';
import { fixedWindows, selectViews } from '../materialize/windows.js';
import { LOAD_MEMORY_LIMIT, openOfflineStore, type OfflineStore } from '../offline/offline-store.js';
import { createBoundedAppender } from '../offline/bounded-appender.js';
import { sqlIdentifier } from '../offline/source-reader.js';
import { prepareView, type OfflineChunk } from '../offline/read-view.js';
import { buildTableRead, planChunks } from '../online/batch-get.js';
import { runBatchGets } from '../online/batch-get-runner.js';
import { decodeStoredValue } from '../online/fast-decode.js';
import { describeFeastTable, scanTable, storeScanOptions, type FeastTable } from '../online/scan-table.js';
import { createReadSender } from '../online/transport.js';
import { ignoreProgress, type ProgressSink } from '../progress.js';
import type { FeatureView, RepoModel } from '../repo/model.js';
import { sameDecoded } from './same-value.js';

export interface VerifyDeps {
  config: RepoConfig;
  repo: RepoModel;
  aws: Pick<AwsClients, 'dynamo' | 'endpoint' | 'credentials'> & Partial<Pick<AwsClients, 'slowCalls'>>;
  clock: Clock;
  progress?: ProgressSink;
  signal?: AbortSignal;
  segments?: number;
  /** For --sample (default Math.random). */
  random?: () => number;
}

export interface VerifyArgs {
  start: string;
  end: string;
  views: string[];
  /** Check this many random offline entities per view by BatchGetItem instead of a full scan. */
  sample?: number;
}

/** Up to this many examples per kind of difference, to look at by hand. */
const EXAMPLES = 5;

export interface ViewVerification {
  view: string;
  table: string;
  /** Offline entities in the window (latest row each). */
  offlineEntities: number;
  /** Entities compared: all of them, or the sample. */
  checked: number;
  sampled: boolean;
  missing: number;
  stale: number;
  /** Online newer than the offline row: written by a later window; not a difference. */
  newer: number;
  /** Entities with at least one different feature value. */
  different: number;
  /** Per feature: entities whose value differs. */
  differentByFeature: Record<string, number>;
  /** Online entities not among the window's offline rows; null when sampling. */
  extra: number | null;
  examples: { missing: string[]; stale: string[]; different: string[]; extra: string[] };
}

export interface VerifyReport {
  startMicros: bigint;
  endMicros: bigint;
  views: ViewVerification[];
  /** True when nothing differs. */
  ok: boolean;
}

interface Expected {
  label: string;
  eventMicros: bigint;
  values: Uint8Array[];
}

export async function verify(deps: VerifyDeps, args: VerifyArgs): Promise<VerifyReport> {
  const start = parseTimeArgument(args.start, 'START', deps.clock);
  const end = parseTimeArgument(args.end, 'END', deps.clock);
  const windows = fixedWindows(selectViews(deps.repo, args.views), start, end);
  const store = await openOfflineStore({ operation: 'verify', memoryLimit: LOAD_MEMORY_LIMIT, onDisk: true });
  const onAbort = () => store.interrupt();
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  const views: ViewVerification[] = [];
  try {
    for (const w of windows) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- repo validation refuses a view whose source is not defined
      const source = deps.repo.sources.find((s) => s.name === w.view.source)!;
      const prepared = await prepareView(store, {
        view: w.view,
        source,
        repoRoot: deps.config.repoPath,
        startMicros: start,
        endMicros: end,
        // a DynamoDB source is scanned as materialize scans it (spooled apart from materialize's)
        dynamo: { config: deps.config, aws: deps.aws, progressId: w.view.name, runKey: 'verify', ...(deps.signal ? { signal: deps.signal } : {}) },
      });
      try {
        views.push(await verifyView(deps, store, w.view, prepared.entities, prepared.chunks(), args.sample));
      } catch (e) {
        await prepared.reader.release?.();
        throw e;
      } finally {
        await prepared.release();
      }
      await prepared.reader.done?.();
    }
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
    await store.close();
  }
  const ok = views.every((v) => v.missing === 0 && v.stale === 0 && v.different === 0 && (v.extra ?? 0) === 0);
  return { startMicros: start, endMicros: end, views, ok };
}

function emptyResult(view: FeatureView, table: string, offlineEntities: number, sampled: boolean): ViewVerification {
  return {
    view: view.name,
    table,
    offlineEntities,
    checked: 0,
    sampled,
    missing: 0,
    stale: 0,
    newer: 0,
    different: 0,
    differentByFeature: Object.fromEntries(view.features.map((f) => [f.name, 0])),
    extra: sampled ? null : 0,
    examples: { missing: [], stale: [], different: [], extra: [] },
  };
}

const note = (list: string[], text: string) => {
  if (list.length < EXAMPLES) list.push(text);
};

async function verifyView(
  deps: VerifyDeps,
  store: OfflineStore,
  view: FeatureView,
  offlineEntities: number,
  chunks: AsyncGenerator<OfflineChunk>,
  sample: number | undefined,
): Promise<ViewVerification> {
  const progress = deps.progress ?? ignoreProgress;
  const table = tableNameOf(deps.config, view.name);
  const info = await describeFeastTable({ dynamo: deps.aws.dynamo, table, endpoint: deps.aws.endpoint });
  progress({ type: 'start', id: view.name });
  const result = emptyResult(view, table, offlineEntities, sample !== undefined);
  const expected = expectedRows(view, chunks);

  const compare = (want: Expected, got: Stored | undefined) => {
    result.checked++;
    if (got === undefined) {
      result.missing++;
      note(result.examples.missing, want.label);
      return;
    }
    if (got.eventMicros < want.eventMicros) {
      result.stale++;
      note(result.examples.stale, `${want.label} (online ${got.eventTs})`);
      return;
    }
    if (got.eventMicros > want.eventMicros) {
      result.newer++;
      return;
    }
    const differs: string[] = [];
    view.features.forEach((f, i) => {
      const stored = got.values[f.name];
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- one expected value per feature
      const mine = decodeStoredValue(want.values[i]!);
      if (!sameDecoded(stored === undefined ? null : decodeStoredValue(stored), mine)) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- differentByFeature has every feature
        result.differentByFeature[f.name]!++;
        differs.push(f.name);
      }
    });
    if (differs.length > 0) {
      result.different++;
      note(result.examples.different, `${want.label}: ${differs.join(', ')}`);
    }
  };

  if (sample === undefined) {
    await compareFull(deps, store, view, info, expected, compare, result);
  } else {
    const picked = await reservoir(expected, sample, deps.random ?? Math.random);
    const read = buildTableRead(
      table,
      view.features.map((f) => f.name),
      deps.config.onlineStore.consistentReads,
    );
    const sender = createReadSender(deps.config, deps.aws);
    let items;
    try {
      items = await runBatchGets(planChunks([{ read, ids: picked.map(([id]) => id) }], deps.config.onlineStore.batchSize), {
        send: sender.send,
        maxInFlight: deps.config.onlineStore.maxReadWorkers,
        ...(deps.aws.endpoint ? { endpoint: deps.aws.endpoint } : {}),
      });
    } finally {
      sender.close();
    }
    const byId = new Map((items.get(table) ?? []).map((item) => parseItem(item)).map((p) => [p.entityId, p]));
    for (const [id, want] of picked) compare(want, byId.get(id));
  }
  progress({ type: 'done', id: view.name, message: summary(result) });
  return result;
}

/** The window's offline rows as (entity_id, what materialize would write), one at a time. */
/** What compare needs of a stored item. */
type Stored = Pick<ParsedItem, 'eventTs' | 'eventMicros' | 'values'>;

let tables = 0;

/**
 * The full comparison, in DuckDB: the scan's pages and the expected rows are appended to two tables (a
 * connection of its own: the expected rows stream out of the store's main one), then their LEFT JOIN
 * on entity_id streams back in the expected rows' order, so `compare` sees the rows — and picks its
 * examples — as before; entities only online are the extra ones, examples in scan order.
 */
async function compareFull(
  deps: VerifyDeps,
  store: OfflineStore,
  view: FeatureView,
  info: FeastTable,
  expected: AsyncGenerator<[string, Expected]>,
  compare: (want: Expected, got: Stored | undefined) => void,
  result: ViewVerification,
): Promise<void> {
  const progress = deps.progress ?? ignoreProgress;
  const n = ++tables;
  const [online, wanted] = [`__verify_online_${n}`, `__verify_expected_${n}`];
  const values = view.features.map((_, i) => `v${i}`);
  const c = await store.connect();
  try {
    await c.run(`CREATE TABLE ${online} (seq BIGINT, entity_id VARCHAR, event_ts VARCHAR, event_micros BIGINT${values.map((v) => `, ${v} BLOB`).join('')})`);
    await c.run(`CREATE TABLE ${wanted} (seq BIGINT, entity_id VARCHAR, label VARCHAR, event_micros BIGINT${values.map((v) => `, ${v} BLOB`).join('')})`);
    let scanned = 0;
    await appendRows(c, online, async (out) => {
      await scanTable(storeScanOptions(deps, info), (page) => {
        for (const item of page) {
          out.appendBigInt(BigInt(scanned++));
          out.appendVarchar(item.entityId);
          out.appendVarchar(item.eventTs);
          out.appendBigInt(item.eventMicros);
          for (const f of view.features) {
            const bytes = item.values[f.name];
            if (bytes === undefined) out.appendNull();
            else out.appendBlob(bytes);
          }
          out.endRow();
        }
        progress({ type: 'update', id: view.name, message: `scanned ${scanned} items` });
      });
    });
    let seq = 0;
    await appendRows(c, wanted, async (out) => {
      for await (const [id, want] of expected) {
        out.appendBigInt(BigInt(seq++));
        out.appendVarchar(id);
        out.appendVarchar(want.label);
        out.appendBigInt(want.eventMicros);
        for (const v of want.values) out.appendBlob(v);
        out.endRow();
      }
    });
    const featureCount = values.length;
    const joined = await c.stream(
      `SELECT e.label, e.event_micros, o.entity_id IS NOT NULL, o.event_ts, o.event_micros${values.map((v) => `, e.${v}`).join('')}${values.map((v) => `, o.${v}`).join('')}
       FROM ${wanted} e LEFT JOIN ${online} o USING (entity_id) ORDER BY e.seq`,
    );
    for (let chunk = await joined.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await joined.fetchChunk()) {
      for (const row of chunk.getRows()) {
        const bytes = (i: number) => (row[i] instanceof DuckDBBlobValue ? row[i].bytes : undefined);
        const want: Expected = {
          label: String(row[0]),
          eventMicros: row[1] as bigint,
          // the expected side holds every feature's bytes
          values: Array.from({ length: featureCount }, (_, i) => bytes(5 + i) ?? new Uint8Array()),
        };
        let got: Stored | undefined;
        if (row[2] === true) {
          const stored: Record<string, Uint8Array> = {};
          view.features.forEach((f, i) => {
            const b = bytes(5 + featureCount + i);
            if (b !== undefined) stored[f.name] = b;
          });
          got = { eventTs: String(row[3]), eventMicros: row[4] as bigint, values: stored };
        }
        compare(want, got);
      }
    }
    const extraOf = `FROM ${online} o ANTI JOIN ${wanted} e USING (entity_id)`;
    result.extra = Number((await c.runAndReadAll(`SELECT count(*) ${extraOf}`)).getRows()[0]?.[0] ?? 0);
    const examples = await c.runAndReadAll(`SELECT o.entity_id ${extraOf} ORDER BY o.seq LIMIT ${EXAMPLES}`);
    result.examples.extra = examples.getRows().map(([id]) => `entity_id ${String(id)}`);
  } finally {
    for (const t of [online, wanted]) await c.run(`DROP TABLE IF EXISTS ${sqlIdentifier(t)}`).catch(() => undefined);
    store.disconnect(c);
  }
}

/** Runs `fill` with a bounded appender on `table` (offline/bounded-appender.ts), flushed and closed after. */
async function appendRows(c: DuckDBConnection, table: string, fill: (out: DuckDBAppender) => Promise<void>): Promise<void> {
  const out = await createBoundedAppender(c, table);
  try {
    await fill(out);
    out.flushSync();
  } finally {
    out.closeSync();
  }
}

async function* expectedRows(view: FeatureView, chunks: AsyncGenerator<OfflineChunk>): AsyncGenerator<[string, Expected]> {
  const encodeKey = createEntityKeyEncoder(view.entityColumns);
  const encoders = view.features.map((f) => createValueEncoder(f.dtype, f.name));
  const keyCount = view.entityColumns.length;
  for await (const chunk of chunks) {
    for (let row = 0; row < chunk.length; row++) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- one key column per entity column
      const keys = Array.from({ length: keyCount }, (_, k) => chunk.keys[k]![row]);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- one feature column per feature
      const values = encoders.map((encode, f) => encode(chunk.features[f]![row]));
      const label = view.entityColumns.map((c, k) => `${c.name}=${keyText(keys[k])}`).join(', ');
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- row < chunk.length
      yield [entityIdOf(encodeKey(keys)), { label, eventMicros: chunk.eventMicros[row]!, values }];
    }
  }
}

function keyText(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  return describeValue(v);
}

/** A uniform random sample of n rows of a stream (Algorithm R), without holding the stream. */
async function reservoir<T>(rows: AsyncIterable<T>, n: number, random: () => number): Promise<T[]> {
  const kept: T[] = [];
  let seen = 0;
  for await (const row of rows) {
    seen++;
    if (kept.length < n) kept.push(row);
    else {
      const j = Math.floor(random() * seen);
      if (j < n) kept[j] = row;
    }
  }
  return kept;
}

export function summary(v: ViewVerification): string {
  const parts = [
    `${v.checked} checked${v.sampled ? ` (sample of ${v.offlineEntities})` : ''}`,
    `${v.missing} missing`,
    `${v.stale} stale`,
    `${v.different} different`,
    v.extra === null ? 'extra not checked (sample)' : `${v.extra} extra`,
  ];
  if (v.newer > 0) parts.push(`${v.newer} newer online (not compared)`);
  return parts.join(' · ');
}
