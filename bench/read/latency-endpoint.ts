/**
 * The 8 ms model of DynamoDB (latency-model.ts) in its own process, so its CPU is not charged to the
 * process measured. Prints `{"port":N}` once listening, stops on SIGTERM.
 *
 *   node .bench/bench/read/latency-endpoint.js [--delay-ms 8] [--drivers 1000] [--scan-items 0] [--scan-ms-per-mb 0]
 */
import { startLatencyModel } from './latency-model.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const model = await startLatencyModel({
  delayMs: arg('delay-ms', 8),
  drivers: arg('drivers', 1000),
  scanItems: arg('scan-items', 0),
  scanMsPerMb: arg('scan-ms-per-mb', 0),
});
process.stdout.write(`${JSON.stringify({ port: model.port })}\n`);
process.on('SIGTERM', () => void model.close().then(() => process.exit(0)));
