/**
 * `verify`, `export` and `sql` as a user runs them: the built binary on a copy of examples/driver-stats
 * materialized into dynalite. verify exits 0 on the fresh store and 1 once an item is deleted; export
 * writes the file; sql answers; bad output paths and queries exit 2.
 */
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { entityIdOf, serializeEntityKey } from '../../src/core/layout/index.js';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { repoRoot, runCli, STACK_FRAME, tempDir } from '../helpers/cli.js';
import { featureStoreYaml } from '../helpers/config.js';

let dynalite: TestDynalite;
const parent = tempDir();
const repo = path.join(parent, 'driver-stats');
const WINDOW = ['2021-03-28T00:00:00', '2021-04-13T00:00:00'];
const cli = (...args: string[]) => runCli(['-c', repo, ...args]);

beforeAll(async () => {
  dynalite = await startDynalite();
  cpSync(path.join(repoRoot, 'examples', 'driver-stats'), repo, { recursive: true });
  writeFileSync(path.join(repo, 'feature_store.yaml'), featureStoreYaml({ project: 'driver_stats', endpoint: dynalite.endpoint }));
  expect((await cli('apply', '--yes', '--no-progress')).code).toBe(0);
  expect((await cli('materialize', ...WINDOW, '--no-progress')).code).toBe(0);
}, 120_000);
afterAll(async () => {
  await dynalite.stop();
  rmSync(parent, { recursive: true, force: true });
});

it('export writes a file per view, sql answers, bad paths and queries exit 2', async () => {
  const out = path.join(parent, 'out');
  const exported = await cli('export', '--format', 'parquet', '--out', out, '--no-progress');
  expect(exported.code).toBe(0);
  expect(existsSync(path.join(out, 'driver_hourly_stats.parquet'))).toBe(true);
  expect(existsSync(path.join(out, 'driver_profile.parquet'))).toBe(true);

  const count = await cli('sql', 'SELECT count(*) AS n FROM driver_hourly_stats', '-o', 'csv', '--no-progress');
  expect(count.code).toBe(0);
  expect(count.stdout.trim().split('\n')).toEqual(['n', '5']);

  const missing = await cli('export', '--format', 'csv', '--out', path.join(parent, 'no', 'x.csv'), '-v', 'driver_profile');
  expect(missing.code).toBe(2);
  const bad = await cli('sql', 'SELEC 1');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/DuckDB/);
  expect(bad.stderr).not.toMatch(STACK_FRAME);
}, 60_000);

it('verify exits 0 on the fresh store and 1 with the counts once an item is gone', async () => {
  const clean = await cli('verify', ...WINDOW, '--no-progress');
  expect(clean.code).toBe(0);
  expect(clean.stdout).toMatch(/matches/);

  const entityId = entityIdOf(serializeEntityKey([{ name: 'driver_id', dtype: 'Int64', value: 1001 }]));
  await dynalite.client.send(new DeleteItemCommand({ TableName: 'driver_stats.driver_hourly_stats', Key: { entity_id: { S: entityId } } }));
  const differs = await cli('--json', 'verify', ...WINDOW, '-v', 'driver_hourly_stats');
  expect(differs.code).toBe(1);
  const report = JSON.parse(differs.stdout) as { ok: boolean; views: Array<{ view: string; missing: number; extra: number }> };
  expect(report.ok).toBe(false);
  expect(report.views).toMatchObject([{ view: 'driver_hourly_stats', missing: 1, extra: 0 }]);
}, 60_000);
