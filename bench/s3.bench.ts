/**
 * S3 source benchmark (architecture.md §7): the same materialization of a hive-partitioned dataset —
 * 2M rows in 100 parquet files, one per day — read from moto's S3 and from local disk, window = 10 of
 * the 100 days, written to the instant endpoint (so the figures are the read path's). Runs alternate
 * (local, S3, local, S3, …) on this noisy machine; prints ONE JSON line with
 *   bytesRatio = bytes GetObject returned ÷ bytes of the files holding rows of the window (target ≤ 1.2)
 *   rateRatio  = median rows/s from S3 ÷ median rows/s from local disk (target ≥ 0.8)
 * and the range of the per-pair rate ratios.
 *
 *   npm run bench:s3          (needs moto_server on PATH: pip install "moto[server]")
 *   node .bench/bench/s3.bench.js [--rows 2000000] [--days 100] [--runs 5]
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
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
    const t0 = performance.now();
    try {
      const report = await materializeWindows(
        { config, repo, aws: clients, clock: systemClock, logger: silentLogger, record: false },
        fixedWindows(repo.featureViews, start, end),
      );
      const v = defined(report.views[0]);
      return { seconds: (performance.now() - t0) / 1000, rows: v.rowsInWindow, items: v.written, s3: v.s3 };
    } finally {
      clients.destroy();
    }
  };
  const local: number[] = [];
  const remote: number[] = [];
  const s3Seconds: number[] = [];
  const localSeconds: number[] = [];
  const pairRatios: number[] = [];
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
      localRunSecondsMedian: r2(median(localSeconds)),
      runs,
    }),
  );
} finally {
  await target.stop();
  await moto.stop();
  await rm(serverDir, { recursive: true, force: true });
}
