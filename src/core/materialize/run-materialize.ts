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
import { fixedWindows, incrementalWindows, selectViews } from './windows.js';

export type { MaterializeContext };

export interface MaterializeArgs {
  /** ISO 8601 or `now`; naive = UTC. */
  start: string;
  end: string;
  /** View names; empty = every online view. */
  views: string[];
  /** Rows that would be left out are an error (before anything is written), not a warning. */
  strict?: boolean;
}

export interface MaterializeIncrementalArgs {
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
  windows: Parameters<typeof materializeWindows>[1],
  upToDate: Parameters<typeof materializeWindows>[2] = [],
  strict = false,
) {
  return materializeWindows(
    {
      config: ctx.config,
      repo: ctx.repo,
      aws: ctx.aws,
      clock: ctx.clock,
      logger: ctx.logger,
      strict,
      ...(ctx.progress ? { progress: ctx.progress } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    },
    windows,
    upToDate,
  );
}

export async function materialize(ctx: MaterializeContext, args: MaterializeArgs): Promise<MaterializeReport> {
  const start = parseTimeArgument(args.start, 'START', ctx.clock);
  const end = parseTimeArgument(args.end, 'END', ctx.clock);
  return run(ctx, fixedWindows(selectViews(ctx.repo, args.views), start, end), [], args.strict);
}

export async function materializeIncremental(ctx: MaterializeContext, args: MaterializeIncrementalArgs): Promise<MaterializeReport> {
  const now = ctx.clock.nowMicros();
  const end = parseTimeArgument(args.end, 'END', ctx.clock);
  const registry = await registryStoreOf(ctx.config, { logger: ctx.logger }).read();
  const { windows, upToDate } = incrementalWindows(selectViews(ctx.repo, args.views), registry, ctx.config.project, end, now);
  return run(ctx, windows, upToDate, args.strict);
}
