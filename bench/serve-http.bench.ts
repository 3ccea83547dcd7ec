/**
 * The feature server's HTTP layer, chosen by measurement (architecture.md §7): the same
 * get-online-features route and body parser on node:http as shipped (`createServer`), on bare node:http
 * and on Fastify (bench/serve/http-layer-child.ts), each server in its own process, the same store
 * (the read benchmark's 8 ms model of in-region DynamoDB). 100 entities × 3 features per request, 64
 * connections (autocannon) for BENCH_SECONDS (default 10) per run, the layers interleaved over
 * BENCH_ROUNDS (default 3) rounds with the order rotated each round, after a short warm-up of each.
 * Prints ONE JSON line: per layer the median req/s, p50, p99 (ms), CPU ms per request (the server
 * process: the figure a loaded machine distorts least) with their ranges, peak RSS, errors; the ratios
 * to shipped; and the load average. (uWebSockets.js is not on the npm registry, only on GitHub, so it is
 * not a candidate: a dependency must install from npm.)
 *
 *   npm run bench:serve-http
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT, writeBenchRepo } from './read/bench-repo.js';
import { DRIVERS, load, readBody, round, startHelper, startServer, summary, type Run } from './serve/harness.js';
import { defined } from '../test/helpers/defined.js';
import { freePort } from '../test/helpers/free-port.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 64;
const ENTITIES = 100;
const LAYERS = ['shipped', 'node', 'fastify'] as const;
type Layer = (typeof LAYERS)[number];
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'serve', 'http-layer-child.js');

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dynafeast-serve-http-bench-'));
  const children: ChildProcess[] = [];
  try {
    const model = await startHelper('read/latency-endpoint.js', ['--delay-ms', '8', '--drivers', String(DRIVERS)]);
    children.push(model.child);
    await writeBenchRepo(dir, `http://127.0.0.1:${model.port}`);
    const servers = {} as Record<Layer, { child: ChildProcess; url: string }>;
    for (const layer of LAYERS) {
      const port = await freePort();
      servers[layer] = await startServer(process.execPath, [child, '--layer', layer, '--port', String(port)], dir, port);
      children.push(servers[layer].child);
    }
    const body = readBody(ENTITIES);
    const run = (layer: Layer, seconds: number) => load(servers[layer].url, body, defined(servers[layer].child.pid), { connections: CONNECTIONS, seconds });
    for (const layer of LAYERS) await run(layer, 2); // warm-up: JIT, sockets to the store

    const runs: Record<Layer, Run[]> = { shipped: [], node: [], fastify: [] };
    const loadAvg: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order = LAYERS.map((_, i) => defined(LAYERS[(i + r) % LAYERS.length]));
      for (const layer of order) runs[layer].push(await run(layer, SECONDS));
      loadAvg.push(round(defined(os.loadavg()[0]), 2));
    }
    const layers = Object.fromEntries(LAYERS.map((l) => [l, summary(runs[l])])) as Record<Layer, ReturnType<typeof summary>>;
    const vs = (l: Layer) => ({
      rpsRatio: round(layers[l].rps / layers.shipped.rps, 2),
      cpuPerRequestRatio: round(layers[l].cpuMsPerRequest / layers.shipped.cpuMsPerRequest, 2),
      p99Ratio: round(layers[l].p99Ms / layers.shipped.p99Ms, 2),
    });
    process.stdout.write(
      `${JSON.stringify({
        bench: 'serve-http',
        project: PROJECT,
        model: 'latency-endpoint 8 ms',
        entities: ENTITIES,
        features: 3,
        connections: CONNECTIONS,
        seconds: SECONDS,
        rounds: ROUNDS,
        node: process.version,
        cpus: os.cpus().length,
        loadAvg1m: loadAvg,
        layers,
        vsShipped: { node: vs('node'), fastify: vs('fastify') },
      })}\n`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
