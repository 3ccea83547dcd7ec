/**
 * What the feature server benchmarks share: helper and server processes that say when they listen, the
 * CPU and resident memory of a server's process tree, one bounded autocannon run against
 * /get-online-features, and the median/range summary of interleaved runs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { FIRST_DRIVER } from '../read/bench-repo.js';
import { defined } from '../../test/helpers/defined.js';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The repo's root (this file runs from .bench/bench/serve/). */
export const root = path.resolve(benchDir, '../..');
/** Drivers the 8 ms model holds; requests ask for drivers among them. */
export const DRIVERS = 1000;
export const FEATURES = ['stats_a:conv_rate', 'stats_a:acc_rate', 'stats_a:avg_daily_trips'];

export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? defined(s[mid]) : round((defined(s[mid - 1]) + defined(s[mid])) / 2);
}

/** A get-online-features body for `entities` drivers × the three features. */
export function readBody(entities: number): string {
  return JSON.stringify({ features: FEATURES, entities: { driver_id: Array.from({ length: entities }, (_, i) => FIRST_DRIVER + ((i * 7) % DRIVERS)) } });
}

/** A bench child (a script under bench/, compiled) that prints `{"port":N}` once listening. */
export async function startHelper(script: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [path.join(benchDir, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/** Starts a server program in `cwd` and resolves once its /health answers 200. */
export async function startServer(cmd: string, args: string[], cwd: string, port: number): Promise<{ child: ChildProcess; url: string }> {
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

function readProc(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Resident memory of one process, MB (0 once it is gone). */
export function processRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readProc(`/proc/${pid}/status`));
  return m ? round(Number(m[1]) / 1024) : 0;
}

/** Resident memory of the tree, MB. */
export function rssMb(pid: number): number {
  return round(processTree(pid).reduce((mb, p) => mb + processRssMb(p), 0));
}

/**
 * CPU seconds the tree has used (user + system). On a shared, loaded machine wall-clock req/s depends on
 * what else runs; CPU per request does not, so it is reported beside them.
 */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const fields = readProc(`/proc/${p}/stat`).split(') ')[1]?.split(' ') ?? [];
    // utime, stime, cutime, cstime are fields 14-17 of stat; index 0 here is field 3.
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0) + Number(fields[13] ?? 0) + Number(fields[14] ?? 0);
  }
  return ticks / 100;
}

/** The tree's CPU seconds once two samples 250 ms apart show no more work (at most 30 s). */
async function cpuOnceIdle(pid: number): Promise<number> {
  let last = cpuSeconds(pid);
  for (let waited = 0; waited < 30_000; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = cpuSeconds(pid);
    if (now - last < 0.01) return now;
    last = now;
  }
  return last;
}

export interface Run {
  rps: number;
  cpuMsPerRequest: number;
  p50: number;
  p99: number;
  errors: number;
  rssMb: number;
}

/**
 * One bounded autocannon run of `body` against `url`/get-online-features, the server's tree measured;
 * closed-loop (as fast as answers come) unless `overallRate` caps the requests per second.
 */
export async function load(url: string, body: string, pid: number, opts: { connections: number; seconds: number; overallRate?: number }): Promise<Run> {
  let peak = 0;
  const cpuBefore = cpuSeconds(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 1000);
  const result = await autocannon({
    url: `${url}/get-online-features`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.overallRate !== undefined ? { overallRate: opts.overallRate } : {}),
  });
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(pid));
  // Requests still in flight when the window closed are finished by the server after it (their client
  // gone): their CPU is counted once the tree is idle and divided by every request sent, not only the
  // ones answered in time — otherwise a slow case's few finished requests carry the in-flight tail's CPU.
  const cpuAfter = await cpuOnceIdle(pid);
  const sent = Math.max(result.requests.total, (result.requests as { sent?: number }).sent ?? 0);
  const cpuMsPerRequest = round(((cpuAfter - cpuBefore) * 1000) / Math.max(1, sent), 2);
  return {
    rps: round(result.requests.average),
    cpuMsPerRequest,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    rssMb: peak,
  };
}

/** Medians over the rounds, with the ranges that show the noise. */
export function summary(runs: Run[]) {
  const pick = (k: keyof Run) => runs.map((r) => r[k]);
  return {
    rps: median(pick('rps')),
    rpsRange: [Math.min(...pick('rps')), Math.max(...pick('rps'))],
    cpuMsPerRequest: median(pick('cpuMsPerRequest')),
    cpuMsRange: [Math.min(...pick('cpuMsPerRequest')), Math.max(...pick('cpuMsPerRequest'))],
    p50Ms: median(pick('p50')),
    p99Ms: median(pick('p99')),
    p99Range: [Math.min(...pick('p99')), Math.max(...pick('p99'))],
    errors: pick('errors').reduce((a, b) => a + b, 0),
    rssMb: Math.max(...pick('rssMb')),
  };
}
