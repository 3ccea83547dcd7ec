/**
 * The materialization pipeline (architecture.md §4.1): per view, DuckDB computes the latest row per entity key
 * inside the window, rows are encoded into Feast's item layout and written with many BatchWriteItem
 * requests in flight. The intervals go into the registry only when every view was written completely;
 * an interrupted or failed run records nothing, and running it again completes the work (puts are
 * idempotent).
 */
import type { AwsClients } from '../aws/clients.js';
import type { DynamoCallObserver } from '../aws/call-observer.js';
import { describeAwsError } from '../aws/errors.js';
import type { RepoConfig } from '../config/types.js';
import type { Clock, Logger } from '../context.js';
import { DynafeastError, isDynafeastError } from '../errors.js';
import { openOfflineStore, type OfflineStoreOptions } from '../offline/offline-store.js';
import { planView, type PlannedView } from '../offline/read-view.js';
import { tableNameOf } from '../layout/table-name.js';
import { ignoreProgress, type ProgressSink } from '../progress.js';
import { registryStoreOf, type RegistryStore } from '../registry/registry-store.js';
import { findFeatureView, recordMaterializations } from '../registry/commit.js';
import { withDone } from '../fs-error.js';
import type { RepoModel } from '../repo/model.js';
import { BatchWriter, type BatchSender } from './batch-writer.js';
import { createChunkEncoder } from './encode-rows.js';
import { RetryBudget, retryPolicyOf, type RetryPolicy } from '../util/retry.js';
import { createLeanBatchSender, createLeanConditionalPutSender, type LeanBatchSender } from './lean/lean-sender.js';
import { describeReports, emptyReport, type MaterializeReport, type ShardRunReport, type ViewReport } from './report.js';
import { startProgressTicker } from './view-progress.js';
import { DryRunCounter, type DryRunOptions } from './dry-run.js';
import { WritePacer } from './write-pacer.js';
import { createShardFilter, type ShardSpec } from './shard.js';
import { recordShardCompletion } from '../registry/commit.js';
import type { ViewWindow } from './windows.js';

/** Rows encoded between two turns of the event loop (~1 ms of work). */
const ENCODE_SLICE = 256;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a run needs from its caller (the CLI, the library, a test): the one shape both layers take. */
export interface MaterializeContext {
  config: RepoConfig;
  repo: RepoModel;
  /** Where requests go and who signs them: the store's clients (aws/clients.ts). */
  aws: Pick<AwsClients, 'endpoint' | 'credentials'> & Partial<Pick<AwsClients, 'slowCalls' | 'dynamo'>>;
  clock: Clock;
  logger: Logger;
  progress?: ProgressSink;
  /** Ctrl-C: stop reading and sending, wait for requests in flight, record nothing. */
  signal?: AbortSignal;
  /** Told of every write request and resend (the feature server's /metrics). */
  observer?: DynamoCallObserver;
}

export interface MaterializeDeps extends MaterializeContext {
  /**
   * Sends the batches; default the lean BatchWriteItem sender (conditional PutItem in monotonic mode),
   * which is what the CLI runs. Tests and benchmarks pass another only to put a fault or a probe between.
   */
  sender?: BatchSender;
  offline?: OfflineStoreOptions;
  /** Append the intervals to the registry after success (default true; benchmarks have no registry). */
  record?: boolean;
  /** Default: dynafeast.retry of the config. */
  retry?: RetryPolicy;
  random?: () => number;
  /** Rows that would be left out (NULL event timestamp or join key) fail the run before anything is written. */
  strict?: boolean;
  /**
   * Write only this shard's entities (shard.ts) and record completion for `runId`; the last shard of
   * the run to finish records the intervals (registry/commit.ts recordShardCompletion).
   */
  shard?: { spec: ShardSpec; runId: string };
  /**
   * Write units per second the whole table may take (`--max-write-units-per-second`); a shard of N
   * takes W/N. Below it, or without it, the send rate adapts to throttling (write-pacer.ts).
   */
  maxWriteUnitsPerSecond?: number;
  /** Read and encode, send nothing and record nothing: each view's report carries the estimate. */
  dryRun?: DryRunOptions;
}

export async function materializeWindows(
  deps: MaterializeDeps,
  windows: readonly ViewWindow[],
  upToDate: readonly ViewWindow[] = [],
): Promise<MaterializeReport> {
  const progress = deps.progress ?? ignoreProgress;
  const record = (deps.record ?? true) && deps.dryRun === undefined;
  const registryStore = record ? registryStoreOf(deps.config, { logger: deps.logger }) : undefined;
  if (registryStore) await assertApplied(registryStore, deps.config.project, windows);

  const reports = windows.map((w) => emptyReport(w, tableNameOf(deps.config, w.view.name)));
  const upToDateReports = upToDate.map((w) => emptyReport(w, tableNameOf(deps.config, w.view.name), w.empty?.status ?? 'up to date'));
  for (const r of upToDateReports) progress({ type: 'skipped', id: r.view, message: describeReports([r], { short: true }) });
  const settings = deps.config.dynafeast.materialize;
  const own = deps.sender === undefined && deps.dryRun === undefined ? leanSenderFor(deps.config, deps.aws) : undefined;
  const sender = deps.sender ?? own;
  const budget = new RetryBudget(settings.retryBudget);
  const shardCount = deps.shard?.spec.count ?? 1;
  // Paced when processes share a table (shards) or a budget is set; one process alone keeps the plain
  // retry loop, whose backoff already yields to throttling.
  const pacer =
    deps.maxWriteUnitsPerSecond !== undefined || shardCount > 1
      ? new WritePacer(deps.maxWriteUnitsPerSecond !== undefined ? { maxUnitsPerSecond: deps.maxWriteUnitsPerSecond / shardCount } : {})
      : undefined;
  const store = await openOfflineStore(deps.offline);
  const onAbort = () => store.interrupt();
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  const planned: PlannedView[] = [];
  try {
    // Every source is checked before anything is written, so a bad column in the last view costs nothing.
    for (const w of windows) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- repo validation refuses a view whose source is not defined
      const source = deps.repo.sources.find((s) => s.name === w.view.source)!;
      const s3 = { config: deps.config, logger: deps.logger, progress, progressId: w.view.name, ...(deps.signal ? { signal: deps.signal } : {}) };
      const input = {
        view: w.view,
        source,
        repoRoot: deps.config.repoPath,
        startMicros: w.startMicros,
        endMicros: w.endMicros,
        s3,
        // a shard takes its slice out of each chunk by the key columns, before anything else of a row is read
        ...(deps.shard ? { keepRow: createShardFilter(w.view, deps.shard.spec) } : {}),
        dynamo: {
          config: deps.config,
          aws: deps.aws,
          logger: deps.logger,
          progress,
          progressId: w.view.name,
          ...(deps.signal ? { signal: deps.signal } : {}),
          ...(deps.strict ? { strict: true } : {}),
          ...(deps.shard ? { runKey: `${deps.shard.spec.index}/${deps.shard.spec.count}` } : {}),
        },
      };
      const plannedView = await planView(store, input);
      planned.push(plannedView);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- planned and reports have one entry per window
      const report = reports[planned.length - 1]!;
      if (plannedView.reader.s3) report.s3 = plannedView.reader.s3;
      if (plannedView.reader.dynamodb) report.dynamodb = plannedView.reader.dynamodb;
    }
    if (deps.strict) await assertNothingLeftOut(windows, planned);
    for (let i = 0; i < windows.length; i++) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- planned and reports have one entry per window
      await writeView(deps, windows[i]!, planned[i]!, reports[i]!, { sender, budget, pacer }, progress);
    }
  } catch (e) {
    // the spools of DynamoDB sources stay for the next run to resume; their scan locks go
    for (const p of planned) await p.reader.release?.();
    throw runFailure(deps, e, reports);
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
    own?.close();
    await store.close();
  }

  let shardRun: ShardRunReport | undefined;
  // the run is complete: scans of DynamoDB sources have nothing left to resume
  for (const p of planned) await p.reader.done?.();
  if (registryStore) {
    const intervals = windows.map((w) => ({ view: w.view.name, startMicros: w.startMicros, endMicros: w.endMicros }));
    try {
      if (deps.shard) {
        const { run, recordedNow } = await recordShardCompletion(
          registryStore,
          deps.config.project,
          { runId: deps.shard.runId, shard: deps.shard.spec, intervals },
          { clock: deps.clock },
        );
        shardRun = { runId: run.id, shard: deps.shard.spec, done: run.done, recordedNow, recorded: run.recordedAt !== undefined };
      } else {
        await recordMaterializations(registryStore, deps.config.project, intervals, { clock: deps.clock });
      }
    } catch (e) {
      const items = reports.reduce((n, r) => n + r.written, 0);
      throw withDone(
        e,
        `the ${items} item(s) are written to DynamoDB, but the run is not recorded in the registry: run the same command again once it can be written (rewriting is harmless)`,
      );
    }
  }
  return {
    views: [...reports, ...upToDateReports],
    recorded: registryStore !== undefined && (shardRun === undefined || shardRun.recordedNow),
    ...(shardRun ? { shardRun } : {}),
    ...(deps.dryRun ? { dryRun: deps.dryRun } : {}),
  };
}

/** The lean HTTP sender for the config's write mode, signing with the store's credentials. */
export function leanSenderFor(config: RepoConfig, aws: MaterializeDeps['aws']): LeanBatchSender {
  const options = {
    endpoint: aws.endpoint,
    region: config.onlineStore.region,
    credentials: aws.credentials,
    maxSockets: Math.max(1, config.dynafeast.materialize.concurrency),
    requestTimeoutMs: config.onlineStore.readTimeout * 1000,
    connectTimeoutMs: config.onlineStore.connectTimeout * 1000,
    ...(aws.slowCalls ? { slowCalls: aws.slowCalls } : {}),
  };
  return config.dynafeast.materialize.monotonicWrites ? createLeanConditionalPutSender(options) : createLeanBatchSender(options);
}

async function writeView(
  deps: MaterializeDeps,
  w: ViewWindow,
  planned: PlannedView,
  report: ViewReport,
  { sender, budget, pacer }: { sender: BatchSender | undefined; budget: RetryBudget; pacer: WritePacer | undefined },
  progress: ProgressSink,
): Promise<void> {
  const id = w.view.name;
  const started = performance.now();
  report.status = 'running';
  progress({ type: 'start', id });
  throwIfAborted(deps.signal);
  const prepared = await planned.execute();
  report.timings.queryMs = performance.now() - started;
  report.rowsInWindow = prepared.rowsInWindow;
  report.entities = prepared.entities;
  report.nullKeyRows = prepared.nullKeyRows;
  report.nullTimestampRows = prepared.nullTimestampRows;
  if (prepared.nullKeyRows > 0) {
    progress({ type: 'warning', id, message: `${prepared.nullKeyRows} rows in the window have a NULL join key and were not written` });
  }
  if (prepared.nullTimestampRows > 0) {
    progress({
      type: 'warning',
      id,
      message: `${prepared.nullTimestampRows} rows of ${planned.reader.display} have a NULL event timestamp and were not written (--strict makes this an error)`,
    });
  }

  const encode = createChunkEncoder(w.view, deps.config.dynafeast.tables.ttlExpiry ? { ttlAttribute: deps.config.dynafeast.tables.ttlAttribute } : {});
  const dryRun = sender === undefined ? new DryRunCounter() : undefined;
  const writer: ViewWriter =
    dryRun ??
    new BatchWriter(
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- without a sender the run is a dry run
      sender!,
      {
        table: report.table,
        concurrency: Math.max(1, deps.config.dynafeast.materialize.concurrency),
        budget,
        ...(deps.signal ? { signal: deps.signal } : {}),
        retry: deps.retry ?? retryPolicyOf(deps.config),
        ...(deps.random ? { random: deps.random } : {}),
        ...(pacer ? { pacer } : {}),
        ...(deps.observer ? { observer: deps.observer } : {}),
      },
    );
  // a shard writes about 1/N of the entities: the exact count is known once they are encoded
  const totals = { rowsInWindow: prepared.rowsInWindow, entities: deps.shard ? Math.ceil(prepared.entities / deps.shard.spec.count) : prepared.entities };
  const ticker = startProgressTicker(id, progress, totals, () => writer.counts);
  ticker.emit();
  try {
    const chunks = prepared.chunks();
    for (;;) {
      let t = performance.now();
      const next = await chunks.next();
      report.timings.fetchMs += performance.now() - t;
      if (next.done) break;
      const chunk = next.value;
      // Slices, with a turn of the event loop after each: answers to requests in flight are handled
      // (and the next requests sent) between slices instead of waiting for a whole chunk's encoding.
      for (let from = 0; from < chunk.length; from += ENCODE_SLICE) {
        throwIfAborted(deps.signal);
        t = performance.now();
        const units = encode(chunk, from, Math.min(chunk.length, from + ENCODE_SLICE));
        report.timings.encodeMs += performance.now() - t;
        t = performance.now();
        await writer.push(units);
        await yieldToIo();
        report.timings.writeMs += performance.now() - t;
      }
    }
    const t = performance.now();
    await writer.finish();
    report.timings.writeMs += performance.now() - t;
  } catch (e) {
    await writer.settle();
    throw e;
  } finally {
    ticker.stop();
    Object.assign(report, countsOf(writer));
    report.seconds = (performance.now() - started) / 1000;
  }
  await prepared.release();
  if (deps.shard) report.entities = report.written + report.skipped;
  if (dryRun) report.estimate = dryRun.estimate();
  report.status = 'written';
  ticker.emit();
  progress({ type: 'done', id, message: describeReports([report], { short: true }) });
}

/** What writeView needs of a writer: the BatchWriter, or the dry run's counter. */
type ViewWriter = Pick<BatchWriter, 'push' | 'finish' | 'settle' | 'counts'>;

function countsOf(writer: ViewWriter): Pick<ViewReport, 'written' | 'skipped' | 'retries' | 'throttles' | 'consumedCapacity' | 'requests'> {
  const c = writer.counts;
  return {
    written: c.written - c.skipped,
    skipped: c.skipped,
    retries: c.retries,
    throttles: c.throttles,
    consumedCapacity: c.consumedCapacity > 0 ? c.consumedCapacity : undefined,
    requests: c.requests,
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DynafeastError('aborted', 'materialization interrupted', { cause: signal.reason });
}

/** `1 row has` / `2 rows have`, with `where` after the noun. */
const rows = (n: number, where = '') => (n === 1 ? `1 row${where} has` : `${n} rows${where} have`);

/** --strict: counts the rows every view would leave out, and fails before the first write if there are any. */
async function assertNothingLeftOut(windows: readonly ViewWindow[], planned: readonly PlannedView[]): Promise<void> {
  for (let i = 0; i < windows.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- planned has one entry per window, i indexes windows
    const { nullTimestampRows, nullKeyRows } = await planned[i]!.skippedRows();
    if (nullTimestampRows === 0 && nullKeyRows === 0) continue;
    const what = [
      ...(nullTimestampRows > 0 ? [`${rows(nullTimestampRows)} a NULL event timestamp`] : []),
      ...(nullKeyRows > 0 ? [`${rows(nullKeyRows, ' in the window')} a NULL join key`] : []),
    ];
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < windows.length
    const view = windows[i]!.view;
    const display = planned[i]?.reader.display ?? view.source;
    throw new DynafeastError('repo.badColumnType', `--strict: feature view "${view.name}", ${display}: ${what.join(' and ')}; nothing was written`, {
      path: `feature_views.${view.name}`,
      ...(view.location ? { location: view.location } : {}),
      hint: 'fill in or drop those rows, or run without --strict to skip them with a warning',
    });
  }
}

async function assertApplied(store: RegistryStore, project: string, windows: readonly ViewWindow[]): Promise<void> {
  const registry = await store.read();
  const missing = windows.filter((w) => !registry || !findFeatureView(registry, project, w.view.name)).map((w) => w.view.name);
  if (missing.length > 0) {
    throw new DynafeastError(
      'registry.notApplied',
      `feature view${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} of project "${project}" ${missing.length > 1 ? 'are' : 'is'} not in the registry ${store.where}`,
      { hint: 'run `dynafeast apply` first: it creates the tables and records the views materialize bookkeeps' },
    );
  }
}

/** The error a failed run ends with: the cause, then what each view got, and that nothing was recorded. */
function runFailure(deps: MaterializeDeps, e: unknown, reports: ViewReport[]): DynafeastError {
  const aborted = deps.signal?.aborted === true;
  for (const r of reports) {
    if (r.status === 'running') r.status = aborted ? 'interrupted' : 'failed';
    else if (r.status === 'pending') r.status = 'not started';
  }
  const running = reports.find((r) => r.status === 'failed' || r.status === 'interrupted');
  if (running) (deps.progress ?? ignoreProgress)({ type: 'failed', id: running.view, message: describeReports([running], { short: true }) });
  const base: DynafeastError = aborted
    ? new DynafeastError('aborted', 'materialization interrupted', { hint: 'run the same command again to finish: writes are idempotent', cause: e })
    : isDynafeastError(e)
      ? e
      : describeAwsError(e, { table: running?.table, action: 'dynamodb:BatchWriteItem', endpoint: deps.aws.endpoint });
  const started = reports.some((r) => r.status !== 'not started');
  if (!started) return base;
  const message = `${base.message}\n${describeReports(reports, { short: false })}\nNothing was recorded in the registry.`;
  return new DynafeastError(base.code, message, {
    ...(base.path ? { path: base.path } : {}),
    ...(base.location ? { location: base.location } : {}),
    ...(base.hint ? { hint: base.hint } : {}),
    details: base.details,
    cause: base.cause ?? e,
  });
}
