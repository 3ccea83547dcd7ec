/**
 * Read-modify-write operations on registry.db, each under the registry lock so concurrent applies,
 * materializations and teardowns never lose each other's changes.
 */
import { create } from '@bufbuild/protobuf';
import { FeatureViewMetaSchema, MaterializationIntervalSchema, type FeatureView } from '../../gen/feast/core/FeatureView_pb.js';
import type { StreamFeatureView } from '../../gen/feast/core/StreamFeatureView_pb.js';
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import { systemClock, type Clock } from '../context.js';
import { DynafeastError } from '../errors.js';
import type { DesiredRegistryObjects } from './build.js';
import { withRegistryLock, type LockOptions } from './lock.js';
import { reconcileRegistry, removeProjectFromRegistry, type RegistryChange } from './reconcile.js';
import { readRegistry, readRegistryIfExists, writeRegistryAtomic } from './registry-file.js';
import { timestampFromMicros, timestampToMicros } from './time.js';

export interface CommitResult {
  /** False when the registry already matched: nothing was written. */
  written: boolean;
  versionId?: string;
  changes: RegistryChange[];
}

const changeKey = (changes: RegistryChange[]) => JSON.stringify(changes);

/**
 * Writes `project`'s objects as planned. The registry is reconciled again under the lock and must yield
 * the same changes the plan showed; anything else means someone changed it since, and the user should
 * see a fresh plan rather than have apply do something they did not review. Changes that do not alter
 * the plan (a materialization recorded meanwhile) are kept.
 */
export async function commitRegistryChanges(
  registryPath: string,
  project: string,
  desired: DesiredRegistryObjects,
  planned: RegistryChange[],
  clock: Clock = systemClock,
  lock: LockOptions = {},
): Promise<CommitResult> {
  return withRegistryLock(
    registryPath,
    async () => {
      const current = await readRegistryIfExists(registryPath);
      const now = clock.nowMicros();
      const next = reconcileRegistry(current, project, desired, now);
      if (changeKey(next.changes) !== changeKey(planned)) {
        throw new DynafeastError('registry.conflict', `the registry ${registryPath} changed since the plan was made (another apply or teardown ran)`, {
          hint: 'run `dynafeast plan` again to review the current changes, then apply',
        });
      }
      if (next.changes.length === 0) return { written: false, changes: [] };
      const written = await writeRegistryAtomic(registryPath, next.registry, now);
      return { written: true, versionId: written.versionId, changes: next.changes };
    },
    lock,
  );
}

/** Removes every object of `project` (teardown). A missing registry means there is nothing to remove. */
export async function removeProject(registryPath: string, project: string, clock: Clock = systemClock, lock: LockOptions = {}): Promise<CommitResult> {
  return withRegistryLock(
    registryPath,
    async () => {
      const current = await readRegistryIfExists(registryPath);
      if (!current) return { written: false, changes: [] };
      const next = removeProjectFromRegistry(current, project);
      if (next.changes.length === 0) return { written: false, changes: [] };
      const written = await writeRegistryAtomic(registryPath, next.registry, clock.nowMicros());
      return { written: true, versionId: written.versionId, changes: next.changes };
    },
    lock,
  );
}

/** The view `viewName` of `project`, or undefined. */
export function findFeatureView(registry: Registry, project: string, viewName: string): FeatureView | StreamFeatureView | undefined {
  // A stream feature view materializes from its batch source and records its intervals like any view
  // (Feast's registry keeps them in the same FeatureViewMeta).
  const mine = (v: FeatureView | StreamFeatureView) => v.spec?.project === project && v.spec.name === viewName;
  return registry.featureViews.find(mine) ?? registry.streamFeatureViews.find(mine);
}

/** Where Feast's materialize-incremental would start: the latest recorded end, in epoch microseconds. */
export function latestMaterializedEndMicros(registry: Registry, project: string, viewName: string): bigint | undefined {
  let latest: bigint | undefined;
  for (const i of findFeatureView(registry, project, viewName)?.meta?.materializationIntervals ?? []) {
    if (!i.endTime) continue;
    const end = timestampToMicros(i.endTime);
    if (latest === undefined || end > latest) latest = end;
  }
  return latest;
}

/**
 * Appends a materialization interval to `viewName` (Feast's bookkeeping: materialize-incremental starts
 * at the latest end). Atomic, under the registry lock.
 */
export interface MaterializedInterval {
  view: string;
  startMicros: bigint;
  endMicros: bigint;
}

/** Records one view's materialized interval (see recordMaterializations). */
export async function recordMaterialization(
  registryPath: string,
  project: string,
  viewName: string,
  startMicros: bigint,
  endMicros: bigint,
  opts: { clock?: Clock; lock?: LockOptions } = {},
): Promise<void> {
  await recordMaterializations(registryPath, project, [{ view: viewName, startMicros, endMicros }], opts);
}

/**
 * Appends the intervals of one run to their views' `materialization_intervals` in one locked
 * read-modify-write, so a run's views are recorded together or not at all.
 */
export async function recordMaterializations(
  registryPath: string,
  project: string,
  intervals: readonly MaterializedInterval[],
  opts: { clock?: Clock; lock?: LockOptions } = {},
): Promise<void> {
  if (intervals.length === 0) return;
  const clock = opts.clock ?? systemClock;
  await withRegistryLock(
    registryPath,
    async () => {
      const registry = await readRegistry(registryPath);
      const now = clock.nowMicros();
      for (const { view: viewName, startMicros, endMicros } of intervals) {
        const view = findFeatureView(registry, project, viewName);
        if (!view) {
          throw new DynafeastError('registry.notApplied', `feature view "${viewName}" of project "${project}" is not in the registry ${registryPath}`, {
            hint: 'run `dynafeast apply` so the registry knows the view, then materialize again',
          });
        }
        view.meta ??= create(FeatureViewMetaSchema, { createdTimestamp: timestampFromMicros(now) });
        view.meta.materializationIntervals.push(
          create(MaterializationIntervalSchema, { startTime: timestampFromMicros(startMicros), endTime: timestampFromMicros(endMicros) }),
        );
        view.meta.lastUpdatedTimestamp = timestampFromMicros(now);
      }
      await writeRegistryAtomic(registryPath, registry, now);
    },
    opts.lock,
  );
}
