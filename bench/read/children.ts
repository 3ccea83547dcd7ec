/**
 * The read, scan and export benchmarks' server children (dynalite-child.ts, latency-endpoint.ts) in this
 * folder, started through the one bench child starter (../child-process.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSecondsOf, startBenchChild, type BenchChild } from '../child-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Starts bench/read/<script> and resolves once it listens. */
export function startChild(script: string, args: string[] = []): Promise<BenchChild> {
  return startBenchChild(path.join(here, script), args);
}

/** CPU ms a child process has used so far (Linux /proc; undefined elsewhere). */
export function childCpuMs(pid: number | undefined): number | undefined {
  const seconds = cpuSecondsOf(pid);
  return seconds === undefined ? undefined : seconds * 1000;
}
