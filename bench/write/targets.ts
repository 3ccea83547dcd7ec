/**
 * The servers the write benchmark writes to, each in a child process so their CPU is not charged to the
 * client being measured: standalone dynalite (in memory), and the instant endpoint with or without added
 * latency.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import readline from 'node:readline';
import { defined } from '../../test/helpers/defined.js';
import type { EndpointStats } from './instant-endpoint.js';

export interface BenchTarget {
  endpoint: string;
  /** CPU seconds the server process has used so far (Linux /proc; undefined elsewhere). */
  cpuSeconds(): number | undefined;
  /** Requests and items the instant endpoint received (undefined for dynalite). */
  stats(): Promise<EndpointStats | undefined>;
  stop(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

function startChild(script: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  // stdin stays open as a lifeline: the child exits when it closes, so a crashed benchmark leaves no server.
  const child = spawn(process.execPath, [path.join(here, script), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: defined(child.stdout) });
    lines.once('line', (line) => {
      const { port } = JSON.parse(line) as { port: number };
      resolve({ child, port });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
}

/** utime + stime of a process from /proc/<pid>/stat, in seconds. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = defined(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]).split(' ');
    // fields after "pid (comm) ": state is [0], utime [11], stime [12], in clock ticks (100 Hz on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** `capacity`: write units per second the instant endpoint accepts before it throttles (instant-endpoint.ts). */
export async function startTarget(
  kind: 'dynalite' | 'instant' | 'latency',
  delayMs = 8,
  capacity?: { unitsPerSecond: number; burstSeconds: number },
): Promise<BenchTarget> {
  if (kind === 'dynalite') {
    const { child, port } = await startChild('dynalite-main.js', []);
    return { endpoint: `http://127.0.0.1:${port}`, cpuSeconds: () => cpuSecondsOf(child.pid), stats: async () => undefined, stop: () => stopChild(child) };
  }
  const { child, port } = await startChild('instant-endpoint.js', [
    ...(kind === 'latency' ? ['--delay-ms', String(delayMs)] : []),
    ...(capacity ? ['--capacity', String(capacity.unitsPerSecond), '--burst-seconds', String(capacity.burstSeconds)] : []),
  ]);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    cpuSeconds: () => cpuSecondsOf(child.pid),
    async stats() {
      const res = await fetch(`${endpoint}/stats`);
      return (await res.json()) as EndpointStats;
    },
    stop: () => stopChild(child),
  };
}
