/**
 * `materialize-status`: the sharded runs the registry records (registry/shard-runs.ts) — per run, the
 * shards done and missing, and whether the last shard recorded the run's intervals.
 */
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import { DynafeastError } from '../errors.js';
import { missingShards, readShardRuns } from '../registry/shard-runs.js';
import { formatMicrosIso } from './time-arg.js';

export interface RunStatus {
  runId: string;
  shards: number;
  done: number[];
  missing: number[];
  /** The intervals are in the registry: every shard finished. */
  recorded: boolean;
  intervals: Array<{ view: string; start: string; end: string }>;
  startedAt: string;
  updatedAt: string;
  recordedAt?: string;
}

/** The project's sharded runs, latest first; with `runId`, that one (an error when the registry has no such run). */
export function shardRunStatus(registry: Registry | undefined, project: string, runId?: string): RunStatus[] {
  const runs = (registry ? readShardRuns(registry) : []).filter((r) => r.project === project);
  const chosen = runId === undefined ? runs : runs.filter((r) => r.id === runId);
  if (runId !== undefined && chosen.length === 0) {
    throw new DynafeastError('usage.badFlag', `--run-id: the registry has no sharded run "${runId}" of project "${project}"`, {
      hint:
        runs.length > 0
          ? `runs recorded: ${runs.map((r) => r.id).join(', ')}`
          : 'no shard of that run has finished yet; run `dynafeast materialize-status` to list the runs',
    });
  }
  const iso = (micros: string) => formatMicrosIso(BigInt(micros));
  return chosen
    .map((r) => ({
      runId: r.id,
      shards: r.shards,
      done: r.done,
      missing: missingShards(r),
      recorded: r.recordedAt !== undefined,
      intervals: r.intervals.map((i) => ({ view: i.view, start: iso(i.start), end: iso(i.end) })),
      startedAt: iso(r.startedAt),
      updatedAt: iso(r.updatedAt),
      ...(r.recordedAt !== undefined ? { recordedAt: iso(r.recordedAt) } : {}),
    }))
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}
