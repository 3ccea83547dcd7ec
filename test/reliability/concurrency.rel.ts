/**
 * Concurrency (issue 8 §4): applies of one repo started at the same moment never corrupt the registry;
 * each ends either applied or with a clear conflict error, and the result matches the repo exactly. Two
 * monotonic materializations of overlapping windows at once end with the newest event of every key.
 */
import path from 'node:path';
import { readRegistryIfExists } from '../../src/core/registry/registry-file.js';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runCli, STACK_FRAME } from '../helpers/isolated-cli.js';
import { CHAOS_VIEW, compareTables, makeChaosRepo, monthlyQuery, scanTable } from '../helpers/chaos-repo.js';
import { makeRepo } from '../helpers/temp-repo.js';
import { defined } from '../helpers/defined.js';

let server: TestDynalite;
let proxy: FaultProxy;

beforeAll(async () => {
  server = await startDynalite();
  // latency makes the runs overlap for real: each one plans before any other has written
  proxy = await startFaultProxy({ target: server.endpoint, latencyMs: 60 });
});

afterAll(async () => {
  await proxy.close();
  await server.stop();
});

describe('concurrent applies', () => {
  it.each([2, 4])('%d applies of one repo at once: no corruption, losers get a clear error', async (n) => {
    const project = `conc_apply_${n}`;
    const repo = makeRepo({ project, endpoint: proxy.endpoint });
    const runs = await Promise.all(Array.from({ length: n }, () => runCli(['-c', repo, 'apply', '--yes'], { cwd: repo })));

    const winners = runs.filter((r) => r.code === 0);
    const losers = runs.filter((r) => r.code !== 0);
    expect(winners.length).toBeGreaterThanOrEqual(1);
    for (const r of losers) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/changed since the plan was made|locked by another dynafeast process/);
      expect(r.stderr).toMatch(/dynafeast plan|wait for the other/);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
    const registry = await readRegistryIfExists(path.join(repo, 'data/registry.db'));
    expect(registry?.projects.map((p) => p.spec?.name)).toEqual([project]);
    expect(registry?.featureViews.map((v) => v.spec?.name).sort()).toEqual(['driver_hourly_stats', 'driver_profile']);
    // whatever interleaving happened, the live state is exactly the repo's
    const plan = await runCli(['-c', repo, 'plan', '--detailed-exitcode'], { cwd: repo });
    expect({ code: plan.code, out: plan.stdout + plan.stderr }).toMatchObject({ code: 0 });
    process.stderr.write(`concurrent applies (${n}): ${winners.length} applied, ${losers.length} refused\n`);
  });

  it('an apply racing a teardown of the same project ends consistent', async () => {
    const project = 'conc_teardown';
    const repo = makeRepo({ project, endpoint: proxy.endpoint });
    expect((await runCli(['-c', repo, 'apply', '--yes'], { cwd: repo })).code).toBe(0);
    const [apply, teardown] = await Promise.all([
      runCli(['-c', repo, 'apply', '--yes'], { cwd: repo }),
      runCli(['-c', repo, 'teardown', '--yes'], { cwd: repo }),
    ]);
    for (const r of [apply, teardown]) {
      expect([0, 1]).toContain(r.code);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
    // the registry decodes, and one more apply brings everything back to the repo's state
    await readRegistryIfExists(path.join(repo, 'data/registry.db'));
    expect((await runCli(['-c', repo, 'apply', '--yes'], { cwd: repo })).code).toBe(0);
    expect((await runCli(['-c', repo, 'plan', '--detailed-exitcode'], { cwd: repo })).code).toBe(0);
  });
});

describe('concurrent monotonic materializations', () => {
  const ENTITIES = 6000;
  // January..mid-February and February..March: both hold the 10 February rows, only the second the newest
  const EARLY = ['2025-01-01T00:00:00', '2025-02-15T00:00:00'];
  const LATE = ['2025-02-01T00:00:00', '2025-03-31T00:00:00'];

  async function race(monotonic: boolean): Promise<{ diff: ReturnType<typeof compareTables>; codes: (number | null)[]; intervals: number; ms: number }> {
    const server2 = await startDynalite();
    const ref = await startDynalite();
    try {
      const block = `dynafeast:\n  materialize: {monotonic_writes: ${monotonic}, concurrency: 8}`;
      const query = monthlyQuery(ENTITIES);
      // the expected table: one plain run over the union of both windows
      const refRepo = await makeChaosRepo({ entities: ENTITIES, endpoint: ref.endpoint, project: 'mono', query });
      for (const args of [
        ['apply', '--yes'],
        ['materialize', defined(EARLY[0]), defined(LATE[1])],
      ])
        expect((await runCli(['-c', refRepo, ...args], { cwd: refRepo })).code).toBe(0);
      const repo = await makeChaosRepo({ entities: ENTITIES, endpoint: server2.endpoint, project: 'mono', query, dynafeastBlock: block });
      expect((await runCli(['-c', repo, 'apply', '--yes'], { cwd: repo })).code).toBe(0);
      const started = performance.now();
      // the older window starts a moment later, so its stale rows land while the newer run is writing
      const late = runCli(['-c', repo, 'materialize', ...LATE], { cwd: repo });
      await new Promise((r) => setTimeout(r, 150));
      const early = runCli(['-c', repo, 'materialize', ...EARLY], { cwd: repo });
      const runs = await Promise.all([late, early]);
      const ms = performance.now() - started;
      const registry = await readRegistryIfExists(path.join(repo, 'data/registry.db'));
      const intervals = registry?.featureViews.find((v) => v.spec?.name === CHAOS_VIEW)?.meta?.materializationIntervals.length ?? 0;
      const diff = compareTables(await scanTable(ref.client, `mono.${CHAOS_VIEW}`), await scanTable(server2.client, `mono.${CHAOS_VIEW}`));
      return { diff, codes: runs.map((r) => r.code), intervals, ms };
    } finally {
      await server2.stop();
      await ref.stop();
    }
  }

  it('two overlapping windows at once end with the newest event of every key', async () => {
    const mono = await race(true);
    // the same race without monotonic writes, for the record: stale rows may win there
    const plain = await race(false);
    process.stderr.write(
      `monotonic race: ${JSON.stringify({ entities: ENTITIES, monotonic: { ...mono.diff, ms: Math.round(mono.ms) }, plain: { ...plain.diff, ms: Math.round(plain.ms) } })}\n`,
    );
    expect(mono.codes).toEqual([0, 0]);
    expect(mono.diff).toEqual({ missing: 0, different: 0, extra: 0 });
    expect(mono.intervals).toBe(2);
    expect(plain.codes).toEqual([0, 0]);
  });
});
