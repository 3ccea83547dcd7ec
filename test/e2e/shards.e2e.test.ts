/**
 * Sharded materialize as a job array runs it: the built binary, one process per shard, all at once
 * against one dynalite server. The shards' table equals an unsharded run's item for item, byte for
 * byte, and the interval is recorded once; a shard killed mid-run leaves the run unrecorded until that
 * shard alone runs again.
 */
import { jest } from '@jest/globals';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readRegistry } from '../../src/core/registry/registry-file.js';
import { findFeatureView } from '../../src/core/registry/commit.js';
import { writeDriverStatsRows } from '../../src/core/sample-data/driver-stats.js';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { repoRoot, runCli, startCli, tempDir } from '../helpers/cli.js';
import { featureStoreYaml } from '../helpers/config.js';
import { itemText, scanTable } from '../helpers/materialize-fixture.js';
import { defined } from '../helpers/defined.js';

jest.setTimeout(240_000);

let dynalite: TestDynalite;
const parent = tempDir('dynafeast-shards-');
const VIEWS = ['driver_hourly_stats', 'driver_profile'];
const NOW = 1_767_225_600_000_000n;
const WINDOW = ['2020-01-01', '2030-01-01'];

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite?.stop();
  rmSync(parent, { recursive: true, force: true });
});

/** examples/driver-stats for `project` with `drivers` drivers' hourly rows, applied. */
async function repoOf(project: string, drivers: number): Promise<string> {
  const dir = path.join(parent, project);
  cpSync(path.join(repoRoot, 'examples', 'driver-stats'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'feature_store.yaml'), featureStoreYaml({ project, endpoint: dynalite.endpoint }));
  await writeDriverStatsRows(path.join(dir, 'data', 'driver_stats.parquet'), { rows: 2 * drivers, drivers, nowMicros: NOW, jitter: true });
  const applied = await runCli(['-c', dir, 'apply', '--yes', '--no-progress']);
  expect(applied.code).toBe(0);
  return dir;
}

const materialize = (dir: string, ...args: string[]) => ['-c', dir, 'materialize', ...WINDOW, '--no-progress', ...args];

/** Every item of the project's tables, attributes sorted, binary values in hex. */
async function tablesText(project: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const v of VIEWS) out[v] = [...(await scanTable(dynalite.client, `${project}.${v}`)).values()].map(itemText).sort();
  return out;
}

const intervals = async (dir: string, project: string) =>
  Promise.all(
    VIEWS.map(async (v) => findFeatureView(await readRegistry(path.join(dir, 'data/registry.db')), project, v)?.meta?.materializationIntervals.length ?? 0),
  );

describe('materialize --shard, one process per shard (built binary)', () => {
  it('4 concurrent shard processes write what one unsharded run writes, and record the interval once', async () => {
    const [whole, sharded] = await Promise.all([repoOf('sh_whole', 3000), repoOf('sh_four', 3000)]);
    const single = await runCli(materialize(whole));
    expect(single.code).toBe(0);

    const shards = await Promise.all(
      [0, 1, 2, 3].map((i) => runCli([...materialize(sharded, '--json'), '--shards', '4'], { env: { JOB_COMPLETION_INDEX: String(i) } })),
    );
    expect(shards.map((s) => s.code)).toEqual([0, 0, 0, 0]);
    const docs = shards.map((s) => JSON.parse(s.stdout) as { shard: { index: number; recordedNow: boolean }; views: Array<{ items: number }> });
    expect(docs.map((d) => d.shard.index)).toEqual([0, 1, 2, 3]);
    expect(docs.filter((d) => d.shard.recordedNow)).toHaveLength(1);
    expect(docs.reduce((n, d) => n + defined(d.views[0]).items, 0)).toBe(3000);

    const expected = await tablesText('sh_whole');
    expect(expected.driver_hourly_stats).toHaveLength(3000);
    expect(await tablesText('sh_four')).toEqual(expected);
    expect(await intervals(sharded, 'sh_four')).toEqual([1, 1]);

    const status = await runCli(['-c', sharded, 'materialize-status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ ok: true, runs: [{ shards: 4, done: [0, 1, 2, 3], missing: [], recorded: true }] });
  });

  it('a shard killed mid-run leaves the interval unrecorded; running that shard again completes the run', async () => {
    const dir = await repoOf('sh_killed', 20_000);
    const others = await Promise.all([0, 2].map((i) => runCli(materialize(dir, '--shard', `${i}/3`, '--run-id', 'nightly'))));
    expect(others.map((r) => r.code)).toEqual([0, 0]);

    const victim = await startCli(materialize(dir, '--shard', '1/3', '--run-id', 'nightly'), /driver_hourly_stats: .*written/);
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');

    expect(await intervals(dir, 'sh_killed')).toEqual([0, 0]);
    const pending = await runCli(['-c', dir, 'materialize-status', '--run-id', 'nightly']);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toContain('nightly: 2/3 shards done · 1 shard(s) missing: 1');

    const rerun = await runCli(materialize(dir, '--shard', '1/3', '--run-id', 'nightly'));
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('3 of 3 shard(s) done, the last one: intervals recorded in the registry');
    expect(await intervals(dir, 'sh_killed')).toEqual([1, 1]);
    expect((await scanTable(dynalite.client, 'sh_killed.driver_hourly_stats')).size).toBe(20_000);
  });
});
