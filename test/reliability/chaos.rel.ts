/**
 * Chaos (issue 8 §2): materialize ≥ 200k rows through the fault proxy at 30% throttling, 20% partial
 * batches and 1% dropped connections, then read every item back straight from the server: all present,
 * byte-equal to a clean run, exit 0. Then get-online-features of every entity through the same faults
 * must print exactly what a clean read prints. Figures (retries, faults, time overhead) go to stderr.
 * CHAOS_ENTITIES overrides the entity count (rows = entities × 1.25).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readRegistryIfExists } from '../../src/core/registry/registry-file.js';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { startFaultProxy, type FaultProxy, type FaultRates } from '../helpers/fault-proxy.js';
import { runCli, type CliRun } from '../helpers/isolated-cli.js';
import { CHAOS_VIEW, CHAOS_WINDOW, compareTables, makeChaosRepo, scanTable } from '../helpers/chaos-repo.js';
import { defined } from '../helpers/defined.js';

const ENTITIES = Number(process.env.CHAOS_ENTITIES ?? 200_000);
const CHAOS: FaultRates = { throttle: 0.3, partial: 0.2, drop: 0.01 };
// Faults hit the data plane; apply (control plane) runs before they are switched on.
const DATA_PLANE = ['BatchWriteItem', 'BatchGetItem', 'PutItem'];
const TABLE = `chaos.${CHAOS_VIEW}`;

let clean: TestDynalite;
let faulty: TestDynalite;
let proxy: FaultProxy;
let cleanRepo: string;
let chaosRepo: string;
const figures: Record<string, unknown> = { entities: ENTITIES, rows: ENTITIES + Math.ceil(ENTITIES / 4), rates: CHAOS };

beforeAll(async () => {
  clean = await startDynalite();
  faulty = await startDynalite();
  proxy = await startFaultProxy({ target: faulty.endpoint, seed: 20240801, actions: DATA_PLANE });
  cleanRepo = await makeChaosRepo({ entities: ENTITIES, endpoint: clean.endpoint, project: 'chaos' });
  // Reads retry each request up to total_max_retry_attempts (Feast's default 3, as the SDK does): at 30%
  // throttling a 2000-request read would almost surely see one request fail 3 times, so the chaos
  // repo allows 20 (the write path has its run-wide retry_budget instead).
  chaosRepo = await makeChaosRepo({ entities: ENTITIES, endpoint: proxy.endpoint, project: 'chaos', onlineStoreLines: ['  total_max_retry_attempts: 20'] });
  for (const repo of [cleanRepo, chaosRepo]) {
    const r = await runCli(['-c', repo, 'apply', '--yes'], { cwd: repo });
    if (r.code !== 0) throw new Error(r.stderr);
  }
});

afterAll(async () => {
  process.stderr.write(`chaos figures: ${JSON.stringify(figures)}\n`);
  await proxy.close();
  await faulty.stop();
  await clean.stop();
});

interface MaterializeSummary {
  ok: boolean;
  recorded: boolean;
  views: Array<{ view: string; rows: number; items: number; retries: number; throttles: number; seconds: number }>;
}

async function materialize(repo: string): Promise<{ run: CliRun; summary: MaterializeSummary }> {
  const run = await runCli(['-c', repo, '--json', 'materialize', ...CHAOS_WINDOW], { cwd: repo, timeoutMs: 1_800_000 });
  if (run.code !== 0) throw new Error(`materialize exited ${run.code}:\n${run.stderr.slice(-3000)}`);
  return { run, summary: JSON.parse(run.stdout) as MaterializeSummary };
}

describe('chaos', () => {
  it(`materialize of ${ENTITIES} entities through 30% throttling, 20% partial batches and 1% drops loses nothing`, async () => {
    const reference = await materialize(cleanRepo);
    proxy.setRates(CHAOS);
    const before = proxy.stats();
    const chaos = await materialize(chaosRepo);
    proxy.setRates({});
    const after = proxy.stats();

    const [expected, actual] = [await scanTable(clean.client, TABLE), await scanTable(faulty.client, TABLE)];
    const diff = compareTables(expected, actual);
    const view = defined(chaos.summary.views[0]);
    figures.materialize = {
      cleanMs: Math.round(reference.run.ms),
      chaosMs: Math.round(chaos.run.ms),
      overhead: Number((chaos.run.ms / reference.run.ms).toFixed(2)),
      retries: view.retries,
      throttled: view.throttles,
      requests: defined(after.byAction.BatchWriteItem) - (before.byAction.BatchWriteItem ?? 0),
      injected: after.faults,
      deferredItems: after.deferredItems,
      droppedAfterForward: after.droppedAfterForward,
      itemsLost: diff.missing,
      itemsDifferent: diff.different,
    };

    expect(expected.size).toBe(ENTITIES);
    expect(diff).toEqual({ missing: 0, different: 0, extra: 0 });
    expect(view).toMatchObject({ rows: figures.rows, items: ENTITIES });
    expect(chaos.summary.recorded).toBe(true);
    expect(after.faults.throttle).toBeGreaterThan(0);
    expect(after.faults.partial).toBeGreaterThan(0);
    expect(after.faults.drop).toBeGreaterThan(0);
    const registry = await readRegistryIfExists(path.join(chaosRepo, 'data/registry.db'));
    const fv = registry?.featureViews.find((v) => v.spec?.name === CHAOS_VIEW);
    expect(fv?.meta?.materializationIntervals).toHaveLength(1);
  });

  it(`get-online-features of all ${ENTITIES} entities through the same faults returns every value`, async () => {
    const rows = 'driver_id\n' + Array.from({ length: ENTITIES }, (_, i) => 1_000_000 + i).join('\n') + '\n';
    for (const repo of [cleanRepo, chaosRepo]) writeFileSync(path.join(repo, 'rows.csv'), rows);
    const args = (repo: string) => [
      '-c',
      repo,
      'get-online-features',
      '--feature-service',
      'chaos_read',
      '--entities-file',
      path.join(repo, 'rows.csv'),
      '--with-status',
      '--include-event-timestamps',
      '-o',
      'jsonl',
    ];
    const reference = await runCli(args(cleanRepo), { cwd: cleanRepo, timeoutMs: 900_000 });
    expect(reference.code).toBe(0);
    proxy.setRates(CHAOS);
    const before = proxy.stats();
    const chaos = await runCli(args(chaosRepo), { cwd: chaosRepo, timeoutMs: 900_000 });
    proxy.setRates({});
    const after = proxy.stats();
    const lines = reference.stdout.trimEnd().split('\n');
    figures.read = {
      cleanMs: Math.round(reference.ms),
      chaosMs: Math.round(chaos.ms),
      overhead: Number((chaos.ms / reference.ms).toFixed(2)),
      exit: chaos.code,
      requests: defined(after.byAction.BatchGetItem) - (before.byAction.BatchGetItem ?? 0),
      deferredKeys: after.deferredKeys - before.deferredKeys,
      failure: chaos.code === 0 ? undefined : chaos.stderr.slice(0, 300),
    };
    expect(lines).toHaveLength(ENTITIES);
    expect(lines.every((l) => !l.includes('NOT_FOUND'))).toBe(true);
    expect(chaos.code).toBe(0);
    expect(chaos.stdout === reference.stdout).toBe(true);
  });
});
