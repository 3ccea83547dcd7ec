/**
 * The two entry points the commands call: `materialize START END` and `materialize-incremental END`.
 * They turn arguments into per-view windows; the pipeline (and its sender) is materialize.ts.
 */
import type { TaskSpec } from '../progress.js';
import { registryStoreOf } from '../registry/registry-store.js';
import type { RepoModel } from '../repo/model.js';
import { materializeWindows, type MaterializeContext } from './materialize.js';
import type { MaterializeReport } from './report.js';
import { parseTimeArgument } from './time-arg.js';
import { fixedWindows, incrementalWindows, selectViews, type ViewWindow } from './windows.js';
import { createHash } from 'node:crypto';
import { DynafeastError } from '../errors.js';
import type { DryRunOptions } from './dry-run.js';
import { resolveShard, type ShardFlags, type ShardSpec } from './shard.js';

export type { MaterializeContext };

/** How a run spreads and what it does beyond writing: shards, run id, dry run. */
export interface RunOptions extends ShardFlags {
  /** Names the sharded run (default derived from the project, the views and their windows). */
  runId?: string;
  /** Read and encode but write nothing; the price prices the estimate. */
  dryRun?: DryRunOptions;
  /** Write units per second for the whole table, shared by the run's shards (write-pacer.ts). */
  maxWriteUnitsPerSecond?: number;
  /** The environment the job array's index comes from (`--shards N`); default none. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface MaterializeArgs extends RunOptions {
  /** ISO 8601 or `now`; naive = UTC. */
  start: string;
  end: string;
  /** View names; empty = every online view. */
  views: string[];
  /** Rows that would be left out are an error (before anything is written), not a warning. */
  strict?: boolean;
}

export interface MaterializeIncrementalArgs extends RunOptions {
  end: string;
  views: string[];
  strict?: boolean;
}

/** One progress task per view the run may touch, named like Feast prints them. */
export function materializeTaskSpecs(repo: RepoModel, views: string[]): TaskSpec[] {
  return selectViews(repo, views).map((v) => ({ id: v.name, title: v.name }));
}

function run(
  ctx: MaterializeContext,
  windows: readonly ViewWindow[],
  upToDate: readonly ViewWindow[],
  args: RunOptions & { strict?: boolean },
  shard: ShardSpec | undefined,
) {
  const strict = args.strict === true;
  return materializeWindows(
    {
      ...(shard ? { shard: { spec: shard, runId: args.runId ?? defaultRunId(ctx.config.project, windows) } } : {}),
      ...(args.dryRun ? { dryRun: args.dryRun } : {}),
      ...(args.maxWriteUnitsPerSecond !== undefined ? { maxWriteUnitsPerSecond: args.maxWriteUnitsPerSecond } : {}),
      config: ctx.config,
      repo: ctx.repo,
      aws: ctx.aws,
      clock: ctx.clock,
      logger: ctx.logger,
      strict,
      ...(ctx.progress ? { progress: ctx.progress } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.observer ? { observer: ctx.observer } : {}),
    },
    windows,
    upToDate,
  );
}

export async function materialize(ctx: MaterializeContext, args: MaterializeArgs): Promise<MaterializeReport> {
  const shard = shardOf(args, [
    ['START', args.start],
    ['END', args.end],
  ]);
  const start = parseTimeArgument(args.start, 'START', ctx.clock);
  const end = parseTimeArgument(args.end, 'END', ctx.clock);
  return run(ctx, fixedWindows(selectViews(ctx.repo, args.views), start, end), [], args, shard);
}

/**
 * The shard from the flags, checked with the run id. Every shard of a run must compute the same
 * windows, so a sharded run's times are absolute: `now` differs from machine to machine.
 */
function shardOf(args: RunOptions, times: ReadonlyArray<[string, string]>): ShardSpec | undefined {
  const shard = resolveShard(args, args.env ?? {});
  if (args.runId !== undefined) {
    if (!shard) throw new DynafeastError('usage.badFlag', '--run-id names a sharded run: give --shard I/N or --shards N with it', { hint: HINT_SHARDS });
    checkRunId(args.runId);
  }
  const relative = times.find(([, t]) => t.trim().toLowerCase() === 'now');
  if (shard && relative) {
    throw new DynafeastError('usage.badArgument', `${relative[0]} is \`now\`, which every shard of a run would read differently`, {
      path: relative[0],
      hint: 'give the shards one absolute time, e.g. the time the job array was submitted: 2024-05-01T12:00:00Z',
    });
  }
  return shard;
}

const HINT_SHARDS = 'e.g. `dynafeast materialize 2024-05-01 2024-05-02 --shard 0/4 --run-id nightly-2024-05-02`';

function checkRunId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id)) {
    throw new DynafeastError(
      'usage.badFlag',
      `--run-id: expected 1 to 128 letters, digits, '.', '_', ':' or '-' (starting with a letter or digit), got ${JSON.stringify(id)}`,
      {
        hint: HINT_SHARDS,
      },
    );
  }
}

/** `run-` and 16 hex digits of SHA-256 over the project and each view's window: equal on every shard. */
export function defaultRunId(project: string, windows: readonly ViewWindow[]): string {
  const key = windows
    .map((w): [string, string, string] => [w.view.name, String(w.startMicros), String(w.endMicros)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `run-${createHash('sha256')
    .update(JSON.stringify([project, key]))
    .digest('hex')
    .slice(0, 16)}`;
}

export async function materializeIncremental(ctx: MaterializeContext, args: MaterializeIncrementalArgs): Promise<MaterializeReport> {
  const shard = shardOf(args, [['END', args.end]]);
  const end = parseTimeArgument(args.end, 'END', ctx.clock);
  // A never-materialized view starts at now - ttl; the shards of a run take END for now, so they agree.
  const now = shard ? end : ctx.clock.nowMicros();
  const registry = await registryStoreOf(ctx.config, { logger: ctx.logger }).read();
  const { windows, upToDate } = incrementalWindows(selectViews(ctx.repo, args.views), registry, ctx.config.project, end, now);
  return run(ctx, windows, upToDate, args, shard);
}
