/**
 * Export benchmark (architecture.md §4.9, §7): the driver stats view with 100k, 500k and 1M items, each
 * table served by its own child process of the read benchmark's model of in-region DynamoDB
 * (read/latency-endpoint.ts: 8 ms per request, 1 MB Scan pages; a dynalite holding 1M items takes longer
 * to fill than the whole benchmark), its join keys recovered from a parquet source of the same drivers.
 * Each export is a fresh process (export/export-child.ts, so peak RSS is the export's own), the sizes
 * interleaved run by run. Prints ONE JSON line: items/s and peak RSS per size (ranges over the runs) and
 * the ratio of the largest size's median peak RSS to the smallest's (flat memory: ≈ 1).
 *
 * BENCH_COMMAND=verify measures a full-mode `verify` of the same tables instead (`npm run bench:verify`;
 * the table's items are older than the source's rows, so every entity is compared and counted stale).
 *
 *   npm run bench:export    # BENCH_RUNS (default 3) runs per size; BENCH_SIZES (default 100000,500000,1000000)
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDriverStatsRows } from '../src/core/sample-data/driver-stats.js';
import { FIRST_DRIVER } from './read/bench-repo.js';
import { startChild } from './read/children.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const NOW = 1_767_225_600_000_000n; // 2026-01-01T00:00:00Z, as the write benchmark
const runs = Number(process.env.BENCH_RUNS ?? 3);
const sizes = (process.env.BENCH_SIZES ?? '100000,500000,1000000').split(',').map(Number);
const SEGMENTS = 8;
const command = process.env.BENCH_COMMAND === 'verify' ? 'verify' : 'export';
const root = path.resolve('.bench/data');
await mkdir(root, { recursive: true });

interface Served {
  size: number;
  child: ChildProcess;
  endpoint: string;
  /** The offline source: one row per driver the table holds, for the join keys. */
  file: string;
}

async function serve(size: number): Promise<Served> {
  const file = path.join(root, `driver-stats-model-${size}.parquet`);
  if (!(await stat(file).catch(() => undefined)))
    await writeDriverStatsRows(file, { rows: size, drivers: size, firstDriverId: FIRST_DRIVER, nowMicros: NOW, compression: 'snappy' });
  const { child, endpoint } = await startChild('latency-endpoint.js', ['--delay-ms', '8', '--drivers', '0', '--scan-items', String(size)]);
  return { size, child, endpoint, file };
}

const served: Served[] = [];
try {
  for (const size of sizes) served.push(await serve(size));
  const results = new Map<number, Array<{ itemsPerSecond: number; peakRssMB: number; seconds: number }>>(sizes.map((s) => [s, []]));
  for (let r = 0; r < runs; r++) {
    const order = r % 2 === 0 ? served : [...served].reverse();
    for (const f of order) {
      const out = path.join(root, `export-${f.size}.parquet`);
      const child = spawnSync(
        process.execPath,
        [
          path.join(here, 'export', 'export-child.js'),
          ...['--endpoint', f.endpoint, '--root', root, '--file', f.file, '--out', out, '--segments', String(SEGMENTS), '--command', command],
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      if (child.status !== 0) throw new Error(`${command} child exited with ${child.status}`);
      const line = JSON.parse(child.stdout.trim()) as { items: number; unresolvedKeys: number; itemsPerSecond: number; peakRssMB: number; seconds: number };
      if (line.items !== f.size || line.unresolvedKeys !== 0)
        throw new Error(`exported ${line.items} items (${line.unresolvedKeys} without keys), expected ${f.size}`);
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
      bench: command,
      target: 'latency model (8 ms per request, 1 MB pages)',
      ...(command === 'export' ? { format: 'parquet' } : {}),
      segments: SEGMENTS,
      runs,
      sizes: summary,
      rssRatioLargestOverSmallest: Math.round((median(large.map((x) => x.peakRssMB)) / median(small.map((x) => x.peakRssMB))) * 100) / 100,
    })}\n`,
  );
} finally {
  for (const f of served) f.child.kill('SIGTERM');
}
