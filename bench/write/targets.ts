/**
 * The servers the write benchmark writes to, each in a child process so their CPU is not charged to the
 * client being measured: standalone dynalite (in memory), and the instant endpoint with or without added
 * latency.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startBenchChild } from '../child-process.js';
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

const startChild = (script: string, args: string[]) => startBenchChild(path.join(here, script), args);

/** `capacity`: write units per second the instant endpoint accepts before it throttles (instant-endpoint.ts). */
export async function startTarget(
  kind: 'dynalite' | 'instant' | 'latency',
  delayMs = 8,
  capacity?: { unitsPerSecond: number; burstSeconds: number },
): Promise<BenchTarget> {
  if (kind === 'dynalite') {
    const { endpoint, cpuSeconds, stop } = await startChild('dynalite-main.js', []);
    return { endpoint, cpuSeconds, stats: async () => undefined, stop };
  }
  const { endpoint, cpuSeconds, stop } = await startChild('instant-endpoint.js', [
    ...(kind === 'latency' ? ['--delay-ms', String(delayMs)] : []),
    ...(capacity ? ['--capacity', String(capacity.unitsPerSecond), '--burst-seconds', String(capacity.burstSeconds)] : []),
  ]);
  return {
    endpoint,
    cpuSeconds,
    async stats() {
      const res = await fetch(`${endpoint}/stats`);
      return (await res.json()) as EndpointStats;
    },
    stop,
  };
}
