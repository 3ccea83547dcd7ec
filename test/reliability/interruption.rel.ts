/**
 * Interruption (issue 8 §3): SIGINT / SIGTERM during apply and materialize end with 130 / 143, leave a
 * readable registry (no interval recorded for unfinished work) and a lock the next run takes over; running
 * the command again converges to exactly what an uninterrupted run gives. A SIGKILL in the middle of
 * registry writes always leaves a whole registry, old or new.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { withRegistryLock } from '../../src/core/registry/lock.js';
import { readRegistryIfExists } from '../../src/core/registry/registry-file.js';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { seededRandom, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { repoRoot, runCli, spawnCli, STACK_FRAME } from './helpers/cli.js';
import { CHAOS_VIEW, CHAOS_WINDOW, compareTables, makeChaosRepo, scanTable } from './helpers/chaos.js';
import { makeRepo, tempRepoDir } from './helpers/repo.js';

let server: TestDynalite;
let slow: FaultProxy;

beforeAll(async () => {
  server = await startDynalite();
  // every request takes 150 ms more, so a signal lands in the middle of the work
  slow = await startFaultProxy({ target: server.endpoint, latencyMs: 150 });
});

afterAll(async () => {
  await slow.close();
  await server.stop();
});

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function tablesOf(project: string): Promise<string[]> {
  const out = await server.client.send(new ListTablesCommand({}));
  return (out.TableNames ?? []).filter((t) => t.startsWith(`${project}.`)).sort();
}

describe('interrupting apply', () => {
  it.each([
    ['SIGINT', 'CreateTable', 130],
    ['SIGTERM', 'CreateTable', 143],
    ['SIGINT', 'TagResource', 130],
    ['SIGTERM', 'DescribeTable', 143],
  ] as const)('%s after the first %s: exit %d, registry intact, a re-run converges', async (signal, action, exitCode) => {
    const project = `int_${signal.toLowerCase()}_${action.toLowerCase()}`;
    const repo = makeRepo({ project, endpoint: slow.endpoint });
    const registry = path.join(repo, 'data/registry.db');
    const before = slow.stats().byAction[action] ?? 0;
    const run = spawnCli(['-c', repo, 'apply', '--yes'], { cwd: repo });
    await until(() => (slow.stats().byAction[action] ?? 0) > before);
    run.child.kill(signal);
    const r = await run.done;

    expect({ code: r.code, signal: r.signal }).toEqual({ code: exitCode, signal: null });
    expect(r.stderr).toMatch(signal === 'SIGINT' ? /interrupted/ : /terminated/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    // the registry is either not written yet or whole; never a torn file
    const written = await readRegistryIfExists(registry);
    if (written) expect(written.projects.map((p) => p.spec?.name)).toEqual([project]);
    expect(readdirSync(path.join(repo, 'data')).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const again = await runCli(['-c', repo, 'apply', '--yes'], { cwd: repo });
    expect({ code: again.code, stderr: again.stderr }).toMatchObject({ code: 0 });
    const plan = await runCli(['-c', repo, 'plan', '--detailed-exitcode'], { cwd: repo });
    expect({ code: plan.code, out: plan.stdout }).toMatchObject({ code: 0 });
    expect(await tablesOf(project)).toEqual([`${project}.driver_hourly_stats`, `${project}.driver_profile`]);
    expect(existsSync(`${registry}.lock`)).toBe(false);
  });

  it('SIGINT during plan (read-only) ends with 130 and writes nothing', async () => {
    const repo = makeRepo({ project: 'int_plan', endpoint: slow.endpoint });
    const before = slow.stats().byAction.DescribeTable ?? 0;
    const run = spawnCli(['-c', repo, 'plan'], { cwd: repo });
    await until(() => (slow.stats().byAction.DescribeTable ?? 0) > before);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(existsSync(path.join(repo, 'data/registry.db'))).toBe(false);
  });
});

describe('interrupting materialize', () => {
  const ENTITIES = 40_000;
  let reference: Map<string, string>;

  beforeAll(async () => {
    const ref = await startDynalite();
    try {
      const repo = await makeChaosRepo({ entities: ENTITIES, endpoint: ref.endpoint, project: 'int_mat' });
      for (const args of [['apply', '--yes'], ['materialize', ...CHAOS_WINDOW]]) {
        const r = await runCli(['-c', repo, ...args], { cwd: repo });
        if (r.code !== 0) throw new Error(r.stderr);
      }
      reference = await scanTable(ref.client, `int_mat.${CHAOS_VIEW}`);
    } finally {
      await ref.stop();
    }
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s mid-write: exit %d, no interval recorded, a re-run gives the uninterrupted table', async (signal, exitCode) => {
    const project = `int_mat`;
    const server2 = await startDynalite();
    const proxy = await startFaultProxy({ target: server2.endpoint, latencyMs: 20 });
    try {
      const repo = await makeChaosRepo({ entities: ENTITIES, endpoint: proxy.endpoint, project });
      expect((await runCli(['-c', repo, 'apply', '--yes'], { cwd: repo })).code).toBe(0);
      const run = spawnCli(['-c', repo, 'materialize', ...CHAOS_WINDOW], { cwd: repo });
      await until(() => (proxy.stats().byAction.BatchWriteItem ?? 0) >= 150, 120_000);
      run.child.kill(signal);
      const r = await run.done;
      expect({ code: r.code, signal: r.signal }).toEqual({ code: exitCode, signal: null });
      expect(r.stderr).toMatch(/interrupted/);
      expect(r.stderr).not.toMatch(STACK_FRAME);
      const partial = await scanTable(server2.client, `${project}.${CHAOS_VIEW}`);
      expect(partial.size).toBeGreaterThan(0);
      expect(partial.size).toBeLessThan(ENTITIES);
      const registry = path.join(repo, 'data/registry.db');
      const viewOf = async () => (await readRegistryIfExists(registry))?.featureViews.find((v) => v.spec?.name === CHAOS_VIEW);
      expect((await viewOf())?.meta?.materializationIntervals ?? []).toHaveLength(0);
      expect(existsSync(`${registry}.lock`)).toBe(false);

      const again = await runCli(['-c', repo, 'materialize', ...CHAOS_WINDOW], { cwd: repo });
      expect({ code: again.code, err: again.code === 0 ? '' : again.stderr }).toEqual({ code: 0, err: '' });
      expect((await viewOf())?.meta?.materializationIntervals).toHaveLength(1);
      expect(compareTables(reference, await scanTable(server2.client, `${project}.${CHAOS_VIEW}`))).toEqual({ missing: 0, different: 0, extra: 0 });
      process.stderr.write(`materialize ${signal}: ${partial.size} of ${ENTITIES} items written before the signal\n`);
    } finally {
      await proxy.close();
      await server2.stop();
    }
  });
});

describe('SIGKILL in the middle of registry writes', () => {
  it('always leaves a whole registry (the old or the new one), and a lock the next writer takes over', async () => {
    const dir = tempRepoDir('dynafeast-kill-');
    const registry = path.join(dir, 'registry.db');
    const writer = path.join(repoRoot, 'test/reliability/helpers/registry-writer.mjs');
    const rnd = seededRandom(2024);
    const seen = { A: 0, B: 0, killedHoldingLock: 0, leftoverTmp: 0 };
    for (let i = 0; i < 25; i++) {
      const child = spawn(process.execPath, [writer, registry, '20000'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, s) => resolve(s)));
      await until(() => out.includes('wrote'), 60_000);
      await new Promise((r) => setTimeout(r, Math.floor(rnd() * 400)));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const r = await readRegistryIfExists(registry);
      const project = r?.projects[0]?.spec?.name as 'A' | 'B' | undefined;
      expect(project === 'A' || project === 'B').toBe(true);
      expect(r!.entities).toHaveLength(20000);
      expect(r!.entities.every((e) => e.spec?.project === project)).toBe(true);
      seen[project!]++;
      if (existsSync(`${registry}.lock`)) seen.killedHoldingLock++;
      seen.leftoverTmp = readdirSync(dir).filter((f) => f.endsWith('.tmp')).length;
      // the dead writer's lock must not block the next one
      await withRegistryLock(registry, async () => undefined, { timeoutMs: 2000 });
    }
    process.stderr.write(`SIGKILL registry test: ${JSON.stringify(seen)}\n`);
    expect(seen.A + seen.B).toBe(25);
    expect(seen.killedHoldingLock).toBeGreaterThan(0);
  });
});
