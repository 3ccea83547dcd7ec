/**
 * The benchmarks' servers run in child processes of their own, so their CPU is not charged to the client
 * being measured and can be read apart (/proc). One place for starting them and reading their CPU.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import readline from 'node:readline';
import { defined } from '../test/helpers/defined.js';

export interface BenchChild {
  child: ChildProcess;
  port: number;
  endpoint: string;
  /** CPU seconds the child has used so far (Linux /proc; undefined elsewhere). */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

/**
 * Runs `node script ...args`; the script prints `{"port":N}` once listening on 127.0.0.1. Its stdin stays
 * open as a lifeline: a script that exits when stdin ends leaves no server behind a crashed benchmark.
 */
export function startBenchChild(script: string, args: string[]): Promise<BenchChild> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: defined(child.stdout) }).once('line', (line) => {
      const { port } = JSON.parse(line) as { port: number };
      resolve({ child, port, endpoint: `http://127.0.0.1:${port}`, cpuSeconds: () => cpuSecondsOf(child.pid), stop: () => stopChild(child) });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
}

/** utime + stime of a process from /proc/<pid>/stat, in seconds. */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "pid (comm) " (comm may hold spaces): state is [0], utime [11], stime [12], in clock ticks (100 Hz on Linux)
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
