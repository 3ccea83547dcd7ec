/**
 * CPU per request of `dynafeast serve` by request size (architecture.md §7): the server's own CPU time
 * (user + system, from /proc) per /get-online-features answered, for 1, 100 and 1,000 entities × 3
 * features, in front of the read benchmark's in-memory DynamoDB model (bench/read/latency-endpoint.ts,
 * no delay: only the server's work is measured). CPU per request is what a shared, loaded machine
 * does not distort, and it shows whether the work per entity stays flat as requests grow.
 *
 * With BENCH_PEER=<another checkout, built> the same requests go to that checkout's `dynafeast serve`
 * too, interleaved (order flipped each round): before/after figures from one command. BENCH_CPU_PROF=<dir>
 * writes a V8 CPU profile of this checkout's server there (`node --cpu-prof`). Prints ONE JSON line:
 * per case and server the median CPU ms per request over BENCH_ROUNDS (default 3) rounds and its range,
 * and µs per entity.
 *
 *   npm run bench:serve-cpu
 *   BENCH_PEER=/tmp/dynafeast-before npm run bench:serve-cpu
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FIRST_DRIVER, writeBenchRepo } from './read/bench-repo.js';
import { defined } from '../test/helpers/defined.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Entities sent per run: requests = this / entities, between 200 and 2,000 (so each CPU figure spans seconds of ticks). */
const ENTITIES_PER_RUN = Number(process.env.BENCH_ENTITIES ?? 200_000);
/** Requests in flight at once (BENCH_CONCURRENCY), and the model's answer delay (BENCH_DELAY_MS). */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 0);
const DRIVERS = 1000;
/** Entities per request (BENCH_CASES=1,1000 to run some). */
const CASES = (process.env.BENCH_CASES ?? '1,100,1000').split(',').map(Number);

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => defined([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

/** CPU seconds (user + system) one process has used, from /proc/PID/stat (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A child that prints a line with its port or URL once listening; resolves with that line. */
async function started(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: defined(child.stdout) });
    lines.on('line', (l) => {
      if (pattern.test(l)) resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`${String(child.spawnargs.join(' '))} exited ${code}`)));
  });
}

/** Starts `dynafeast serve` of `checkout`; the child joins `children` at once, so it is stopped whatever happens next. */
async function startServe(
  checkout: string,
  repo: string,
  profileDir: string | undefined,
  children: ChildProcess[],
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
      path.join(checkout, 'bin', 'dynafeast.js'),
      '-c',
      repo,
      '--json',
      'serve',
      '-p',
      '0',
      '--log-format',
      'none',
    ],
    { env: { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  // `--json` prints the URL once listening (the document spans lines: take the line holding it).
  const url = defined(/"url":\s*"([^"]+)"/.exec(await started(child, /"url"/))?.[1]);
  return { child, url };
}

/** `requests` reads of `entities` entities, CONCURRENCY at a time; returns the server's CPU ms per request. */
async function run(server: { child: ChildProcess; url: string }, entities: number, requests: number): Promise<number> {
  const body = JSON.stringify({
    features: ['stats_a:conv_rate', 'stats_a:acc_rate', 'stats_a:avg_daily_trips'],
    entities: { driver_id: Array.from({ length: entities }, (_, i) => FIRST_DRIVER + ((i * 7) % DRIVERS)) },
  });
  const pid = defined(server.child.pid);
  const before = cpuSeconds(pid);
  let next = 0;
  const worker = async () => {
    while (next++ < requests) {
      const res = await fetch(`${server.url}/get-online-features`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return ((cpuSeconds(pid) - before) * 1000) / requests;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dynafeast-serve-cpu-'));
  const children: ChildProcess[] = [];
  try {
    const model = spawn(process.execPath, [path.join(here, 'read', 'latency-endpoint.js'), '--delay-ms', String(DELAY_MS), '--drivers', String(DRIVERS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(model);
    const { port } = JSON.parse(await started(model, /"port"/)) as { port: number };
    // YAML definitions only: the server needs no registry, so no apply.
    await writeBenchRepo(dir, `http://127.0.0.1:${port}`);
    const servers: Record<string, { child: ChildProcess; url: string }> = { this: await startServe(root, dir, process.env.BENCH_CPU_PROF, children) };
    if (process.env.BENCH_PEER) servers.peer = await startServe(path.resolve(process.env.BENCH_PEER), dir, undefined, children);
    const names = Object.keys(servers);
    // Warm up every server on every case (JIT, sockets) before anything is measured.
    for (const name of names) for (const entities of CASES) await run(defined(servers[name]), entities, 50);

    const cases: Record<string, unknown> = {};
    for (const entities of CASES) {
      const requests = Math.min(2000, Math.max(200, Math.round(ENTITIES_PER_RUN / entities)));
      const runs: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 === 0 ? names : [...names].reverse();
        for (const name of order) defined(runs[name]).push(await run(defined(servers[name]), entities, requests));
      }
      const summary = (xs: number[]) => ({
        cpuMsPerRequest: round(median(xs), 3),
        range: [round(Math.min(...xs), 3), round(Math.max(...xs), 3)],
        usPerEntity: round((median(xs) * 1000) / entities, 1),
      });
      const result: Record<string, unknown> = { requests };
      for (const name of names) result[name] = summary(defined(runs[name]));
      if (runs.peer) result.peerOverThis = round(median(runs.peer) / median(defined(runs.this)), 2);
      cases[`${entities}x3`] = result;
    }
    process.stdout.write(
      `${JSON.stringify({ bench: 'serve-cpu', model: `latency-endpoint ${DELAY_MS} ms`, concurrency: CONCURRENCY, rounds: ROUNDS, cases })}\n`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
