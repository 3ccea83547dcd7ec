/**
 * A sharded run's record lives in the registry as a field Feast's Registry proto does not declare
 * (src/core/registry/shard-runs.ts). Feast 0.67 must load such a registry (and see the intervals the
 * last shard recorded) and keep the record when Feast itself writes the registry.
 */
import { readFileSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/core/config/load-config.js';
import { loadRepo } from '../../src/core/repo/load-repo.js';
import { buildRegistryObjects } from '../../src/core/registry/build.js';
import { reconcileRegistry } from '../../src/core/registry/reconcile.js';
import { readRegistry, registryPathOf, writeRegistryAtomic } from '../../src/core/registry/registry-file.js';
import { recordShardCompletion } from '../../src/core/registry/commit.js';
import { readShardRuns } from '../../src/core/registry/shard-runs.js';
import { fixedClock } from '../../src/core/context.js';
import { expectOk, repoRoot, runPython, tempDir } from '../helpers/interop.js';
import { featureStoreYaml } from '../helpers/config.js';

const NOW = 1_767_225_600_000_000n;
const START = 1_704_067_200_000_000n; // 2024-01-01T00:00:00Z
const END = 1_704_153_600_000_000n; // 2024-01-02T00:00:00Z

let root: string;
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('Feast 0.67 loads a registry holding sharded runs, sees the recorded interval, and keeps the record when it writes', async () => {
  root = tempDir('dynafeast-interop-shards-');
  const repoDir = path.join(root, 'repo');
  mkdirSync(repoDir);
  writeFileSync(path.join(repoDir, 'feature_store.yaml'), featureStoreYaml({ project: 'interop_shards', endpoint: 'http://127.0.0.1:1' }));
  copyFileSync(path.join(repoRoot, 'test', 'interop', 'fixtures', 'yaml-repo', 'features.yaml'), path.join(repoDir, 'features.yaml'));
  const config = loadConfig({ repoPath: repoDir, env: {} });
  const repo = loadRepo(repoDir, config);
  const registryPath = registryPathOf(config);
  await writeRegistryAtomic(registryPath, reconcileRegistry(undefined, config.project, buildRegistryObjects(config.project, repo), NOW).registry, NOW);

  const view = repo.featureViews.find((v) => v.online);
  if (!view) throw new Error('the fixture has no online view');
  const intervals = [{ view: view.name, startMicros: START, endMicros: END }];
  const clock = fixedClock(NOW);
  // a finished two-shard run (intervals recorded) and an unfinished one
  for (const i of [0, 1]) await recordShardCompletion(registryPath, config.project, { runId: 'done', shard: { index: i, count: 2 }, intervals }, { clock });
  await recordShardCompletion(registryPath, config.project, { runId: 'half', shard: { index: 0, count: 2 }, intervals }, { clock });
  const before = readShardRuns(await readRegistry(registryPath));
  expect(before.map((r) => [r.id, r.done])).toEqual([
    ['done', [0, 1]],
    ['half', [0]],
  ]);

  const out = path.join(root, 'feast.json');
  expectOk('feast_registry_keeps.py', await runPython('feast_registry_keeps.py', [repoDir, out]));
  const feast = JSON.parse(readFileSync(out, 'utf8')) as { views: Record<string, string[][]>; entities: string[] };
  // the interval the last shard recorded, once
  expect(feast.views[view.name]).toEqual([['2024-01-01T00:00:00+00:00', '2024-01-02T00:00:00+00:00']]);
  expect(feast.entities).toContain('probe');
  // Feast wrote the registry (its entity is there) and the record of the runs came through unchanged
  expect(readShardRuns(await readRegistry(registryPath))).toEqual(before);
});
