/**
 * One export run in its own process, so its peak RSS is the export's alone: exports the bench table at
 * ENDPOINT to a parquet file and prints one JSON line (items, seconds, items/s, peak RSS). With
 * `--trace-ms N` it also prints, every N ms, a line to stderr with RSS, JS heap and DuckDB's own memory,
 * to find what grows.
 *
 *   node .bench/bench/export/export-child.js --endpoint URL --root DIR --file PARQUET --out FILE [--segments 8] [--trace-ms 0]
 */
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { createAwsClients } from '../../src/core/aws/clients.js';
import { exportOnline } from '../../src/core/export/export.js';
import { benchConfig, benchRepo } from '../write/bench-repo.js';
import { defined } from '../../test/helpers/defined.js';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? defined(process.argv[i + 1]) : defined(fallback);
}

const root = arg('root');
const config = benchConfig(root, arg('endpoint'), 8);
const repo = benchRepo(root, arg('file'));
const aws = createAwsClients(config, { credentials: localDummyCredentials() });
const traceMs = Number(arg('trace-ms', '0'));
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const t0 = performance.now();
const trace =
  traceMs > 0
    ? setInterval(() => {
        const m = process.memoryUsage();
        process.stderr.write(
          `${JSON.stringify({ s: Math.round(performance.now() - t0) / 1000, rssMB: mb(m.rss), heapMB: mb(m.heapUsed), externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers) })}\n`,
        );
      }, traceMs)
    : undefined;
try {
  const report = await exportOnline(
    {
      config,
      repo,
      aws,
      segments: Number(arg('segments', '8')),
      progress: (e) => {
        if (traceMs > 0 && e.type !== 'update') process.stderr.write(`${JSON.stringify({ s: Math.round(performance.now() - t0) / 1000, ...e })}\n`);
      },
    },
    { views: [], format: 'parquet', out: arg('out') },
  );
  const seconds = (performance.now() - t0) / 1000;
  const view = defined(report.views[0]);
  process.stdout.write(
    `${JSON.stringify({ items: view.items, unresolvedKeys: view.unresolvedKeys, seconds, itemsPerSecond: Math.round(view.items / seconds), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
} finally {
  if (trace) clearInterval(trace);
  aws.destroy();
}
