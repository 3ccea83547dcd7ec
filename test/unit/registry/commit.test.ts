import { rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../../../src/core/context.js';
import { buildRegistryObjects } from '../../../src/core/registry/build.js';
import {
  commitRegistryChanges,
  latestMaterializedEndMicros,
  recordMaterialization,
  recordMaterializations,
  removeProject,
} from '../../../src/core/registry/commit.js';
import { withRegistryLock } from '../../../src/core/registry/lock.js';
import { reconcileRegistry } from '../../../src/core/registry/reconcile.js';
import { readRegistry, readRegistryIfExists, writeRegistryAtomic } from '../../../src/core/registry/registry-file.js';
import { create } from '@bufbuild/protobuf';
import { StreamFeatureViewSchema, StreamFeatureViewSpecSchema } from '../../../src/gen/feast/core/StreamFeatureView_pb.js';
import { timestampToMicros } from '../../../src/core/registry/time.js';
import { makeRepo, makeView } from '../../helpers/plan-fixtures.js';
import { defined } from '../../helpers/defined.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = tempRepoDir('dynafeast-commit-');
  path = join(dir, 'data', 'registry.db');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const clock = fixedClock(1_700_000_000_000_000n);
const planned = (desired: ReturnType<typeof buildRegistryObjects>, base = undefined as Parameters<typeof reconcileRegistry>[0]) =>
  reconcileRegistry(base, 'demo', desired, 0n).changes;

describe('commitRegistryChanges', () => {
  it('writes the planned changes, and nothing when there are none', async () => {
    const desired = buildRegistryObjects('demo', makeRepo());
    const first = await commitRegistryChanges(path, 'demo', desired, planned(desired), clock);
    expect(first.written).toBe(true);
    const second = await commitRegistryChanges(path, 'demo', desired, [], clock);
    expect(second).toEqual({ written: false, changes: [] });
    expect((await readRegistry(path)).versionId).toBe(first.versionId);
  });

  it('refuses when the registry changed since the plan in a way the plan did not show', async () => {
    const desired = buildRegistryObjects('demo', makeRepo());
    const plan = planned(desired);
    // another apply lands first with a different repo
    const other = buildRegistryObjects('demo', makeRepo([makeView('other_view')]));
    await commitRegistryChanges(path, 'demo', other, planned(other), clock);
    await expect(commitRegistryChanges(path, 'demo', desired, plan, clock)).rejects.toMatchObject({ code: 'registry.conflict' });
  });

  it('tolerates a materialization recorded between plan and apply, and keeps it', async () => {
    const v1 = buildRegistryObjects('demo', makeRepo());
    await commitRegistryChanges(path, 'demo', v1, planned(v1), clock);
    const v2 = buildRegistryObjects('demo', makeRepo([makeView('driver_hourly_stats', { tags: { a: 'b' } })]));
    const plan = planned(v2, await readRegistryIfExists(path));
    await recordMaterialization(path, 'demo', 'driver_hourly_stats', 10n, 20n, { clock });
    await commitRegistryChanges(path, 'demo', v2, plan, clock);
    const reg = await readRegistry(path);
    expect(latestMaterializedEndMicros(reg, 'demo', 'driver_hourly_stats')).toBe(20n);
    expect(defined(reg.featureViews[0]?.spec).tags).toEqual({ a: 'b' });
  });
});

describe('recordMaterialization', () => {
  it('never loses an interval when many writers record at once', async () => {
    const desired = buildRegistryObjects('demo', makeRepo());
    await commitRegistryChanges(path, 'demo', desired, planned(desired), clock);
    await Promise.all(Array.from({ length: 12 }, (_, i) => recordMaterialization(path, 'demo', 'driver_hourly_stats', BigInt(i), BigInt(i + 100))));
    const reg = await readRegistry(path);
    const intervals = defined(reg.featureViews[0]?.meta).materializationIntervals;
    expect(intervals).toHaveLength(12);
    expect(intervals.map((i) => timestampToMicros(defined(i.startTime))).sort((a, b) => Number(a - b))).toEqual(
      Array.from({ length: 12 }, (_, i) => BigInt(i)),
    );
    expect(latestMaterializedEndMicros(reg, 'demo', 'driver_hourly_stats')).toBe(111n);
    expect(latestMaterializedEndMicros(reg, 'demo', 'nope')).toBeUndefined();
  });

  it('needs the view to have been applied', async () => {
    await expect(recordMaterialization(path, 'demo', 'v', 0n, 1n)).rejects.toMatchObject({ code: 'registry.notApplied' });
    const desired = buildRegistryObjects('demo', makeRepo());
    await commitRegistryChanges(path, 'demo', desired, planned(desired), clock);
    await expect(recordMaterialization(path, 'demo', 'missing_view', 0n, 1n)).rejects.toMatchObject({ code: 'registry.notApplied' });
  });

  it("records a stream feature view's interval in its own meta, as Feast does (registry-driven mode)", async () => {
    const desired = buildRegistryObjects('demo', makeRepo());
    await commitRegistryChanges(path, 'demo', desired, planned(desired), clock);
    // Feast's registry keeps a stream view (push source) apart from the feature views
    const reg = await readRegistry(path);
    const view = defined(reg.featureViews[0]);
    reg.streamFeatureViews.push(create(StreamFeatureViewSchema, { spec: create(StreamFeatureViewSpecSchema, { name: 'pushed', project: 'demo' }) }));
    await writeRegistryAtomic(path, reg, clock.nowMicros());
    await recordMaterialization(path, 'demo', 'pushed', 5n, 50n, { clock });
    const after = await readRegistry(path);
    expect(defined(after.streamFeatureViews[0]?.meta).materializationIntervals).toHaveLength(1);
    expect(latestMaterializedEndMicros(after, 'demo', 'pushed')).toBe(50n);
    expect(defined(after.featureViews.find((v) => v.spec?.name === view.spec?.name)).meta?.materializationIntervals ?? []).toHaveLength(0);
  });
});

describe('withRegistryLock', () => {
  it('times out while another live process holds the lock, and takes over an abandoned one', async () => {
    const lockPath = join(dir, 'registry.db.lock');
    // held by this (live) process
    await writeFile(lockPath, JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }));
    await expect(withRegistryLock(join(dir, 'registry.db'), async () => 1, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'registry.locked' });
    // held by a process that no longer exists
    await writeFile(lockPath, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), at: Date.now() }));
    await expect(withRegistryLock(join(dir, 'registry.db'), async () => 'ok', { timeoutMs: 200 })).resolves.toBe('ok');
  });
});

describe('removeProject', () => {
  it('removes the project once and is then a no-op', async () => {
    const desired = buildRegistryObjects('demo', makeRepo());
    await commitRegistryChanges(path, 'demo', desired, planned(desired), clock);
    expect((await removeProject(path, 'demo', clock)).written).toBe(true);
    expect((await readRegistry(path)).featureViews).toEqual([]);
    expect((await removeProject(path, 'demo', clock)).written).toBe(false);
    expect((await removeProject(join(dir, 'none.db'), 'demo', clock)).written).toBe(false);
  });
});

describe('recordMaterializations', () => {
  it('records every view of a run in one write, or none when a view is unknown', async () => {
    const desired = buildRegistryObjects('demo', makeRepo([makeView('driver_hourly_stats'), makeView('other_view')]));
    await commitRegistryChanges(path, 'demo', desired, planned(desired), clock);
    await recordMaterializations(path, 'demo', [
      { view: 'driver_hourly_stats', startMicros: 1n, endMicros: 5n },
      { view: 'other_view', startMicros: 2n, endMicros: 6n },
    ]);
    const both = await readRegistry(path);
    expect(latestMaterializedEndMicros(both, 'demo', 'driver_hourly_stats')).toBe(5n);
    expect(latestMaterializedEndMicros(both, 'demo', 'other_view')).toBe(6n);
    const before = await readRegistry(path);
    await expect(
      recordMaterializations(path, 'demo', [
        { view: 'driver_hourly_stats', startMicros: 7n, endMicros: 9n },
        { view: 'missing_view', startMicros: 7n, endMicros: 9n },
      ]),
    ).rejects.toMatchObject({ code: 'registry.notApplied' });
    const after = await readRegistry(path);
    expect(after.versionId).toBe(before.versionId);
    expect(latestMaterializedEndMicros(after, 'demo', 'driver_hourly_stats')).toBe(5n);
  });
});
