/**
 * The peak of `dynafeast serve` (the built binary) on this machine, for the serve load test
 * (test/reliability/serve-load.rel.ts), in that test's conditions: loopback, 64 connections, 100
 * entities × 3 features per request, the 8 ms model of DynamoDB and autocannon in this process. First a
 * closed-loop run finds the most req/s the server answers; then runs offered at fixed fractions of it
 * show where p99 starts to climb (the knee). BENCH_SECONDS (default 8) per run. Prints ONE JSON line:
 * the closed-loop figures, each step's offered and answered req/s, p50, p99, CPU ms per request, and
 * the load average.
 *
 *   npm run bench:serve-peak
 */
import os from 'node:os';
import path from 'node:path';
import { PROJECT, writeBenchRepo } from './read/bench-repo.js';
import { startLatencyModel } from './read/latency-model.js';
import { DRIVERS, load, readBody, root, round, startServer } from './serve/harness.js';
import { defined } from '../test/helpers/defined.js';
import { freePort } from '../test/helpers/free-port.js';
import { mkdtemp, rm } from 'node:fs/promises';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 64;
const FRACTIONS = [0.3, 0.5, 0.7, 0.85, 1, 1.15];

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dynafeast-serve-peak-bench-'));
  const model = await startLatencyModel({ delayMs: 8, drivers: DRIVERS });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    await writeBenchRepo(dir, model.endpoint);
    const port = await freePort();
    server = await startServer(process.execPath, [path.join(root, 'bin', 'dynafeast.js'), 'serve', '-p', String(port), '--log-format', 'none'], dir, port);
    const pid = defined(server.child.pid);
    const body = readBody(100);
    const opts = { connections: CONNECTIONS, seconds: SECONDS };
    await load(server.url, body, pid, { ...opts, seconds: 3 }); // warm-up
    const closed = await load(server.url, body, pid, opts);
    const steps = [];
    for (const f of FRACTIONS) {
      const offered = Math.max(CONNECTIONS, Math.round(closed.rps * f));
      const r = await load(server.url, body, pid, { ...opts, overallRate: offered });
      steps.push({ fraction: f, offered, rps: r.rps, p50Ms: r.p50, p99Ms: r.p99, cpuMsPerRequest: r.cpuMsPerRequest, errors: r.errors, rssMb: r.rssMb });
    }
    process.stdout.write(
      `${JSON.stringify({
        bench: 'serve-peak',
        project: PROJECT,
        model: 'latency-model 8 ms, in process',
        entities: 100,
        connections: CONNECTIONS,
        seconds: SECONDS,
        cpus: os.cpus().length,
        loadAvg1m: round(defined(os.loadavg()[0]), 2),
        closedLoop: closed,
        steps,
      })}\n`,
    );
  } finally {
    server?.child.kill('SIGTERM');
    await model.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
