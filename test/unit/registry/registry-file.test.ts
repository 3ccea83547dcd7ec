import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { emptyRegistry, readRegistry, readRegistryIfExists, registryPathOf, writeRegistryAtomic } from '../../../src/core/registry/registry-file.js';
import { timestampToMicros } from '../../../src/core/registry/time.js';
import { registryToJson } from '../../../src/core/registry/dump.js';
import { buildRegistryObjects } from '../../../src/core/registry/build.js';
import { reconcileRegistry } from '../../../src/core/registry/reconcile.js';
import { makeRepo } from '../../helpers/plan-fixtures.js';
import { defined } from '../../helpers/defined.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = tempRepoDir('dynafeast-registry-');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('registry file', () => {
  it('resolves the path against the repo and refuses object storage', () => {
    expect(registryPathOf({ registry: 'data/registry.db', repoPath: '/r' })).toBe('/r/data/registry.db');
    expect(registryPathOf({ registry: '/abs/registry.db', repoPath: '/r' })).toBe('/abs/registry.db');
    expect(registryPathOf({ registry: 'file:///abs/r.db', repoPath: '/r' })).toBe('/abs/r.db');
    expect(() => registryPathOf({ registry: 's3://bucket/registry.db', repoPath: '/r' })).toThrow(expect.objectContaining({ code: 'config.badValue' }));
  });

  it('is absent before the first write', async () => {
    const path = join(dir, 'data', 'registry.db');
    expect(await readRegistryIfExists(path)).toBeUndefined();
    await expect(readRegistry(path)).rejects.toMatchObject({ code: 'registry.notApplied' });
  });

  it('writes atomically with a fresh version_id and last_updated each time, leaving no temp file', async () => {
    const path = join(dir, 'data', 'registry.db');
    const first = await writeRegistryAtomic(path, emptyRegistry(), 1_000_000n);
    const second = await writeRegistryAtomic(path, first, 2_000_000n);
    expect(first.versionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second.versionId).not.toBe(first.versionId);
    const read = await readRegistry(path);
    expect(read.versionId).toBe(second.versionId);
    expect(timestampToMicros(defined(read.lastUpdated))).toBe(2_000_000n);
    expect(read.registrySchemaVersion).toBe('1');
    expect(await readdir(join(dir, 'data'))).toEqual(['registry.db']);
  });

  it('says a corrupt file is not a registry', async () => {
    const path = join(dir, 'registry.db');
    await writeFile(path, Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await expect(readRegistryIfExists(path)).rejects.toMatchObject({ code: 'registry.corrupt', kind: 'usage' });
  });
});

describe('registryToJson', () => {
  it("prints Feast's JSON names and can filter by project", () => {
    const a = reconcileRegistry(undefined, 'a', buildRegistryObjects('a', makeRepo()), 1_000_000n).registry;
    const both = reconcileRegistry(a, 'b', buildRegistryObjects('b', makeRepo()), 1_000_000n).registry;
    const json = registryToJson(both) as Record<string, unknown[]>;
    expect(Object.keys(json).sort()).toEqual(['dataSources', 'entities', 'featureViews', 'projectMetadata', 'projects', 'registrySchemaVersion']);
    expect(defined(json['featureViews'])[0]).toMatchObject({
      spec: { entityColumns: [{ name: 'driver_id', valueType: 'INT64' }] },
      meta: { createdTimestamp: '1970-01-01T00:00:01Z' },
    });
    const onlyB = registryToJson(both, 'b') as Record<string, { spec?: { project?: string } }[]>;
    expect(defined(onlyB['featureViews']).map((v) => v.spec?.project)).toEqual(['b']);
    expect(onlyB['entities']).toHaveLength(2);
  });
});
