/**
 * S3 source benchmark (architecture.md §7): the same materialization of a hive-partitioned dataset —
 * 2M rows in 100 parquet files, one per day — read from moto's S3 and from local disk, window = 10 of
 * the 100 days, written to the instant endpoint (so the figures are the read path's). Runs alternate
 * (local, S3, local, S3, …) on this noisy machine; prints ONE JSON line with
 *   bytesRatio = bytes GetObject returned ÷ bytes of the files holding rows of the window (target ≤ 1.2)
 *   rateRatio  = median rows/s from S3 ÷ median rows/s from local disk (target ≥ 0.8)
 * and the range of the per-pair rate ratios; then where the S3 run's time goes (listing, footer reads,
 * the whole S3 part) and moto's own CPU seconds per run, read from /proc, which give
 *   rateRatioCeilingWithThisServer = local run ÷ (S3 run without its S3 part + moto's CPU for it)
 * the best ratio any client could reach against this one-process server on this machine.
 *
 *   npm run bench:s3          (needs moto_server on PATH: pip install "moto[server]")
 *   node .bench/bench/s3.bench.js [--rows 2000000] [--days 100] [--runs 5]
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAwsClients, createS3Client } from '../src/core/aws/clients.js';
import { localDummyCredentials } from '../src/core/aws/credentials.js';
import { silentLogger, systemClock } from '../src/core/context.js';
import { materializeWindows } from '../src/core/materialize/materialize.js';
import { fixedWindows } from '../src/core/materialize/windows.js';
import { openOfflineStore } from '../src/core/offline/offline-store.js';
import { startServer } from '../test/helpers/interop-server.js';
import { makeSource } from '../test/helpers/view-fixtures.js';
import { defined } from '../test/helpers/defined.js';
import { BENCH_VIEW, benchConfig, benchRepo } from './write/bench-repo.js';
import { startTarget } from './write/targets.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? defined(process.argv[i + 1]) : fallback;
}
const rows = Number(arg('rows', '2000000'));
const days = Number(arg('days', '100'));
const runs = Number(arg('runs', '5'));
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

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces): utime and stime are the 12th and 13th
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}
const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const serverDir = path.join(root, 'moto');
await mkdir(serverDir, { recursive: true });
const moto = await startServer('moto', serverDir);
const target = await startTarget('instant');
const env = { FEAST_S3_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' };
Object.assign(process.env, env);
try {
  const config = benchConfig(root, target.endpoint, 32);
  const upload = createS3Client(config, { endpoint: moto.endpoint });
  const { CreateBucketCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  await upload.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const f of files) {
    await upload.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `daily/${path.relative(dataset, f).split(path.sep).join('/')}`, Body: await readFile(f) }),
    );
  }
  upload.destroy();

  const once = async (sourcePath: string) => {
    const repo = benchRepo(root, sourcePath);
    repo.sources = [makeSource(sourcePath, { name: 'driver_stats_source' })];
    const clients = createAwsClients(config, { credentials: localDummyCredentials() });
    const motoCpu0 = cpuSeconds(moto.pid);
    const ownCpu0 = ownCpuSeconds();
    const t0 = performance.now();
    try {
      const report = await materializeWindows(
        { config, repo, aws: clients, clock: systemClock, logger: silentLogger, record: false },
        fixedWindows(repo.featureViews, start, end),
      );
      const v = defined(report.views[0]);
      const seconds = (performance.now() - t0) / 1000;
      const motoCpu1 = cpuSeconds(moto.pid);
      const motoCpu = motoCpu0 !== undefined && motoCpu1 !== undefined ? motoCpu1 - motoCpu0 : NaN;
      return { seconds, rows: v.rowsInWindow, items: v.written, s3: v.s3, motoCpu, ownCpu: ownCpuSeconds() - ownCpu0 };
    } finally {
      clients.destroy();
    }
  };
  const local: number[] = [];
  const remote: number[] = [];
  const s3Seconds: number[] = [];
  const localSeconds: number[] = [];
  const pairRatios: number[] = [];
  const phases = {
    list: [] as number[],
    footers: [] as number[],
    motoCpu: [] as number[],
    ownCpuS3: [] as number[],
    ownCpuLocal: [] as number[],
    ceiling: [] as number[],
  };
  let bytesFetched = 0;
  let windowRows = 0;
  let s3Files = 0;
  // one warm-up of each (DuckDB, the SDK, moto's first requests), not counted
  await once(dataset);
  await once(`s3://${BUCKET}/daily/`);
  for (let i = 0; i < runs; i++) {
    const l = await once(dataset);
    const s = await once(`s3://${BUCKET}/daily/`);
    if (l.rows !== s.rows || l.items !== s.items) throw new Error(`local and S3 runs differ: ${JSON.stringify({ l, s })}`);
    windowRows = s.rows;
    bytesFetched = defined(s.s3).bytesFetched;
    s3Files = defined(s.s3).filesFetched;
    local.push(l.rows / l.seconds);
    remote.push(s.rows / s.seconds);
    s3Seconds.push(defined(s.s3).seconds);
    phases.list.push(defined(s.s3).listSeconds);
    phases.footers.push(defined(s.s3).footerSeconds);
    phases.motoCpu.push(s.motoCpu);
    phases.ownCpuS3.push(s.ownCpu);
    phases.ownCpuLocal.push(l.ownCpu);
    phases.ceiling.push(l.seconds / (s.seconds - defined(s.s3).seconds + s.motoCpu));
    process.stderr.write(
      `pair ${i + 1}: local ${l.seconds.toFixed(2)}s, S3 ${s.seconds.toFixed(2)}s (list ${defined(s.s3).listSeconds}s, footers ${defined(s.s3).footerSeconds}s, S3 total ${defined(s.s3).seconds}s; moto CPU ${s.motoCpu.toFixed(2)}s)\n`,
    );
    localSeconds.push(l.seconds);
    pairRatios.push(s.rows / s.seconds / (l.rows / l.seconds));
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return defined(s[Math.floor(s.length / 2)]);
  };
  const r2 = (x: number) => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify({
      bench: 's3',
      rows,
      files: files.length,
      windowDays,
      windowRows,
      view: BENCH_VIEW,
      filesFetched: s3Files,
      bytesFetched,
      matchingFilesBytes: matchingBytes,
      bytesRatio: r2(bytesFetched / matchingBytes),
      localRowsPerSecond: Math.round(median(local)),
      s3RowsPerSecond: Math.round(median(remote)),
      rateRatio: r2(median(remote) / median(local)),
      rateRatioRange: [r2(Math.min(...pairRatios)), r2(Math.max(...pairRatios))],
      // where the S3 run's extra time goes: listing, footers and fetching, against the whole local run
      s3FetchSecondsMedian: r2(median(s3Seconds)),
      s3ListSecondsMedian: r2(median(phases.list)),
      s3FooterSecondsMedian: r2(median(phases.footers)),
      s3RunSecondsMedian: r2(median(remote.map((r) => windowRows / r))),
      localRunSecondsMedian: r2(median(localSeconds)),
      // moto is one Python process: its CPU seconds per S3 run against the run's wall time show how much
      // of the S3 run is the server's own work (it cannot go faster than that on this machine)
      motoCpuSecondsMedian: r2(median(phases.motoCpu)),
      ownCpuSecondsS3Median: r2(median(phases.ownCpuS3)),
      ownCpuSecondsLocalMedian: r2(median(phases.ownCpuLocal)),
      // the best ratio this server allows: the S3 run's time outside listing/footers/fetching (DuckDB,
      // writing), plus the CPU moto alone needs to answer the run's requests (serial: one Python process),
      // against the local run. Our own S3 work overlaps moto's; moto's cannot overlap DuckDB's, which
      // needs the files.
      rateRatioCeilingWithThisServer: r2(median(phases.ceiling)),
      loadAverage: os.loadavg().map(r2),
      runs,
    }),
  );
} finally {
  await target.stop();
  await moto.stop();
  await rm(serverDir, { recursive: true, force: true });
}
