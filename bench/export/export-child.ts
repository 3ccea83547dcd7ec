/**
 * One export (or, with `--command verify`, one full-mode verify of the source's last day) in its own
 * process, so its peak RSS is the command's alone: reads the bench table at ENDPOINT and prints one JSON
 * line (items, seconds, items/s, peak RSS). With
 * `--trace-ms N` it also prints, every N ms, a line to stderr with RSS, JS heap and DuckDB's own memory,
 * to find what grows.
 *
 *   node .bench/bench/export/export-child.js --endpoint URL --root DIR --file PARQUET --out FILE [--segments 8] [--trace-ms 0] [--command export|verify]
 */
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { createAwsClients } from '../../src/core/aws/clients.js';
import { systemClock } from '../../src/core/context.js';
import { exportOnline } from '../../src/core/export/export.js';
import { verify } from '../../src/core/verify/verify.js';
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
  const segments = Number(arg('segments', '8'));
  const progress = (e: { type: string }) => {
    if (traceMs > 0 && e.type !== 'update') process.stderr.write(`${JSON.stringify({ s: Math.round(performance.now() - t0) / 1000, ...e })}\n`);
  };
  let items: number;
  let unresolvedKeys = 0;
  if (arg('command', 'export') === 'verify') {
    // the bench source's rows are the hour before 2026-01-01 (export.bench.ts)
    const report = await verify({ config, repo, aws, clock: systemClock, segments, progress }, { start: '2025-12-31', end: '2026-01-01', views: [] });
    items = defined(report.views[0]).checked + (defined(report.views[0]).extra ?? 0);
  } else {
    const report = await exportOnline({ config, repo, aws, segments, progress }, { views: [], format: 'parquet', out: arg('out') });
    items = defined(report.views[0]).items;
    unresolvedKeys = defined(report.views[0]).unresolvedKeys;
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${JSON.stringify({ items, unresolvedKeys, seconds, itemsPerSecond: Math.round(items / seconds), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
} finally {
  if (trace) clearInterval(trace);
  aws.destroy();
}
