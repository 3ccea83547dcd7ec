/**
 * Export benchmark (architecture.md §7): the driver stats table with 100k and with 500k items in two
 * dynalite servers (child processes), each exported to parquet by a fresh process (so peak RSS is the
 * export's own), the two sizes interleaved run by run. Prints ONE JSON line: items/s and peak RSS per
 * size (ranges over the runs) and the ratio of the 500k peak RSS to the 100k one (flat memory: ≈ 1).
 *
 *   npm run bench:export            # BENCH_RUNS (default 3) runs per size; BENCH_SIZES (default 100000,500000)
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDummyCredentials } from '../src/core/aws/credentials.js';
import { createAwsClients } from '../src/core/aws/clients.js';
import { silentLogger, systemClock } from '../src/core/context.js';
import { materializeWindows } from '../src/core/materialize/materialize.js';
import { fixedWindows } from '../src/core/materialize/windows.js';
import { writeDriverStatsRows } from '../src/core/sample-data/driver-stats.js';
import { BENCH_VIEW, benchConfig, benchRepo } from './write/bench-repo.js';
import { startTarget, type BenchTarget } from './write/targets.js';
import { createFeastTable } from '../test/helpers/dynalite.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const NOW = 1_767_225_600_000_000n; // 2026-01-01T00:00:00Z, as the write benchmark
const runs = Number(process.env.BENCH_RUNS ?? 3);
const sizes = (process.env.BENCH_SIZES ?? '100000,500000').split(',').map(Number);
const root = path.resolve('.bench/data');
await mkdir(root, { recursive: true });

interface Filled {
  size: number;
  target: BenchTarget;
  file: string;
}

async function fill(size: number): Promise<Filled> {
  const file = path.join(root, `driver-stats-${size}-${size}.parquet`);
  if (!(await stat(file).catch(() => undefined)))
    await writeDriverStatsRows(file, { rows: size, drivers: size, nowMicros: NOW, jitter: true, compression: 'snappy' });
  const target = await startTarget('dynalite');
  const admin = new DynamoDBClient({ region: 'us-east-1', endpoint: target.endpoint, credentials: localDummyCredentials() });
  await createFeastTable(admin, `bench.${BENCH_VIEW}`);
  admin.destroy();
  const config = benchConfig(root, target.endpoint, 32);
  const repo = benchRepo(root, file);
  const aws = createAwsClients(config, { credentials: localDummyCredentials() });
  const t = performance.now();
  try {
    await materializeWindows({ config, repo, aws, clock: systemClock, logger: silentLogger, record: false }, fixedWindows(repo.featureViews, 0n, NOW));
  } finally {
    aws.destroy();
  }
  process.stderr.write(`filled ${size} items in ${((performance.now() - t) / 1000).toFixed(1)}s\n`);
  return { size, target, file };
}

const filled: Filled[] = [];
try {
  for (const size of sizes) filled.push(await fill(size));
  const results = new Map<number, Array<{ itemsPerSecond: number; peakRssMB: number; seconds: number }>>(sizes.map((s) => [s, []]));
  for (let r = 0; r < runs; r++) {
    for (const f of filled) {
      const out = path.join(root, `export-${f.size}.parquet`);
      const child = spawnSync(
        process.execPath,
        [path.join(here, 'export', 'export-child.js'), '--endpoint', f.target.endpoint, '--root', root, '--file', f.file, '--out', out],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      if (child.status !== 0) throw new Error(`export child exited with ${child.status}`);
      const line = JSON.parse(child.stdout.trim()) as { items: number; itemsPerSecond: number; peakRssMB: number; seconds: number };
      if (line.items !== f.size) throw new Error(`exported ${line.items} items, expected ${f.size}`);
      results.get(f.size)?.push(line);
      process.stderr.write(`run ${r + 1}: ${f.size} items: ${line.itemsPerSecond} items/s, peak RSS ${line.peakRssMB} MB\n`);
      await rm(out, { force: true });
    }
  }
  const range = (xs: number[]) => [Math.min(...xs), Math.max(...xs)];
  const summary = Object.fromEntries(
    [...results].map(([size, rs]) => [size, { itemsPerSecond: range(rs.map((x) => x.itemsPerSecond)), peakRssMB: range(rs.map((x) => x.peakRssMB)) }]),
  );
  const [small, large] = [results.get(Math.min(...sizes)) ?? [], results.get(Math.max(...sizes)) ?? []];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'export',
      target: 'dynalite',
      format: 'parquet',
      runs,
      sizes: summary,
      rssRatioLargeOverSmall: Math.round((median(large.map((x) => x.peakRssMB)) / median(small.map((x) => x.peakRssMB))) * 100) / 100,
    })}\n`,
  );
} finally {
  for (const f of filled) await f.target.stop();
}
