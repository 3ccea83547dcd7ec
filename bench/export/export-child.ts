/**
 * One export run in its own process, so its peak RSS is the export's alone: exports the bench table at
 * ENDPOINT to a temp parquet file and prints one JSON line (items, seconds, items/s, peak RSS).
 *
 *   node .bench/bench/export/export-child.js --endpoint URL --root DIR --file PARQUET --out FILE
 */
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { createAwsClients } from '../../src/core/aws/clients.js';
import { exportOnline } from '../../src/core/export/export.js';
import { benchConfig, benchRepo } from '../write/bench-repo.js';
import { defined } from '../../test/helpers/defined.js';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return defined(process.argv[i + 1]);
}

const root = arg('root');
const config = benchConfig(root, arg('endpoint'), 8);
const repo = benchRepo(root, arg('file'));
const aws = createAwsClients(config, { credentials: localDummyCredentials() });
const rss0 = process.resourceUsage().maxRSS;
const t0 = performance.now();
try {
  const report = await exportOnline({ config, repo, aws }, { views: [], format: 'parquet', out: arg('out') });
  const seconds = (performance.now() - t0) / 1000;
  const items = defined(report.views[0]).items;
  process.stdout.write(
    `${JSON.stringify({ items, seconds, itemsPerSecond: Math.round(items / seconds), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), startRssMB: Math.round(rss0 / 1024) })}\n`,
  );
} finally {
  aws.destroy();
}
