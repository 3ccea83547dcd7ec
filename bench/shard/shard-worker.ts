/**
 * One shard process of the shard benchmark (bench/shard.bench.ts): materializes its shard of the bench
 * parquet file into an endpoint with materialize's own pipeline and sender, and prints one JSON line.
 *
 *   node .bench/bench/shard/shard-worker.js --endpoint URL --file F --shard I/N [--concurrency 16] [--max-wcu W]
 */
import path from 'node:path';
import { createAwsClients } from '../../src/core/aws/clients.js';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { silentLogger, systemClock } from '../../src/core/context.js';
import { materializeWindows } from '../../src/core/materialize/materialize.js';
import { resolveShard } from '../../src/core/materialize/shard.js';
import { fixedWindows } from '../../src/core/materialize/windows.js';
import { benchConfig, benchRepo } from '../write/bench-repo.js';
import { defined } from '../../test/helpers/defined.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const NOW = 1_767_225_600_000_000n; // the bench file's "now" (write.bench.ts)
const file = path.resolve(defined(arg('file')));
const spec = defined(resolveShard({ shard: defined(arg('shard')) }, {}));
const maxWcu = arg('max-wcu');
const repo = benchRepo(path.dirname(file), file);
const config = benchConfig(path.dirname(file), defined(arg('endpoint')), Number(arg('concurrency') ?? '16'));
const clients = createAwsClients(config, { credentials: localDummyCredentials() });
const t0 = performance.now();
try {
  const report = await materializeWindows(
    {
      config,
      repo,
      aws: clients,
      clock: systemClock,
      logger: silentLogger,
      record: false,
      shard: { spec, runId: 'bench' },
      ...(maxWcu !== undefined ? { maxWriteUnitsPerSecond: Number(maxWcu) } : {}),
    },
    fixedWindows(repo.featureViews, 0n, NOW),
  );
  const v = defined(report.views[0]);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${JSON.stringify({ shard: spec.index, items: v.written, seconds, queryMs: v.timings.queryMs, requests: v.requests, throttles: v.throttles, retries: v.retries })}\n`,
  );
} finally {
  clients.destroy();
}
