/**
 * Read-modify-write operations on the registry, each through the store's one `update` (a local file
 * under the registry lock, or an S3 object written conditionally; registry-store.ts), so concurrent
 * applies, materializations and teardowns never lose each other's changes.
 */
import { clone, create } from '@bufbuild/protobuf';
import { FeatureViewMetaSchema, MaterializationIntervalSchema, type FeatureView } from '../../gen/feast/core/FeatureView_pb.js';
import { RegistrySchema, type Registry } from '../../gen/feast/core/Registry_pb.js';
import type { StreamFeatureView } from '../../gen/feast/core/StreamFeatureView_pb.js';
import { systemClock, type Clock } from '../context.js';
import { DynafeastError } from '../errors.js';
import type { DesiredRegistryObjects } from './build.js';
import type { LockOptions } from './lock.js';
import { reconcileRegistry, removeProjectFromRegistry, type RegistryChange } from './reconcile.js';
import { toRegistryStore, type RegistryStore, type RegistryTarget } from './registry-store.js';
import { timestampFromMicros, timestampToMicros } from './time.js';
import { readShardRuns, writeShardRuns, type ShardRun, type ShardRunInterval } from './shard-runs.js';
import type { ShardSpec } from '../materialize/shard.js';
import { formatMicrosIso } from '../materialize/time-arg.js';

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
  target: RegistryTarget,
  project: string,
  desired: DesiredRegistryObjects,
  planned: RegistryChange[],
  clock: Clock = systemClock,
  lock: LockOptions = {},
): Promise<CommitResult> {
  const store = toRegistryStore(target, lock);
  const { result, written } = await store.update(
    (current, now) => {
      const next = reconcileRegistry(current, project, desired, now);
      if (changeKey(next.changes) !== changeKey(planned)) {
        throw new DynafeastError('registry.conflict', `the registry ${store.where} changed since the plan was made (another apply or teardown ran)`, {
          hint: 'run `dynafeast plan` again to review the current changes, then apply',
        });
      }
      return next.changes.length === 0 ? { result: [] } : { write: next.registry, result: next.changes };
    },
    { clock },
  );
  return written ? { written: true, versionId: written.versionId, changes: result } : { written: false, changes: [] };
}

/** Removes every object of `project` (teardown). A missing registry means there is nothing to remove. */
export async function removeProject(target: RegistryTarget, project: string, clock: Clock = systemClock, lock: LockOptions = {}): Promise<CommitResult> {
  const { result, written } = await toRegistryStore(target, lock).update(
    (current) => {
      if (!current) return { result: [] };
      const next = removeProjectFromRegistry(current, project);
      return next.changes.length === 0 ? { result: [] } : { write: next.registry, result: next.changes };
    },
    { clock },
  );
  return written ? { written: true, versionId: written.versionId, changes: result } : { written: false, changes: [] };
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
  target: RegistryTarget,
  project: string,
  viewName: string,
  startMicros: bigint,
  endMicros: bigint,
  opts: { clock?: Clock; lock?: LockOptions } = {},
): Promise<void> {
  await recordMaterializations(target, project, [{ view: viewName, startMicros, endMicros }], opts);
}

/**
 * Appends the intervals of one run to their views' `materialization_intervals` in one read-modify-write,
 * so a run's views are recorded together or not at all.
 */
export async function recordMaterializations(
  target: RegistryTarget,
  project: string,
  intervals: readonly MaterializedInterval[],
  opts: { clock?: Clock; lock?: LockOptions } = {},
): Promise<void> {
  if (intervals.length === 0) return;
  const store = toRegistryStore(target, opts.lock);
  await store.update(
    (current, now) => {
      // the change may run again after a lost race: it works on its own copy
      const registry = clone(RegistrySchema, requireRegistry(current, store));
      appendIntervals(registry, store.where, project, intervals, now);
      return { write: registry, result: undefined };
    },
    { clock: opts.clock ?? systemClock },
  );
}

function appendIntervals(registry: Registry, registryPath: string, project: string, intervals: readonly MaterializedInterval[], now: bigint): void {
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
}

export interface ShardCompletion {
  runId: string;
  shard: ShardSpec;
  /** The run's intervals: every shard of a run must name the same ones. */
  intervals: readonly MaterializedInterval[];
}

export interface ShardCompletionResult {
  run: ShardRun;
  /** True when this call recorded the run's intervals (it completed the last missing shard). */
  recordedNow: boolean;
}

const runIntervals = (intervals: readonly MaterializedInterval[]): ShardRunInterval[] =>
  intervals.map((i) => ({ view: i.view, start: String(i.startMicros), end: String(i.endMicros) }));

/**
 * Marks one shard of a sharded run done, and — when it is the last one missing — appends the run's
 * intervals, all in one locked read-modify-write: the interval is recorded once, after every shard
 * succeeded (architecture.md §4.7). A shard done twice (a retried job) changes nothing.
 */
export async function recordShardCompletion(
  target: RegistryTarget,
  project: string,
  completion: ShardCompletion,
  opts: { clock?: Clock; lock?: LockOptions } = {},
): Promise<ShardCompletionResult> {
  const store = toRegistryStore(target, opts.lock);
  const { result } = await store.update(
    (current, now) => {
      // the change may run again after a lost race: it works on its own copy
      const registry = clone(RegistrySchema, requireRegistry(current, store));
      const runs = readShardRuns(registry);
      const { runId, shard } = completion;
      const intervals = runIntervals(completion.intervals);
      let run = runs.find((r) => r.id === runId && r.project === project);
      if (run && (run.shards !== shard.count || JSON.stringify(run.intervals) !== JSON.stringify(intervals))) {
        throw new DynafeastError(
          'materialize.runMismatch',
          `run "${runId}" of project "${project}" was started with ${run.shards} shard(s) over ${describeIntervals(run.intervals)}; this shard has ${shard.count} shard(s) over ${describeIntervals(intervals)}`,
          { hint: 'give every shard of a run the same START, END, --views and shard count, or start a new run with another --run-id' },
        );
      }
      if (!run) {
        run = { id: runId, project, shards: shard.count, intervals, done: [], startedAt: String(now), updatedAt: String(now) };
        runs.push(run);
      }
      if (run.done.includes(shard.index)) return { result: { run, recordedNow: false } };
      run.done = [...run.done, shard.index].sort((a, b) => a - b);
      run.updatedAt = String(now);
      let recordedNow = false;
      if (run.done.length === run.shards && run.recordedAt === undefined) {
        appendIntervals(registry, store.where, project, completion.intervals, now);
        run.recordedAt = String(now);
        recordedNow = true;
      }
      writeShardRuns(registry, runs);
      return { write: registry, result: { run, recordedNow } };
    },
    { clock: opts.clock ?? systemClock },
  );
  return result;
}

/** The stored registry a change works on; none yet means nothing was applied. */
function requireRegistry(current: Registry | undefined, store: RegistryStore): Registry {
  if (!current)
    throw new DynafeastError('registry.notApplied', `no registry at ${store.where}: nothing has been applied yet`, { hint: 'run `dynafeast apply` first' });
  return current;
}

function describeIntervals(intervals: readonly ShardRunInterval[]): string {
  if (intervals.length === 0) return 'no views';
  return intervals.map((i) => `${i.view} [${formatMicrosIso(BigInt(i.start))} .. ${formatMicrosIso(BigInt(i.end))}]`).join(', ');
}
