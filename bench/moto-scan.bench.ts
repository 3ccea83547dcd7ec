/**
 * moto's Scan cost (architecture.md §4.11): the CPU moto server spends per item a Scan returns, read from
 * /proc, for the 50k suites' application items (test/helpers/dynamodb-source-fixture.ts) scanned as the
 * DynamoDB source scans them (online/scan-table.ts parallelScan with the view's projection), with 1, 4
 * and 8 segments and once without the projection; the configurations interleaved round by round (the
 * order rotates). Prints ONE JSON line: per configuration moto's ms of CPU per item (median and range over
 * the rounds) and its ratio to 4 segments; and, from the 1-segment runs, the ms per item of each page in
 * scan order, which shows whether a page costs more the further into the table it starts (work per
 * page that grows with the table) or only by the items it returns.
 *
 *   npm run bench:moto-scan     # needs moto_server on PATH (pip install "moto[server]");
 *                               # BENCH_ITEMS (default 10000), BENCH_ROUNDS (default 2)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parallelScan } from '../src/core/online/scan-table.js';
import { createProfilesTable, latestProfiles, makeProfiles } from '../test/helpers/dynamodb-source-fixture.js';
import { startServer } from '../test/helpers/interop-server.js';
import { AWS_DUMMY_ENV } from '../test/helpers/interop.js';
import { childCpuMs } from './read/children.js';

const items = Number(process.env.BENCH_ITEMS ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
/** What the source reads of each item: the join key, the timestamp and the view's 13 features. */
const ATTRIBUTES = [
  'user_id',
  'updated_at',
  'age',
  'visits',
  'score',
  'ratio',
  'name',
  'active',
  'avatar',
  'tags',
  'history',
  'lucky',
  'labels',
  'blobs',
  'prefs',
];
const CONFIGS = [
  { name: '1 segment', segments: 1, projection: true },
  { name: '4 segments', segments: 4, projection: true },
  { name: '8 segments', segments: 8, projection: true },
  { name: '4 segments, no projection', segments: 4, projection: false },
] as const;

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const range = (xs: number[]) => [round(Math.min(...xs)), round(Math.max(...xs))];

/** The moto python3 imports (the one on PATH as moto_server, as installed by pip), if it says. */
function motoVersion(): string | undefined {
  try {
    return execFileSync('python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'dynafeast-bench-moto-scan-'));
const moto = await startServer('moto', dir);
const client = new DynamoDBClient({
  region: 'us-east-1',
  endpoint: moto.endpoint,
  credentials: { accessKeyId: AWS_DUMMY_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: AWS_DUMMY_ENV.AWS_SECRET_ACCESS_KEY },
});
const cpu = () => childCpuMs(moto.pid) ?? NaN;
try {
  const table = 'user_profiles';
  const profiles = makeProfiles(items);
  await createProfilesTable(client, table, profiles);
  const stored = latestProfiles(profiles).size;

  const perItem = new Map<string, number[]>(CONFIGS.map((c) => [c.name, []]));
  /** 1 segment: [ms per item] of each page in scan order, per round. */
  const pageCosts: number[][] = [];
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < CONFIGS.length; k++) {
      const c = CONFIGS[(k + r) % CONFIGS.length] as (typeof CONFIGS)[number];
      const pages: number[] = [];
      let seen = 0;
      let last = cpu();
      const t0 = last;
      await parallelScan(
        { dynamo: client, table, segments: c.segments, endpoint: moto.endpoint, ...(c.projection ? { attributes: ATTRIBUTES } : {}) },
        (page) => {
          seen += page.items.length;
          const now = cpu();
          if (c.segments === 1 && page.items.length > 0) pages.push(round((now - last) / page.items.length));
          last = now;
        },
      );
      if (seen !== stored) throw new Error(`${c.name}: scanned ${seen} items of ${stored}`);
      perItem.get(c.name)?.push((cpu() - t0) / seen);
      if (c.segments === 1) pageCosts.push(pages);
    }
  }
  const base = median(perItem.get('4 segments') ?? []);
  console.log(
    JSON.stringify({
      bench: 'moto-scan',
      moto: motoVersion(),
      items: stored,
      rounds,
      motoCpuMsPerItem: Object.fromEntries(
        [...perItem].map(([name, xs]) => [name, { median: round(median(xs)), range: range(xs), ratioTo4Segments: round(median(xs) / base) }]),
      ),
      onePageMsPerItemInScanOrder: pageCosts,
    }),
  );
} finally {
  client.destroy();
  await moto.stop();
  rmSync(dir, { recursive: true, force: true });
}
