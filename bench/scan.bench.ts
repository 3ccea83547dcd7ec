/**
 * Scan benchmark (architecture.md §4.9, §7): one table of BENCH_ITEMS (default 1,000,000) Feast items in
 * the read benchmark's model of in-region DynamoDB (read/latency-endpoint.ts: 8 ms per request, 1 MB
 * pages per segment), read whole by the production scan (online/scan-table.ts, through the lean client
 * built from the config, as export and verify scan) with 1 and with 8 segments, the two interleaved round by round
 * (which goes first alternates). Prints ONE JSON line: seconds and items/s per segment count (ranges
 * over the rounds) and the speed-up of 8 segments over 1 (median and range of the per-round ratios).
 *
 * A Scan page also takes the time its bytes take to read: a Scan reads one partition at a time, and a
 * partition serves at most 3,000 read units a second, an eventually consistent 1 MB costing 128 of them
 * (DynamoDB's documented limits), so a segment reads at most ~23 MB/s: 42.7 ms per MB on top of the 8 ms.
 * That per-segment limit is what parallel segments exist to multiply. BENCH_SCAN_MS_PER_MB=0 gives the
 * plain 8 ms model (a 1 MB page as quick as a one-item read), where the client's own CPU bounds the scan.
 *
 * The default table (1M items of the model's 130 bytes, 124 MiB) is one for which a scan picks 8
 * segments itself (scan-table.ts's defaultSegments: one per 16 MiB), printed as `defaultSegments`.
 * On a smaller table the fixed cost of the first page (~50 ms before any item arrives) weighs more;
 * BENCH_ITEMS=200000 was the default before.
 *
 *   npm run bench:scan       # BENCH_ROUNDS (default 5), BENCH_ITEMS (default 1000000),
 *                            # BENCH_SCAN_MS_PER_MB (default 42.7: one partition's read rate)
 */
import os from 'node:os';
import { createAwsClients } from '../src/core/aws/clients.js';
import { localDummyCredentials } from '../src/core/aws/credentials.js';
import { defaultSegments, describeFeastTable, scanTable, storeScanOptions } from '../src/core/online/scan-table.js';
import { PROJECT, VIEWS } from './read/bench-repo.js';
import { childCpuMs, startChild } from './read/children.js';
import { testConfig } from '../test/helpers/config.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const items = Number(process.env.BENCH_ITEMS ?? 1_000_000);
/** 1 MB eventually consistent = 128 read units; one partition serves 3,000 a second. */
const PARTITION_MS_PER_MB = Math.round(((1000 * 128) / 3000) * 10) / 10;
const msPerMb = Number(process.env.BENCH_SCAN_MS_PER_MB ?? PARTITION_MS_PER_MB);
const DELAY_MS = 8;
const SEGMENTS = [1, 8] as const;
const table = `${PROJECT}.${VIEWS[0]}`;

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const range = (xs: number[]) => [round(Math.min(...xs)), round(Math.max(...xs))];

const { child, endpoint } = await startChild('latency-endpoint.js', [
  '--delay-ms',
  String(DELAY_MS),
  '--scan-items',
  String(items),
  '--scan-ms-per-mb',
  String(msPerMb),
]);
const config = testConfig({ repoPath: os.tmpdir(), project: PROJECT, endpointUrl: endpoint });
const aws = createAwsClients(config, { credentials: localDummyCredentials() });
try {
  const info = await describeFeastTable({ dynamo: aws.dynamo, table, endpoint });
  // scanTable hands items on in batches as it reads a page (online/scan-page.ts): counted as batches
  let batches = 0;
  const scanOnce = async (segments: number) => {
    let seen = 0;
    batches = 0;
    const t0 = performance.now();
    await scanTable(storeScanOptions({ config, aws, segments }, info), (page) => {
      seen += page.length;
      batches++;
    });
    const seconds = (performance.now() - t0) / 1000;
    if (seen !== items) throw new Error(`${segments} segments scanned ${seen} items, expected ${items}`);
    return seconds;
  };
  // Warm-up: the endpoint builds its items on first use, the client its connections.
  for (const s of SEGMENTS) await scanOnce(s);
  const seconds = new Map<number, number[]>(SEGMENTS.map((s) => [s, []]));
  const batchesOf = new Map<number, number>();
  const cpu = new Map<number, { client: number; server: number }>(SEGMENTS.map((s) => [s, { client: 0, server: 0 }]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? SEGMENTS : [...SEGMENTS].reverse();
    for (const s of order) {
      const cpu0 = process.cpuUsage();
      const server0 = childCpuMs(child.pid) ?? 0;
      const sec = await scanOnce(s);
      const used = process.cpuUsage(cpu0);
      const c = cpu.get(s) ?? { client: 0, server: 0 };
      c.client += (used.user + used.system) / 1000;
      c.server += (childCpuMs(child.pid) ?? 0) - server0;
      seconds.get(s)?.push(sec);
      batchesOf.set(s, batches);
      process.stderr.write(`round ${r + 1}: ${s} segment(s): ${sec.toFixed(2)} s, ${Math.round(items / sec)} items/s\n`);
    }
  }
  const [one, eight] = SEGMENTS.map((s) => seconds.get(s) ?? []);
  const ratios = (one ?? []).map((t, i) => t / ((eight ?? [])[i] ?? NaN));
  process.stdout.write(
    `${JSON.stringify({
      bench: 'scan',
      target: `latency model (${DELAY_MS} ms per request${msPerMb > 0 ? ` + ${msPerMb} ms per MB read` : ''}, 1 MB pages)`,
      items,
      itemBytes: Math.round(info.sizeBytes / Math.max(1, info.itemCount)),
      defaultSegments: defaultSegments(info.sizeBytes),
      rounds,
      segments: Object.fromEntries(
        SEGMENTS.map((s) => {
          const xs = seconds.get(s) ?? [];
          const c = cpu.get(s) ?? { client: 0, server: 0 };
          return [
            s,
            {
              seconds: range(xs),
              itemsPerSecond: range(xs.map((x) => items / x)).map(Math.round),
              batchesHandedOn: batchesOf.get(s),
              clientCpuSecondsPerScan: round(c.client / rounds / 1000),
              serverCpuSecondsPerScan: round(c.server / rounds / 1000),
            },
          ];
        }),
      ),
      speedup8Over1: { median: round(median(ratios)), range: range(ratios) },
    })}\n`,
  );
} finally {
  aws.destroy();
  child.kill('SIGTERM');
}
