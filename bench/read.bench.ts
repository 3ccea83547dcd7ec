/**
 * Read-path benchmark (architecture.md §7). Prints ONE JSON line (milliseconds):
 * - FeatureStore.getOnlineFeatures latency p50/p99 for 1, 100, 500 and 1000 entities × 1 and 3 views,
 *   and client CPU per read, against two servers in child processes: dynalite, and a model of
 *   in-region DynamoDB (answers from memory after 8 ms, requests served in parallel);
 * - on each, one raw SDK BatchGetItem of 100 keys (same client settings and projection) and the ratio
 *   of the 500-entity p50 to it (target ≤ 1.3);
 * - the library's own time for 100 entities with DynamoDB and the SDK replaced by an in-memory answer
 *   (target ≤ 1 ms);
 * - CLI cold start of a 1-entity read (a new process, built binary, dynalite endpoint).
 *
 *   npm run build && npx tsc -p tsconfig.json --outDir .bench && node .bench/bench/read.bench.js
 *
 * BENCH_SCALE (default 1) multiplies the iteration counts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchGetItemCommand, DynamoDBClient, type BatchGetItemCommandInput, type BatchGetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { createAwsClients } from '../src/core/aws/clients.js';
import { localDummyCredentials } from '../src/core/aws/credentials.js';
import { systemClock } from '../src/core/context.js';
import { FeatureStore } from '../src/core/feature-store.js';
import { entityIdBackend, type Item } from '../src/core/layout/index.js';
import { buildTableRead, keysAndAttributes } from '../src/core/online/batch-get.js';
import { OnlineReader } from '../src/core/online/read-online.js';
import { dropSdkLogMiddleware } from '../src/core/online/transport.js';
import { toFeastDict } from '../src/core/online/to-dict.js';
import { cpuSecondsOf, startBenchChild } from './child-process.js';
import { benchItemFactory, FEATURES, FIRST_DRIVER, PROJECT, VIEWS, populate, writeBenchRepo } from './read/bench-repo.js';
import { defined } from '../test/helpers/defined.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const scale = Number(process.env.BENCH_SCALE ?? 1);
const DRIVERS = 1000;
const DELAY_MS = 8;

interface Stats {
  p50: number;
  p99: number;
  mean: number;
  n: number;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => defined(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]);
  return { p50: round(at(0.5)), p99: round(at(0.99)), mean: round(s.reduce((a, b) => a + b, 0) / s.length), n: s.length };
}

async function measure(fn: () => Promise<unknown>, iterations: number, warmup = Math.max(5, Math.round(iterations / 10))): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return stats(samples);
}

const startChild = (script: string, args: string[] = []) => startBenchChild(path.join(here, 'read', script), args);

/** CPU ms a child process has used so far (Linux /proc; undefined elsewhere). */
function childCpuMs(pid: number | undefined): number | undefined {
  const seconds = cpuSecondsOf(pid);
  return seconds === undefined ? undefined : seconds * 1000;
}

let offset = 0;
/** Different entities each call, as a service would see. */
function nextRows(n: number): { driver_id: number }[] {
  offset = (offset + 37) % DRIVERS;
  return Array.from({ length: n }, (_, i) => ({ driver_id: FIRST_DRIVER + ((offset + i) % DRIVERS) }));
}
const refsOf = (views: number) => VIEWS.slice(0, views).flatMap((v) => FEATURES.map((f) => `${v}:${f}`));

interface TargetResult {
  latencyMs: Record<string, Stats>;
  clientCpuMsPerRead: Record<string, number>;
  /** The server process's CPU per read (dynalite only: it shows the single-threaded server's share). */
  serverCpuMsPerRead?: Record<string, number>;
  rawBatchGet100Ms: Stats;
  /**
   * The 500 entities with no dynafeast code: five raw 100-key SDK BatchGetItems sent at once. On a server
   * that serves them one after another this, not one round trip, is the floor for a 500-entity read.
   */
  rawParallel5x100Ms: Stats;
  rawServerCpuMs?: number;
  ratio500p50: number;
  /** rawParallel5x100 p50 / rawBatchGet100 p50: the best ratio any client could reach on this server. */
  floorRatio: number;
  /** The 500-entity read against that floor (1.0 = no cost over raw parallel requests). */
  ratio500VsFloor: number;
  cliColdStart1EntityMs?: Stats | { skipped: string };
}

type Target = 'dynalite' | 'latency' | { name: string; endpoint: string };

async function benchTarget(kind: Target): Promise<TargetResult> {
  const { child, endpoint } =
    kind === 'dynalite'
      ? await startChild('dynalite-child.js')
      : kind === 'latency'
        ? await startChild('latency-endpoint.js', ['--delay-ms', String(DELAY_MS), '--drivers', String(DRIVERS)])
        : { child: undefined, endpoint: kind.endpoint };
  const name = typeof kind === 'string' ? kind : kind.name;
  const dir = path.join(os.tmpdir(), `dynafeast-read-bench-${process.pid}-${name}`);
  try {
    await writeBenchRepo(dir, endpoint);
    if (kind !== 'latency') {
      const admin = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: localDummyCredentials() });
      await populate(admin, DRIVERS);
      admin.destroy();
    }
    const store = await FeatureStore.open({ repoPath: dir });
    const latencyMs: Record<string, Stats> = {};
    const clientCpuMsPerRead: Record<string, number> = {};
    const serverCpuMsPerRead: Record<string, number> = {};
    for (const views of [1, 3]) {
      for (const n of [1, 100, 500, 1000]) {
        const iterations = Math.max(10, Math.round(scale * (n === 1 ? 300 : n === 100 ? 150 : n === 500 ? 80 : 50)));
        const features = refsOf(views);
        const cpu0 = process.cpuUsage();
        const server0 = childCpuMs(child?.pid);
        let reads = 0;
        latencyMs[`${n}x${views}`] = await measure(async () => {
          reads++;
          const dict = await store.getOnlineFeatures({ features, entityRows: nextRows(n), fullFeatureNames: true });
          if (defined(dict.stats_a__conv_rate).filter((v) => v !== null).length !== n) throw new Error('short read');
        }, iterations);
        const cpu = process.cpuUsage(cpu0);
        clientCpuMsPerRead[`${n}x${views}`] = round((cpu.user + cpu.system) / reads / 1000);
        const server1 = childCpuMs(child?.pid);
        if (server0 !== undefined && server1 !== undefined) serverCpuMsPerRead[`${n}x${views}`] = round((server1 - server0) / reads, 2);
      }
    }

    // One raw 100-key BatchGetItem: same client settings and projection as the library, no reader.
    const clients = createAwsClients(store.config);
    dropSdkLogMiddleware(clients.dynamo);
    const itemOf = benchItemFactory();
    const ids = Array.from({ length: DRIVERS }, (_, d) => defined(itemOf(d).entity_id?.S));
    const read = buildTableRead(`${PROJECT}.${VIEWS[0]}`, [...FEATURES], false);
    const inputs = Array.from({ length: 10 }, (_, k) => ({
      RequestItems: {
        [read.table]: keysAndAttributes(
          read,
          Array.from({ length: 100 }, (_, i) => defined(ids[(k * 97 + i) % DRIVERS])),
        ),
      },
    }));
    let k = 0;
    let rawCalls = 0;
    const rawServer0 = childCpuMs(child?.pid);
    const rawBatchGet100Ms = await measure(
      async () => {
        rawCalls++;
        const out = await clients.dynamo.send(new BatchGetItemCommand(defined(inputs[k++ % inputs.length])));
        if (defined(out.Responses?.[read.table]).length !== 100) throw new Error('short raw read');
      },
      Math.max(10, Math.round(150 * scale)),
    );
    const rawServer1 = childCpuMs(child?.pid);
    const rawParallel5x100Ms = await measure(
      async () => {
        const outs = await Promise.all(Array.from({ length: 5 }, () => clients.dynamo.send(new BatchGetItemCommand(defined(inputs[k++ % inputs.length])))));
        if (outs.some((out) => defined(out.Responses?.[read.table]).length !== 100)) throw new Error('short raw read');
      },
      Math.max(10, Math.round(80 * scale)),
    );
    clients.destroy();
    await store.close();

    const result: TargetResult = {
      latencyMs,
      clientCpuMsPerRead,
      rawBatchGet100Ms,
      rawParallel5x100Ms,
      ratio500p50: round(defined(latencyMs['500x1']).p50 / rawBatchGet100Ms.p50, 2),
      floorRatio: round(rawParallel5x100Ms.p50 / rawBatchGet100Ms.p50, 2),
      ratio500VsFloor: round(defined(latencyMs['500x1']).p50 / rawParallel5x100Ms.p50, 2),
    };
    if (kind === 'dynalite') {
      if (rawServer0 !== undefined && rawServer1 !== undefined) {
        result.serverCpuMsPerRead = serverCpuMsPerRead;
        result.rawServerCpuMs = round((rawServer1 - rawServer0) / rawCalls, 2);
      }
      result.cliColdStart1EntityMs = cliColdStart(dir);
    }
    return result;
  } finally {
    child?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

/** A new process per read: node start, imports, config and definitions, one BatchGetItem, output. */
function cliColdStart(dir: string): Stats | { skipped: string } {
  const bin = path.resolve(here, '../../bin/dynafeast.js');
  if (!existsSync(path.resolve(here, '../../dist/cli/main.js'))) return { skipped: 'dist/ not built (npm run build)' };
  const samples: number[] = [];
  const runs = Math.max(5, Math.round(15 * scale));
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, '-c', dir, 'get-online-features', '-f', `${VIEWS[0]}:conv_rate`, '-e', `driver_id=${FIRST_DRIVER}`], {
      encoding: 'utf8',
    });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`CLI exited ${r.status}: ${r.stderr}`);
    if (i >= 2) samples.push(ms);
  }
  return stats(samples);
}

/** The library's own work: entity conversion, keys, hashing, requests, decoding, result shape. */
async function libraryOverhead(): Promise<Record<string, Stats>> {
  const dir = path.join(os.tmpdir(), `dynafeast-read-bench-${process.pid}-memory`);
  await writeBenchRepo(dir, 'http://127.0.0.1:9');
  const itemOf = benchItemFactory();
  const stored = new Map<string, Item>();
  for (let d = 0; d < DRIVERS; d++) {
    const item = itemOf(d);
    stored.set(defined(item.entity_id?.S), item);
  }
  const send = async (input: BatchGetItemCommandInput): Promise<BatchGetItemCommandOutput> => {
    const responses: Record<string, Item[]> = {};
    for (const [table, req] of Object.entries(defined(input.RequestItems)))
      responses[table] = defined(req.Keys).map((key) => defined(stored.get(defined(key.entity_id?.S))));
    return { Responses: responses, UnprocessedKeys: {}, $metadata: {} };
  };
  const store = await FeatureStore.open({ repoPath: dir, clients: { dynamo: { send: async () => ({}) } } });
  const out: Record<string, Stats> = {};
  try {
    for (const views of [1, 3]) {
      const reader = new OnlineReader({ config: store.config, repo: store.repo, send, clock: systemClock });
      const features = refsOf(views);
      out[`100x${views}`] = await measure(
        async () => {
          toFeastDict(await reader.read({ features, entityRows: nextRows(100), fullFeatureNames: true }));
        },
        Math.round(2000 * scale),
        500,
      );
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

const overhead = await libraryOverhead();
const dynalite = await benchTarget('dynalite');
const latency = await benchTarget('latency');
// DYNAFEAST_BENCH_DDB_LOCAL=http://127.0.0.1:8000: also DynamoDB Local (multi-threaded, Java), e.g. one
// started by scripts/dynamodb-local (npm run bench:read:dynamodb-local). Its tables must not exist yet.
const ddbLocalUrl = process.env.DYNAFEAST_BENCH_DDB_LOCAL;
const ddbLocal = ddbLocalUrl ? await benchTarget({ name: 'dynamodb-local', endpoint: ddbLocalUrl }) : undefined;
console.log(
  JSON.stringify({
    bench: 'read',
    node: process.version,
    cpus: os.cpus().length,
    hash: entityIdBackend(),
    dynalite,
    [`inRegionModel${DELAY_MS}ms`]: latency,
    ...(ddbLocal ? { dynamodbLocal: ddbLocal } : {}),
    libraryOverheadMs: overhead,
    targets: {
      p50_500_vs_raw100_dynalite: { ratio: dynalite.ratio500p50, limit: 1.3, met: dynalite.ratio500p50 <= 1.3, serverFloor: dynalite.floorRatio },
      p50_500_vs_raw100_inRegionModel: { ratio: latency.ratio500p50, limit: 1.3, met: latency.ratio500p50 <= 1.3 },
      libraryOverhead100: { p50: defined(overhead['100x1']).p50, limit: 1, met: defined(overhead['100x1']).p50 <= 1 },
    },
  }),
);
