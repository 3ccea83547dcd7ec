/**
 * Which views a run writes and the window of each: a fixed START..END for `materialize`, Feast's rule
 * for `materialize-incremental` (architecture.md §4.2).
 */
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import { DynafeastError } from '../errors.js';
import { latestMaterializedEndMicros } from '../registry/commit.js';
import type { FeatureView, RepoModel } from '../repo/model.js';
import { formatDuration } from '../util/duration.js';
import { didYouMean } from '../util/suggest.js';
import { MIN_EVENT_MICROS } from '../layout/event-ts.js';
import { formatMicrosIso } from './time-arg.js';

export interface ViewWindow {
  view: FeatureView;
  startMicros: bigint;
  endMicros: bigint;
  /** Why a window that is not written is empty, for the report (materialize-incremental). */
  empty?: { status: 'up to date' | 'empty window'; reason: string };
}

/** Feast's start for a view never materialized whose ttl is 0: `now - timedelta(weeks=52)`. */
export const NO_TTL_LOOKBACK_MICROS = 52n * 7n * 86_400n * 1_000_000n;

/**
 * The named views (in the order given), or every online view. Naming an offline view (`online: false`)
 * is an error, as in Feast; so is an unknown name.
 */
export function selectViews(repo: RepoModel, names: readonly string[] | undefined): FeatureView[] {
  if (!names || names.length === 0)
    return materializable(
      repo.featureViews.filter((v) => v.online),
      repo,
    );
  const byName = new Map(repo.featureViews.map((v) => [v.name, v]));
  const seen = new Set<string>();
  const out: FeatureView[] = [];
  for (const name of names) {
    const view = byName.get(name);
    if (!view) {
      throw new DynafeastError('repo.unknownFeatureView', `--views: no feature view "${name}" in the repo.${didYouMean(name, byName.keys())}`, {
        path: '--views',
        hint: `feature views: ${[...byName.keys()].join(', ') || '(none)'}`,
      });
    }
    if (!view.online) {
      throw new DynafeastError('usage.badArgument', `--views: feature view "${name}" has online: false, so it is never materialized`, {
        path: '--views',
        hint: 'set online: true on the view (then apply) or leave it out of --views',
      });
    }
    if (!seen.has(name)) out.push(view);
    seen.add(name);
  }
  return materializable(out, repo);
}

/** Views read from a Feast registry whose source dynafeast cannot read stop the run, never skipped. */
function materializable(views: FeatureView[], repo: RepoModel): FeatureView[] {
  const blocked = views.filter((v) => v.notMaterializable !== undefined);
  if (blocked.length === 0) return views;
  const others = repo.featureViews.filter((v) => v.online && v.notMaterializable === undefined).map((v) => v.name);
  throw new DynafeastError(
    'usage.badArgument',
    `dynafeast cannot materialize ${blocked.map((v) => `feature view "${v.name}": ${v.notMaterializable}`).join('; ')}.`,
    {
      path: '--views',
      hint: others.length > 0 ? `materialize the others with --views ${others.join(' ')}, and this one with Feast` : 'materialize it with Feast',
    },
  );
}

/** One window for every view; START after END is a usage error. */
export function fixedWindows(views: readonly FeatureView[], startMicros: bigint, endMicros: bigint): ViewWindow[] {
  if (startMicros > endMicros) {
    throw new DynafeastError('usage.badArgument', `START ${formatMicrosIso(startMicros)} is after END ${formatMicrosIso(endMicros)}`, {
      path: 'START',
      hint: 'give START <= END (both are inclusive)',
    });
  }
  return views.map((view) => ({ view, startMicros, endMicros }));
}

/**
 * Feast's materialize-incremental: each view starts at the latest end recorded in the registry, or on
 * its first run at `now - ttl` (ttl 0: 52 weeks, Feast's "one year"). Views already materialized past
 * END are returned in `upToDate` and not written.
 */
export function incrementalWindows(
  views: readonly FeatureView[],
  registry: Registry | undefined,
  project: string,
  endMicros: bigint,
  nowMicros: bigint,
): { windows: ViewWindow[]; upToDate: ViewWindow[] } {
  const windows: ViewWindow[] = [];
  const upToDate: ViewWindow[] = [];
  for (const view of views) {
    const latest = registry ? latestMaterializedEndMicros(registry, project, view.name) : undefined;
    const lookback = view.ttlMicros > 0n ? view.ttlMicros : NO_TTL_LOOKBACK_MICROS;
    const from = latest ?? nowMicros - lookback;
    // a ttl longer than the calendar reaches back starts at year 0001, the earliest time the registry holds
    const startMicros = from < MIN_EVENT_MICROS ? MIN_EVENT_MICROS : from;
    if (startMicros <= endMicros) {
      windows.push({ view, startMicros, endMicros });
      continue;
    }
    const end = formatMicrosIso(endMicros);
    // the two ways a window comes out empty need different next steps: say which one it is
    const empty: ViewWindow['empty'] =
      latest !== undefined
        ? {
            status: 'up to date',
            reason: `already materialized up to ${formatMicrosIso(latest)}, which is after END ${end}: nothing to write (give a later END to continue)`,
          }
        : {
            status: 'empty window',
            reason:
              `never materialized, so the first run starts at now - ${view.ttlMicros > 0n ? `ttl (${formatDuration(view.ttlMicros)})` : '52 weeks (the view has no ttl)'} = ` +
              `${formatMicrosIso(startMicros)}, which is after END ${end}: nothing to write (give a later END, or \`dynafeast materialize START END\` for older data)`,
          };
    upToDate.push({ view, startMicros, endMicros, empty });
  }
  return { windows, upToDate };
}
