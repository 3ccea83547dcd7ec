/**
 * S3 source benchmark (architecture.md §7): the same materialization of a hive-partitioned dataset —
 * 2M rows in 100 parquet files, one per day — read from S3 and from local disk, window = 10 of the 100
 * days, written to the instant endpoint (so the figures are the read path's). Two S3 servers:
 *   moto   moto_server's S3 (one Python process: its own CPU bounds what any client reaches here)
 *   model  bench/s3/s3-model.ts, a neutral stand-in with S3's in-region first-byte latency and a
 *          per-connection bandwidth cap, serving in parallel (as bench/read/latency-endpoint.ts for DynamoDB)
 * Runs are interleaved (local, S3 on each server, local, …) on this noisy machine; each pair prints a JSON
 * line, then each server a summary line with
 *   bytesRatio = bytes GetObject returned ÷ bytes of the files holding rows of the window (target ≤ 1.2)
 *   rateRatio  = median over pairs of S3 rows/s ÷ local rows/s (target ≥ 0.8), and its range
 * and where the S3 run's time goes (listing, footer reads, the whole S3 part) and the server's own CPU
 * seconds per run, read from /proc, which give
 *   rateRatioCeilingWithThisServer = local run ÷ (S3 run without its S3 part + the server's CPU for it)
 * the best ratio a client could reach if the server's work were serial (true of moto, not of the model).
 *
 *   npm run bench:s3          (moto needs moto_server on PATH: pip install "moto[server]")
 *   node .bench/bench/s3.bench.js [--server moto|model|both] [--rows 2000000] [--days 100] [--runs 7]
 *                                 [--latency-ms 15] [--mbps 90]      (the model's first-byte latency and per-connection cap)
 */
import { readdirSync, statSync, symlinkSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAwsClients, createS3Client } from '../src/core/aws/clients.js';
import { localDummyCredentials } from '../src/core/aws/credentials.js';
import { silentLogger, systemClock } from '../src/core/context.js';
import { materializeWindows } from '../src/core/materialize/materialize.js';
import { fixedWindows } from '../src/core/materialize/windows.js';
import { openOfflineStore } from '../src/core/offline/offline-store.js';
import { startServer } from '../test/helpers/interop-server.js';
import { makeSource } from '../test/helpers/view-fixtures.js';
import { defined } from '../test/helpers/defined.js';
import { startBenchChild, cpuSecondsOf } from './child-process.js';
import { BENCH_VIEW, benchConfig, benchRepo } from './write/bench-repo.js';
import { startTarget } from './write/targets.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? defined(process.argv[i + 1]) : fallback;
}
const rows = Number(arg('rows', '2000000'));
const days = Number(arg('days', '100'));
const runs = Number(arg('runs', '7'));
const serverArg = arg('server', 'both');
if (!['moto', 'model', 'both'].includes(serverArg)) throw new Error(`--server is moto, model or both, not ${serverArg}`);
const serverKinds = (serverArg === 'both' ? ['moto', 'model'] : [serverArg]) as ('moto' | 'model')[];
const latencyMs = Number(arg('latency-ms', '15'));
const mbps = Number(arg('mbps', '90'));
const drivers = 20_000;
const DAY = 86_400_000_000n;
const FIRST_DAY = BigInt(Date.UTC(2025, 0, 1)) * 1000n;
const BUCKET = 'bench-data';

const root = path.resolve('.bench/s3-data');
const dataset = path.join(root, `daily-${rows}-${days}`);
if (!(await stat(dataset).catch(() => undefined))) {
  await mkdir(root, { recursive: true });
  const perDay = Math.floor(rows / days);
  const t = performance.now();
  const db = await openOfflineStore();
  await db.connection.run(
    `COPY (SELECT (i % ${drivers})::BIGINT AS driver_id,
                  make_timestamp(${FIRST_DAY} + (i // ${perDay}) * ${DAY} + (i % ${perDay}) * ${DAY / BigInt(perDay)}) AS event_timestamp,
                  make_timestamp(${FIRST_DAY} + (i // ${perDay}) * ${DAY} + (i % ${perDay}) * ${DAY / BigInt(perDay)}) AS created,
                  random()::FLOAT AS conv_rate, random()::FLOAT AS acc_rate, (i % 1000)::BIGINT AS avg_daily_trips,
                  strftime(make_timestamp(${FIRST_DAY} + (i // ${perDay}) * ${DAY}), '%Y-%m-%d') AS day
           FROM range(0, ${perDay * days}) r(i))
     TO '${dataset}' (FORMAT parquet, PARTITION_BY (day), COMPRESSION snappy)`,
  );
  await db.close();
  process.stderr.write(`generated ${dataset} in ${((performance.now() - t) / 1000).toFixed(1)}s\n`);
}
const files = readdirSync(dataset, { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile())
  .map((d) => path.join(d.parentPath, d.name));

// the window: the 10% of the days in the middle, whole days
const firstInWindow = Math.floor(days * 0.45);
const windowDays = Math.max(1, Math.round(days / 10));
const start = FIRST_DAY + BigInt(firstInWindow) * DAY;
const end = start + BigInt(windowDays) * DAY - 1n;
const dayOf = (file: string) => defined(/day=(\d{4}-\d{2}-\d{2})/.exec(file))[1];
const inWindow = (file: string) => {
  const d = BigInt(Date.parse(`${dayOf(file)}T00:00:00Z`)) * 1000n;
  return d + DAY - 1n >= start && d <= end;
};
const matchingBytes = files.filter(inWindow).reduce((n, f) => n + statSync(f).size, 0);

const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface S3Server {
  kind: 'moto' | 'model';
  endpoint: string;
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

/** moto with the dataset uploaded under daily/, or the model serving the dataset's folder as daily/. */
async function startS3Server(kind: 'moto' | 'model'): Promise<S3Server> {
  if (kind === 'model') {
    const bucketDir = path.join(root, 'model-bucket');
    await rm(bucketDir, { recursive: true, force: true });
    await mkdir(bucketDir, { recursive: true });
    symlinkSync(dataset, path.join(bucketDir, 'daily'));
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 's3', 's3-model.js');
    const child = await startBenchChild(script, ['--bucket', `${BUCKET}=${bucketDir}`, '--latency-ms', String(latencyMs), '--mbps', String(mbps)]);
    return { kind, ...child };
  }
  const serverDir = path.join(root, 'moto');
  await mkdir(serverDir, { recursive: true });
  const moto = await startServer('moto', serverDir);
  const upload = createS3Client(benchConfig(root, moto.endpoint, 32), { endpoint: moto.endpoint });
  const { CreateBucketCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  await upload.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const f of files) {
    await upload.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `daily/${path.relative(dataset, f).split(path.sep).join('/')}`, Body: await readFile(f) }),
    );
  }
  upload.destroy();
  return {
    kind,
    endpoint: moto.endpoint,
    cpuSeconds: () => cpuSecondsOf(moto.pid),
    stop: async () => {
      await moto.stop();
      await rm(serverDir, { recursive: true, force: true });
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return defined(s[Math.floor(s.length / 2)]);
};
const r2 = (x: number) => Math.round(x * 100) / 100;

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' });
const target = await startTarget('instant');
const servers: S3Server[] = [];
try {
  for (const kind of serverKinds) servers.push(await startS3Server(kind));
  const config = benchConfig(root, target.endpoint, 32);
  const s3Path = `s3://${BUCKET}/daily/`;

  const once = async (sourcePath: string, server?: S3Server) => {
    const repo = benchRepo(root, sourcePath);
    repo.sources = [makeSource(sourcePath, { name: 'driver_stats_source', ...(server ? { s3EndpointOverride: server.endpoint } : {}) })];
    const clients = createAwsClients(config, { credentials: localDummyCredentials() });
    const serverCpu0 = server?.cpuSeconds();
    const ownCpu0 = ownCpuSeconds();
    const t0 = performance.now();
    try {
      const report = await materializeWindows(
        { config, repo, aws: clients, clock: systemClock, logger: silentLogger, record: false },
        fixedWindows(repo.featureViews, start, end),
      );
      const v = defined(report.views[0]);
      const seconds = (performance.now() - t0) / 1000;
      const serverCpu1 = server?.cpuSeconds();
      const serverCpu = serverCpu0 !== undefined && serverCpu1 !== undefined ? serverCpu1 - serverCpu0 : NaN;
      return { seconds, rows: v.rowsInWindow, items: v.written, s3: v.s3, serverCpu, ownCpu: ownCpuSeconds() - ownCpu0 };
    } finally {
      clients.destroy();
    }
  };

  interface Pair {
    ratio: number;
    local: number;
    s3: number;
    s3Part: number;
    list: number;
    footers: number;
    serverCpu: number;
    ownCpuS3: number;
    ownCpuLocal: number;
    ceiling: number;
    bytesFetched: number;
    filesFetched: number;
    rows: number;
  }
  const pairs = new Map<string, Pair[]>(servers.map((s) => [s.kind, []]));
  // one warm-up of each (DuckDB, the clients, the servers' first requests), not counted
  await once(dataset);
  for (const server of servers) await once(s3Path, server);
  for (let i = 0; i < runs; i++) {
    for (const server of servers) {
      const l = await once(dataset);
      const s = await once(s3Path, server);
      if (l.rows !== s.rows || l.items !== s.items) throw new Error(`local and S3 runs differ: ${JSON.stringify({ l, s })}`);
      const s3 = defined(s.s3);
      const pair: Pair = {
        ratio: s.rows / s.seconds / (l.rows / l.seconds),
        local: l.seconds,
        s3: s.seconds,
        s3Part: s3.seconds,
        list: s3.listSeconds,
        footers: s3.footerSeconds,
        serverCpu: s.serverCpu,
        ownCpuS3: s.ownCpu,
        ownCpuLocal: l.ownCpu,
        ceiling: l.seconds / (s.seconds - s3.seconds + s.serverCpu),
        bytesFetched: s3.bytesFetched,
        filesFetched: s3.filesFetched,
        rows: s.rows,
      };
      defined(pairs.get(server.kind)).push(pair);
      console.log(
        JSON.stringify({
          bench: 's3-pair',
          server: server.kind,
          pair: i + 1,
          rateRatio: r2(pair.ratio),
          localSeconds: r2(pair.local),
          s3Seconds: r2(pair.s3),
          s3PartSeconds: r2(pair.s3Part),
          listSeconds: r2(pair.list),
          footerSeconds: r2(pair.footers),
          serverCpuSeconds: r2(pair.serverCpu),
          ownCpuSecondsS3: r2(pair.ownCpuS3),
          ownCpuSecondsLocal: r2(pair.ownCpuLocal),
          loadAverage1m: r2(defined(os.loadavg()[0])),
        }),
      );
    }
  }
  for (const server of servers) {
    const ps = defined(pairs.get(server.kind));
    const last = defined(ps[ps.length - 1]);
    const of = (k: keyof Pair) => ps.map((p) => p[k]);
    console.log(
      JSON.stringify({
        bench: 's3',
        server: server.kind,
        ...(server.kind === 'model' ? { modelLatencyMs: latencyMs, modelMegabytesPerSecondPerConnection: mbps } : {}),
        rows,
        files: files.length,
        windowDays,
        windowRows: last.rows,
        view: BENCH_VIEW,
        filesFetched: last.filesFetched,
        bytesFetched: last.bytesFetched,
        matchingFilesBytes: matchingBytes,
        bytesRatio: r2(last.bytesFetched / matchingBytes),
        localRowsPerSecond: Math.round(last.rows / median(of('local'))),
        s3RowsPerSecond: Math.round(last.rows / median(of('s3'))),
        rateRatio: r2(median(of('ratio'))),
        rateRatioRange: [r2(Math.min(...of('ratio'))), r2(Math.max(...of('ratio')))],
        // where the S3 run's extra time goes: listing, footers and fetching, against the whole local run
        s3FetchSecondsMedian: r2(median(of('s3Part'))),
        s3ListSecondsMedian: r2(median(of('list'))),
        s3FooterSecondsMedian: r2(median(of('footers'))),
        s3RunSecondsMedian: r2(median(of('s3'))),
        localRunSecondsMedian: r2(median(of('local'))),
        // the server's CPU seconds per S3 run against the run's wall time: how much of the S3 run is the
        // server's own work (moto: one Python process, serial; the model: its latency is a timer, not CPU)
        serverCpuSecondsMedian: r2(median(of('serverCpu'))),
        ownCpuSecondsS3Median: r2(median(of('ownCpuS3'))),
        ownCpuSecondsLocalMedian: r2(median(of('ownCpuLocal'))),
        // the best ratio a serial server allows: the S3 run's time outside listing/footers/fetching (DuckDB,
        // writing), plus the CPU the server alone needs to answer the run's requests, against the local
        // run. Our own S3 work overlaps the server's; the server's cannot overlap DuckDB's, which needs the files.
        rateRatioCeilingWithThisServer: r2(median(of('ceiling'))),
        loadAverage: os.loadavg().map(r2),
        runs,
      }),
    );
  }
} finally {
  await target.stop();
  for (const server of servers) await server.stop();
}
