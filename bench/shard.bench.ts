/**
 * Shard benchmark (architecture.md §4.7, §7), `npm run bench:shard`. Two scenarios, one JSON line each:
 *
 * 1. scaling: 1, 2 and 4 shard processes (interleaved, `--rounds` times) materialize one parquet file
 *    into the 8 ms-latency model of in-region DynamoDB (bench/write/instant-endpoint.ts). Reports the
 *    aggregate items/s (wall time from the first spawn to the last exit) and the per-shard scaling
 *    aggregate(N) / aggregate(1), as ranges over the rounds.
 * 2. aimd: N shard processes with no budget against the same model holding a fixed capacity (a token
 *    bucket that refuses what it cannot pay for with ProvisionedThroughputExceededException). After
 *    `--converge-seconds`, the accepted rate as a share of the capacity and the share of requests
 *    throttled. Then the same with `--max-write-units-per-second` at 90% of the capacity.
 *
 *   npx tsc -p tsconfig.json --outDir .bench
 *   node .bench/bench/shard.bench.js [--rows 1000000] [--drivers 200000] [--rounds 2]
 *        [--capacity 8000] [--aimd-items 120000] [--aimd-shards 2] [--converge-seconds 5]
 */
import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDriverStatsRows } from '../src/core/sample-data/driver-stats.js';
import { startTarget, type BenchTarget } from './write/targets.js';
import { defined } from '../test/helpers/defined.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? defined(process.argv[i + 1]) : fallback;
}

const rows = Number(arg('rows', '1000000'));
const drivers = Number(arg('drivers', '200000'));
const rounds = Number(arg('rounds', '2'));
const capacity = Number(arg('capacity', '8000'));
const aimdItems = Number(arg('aimd-items', '120000'));
const aimdShards = Number(arg('aimd-shards', '2'));
const convergeSeconds = Number(arg('converge-seconds', '5'));
const concurrency = Number(arg('concurrency', '16'));
const NOW = 1_767_225_600_000_000n;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(arg('dir', '.bench/data'));
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function benchFile(r: number, d: number): Promise<string> {
  const file = path.join(root, `driver-stats-${r}-${d}.parquet`);
  await mkdir(root, { recursive: true });
  if (!(await stat(file).catch(() => undefined))) await writeDriverStatsRows(file, { rows: r, drivers: d, nowMicros: NOW, jitter: true });
  return file;
}

interface WorkerResult {
  shard: number;
  items: number;
  seconds: number;
  queryMs: number;
  requests: number;
  throttles: number;
}

function worker(endpoint: string, file: string, shard: string, extra: string[]): Promise<WorkerResult> {
  const child = spawn(
    process.execPath,
    [path.join(here, 'shard', 'shard-worker.js'), '--endpoint', endpoint, '--file', file, '--shard', shard, '--concurrency', String(concurrency), ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  defined(child.stdout).on('data', (d) => (out += d));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as WorkerResult) : reject(new Error(`shard ${shard} exited ${code}`)))),
  );
}

/** N shard processes at once; wall seconds from the first spawn to the last exit. */
async function runShards(target: BenchTarget, file: string, n: number, extra: string[] = []): Promise<{ seconds: number; workers: WorkerResult[] }> {
  const t0 = performance.now();
  const workers = await Promise.all(Array.from({ length: n }, (_, i) => worker(target.endpoint, file, `${i}/${n}`, extra)));
  return { seconds: (performance.now() - t0) / 1000, workers };
}

const range = (xs: number[]) => [round(Math.min(...xs)), round(Math.max(...xs))];
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? defined(s[(s.length - 1) / 2]) : (defined(s[s.length / 2 - 1]) + defined(s[s.length / 2])) / 2;
};

async function scaling(): Promise<void> {
  const file = await benchFile(rows, drivers);
  const target = await startTarget('latency', 8);
  const counts = [1, 2, 4];
  const agg = new Map<number, number[]>(counts.map((n) => [n, []]));
  const writePhase = new Map<number, number[]>(counts.map((n) => [n, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const n of r % 2 ? [...counts].reverse() : counts) {
        const { seconds, workers } = await runShards(target, file, n);
        const items = workers.reduce((s, w) => s + w.items, 0);
        if (items !== drivers) throw new Error(`${n} shards wrote ${items} items, expected ${drivers}`);
        defined(agg.get(n)).push(items / seconds);
        // without each shard's own DuckDB pass over the whole file (which every shard makes)
        defined(writePhase.get(n)).push(items / (seconds - Math.max(...workers.map((w) => w.queryMs)) / 1000));
      }
    }
  } finally {
    await target.stop();
  }
  const one = defined(agg.get(1));
  for (const n of counts) {
    const a = defined(agg.get(n));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'shard-scaling',
        target: 'instant+8ms',
        shards: n,
        rows,
        items: drivers,
        rounds,
        concurrencyPerShard: concurrency,
        aggregateItemsPerSecond: Math.round(median(a)),
        aggregateItemsPerSecondRange: range(a).map(Math.round),
        writePhaseItemsPerSecond: Math.round(median(defined(writePhase.get(n)))),
        // same-round ratios: each round's N-shard run against that round's single process
        scalingVs1: round(median(a.map((x, i) => x / defined(one[i])))),
        scalingVs1Range: range(a.map((x, i) => x / defined(one[i]))),
        perShardEfficiency: round(median(a.map((x, i) => x / defined(one[i]) / n))),
        cpus: os.cpus().length,
        loadAvg1m: round(defined(os.loadavg()[0])),
        node: process.version,
      })}\n`,
    );
  }
}

async function aimd(budget: number | undefined): Promise<void> {
  const file = await benchFile(aimdItems, aimdItems);
  const target = await startTarget('latency', 8, { unitsPerSecond: capacity, burstSeconds: 0.5 });
  try {
    const { seconds, workers } = await runShards(target, file, aimdShards, budget === undefined ? [] : ['--max-wcu', String(budget)]);
    const stats = defined(await target.stats());
    // converged: after the first seconds, and before the tail where some shards are done
    const slots = stats.timeline.slice(convergeSeconds * 10, Math.max(convergeSeconds * 10, stats.timeline.length - 20));
    const accepted = slots.reduce((n, s) => n + s[0], 0);
    const acceptedRequests = slots.reduce((n, s) => n + s[1], 0);
    const throttled = slots.reduce((n, s) => n + s[2], 0);
    const convergedSeconds = slots.length / 10;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'shard-aimd',
        target: 'instant+8ms',
        capacityUnitsPerSecond: capacity,
        burstSeconds: 0.5,
        shards: aimdShards,
        maxWriteUnitsPerSecond: budget ?? null,
        items: stats.items,
        seconds: round(seconds),
        convergedAfterSeconds: convergeSeconds,
        convergedSeconds,
        convergedItemsPerSecond: Math.round(accepted / Math.max(0.1, convergedSeconds)),
        ofCapacity: round(accepted / Math.max(0.1, convergedSeconds) / capacity),
        throttledShareAfterConvergence: round(throttled / Math.max(1, throttled + acceptedRequests), 4),
        throttledShareOverall: round(stats.throttled / Math.max(1, stats.requests), 4),
        workerThrottles: workers.map((w) => w.throttles),
        cpus: os.cpus().length,
        loadAvg1m: round(defined(os.loadavg()[0])),
        node: process.version,
      })}\n`,
    );
  } finally {
    await target.stop();
  }
}

const only = arg('only', 'all');
if (only === 'all' || only === 'scaling') await scaling();
if (only === 'all' || only === 'aimd') {
  await aimd(undefined);
  await aimd(Math.round(capacity * 0.9));
}
