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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { FIRST_DRIVER, PROJECT, writeBenchRepo } from './read/bench-repo.js';
import { defined } from '../test/helpers/defined.js';
import { freePort } from '../test/helpers/cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = 64;
const DRIVERS = 1000;
const FEAST = path.join(root, '.venv-interop', 'bin', 'feast');
const CASES = [1, 100, 1000];

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? defined(s[mid]) : round((defined(s[mid - 1]) + defined(s[mid])) / 2);
}

/** A bench helper child that prints `{"port":N}` once listening. */
async function startHelper(script: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [path.join(here, 'read', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: defined(child.stdout) }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}:\n${log()}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no /health at ${url}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function startServer(cmd: string, args: string[], cwd: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_DEFAULT_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  defined(child.stdout).on('data', (d) => (log = (log + String(d)).slice(-4000)));
  defined(child.stderr).on('data', (d) => (log = (log + String(d)).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, () => log);
  return { child, url };
}

/** A process and all its descendants (gunicorn workers included). */
function processTree(pid: number): number[] {
  const rows = spawnSync('ps', ['-e', '-o', 'pid=,ppid='])
    .stdout.toString()
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const tree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, pp] of rows) {
      if (p !== undefined && pp !== undefined && tree.has(pp) && !tree.has(p)) {
        tree.add(p);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** Resident memory of the tree, MB. */
function rssMb(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    const m = /VmRSS:\s+(\d+)/.exec(readProc(`/proc/${p}/status`));
    kb += m ? Number(m[1]) : 0;
  }
  return round(kb / 1024);
}

/**
 * CPU seconds the tree has used (user + system). On a shared, loaded machine wall-clock req/s depends on
 * what else runs; CPU per request does not, so it is reported beside them.
 */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const fields = readProc(`/proc/${p}/stat`).split(') ')[1]?.split(' ') ?? [];
    // utime, stime, cutime, cstime are fields 14-17 of stat; index 0 here is field 3.
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0) + Number(fields[13] ?? 0) + Number(fields[14] ?? 0);
  }
  return ticks / 100;
}

function readProc(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

interface Run {
  rps: number;
  cpuMsPerRequest: number;
  p50: number;
  p99: number;
  errors: number;
  rssMb: number;
}

async function load(url: string, entities: number, pid: number): Promise<Run> {
  const body = JSON.stringify({
    features: ['stats_a:conv_rate', 'stats_a:acc_rate', 'stats_a:avg_daily_trips'],
    entities: { driver_id: Array.from({ length: entities }, (_, i) => FIRST_DRIVER + ((i * 7) % DRIVERS)) },
  });
  let peak = 0;
  const cpuBefore = cpuSeconds(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 1000);
  const result = await autocannon({
    url: `${url}/get-online-features`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(pid));
  const cpuMsPerRequest = round(((cpuSeconds(pid) - cpuBefore) * 1000) / Math.max(1, result.requests.total), 2);
  return {
    rps: round(result.requests.average),
    cpuMsPerRequest,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    rssMb: peak,
  };
}

function summary(runs: Run[]) {
  const pick = (k: keyof Run) => runs.map((r) => r[k]);
  return {
    rps: median(pick('rps')),
    rpsRange: [Math.min(...pick('rps')), Math.max(...pick('rps'))],
    cpuMsPerRequest: median(pick('cpuMsPerRequest')),
    p50Ms: median(pick('p50')),
    p99Ms: median(pick('p99')),
    p99Range: [Math.min(...pick('p99')), Math.max(...pick('p99'))],
    errors: pick('errors').reduce((a, b) => a + b, 0),
    rssMb: Math.max(...pick('rssMb')),
  };
}

async function main(): Promise<void> {
  if (!existsSync(FEAST)) throw new Error(`${FEAST} is missing: run \`bash scripts/interop/setup.sh\` (the interop tier's Feast venv) first`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dynafeast-serve-bench-'));
  const children: ChildProcess[] = [];
  try {
    // The registry (which Feast needs) is written by `dynafeast apply` against a dynalite; then both
    // servers read the 8 ms model of DynamoDB.
    const dynalite = await startHelper('dynalite-child.js', []);
    children.push(dynalite.child);
    await writeBenchRepo(dir, `http://127.0.0.1:${dynalite.port}`);
    const apply = spawnSync(process.execPath, [path.join(root, 'bin', 'dynafeast.js'), '-c', dir, 'apply', '--yes', '--no-progress'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' },
    });
    if (apply.status !== 0) throw new Error(`dynafeast apply failed:\n${apply.stdout.toString()}${apply.stderr.toString()}`);
    const model = await startHelper('latency-endpoint.js', ['--delay-ms', '8', '--drivers', String(DRIVERS)]);
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
          runs[who].push(await load(s.url, entities, defined(s.child.pid)));
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
