/**
 * Feature server benchmark (architecture.md §7): `dynafeast serve` against `feast serve -w 2` (Feast
 * 0.67 from .venv-interop) on the same repo and the same store — the read benchmark's model of in-region
 * DynamoDB (answers from memory after 8 ms, requests in parallel). For 1, 100 and 1,000 entities × 3
 * features per request, 64 concurrent clients (autocannon) for BENCH_SECONDS (default 10) per run, the
 * two servers interleaved over BENCH_ROUNDS (default 2) rounds. Prints ONE JSON line: per case and
 * server the median req/s, p50 and p99 (ms) over the rounds and their ranges, peak RSS (MB, every
 * process of the server), CPU ms per request (every process of the server: the figure a loaded machine
 * does not distort), errors, and the ratios (goal: ≥ 10× feast's req/s at ≤ ½ its p99).
 *
 *   npm run bench:serve
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT, writeBenchRepo } from './read/bench-repo.js';
import { DRIVERS, load, readBody, root, round, startHelper, startServer, summary, type Run } from './serve/harness.js';
import { defined } from '../test/helpers/defined.js';
import { freePort } from '../test/helpers/free-port.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = 64;
const FEAST = path.join(root, '.venv-interop', 'bin', 'feast');
const CASES = [1, 100, 1000];

async function main(): Promise<void> {
  if (!existsSync(FEAST)) throw new Error(`${FEAST} is missing: run \`bash scripts/interop/setup.sh\` (the interop tier's Feast venv) first`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dynafeast-serve-bench-'));
  const children: ChildProcess[] = [];
  try {
    // The registry (which Feast needs) is written by `dynafeast apply` against a dynalite; then both
    // servers read the 8 ms model of DynamoDB.
    const dynalite = await startHelper('read/dynalite-child.js', []);
    children.push(dynalite.child);
    await writeBenchRepo(dir, `http://127.0.0.1:${dynalite.port}`);
    const apply = spawnSync(process.execPath, [path.join(root, 'bin', 'dynafeast.js'), '-c', dir, 'apply', '--yes', '--no-progress'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' },
    });
    if (apply.status !== 0) throw new Error(`dynafeast apply failed:\n${apply.stdout.toString()}${apply.stderr.toString()}`);
    const model = await startHelper('read/latency-endpoint.js', ['--delay-ms', '8', '--drivers', String(DRIVERS)]);
    children.push(model.child);
    const yaml = path.join(dir, 'feature_store.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(`127.0.0.1:${dynalite.port}`, `127.0.0.1:${model.port}`));

    const [dynaPort, feastPort] = [await freePort(), await freePort()];
    const dyna = await startServer(
      process.execPath,
      [path.join(root, 'bin', 'dynafeast.js'), 'serve', '-p', String(dynaPort), '--log-format', 'none'],
      dir,
      dynaPort,
    );
    children.push(dyna.child);
    const feast = await startServer(FEAST, ['serve', '-p', String(feastPort), '-w', '2', '--no-access-log'], dir, feastPort);
    children.push(feast.child);

    const cases: Record<string, unknown> = {};
    for (const entities of CASES) {
      const runs: Record<'dynafeast' | 'feast', Run[]> = { dynafeast: [], feast: [] };
      for (let r = 0; r < ROUNDS; r++) {
        // interleaved, and the order flips each round
        const order: Array<'dynafeast' | 'feast'> = r % 2 === 0 ? ['dynafeast', 'feast'] : ['feast', 'dynafeast'];
        for (const who of order) {
          const s = who === 'dynafeast' ? dyna : feast;
          runs[who].push(await load(s.url, readBody(entities), defined(s.child.pid), { connections: CONNECTIONS, seconds: SECONDS }));
        }
      }
      const d = summary(runs.dynafeast);
      const f = summary(runs.feast);
      cases[`${entities}x3`] = {
        dynafeast: d,
        feast: f,
        rpsRatio: round(d.rps / f.rps, 2),
        cpuPerRequestRatio: round(f.cpuMsPerRequest / d.cpuMsPerRequest, 2),
        p99Ratio: round(d.p99Ms / f.p99Ms, 3),
        goalMet: d.rps >= 10 * f.rps && d.p99Ms <= f.p99Ms / 2,
      };
    }
    process.stdout.write(
      `${JSON.stringify({ bench: 'serve', project: PROJECT, model: 'latency-endpoint 8 ms', connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, feastWorkers: 2, cases })}\n`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
