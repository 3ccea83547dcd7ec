/**
 * Wide-view benchmark: one view of N Float64 features over a generated source of R rows (R/2 entities,
 * two rows each), materialized into the instant endpoint. Prints ONE JSON line per size with the time
 * of each phase, and the time DuckDB alone takes to scan the file (`duckdbScanOnlyMs`, the floor under
 * `queryMs`; `--scan-only false` skips it: at 20,000 columns it alone takes about a minute), so the
 * curve over features × rows shows whether the cost stays linear (`cpuMicrosPerColumn` should stay flat):
 *
 *   npx tsc -p tsconfig.json --outDir .bench
 *   node .bench/bench/wide.bench.js [--features 100,1000,5000,10000,20000] [--rows 2] [--format parquet|csv] [--scan-only false]
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { createAwsClients } from '../src/core/aws/clients.js';
import { localDummyCredentials } from '../src/core/aws/credentials.js';
import { silentLogger, systemClock } from '../src/core/context.js';
import { createLeanBatchSender } from '../src/core/materialize/lean/lean-sender.js';
import { materializeWindows } from '../src/core/materialize/materialize.js';
import { fixedWindows } from '../src/core/materialize/windows.js';
import type { FeatureView, RepoModel } from '../src/core/repo/model.js';
import { copyQueryToParquet } from '../src/core/sample-data/duckdb-copy.js';
import { makeSource } from '../test/helpers/view-fixtures.js';
import { makeRepo, makeView } from '../test/helpers/plan-fixtures.js';
import { benchConfig } from './write/bench-repo.js';
import { startTarget } from './write/targets.js';
import { defined } from '../test/helpers/defined.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? defined(process.argv[i + 1]) : fallback;
}

const sizes = arg('features', '100,1000,5000,10000,20000').split(',').map(Number);
const withScanOnly = arg('scan-only', 'true') !== 'false';
const rows = Number(arg('rows', '2'));
const format = arg('format', 'parquet') as 'parquet' | 'csv';
const root = path.resolve(arg('dir', '.bench/wide'));
const T0 = 1_700_000_000_000_000n;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** A source of `rows` rows: driver_id, event_timestamp, created, f0..f{n-1}. */
async function writeSource(n: number): Promise<string> {
  const file = path.join(root, `wide-${n}-${rows}.${format}`);
  const features = Array.from({ length: n }, (_, i) => `(r * ${n} + ${i}) / 7.0 AS f${i}`).join(', ');
  const select =
    `SELECT (r // 2)::BIGINT AS driver_id, make_timestamp(${T0}::BIGINT + r * 1000000) AS event_timestamp, ` +
    `make_timestamp(${T0}::BIGINT) AS created, ${features} FROM range(${rows}) t(r)`;
  if (format === 'parquet') await copyQueryToParquet(select, file, { threads: 1 });
  else {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`COPY (${select}) TO '${file.replace(/'/g, "''")}' (FORMAT csv, HEADER true)`);
    c.closeSync();
    db.closeSync();
  }
  return file;
}

/** ms DuckDB alone takes to scan every column of the file: the floor under the query phase. */
async function scanOnlyMs(file: string): Promise<number> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const t = performance.now();
  const fn = format === 'csv' ? `read_csv('${file.replace(/'/g, "''")}', all_varchar = true, header = true)` : `read_parquet('${file.replace(/'/g, "''")}')`;
  await c.run(`SELECT * FROM ${fn}`);
  const ms = performance.now() - t;
  c.closeSync();
  db.closeSync();
  return ms;
}

function wideRepo(file: string, n: number): RepoModel {
  const features: FeatureView['features'] = Array.from({ length: n }, (_, i) => ({
    name: `f${i}`,
    dtype: { kind: 'scalar', scalar: 'Float64' },
    description: '',
    tags: {},
  }));
  return { ...makeRepo([makeView('wide', { ttlMicros: 0n, features })]), root, files: [], sources: [makeSource(file, { name: 'driver_stats_source' })] };
}

await mkdir(root, { recursive: true });
const server = await startTarget('instant');
try {
  for (const n of sizes) {
    const file = await writeSource(n);
    const scanMs = withScanOnly ? await scanOnlyMs(file) : undefined;
    const repo = wideRepo(file, n);
    const config = benchConfig(root, server.endpoint, 16);
    const clients = createAwsClients(config, { credentials: localDummyCredentials() });
    const sender = createLeanBatchSender({ endpoint: server.endpoint, region: 'us-east-1', credentials: localDummyCredentials(), maxSockets: 16 });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let report;
    try {
      report = await materializeWindows(
        { config, repo, aws: { endpoint: server.endpoint, credentials: clients.credentials }, clock: systemClock, logger: silentLogger, record: false, sender },
        fixedWindows(repo.featureViews, 0n, T0 * 2n),
      );
    } finally {
      sender.close();
      clients.destroy();
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const v = defined(report.views[0]);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'wide',
        format,
        features: n,
        rows,
        items: v.written,
        seconds: round(seconds, 3),
        microsPerValue: round((seconds * 1e6) / (n * rows), 2),
        cpuMicrosPerValue: round((cpu.user + cpu.system) / (n * rows), 2),
        cpuMicrosPerColumn: round((cpu.user + cpu.system) / n, 1),
        queryMs: Math.round(v.timings.queryMs),
        ...(scanMs === undefined ? {} : { duckdbScanOnlyMs: Math.round(scanMs) }),
        fetchMs: Math.round(v.timings.fetchMs),
        encodeMs: Math.round(v.timings.encodeMs),
        writeMs: Math.round(v.timings.writeMs),
      })}\n`,
    );
    await rm(file, { force: true });
  }
} finally {
  await server.stop();
}
