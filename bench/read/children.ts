/**
 * The read and scan benchmarks' server children (dynalite-child.ts, latency-endpoint.ts): started from
 * the compiled bench folder, ready once they print `{"port":N}`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { defined } from '../../test/helpers/defined.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Starts bench/read/<script> and resolves with its endpoint once it listens. */
export function startChild(script: string, args: string[] = []): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, [path.join(here, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: defined(child.stdout) }).once('line', (line) => {
      resolve({ child, endpoint: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}` });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** CPU ms a child process has used so far (Linux /proc; undefined elsewhere). */
export function childCpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = defined(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]).split(' ');
    // utime and stime, in clock ticks (100 per second on Linux)
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
