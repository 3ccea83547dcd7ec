/**
 * A FileSource whose `path` is `s3://…` (architecture.md §4.1): list the objects the path names (an
 * object, a prefix, a glob, hive partitions), drop those the window cannot need (hive partitions of the
 * event-time column, then parquet footer statistics read by ranged GETs), fetch the rest with parallel
 * ranged GetObject into the run's spool folder, and hand DuckDB those local files — the same reader a
 * local source gets. No DuckDB extension is involved. The spool is a folder of the offline store's temp
 * folder, removed when the run ends (also on error and Ctrl-C: the store is closed in `finally`).
 */
import { mkdir, mkdtemp, open, statfs, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { RepoConfig } from '../config/types.js';
import { createS3Client, type S3Handle } from '../aws/clients.js';
import { s3Sdk } from '../aws/sdk.js';
import type { Logger } from '../context.js';
import { DynafeastError } from '../errors.js';
import { partitionOf } from '../iam/arn.js';
import type { ProgressSink } from '../progress.js';
import type { FileSource } from '../repo/model.js';
import { hivePartitions, outsideWindow, partitionVerdict, planS3Path } from '../s3/s3-dataset.js';
import { describeS3Error, isNoSuchKey } from '../s3/s3-errors.js';
import { formatS3Uri, parseS3Uri, s3EndpointOf, type S3Uri } from '../s3/s3-uri.js';
import { FOOTER_FETCH_BYTES, footerLengthOf, timestampSpanFromFooter } from '../s3/footer-stats.js';
import { formatBytes } from '../util/bytes.js';
import { runQueue } from '../util/pool.js';
import { retryPolicyOf, withRetry, type RetryPolicy } from '../util/retry.js';
import { createLeanS3Reader, type LeanS3Reader } from '../aws/lean/lean-s3.js';
import { sqlString, type SourceReader } from './source-reader.js';

/** What one source cost in S3 traffic: the figures behind the progress line and `--json`. */
export interface S3FetchStats {
  /** Objects the path matched. */
  filesMatched: number;
  /** Left out by hive partition or footer statistics. */
  filesPruned: number;
  /** Footers read to decide (files a hive partition of the event-time column decides are not read). */
  footersRead: number;
  filesFetched: number;
  /** Every byte GetObject returned: fetched files and the footers read to prune. */
  bytesFetched: number;
  /** The sizes of the files fetched (the least any reader must move). */
  bytesOfFetchedFiles: number;
  /** Wall time of listing, pruning and fetching. */
  seconds: number;
  /** Of which listing the path. */
  listSeconds: number;
  /** Of which reading footers to prune (overlaps fetching). */
  footerSeconds: number;
}

export interface S3SourceContext {
  config: RepoConfig;
  logger: Logger;
  /** A folder this run owns and removes at its end. */
  spoolDir: string;
  progress?: ProgressSink;
  /** The progress task the figures are reported under (the view). */
  progressId?: string;
  env?: NodeJS.ProcessEnv;
  /** Parallel GetObject requests (default 16). */
  concurrency?: number;
  /**
   * `lean` (default): ranged GETs signed and sent by dynafeast (aws/lean/lean-s3.ts), a third of the SDK's
   * CPU per request; `sdk`: the SDK's GetObject. Listing always goes through the SDK.
   */
  transport?: 'lean' | 'sdk';
  /** Ctrl-C: requests in flight are abandoned, the spool is removed with the store. */
  signal?: AbortSignal;
}

interface S3Object {
  key: string;
  size: number;
  etag: string;
  /** The file's last bytes, kept from the footer read so they are not fetched twice. */
  tail?: { offset: number; bytes: Uint8Array };
}

/** GetObject ranges: large enough to amortise a request, small enough to spread one file over many sockets. */
const PART_BYTES = 8 * 1024 * 1024;
/** The most a footer read asks for first, however long the footers seen: a second read gets the rest. */
const MAX_FOOTER_GUESS = 1024 * 1024;
/** Room left on the spool's disk for DuckDB's own spill. */
const SPOOL_HEADROOM = 256 * 1024 * 1024;

export async function resolveS3SourceReader(
  source: FileSource,
  window: { startMicros: bigint; endMicros: bigint } | undefined,
  ctx: S3SourceContext,
): Promise<SourceReader & { s3: S3FetchStats }> {
  const field = `sources.${source.name}.path`;
  const uri = parseS3Uri(source.path, { what: `source "${source.name}": path`, field });
  const endpoint = s3EndpointOf(ctx.env ?? process.env, source.s3EndpointOverride);
  const h = createS3Client(ctx.config, { logger: ctx.logger, ...(ctx.env ? { env: ctx.env } : {}), ...(endpoint !== undefined ? { endpoint } : {}) });
  const partition = partitionOf(ctx.config.onlineStore.region);
  const what = `source "${source.name}"`;
  const fail = (action: string, key: string, e: unknown) =>
    describeS3Error(e, { action, uri: { bucket: uri.bucket, key }, endpoint: h.endpoint, what, partition });
  const stats: S3FetchStats = {
    filesMatched: 0,
    filesPruned: 0,
    footersRead: 0,
    filesFetched: 0,
    bytesFetched: 0,
    bytesOfFetchedFiles: 0,
    seconds: 0,
    listSeconds: 0,
    footerSeconds: 0,
  };
  const started = performance.now();
  const concurrency = ctx.concurrency ?? 16;
  let lean: LeanS3Reader | undefined;
  const report = (message: string) =>
    ctx.progress?.({ type: 'update', id: ctx.progressId ?? source.name, message, stats: { ...stats } as unknown as Record<string, number> });
  try {
    const send: SendOptions = ctx.signal ? { abortSignal: ctx.signal } : {};
    const { objects, root, single } = await listObjects(h, uri, source, fail, send);
    stats.listSeconds = Math.round(performance.now() - started) / 1000;
    const store = ctx.config.onlineStore;
    lean =
      (ctx.transport ?? 'lean') === 'lean'
        ? await createLeanS3Reader({
            bucket: uri.bucket,
            region: h.region,
            endpointFor: (bucket, region) => h.bucketEndpoint(bucket, region),
            credentials: h.credentials,
            maxSockets: concurrency,
            requestTimeoutMs: store.readTimeout * 1000,
            connectTimeoutMs: store.connectTimeout * 1000,
            ...(ctx.env ? { env: ctx.env } : {}),
          })
        : undefined;
    const fetcher: Fetcher = {
      h,
      ...(lean ? { lean } : {}),
      retry: retryPolicyOf(ctx.config),
      bucket: uri.bucket,
      stats,
      fail,
      send,
      footerBytes: FOOTER_FETCH_BYTES,
    };
    stats.filesMatched = objects.length;
    if (objects.length === 0) {
      throw new DynafeastError('s3.noMatch', `${what}: ${source.path} matches no ${source.format} file`, {
        path: field,
        ...(source.location ? { location: source.location } : {}),
        hint: `check the bucket and prefix (S3 keys are case-sensitive); a folder's files must end in .${source.format === 'csv' ? 'csv' : 'parquet'}`,
      });
    }
    // a folder of its own per read: two views of one source in one run read different windows
    await mkdir(ctx.spoolDir, { recursive: true });
    const spool = await mkdtemp(path.join(ctx.spoolDir, `${source.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-`));
    const localOf = (o: S3Object) => path.join(spool, single ? path.posix.basename(o.key) : o.key.slice(root.length));
    const sink = await openSpool(fetcher, spool, localOf, what, () =>
      report(`fetched ${stats.filesFetched} file(s), ${formatBytes(stats.bytesFetched)} from S3 (${stats.filesMatched} matched)`),
    );
    try {
      // Hive partitions of the event-time column drop files (outside) or keep them unread (inside); the
      // rest are decided by their footers. One queue of requests: a file its footer keeps is fetched
      // right away, ahead of the footers still unread, so footer reads and fetches overlap.
      const candidates = window
        ? objects.flatMap((o) => {
            const verdict = partitionVerdict(hivePartitions(o.key, root), source.timestampField, window.startMicros, window.endMicros);
            return verdict === 'outside' ? [] : [{ o, read: verdict === undefined && source.format === 'parquet' }];
          })
        : objects.map((o) => ({ o, read: false }));
      report(`reading ${candidates.filter((c) => c.read).length} footer(s), fetching what the window needs from ${formatS3Uri(uri)}`);
      let footersLeft = candidates.filter((c) => c.read).length;
      const listed = performance.now();
      const initial: Task[] = [];
      for (const { o, read } of candidates) {
        if (read) initial.push({ o });
        else initial.push(...(await sink.keep(o)));
      }
      await runQueue(initial, concurrency, async (task, enqueue) => {
        if (task.part) return sink.fetch(task.o, task.part);
        // window is defined: only a windowed read has footer tasks
        const keep = await footerMayHold(fetcher, task.o, source.timestampField, window as Window, what);
        stats.footersRead++;
        if (--footersLeft === 0) stats.footerSeconds = Math.round(performance.now() - listed) / 1000;
        if (keep) enqueue(...(await sink.keep(task.o)));
      });
      // every file pruned: keep the smallest, so the columns are still checked against the view (it adds no row)
      if (sink.kept.length === 0) {
        const smallest = objects.reduce((a, b) => (b.size < a.size ? b : a));
        await runQueue(await sink.keep(smallest), concurrency, async (task) => {
          if (task.part) await sink.fetch(task.o, task.part);
        });
      }
    } finally {
      await sink.close();
    }
    const needed = sink.kept;
    stats.filesPruned = objects.length - needed.length;
    stats.seconds = Math.round(performance.now() - started) / 1000;
    report(`fetched ${stats.filesFetched} file(s), ${formatBytes(stats.bytesFetched)} from S3 (${stats.filesPruned} of ${stats.filesMatched} pruned)`);

    const display = formatS3Uri(uri);
    const back = new Map(needed.map((o) => [path.resolve(localOf(o)), `s3://${uri.bucket}/${o.key}`]));
    const ext = source.format === 'csv' ? 'csv' : 'parquet';
    const pattern = single ? localOf(needed[0] as S3Object) : path.join(spool, '**', '*');
    const fn = source.format === 'csv' ? 'read_csv' : 'read_parquet';
    const options = [`hive_partitioning = ${single ? 'false' : 'true'}`, 'union_by_name = true'];
    if (source.format === 'csv') options.push('header = true', 'all_varchar = true');
    ctx.logger.debug(`${what}: ${needed.length} ${ext} file(s) from ${display} spooled in ${spool}`);
    return {
      sql: `${fn}(${sqlString(pattern)}, ${options.join(', ')})`,
      display,
      format: source.format,
      pattern,
      displayFile: (file) => back.get(path.resolve(file)) ?? file,
      s3: stats,
    };
  } finally {
    lean?.close();
    h.destroy();
  }
}

type Fail = (action: string, key: string, e: unknown) => DynafeastError;
/** Per-request options: Ctrl-C (the run's signal) abandons requests in flight. */
type SendOptions = { abortSignal?: AbortSignal };

/** What every GetObject of one source shares. */
interface Fetcher {
  h: S3Handle;
  /** Ranged GETs without the SDK; absent: the SDK's GetObject. */
  lean?: LeanS3Reader;
  /** The lean GETs' retries (the SDK retries its own). */
  retry: RetryPolicy;
  bucket: string;
  stats: S3FetchStats;
  fail: Fail;
  send: SendOptions;
  /** How many of a file's last bytes a footer read takes first: FOOTER_FETCH_BYTES, more once a longer footer was seen. */
  footerBytes: number;
}

type Window = { startMicros: bigint; endMicros: bigint };

async function listObjects(
  h: S3Handle,
  uri: S3Uri,
  source: FileSource,
  fail: Fail,
  send: SendOptions,
): Promise<{ objects: S3Object[]; root: string; single: boolean }> {
  const plan = planS3Path(uri.key);
  const sdk = s3Sdk();
  if (plan.kind === 'object-or-prefix') {
    try {
      const head = await h.s3.send(new sdk.HeadObjectCommand({ Bucket: uri.bucket, Key: uri.key }), send);
      return { objects: [{ key: uri.key, size: Number(head.ContentLength ?? 0), etag: head.ETag ?? '' }], root: '', single: true };
    } catch (e) {
      // not an object: the path is a folder (a prefix without its trailing slash)
      if (!isNoSuchKey(e)) throw fail('s3:GetObject', uri.key, e);
    }
  }
  const ext = source.format === 'csv' ? '.csv' : '.parquet';
  const objects: S3Object[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await h.s3.send(
        new sdk.ListObjectsV2Command({ Bucket: uri.bucket, Prefix: plan.listPrefix, ...(token ? { ContinuationToken: token } : {}) }),
        send,
      );
    } catch (e) {
      throw fail('s3:ListBucket', plan.listPrefix, e);
    }
    for (const o of page.Contents ?? []) {
      const key = o.Key ?? '';
      const wanted = plan.matcher ? plan.matcher.test(key) : key.toLowerCase().endsWith(ext);
      if (wanted && !key.endsWith('/')) objects.push({ key, size: Number(o.Size ?? 0), etag: o.ETag ?? '' });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { objects, root: plan.root, single: false };
}

/** One ranged GetObject; the ETag pins the object version read at listing, so a file replaced mid-run fails instead of mixing versions. */
async function getRange({ h, lean, retry, bucket, stats, fail, send }: Fetcher, o: S3Object, start: number, end: number): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    if (lean) {
      // the run's signal reaches the request in flight: Ctrl-C closes its connection, not only stops new ones
      bytes = await withRetry(() => lean.getRange(o.key, start, end, o.etag || undefined, send.abortSignal), {
        policy: retry,
        ...(send.abortSignal ? { signal: send.abortSignal } : {}),
      });
    } else {
      bytes = await sdkRange(h, bucket, o, start, end, send);
    }
  } catch (e) {
    throw fail('s3:GetObject', o.key, e);
  }
  stats.bytesFetched += bytes.length;
  if (bytes.length !== end - start) {
    throw fail(
      's3:GetObject',
      o.key,
      new Error(`asked for bytes ${start}-${end - 1}, got ${bytes.length} bytes: the object is shorter than listed (truncated or replaced)`),
    );
  }
  return bytes;
}

async function sdkRange(h: S3Handle, bucket: string, o: S3Object, start: number, end: number, send: SendOptions): Promise<Uint8Array> {
  const res = await h.s3.send(
    new (s3Sdk().GetObjectCommand)({ Bucket: bucket, Key: o.key, Range: `bytes=${start}-${end - 1}`, ...(o.etag ? { IfMatch: o.etag } : {}) }),
    send,
  );
  return res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
}

async function footerMayHold(f: Fetcher, o: S3Object, column: string, window: Window, what: string): Promise<boolean> {
  const file = {
    byteLength: o.size,
    slice: async (start: number, end = o.size): Promise<ArrayBuffer> => {
      const bytes = await getRange(f, o, start, end);
      if (end === o.size) {
        // the last bytes are kept: a file that is needed is fetched without them
        if (!o.tail || start < o.tail.offset) o.tail = { offset: start, bytes };
        // a footer longer than the first read took a second request: the files that follow (a dataset's
        // footers are alike) start with a read that holds one this long and a quarter
        const footer = footerLengthOf(bytes);
        if (footer !== undefined && footer > bytes.length) f.footerBytes = Math.min(MAX_FOOTER_GUESS, Math.max(f.footerBytes, Math.ceil(footer * 1.25)));
      }
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
  let span;
  try {
    span = await timestampSpanFromFooter(file, column, f.footerBytes);
  } catch (e) {
    if (e instanceof DynafeastError) throw e;
    throw new DynafeastError('repo.unreadableSource', `${what}: s3://${f.bucket}/${o.key} is not a readable parquet file (${(e as Error).message})`, {
      hint: 'the object is corrupt or truncated, or not parquet: rewrite it, or point the source at the right objects',
      cause: e,
    });
  }
  return span === undefined || !outsideWindow(span, window.startMicros, window.endMicros);
}

/** A request of the fetch queue: a footer to read, or a range of a kept file to fetch. */
interface Task {
  o: S3Object;
  part?: { start: number; end: number };
}

/** The spool folder being filled: what is kept, and the files being written. */
interface Spool {
  /** Files kept so far, in the order they were kept. */
  kept: S3Object[];
  /** Keeps a file (checking it fits on the spool's disk) and gives the ranges still to fetch. */
  keep(o: S3Object): Promise<Task[]>;
  fetch(o: S3Object, part: { start: number; end: number }): Promise<void>;
  close(): Promise<void>;
}

async function openSpool(f: Fetcher, dir: string, localOf: (o: S3Object) => string, what: string, onFile: () => void): Promise<Spool> {
  const fs = await statfs(dir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  let committed = 0;
  const kept: S3Object[] = [];
  const left = new Map<S3Object, number>();
  const handles = new Map<S3Object, Promise<FileHandle>>();
  const handleOf = (o: S3Object) => {
    let fh = handles.get(o);
    if (!fh) {
      const file = localOf(o);
      fh = mkdir(path.dirname(file), { recursive: true }).then(() => open(file, 'w'));
      handles.set(o, fh);
    }
    return fh;
  };
  const finished = (o: S3Object) => {
    f.stats.filesFetched++;
    f.stats.bytesOfFetchedFiles += o.size;
    onFile();
  };
  return {
    kept,
    async keep(o) {
      // checked as files are kept (the set is known only when the last footer is read): the space
      // measured when the spool was made, less what is kept, must leave room for DuckDB's own spill
      committed += o.size;
      if (committed + SPOOL_HEADROOM > free) {
        throw new DynafeastError(
          'fs.noSpace',
          `${what}: the files the window needs (${formatBytes(committed)} and counting) do not fit in the spool folder ${dir} (${formatBytes(free)} free)`,
          { hint: 'free some space, point TMPDIR at a larger disk, or materialize a shorter window' },
        );
      }
      kept.push(o);
      const fetchEnd = o.tail ? o.tail.offset : o.size;
      const parts: Task[] = [];
      for (let start = 0; start < fetchEnd; start += PART_BYTES) parts.push({ o, part: { start, end: Math.min(fetchEnd, start + PART_BYTES) } });
      left.set(o, parts.length);
      // the bytes the footer read brought (all of a file smaller than it) are written now
      if (o.tail) await (await handleOf(o)).write(o.tail.bytes, 0, o.tail.bytes.length, o.tail.offset);
      if (parts.length === 0) {
        await handleOf(o);
        finished(o);
      }
      return parts;
    },
    async fetch(o, { start, end }) {
      const bytes = await getRange(f, o, start, end);
      await (await handleOf(o)).write(bytes, 0, bytes.length, start);
      const n = (left.get(o) ?? 1) - 1;
      left.set(o, n);
      if (n === 0) finished(o);
    },
    async close() {
      await Promise.all([...handles.values()].map(async (fh) => (await fh.catch(() => undefined))?.close()));
    },
  };
}
