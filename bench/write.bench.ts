/**
 * Write-path benchmark (architecture.md §7): materializes a generated driver-stats parquet file (default 5M rows,
 * 100k drivers, 50 hourly rows each) into one target and prints ONE JSON line: rows/s, items/s, CPU µs
 * per row and per item, peak RSS. One scenario per process, so peak RSS is the scenario's own:
 *
 *   npx tsc -p tsconfig.json --outDir .bench
 *   node .bench/bench/write.bench.js --target instant|latency|dynalite [--rows N] [--drivers N]
 *        [--concurrency N] [--monotonic] [--delay-ms 8] [--split] [--ceiling]
 *
 * --split (instant target) adds the CPU shares of DuckDB, encoding and the request path, from two
 * extra passes that read (and encode) without writing. --ceiling (dynalite) adds what dynalite absorbs
 * from a client doing almost nothing, the reference for target (a). bench/run-write.sh runs the
 * README's scenarios.
 */
import { mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAwsClients } from '../src/core/aws/clients.js';
import { localDummyCredentials } from '../src/core/aws/credentials.js';
import { silentLogger, systemClock } from '../src/core/context.js';
import { entityIdBackend } from '../src/core/layout/entity-id.js';
import { materializeWindows } from '../src/core/materialize/materialize.js';
import { fixedWindows } from '../src/core/materialize/windows.js';
import { writeDriverStatsRows } from '../src/core/sample-data/driver-stats.js';
import { BENCH_VIEW, benchConfig, benchRepo } from './write/bench-repo.js';
import { dynaliteCeiling } from './write/dynalite-ceiling.js';
import { cpuOfReading } from './write/phases.js';
import { startTarget, type BenchTarget } from './write/targets.js';
import { createFeastTable } from '../test/helpers/dynalite.js';
import { defined } from '../test/helpers/defined.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? defined(process.argv[i + 1]) : fallback;
}

const target = arg('target', 'instant') as 'instant' | 'latency' | 'dynalite';
const rows = Number(arg('rows', '5000000'));
const drivers = Number(arg('drivers', '100000'));
const concurrency = Number(arg('concurrency', '32'));
const monotonic = process.argv.includes('--monotonic');
const delayMs = Number(arg('delay-ms', '8'));
// A fixed "now" so every run reads the same file; its rows end one hour before it.
const NOW = 1_767_225_600_000_000n; // 2026-01-01T00:00:00Z
const TABLE = `bench.${BENCH_VIEW}`;

const root = path.resolve(arg('dir', '.bench/data'));
const file = path.join(root, `driver-stats-${rows}-${drivers}.parquet`);
await mkdir(root, { recursive: true });
if (!(await stat(file).catch(() => undefined))) {
  const t = performance.now();
  await writeDriverStatsRows(file, { rows, drivers, nowMicros: NOW, jitter: true, compression: 'snappy' });
  process.stderr.write(`generated ${file} in ${((performance.now() - t) / 1000).toFixed(1)}s\n`);
}
const repo = benchRepo(root, file);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function createTable(endpoint: string, table: string): Promise<void> {
  const admin = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: localDummyCredentials() });
  await createFeastTable(admin, table);
  admin.destroy();
}

/**
 * Items/s a fresh dynalite absorbs from pre-built requests (see write/dynalite-ceiling.ts), and the share
 * of that time its process was on a CPU.
 */
async function measureCeiling(): Promise<{ rate: number; serverBusy: number | undefined }> {
  // a fresh dynalite, so no run writes into a store another one has already filled
  const fresh = await startTarget('dynalite');
  try {
    await createTable(fresh.endpoint, TABLE);
    const cpu0 = fresh.cpuSeconds();
    const t0 = performance.now();
    const rate = await dynaliteCeiling(fresh.endpoint, TABLE, Math.min(rows, drivers), concurrency);
    const cpu1 = fresh.cpuSeconds();
    const busy = cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) / ((performance.now() - t0) / 1000);
    return { rate, serverBusy: busy };
  } finally {
    await fresh.stop();
  }
}

async function run(server: BenchTarget): Promise<Record<string, unknown>> {
  const ceilingBefore = target === 'dynalite' && process.argv.includes('--ceiling') ? await measureCeiling() : undefined;
  if (target === 'dynalite') await createTable(server.endpoint, TABLE);
  const config = benchConfig(root, server.endpoint, concurrency, monotonic);
  const clients = createAwsClients(config, { credentials: localDummyCredentials() });
  const serverCpu0 = server.cpuSeconds();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let report;
  try {
    report = await materializeWindows(
      // materialize's own sender, as the CLI runs it (lean BatchWriteItem, or conditional PutItem when monotonic)
      { config, repo, aws: clients, clock: systemClock, logger: silentLogger, record: false },
      fixedWindows(repo.featureViews, 0n, NOW),
    );
  } finally {
    clients.destroy();
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMicros = cpu.user + cpu.system;
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const v = defined(report.views[0]);
  const received = await server.stats();
  const result: Record<string, unknown> = {
    bench: 'write',
    target: target === 'latency' ? `instant+${delayMs}ms` : target,
    sender: `lean${monotonic ? '-conditional-put' : ''}`,
    hash: entityIdBackend(),
    rows,
    drivers,
    items: v.written,
    concurrency,
    seconds: round(seconds, 2),
    rowsPerSecond: Math.round(rows / seconds),
    itemsPerSecond: Math.round(v.written / seconds),
    // the writing alone, after DuckDB's window + latest-per-key query (which must finish before any row
    // can be written): the rate to compare with other writers
    writePhaseItemsPerSecond: Math.round(v.written / (seconds - v.timings.queryMs / 1000)),
    duckdbQuerySeconds: round(v.timings.queryMs / 1000, 2),
    cpuMicrosPerRow: round(cpuMicros / rows, 2),
    cpuMicrosPerItem: round(cpuMicros / Math.max(1, v.written)),
    peakRssMB,
    requests: v.requests,
    retries: v.retries,
    ...(received ? { serverReceivedItems: received.items } : {}),
  };
  if (process.argv.includes('--split')) {
    const read = await cpuOfReading(repo, NOW, false);
    const encoded = await cpuOfReading(repo, NOW, true);
    result.cpuShare = {
      duckdb: round(read.cpuMicros / cpuMicros, 2),
      encode: round((encoded.cpuMicros - read.cpuMicros) / cpuMicros, 2),
      request: round((cpuMicros - encoded.cpuMicros) / cpuMicros, 2),
    };
  }
  if (serverCpu0 !== undefined && server.cpuSeconds() !== undefined) {
    // how busy the server process was while materialize ran: ~1.0 means the server was the bound
    result.serverBusy = round((defined(server.cpuSeconds()) - serverCpu0) / seconds, 2);
  }
  if (ceilingBefore !== undefined) {
    // measured before and after on a machine shared with other work: the mean follows its drift
    const after = await measureCeiling();
    const ceiling = (ceilingBefore.rate + after.rate) / 2;
    result.dynaliteCeilingItemsPerSecond = Math.round(ceiling);
    if (ceilingBefore.serverBusy !== undefined && after.serverBusy !== undefined) {
      result.ceilingServerBusy = round((ceilingBefore.serverBusy + after.serverBusy) / 2, 2);
    }
    result.ofCeiling = round(v.written / seconds / ceiling, 2);
    result.writePhaseOfCeiling = round(v.written / (seconds - v.timings.queryMs / 1000) / ceiling, 2);
  }
  result.node = process.version;
  // the machine's 1-minute load when the run ended: figures from a busy machine are not comparable
  result.loadAvg1m = round(defined(os.loadavg()[0]), 2);
  result.cpus = os.cpus().length;
  return result;
}

const server = await startTarget(target, delayMs);
try {
  process.stdout.write(`${JSON.stringify(await run(server))}\n`);
} finally {
  await server.stop();
}
