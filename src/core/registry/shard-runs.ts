/**
 * Sharded runs' bookkeeping inside the registry (architecture.md §4.7): which shards of a run are done,
 * and whether the run's intervals were recorded.
 *
 * NOTE: it lives in the `Registry` message itself, as one length-delimited field numbered
 * SHARD_RUNS_FIELD that Feast's schema does not declare (its fields are 1–17). Protobuf readers keep an
 * undeclared field as an unknown field: Feast 0.67 loads such a registry and writes the field back
 * unchanged, and dynafeast's own writers keep it (registry-file.ts). Being in the same message as the
 * intervals, a shard's completion and the intervals the last shard records are one write — one commit
 * (commit.ts) — so no store, local file or object storage, ever has one without the other. Feast's own
 * fields (feature view tags, infra objects) were not used: tags are the user's and `feast apply`
 * rewrites them; an infra object names a Python class Feast imports.
 */
import type { UnknownField } from '@bufbuild/protobuf';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import { DynafeastError } from '../errors.js';

/** Far above Feast's field numbers (1–17), below protobuf's reserved 19000–19999. */
export const SHARD_RUNS_FIELD = 18_119;

/** Recorded runs kept per project (unfinished ones are always kept). */
const KEEP_RECORDED = 50;

export interface ShardRunInterval {
  view: string;
  /** Epoch microseconds, as decimal strings (JSON has no 64-bit integers). */
  start: string;
  end: string;
}

export interface ShardRun {
  id: string;
  project: string;
  shards: number;
  intervals: ShardRunInterval[];
  /** Shard indexes that finished, ascending. */
  done: number[];
  /** Epoch microseconds when the last shard recorded the intervals; absent until then. */
  recordedAt?: string;
  /** Epoch microseconds of the first and latest shard completion. */
  startedAt: string;
  updatedAt: string;
}

interface Payload {
  version: 1;
  runs: ShardRun[];
}

export function readShardRuns(registry: Registry): ShardRun[] {
  const field = registry.$unknown?.filter((f) => f.no === SHARD_RUNS_FIELD).at(-1);
  if (!field) return [];
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(new BinaryReader(field.data).bytes());
    const payload = JSON.parse(text) as Payload;
    if (payload.version !== 1 || !Array.isArray(payload.runs)) throw new Error(`unsupported version ${String(payload.version)}`);
    return payload.runs;
  } catch (e) {
    throw new DynafeastError('registry.corrupt', `the registry's record of sharded runs (field ${SHARD_RUNS_FIELD}) cannot be read: ${(e as Error).message}`, {
      hint: 'a newer dynafeast may have written it; otherwise restore the registry from a backup',
      cause: e,
    });
  }
}

/** Replaces the record of sharded runs, keeping the unfinished runs and the latest recorded ones. */
export function writeShardRuns(registry: Registry, runs: readonly ShardRun[]): void {
  const kept = pruneRecorded(runs);
  const others = (registry.$unknown ?? []).filter((f) => f.no !== SHARD_RUNS_FIELD);
  const payload: Payload = { version: 1, runs: kept };
  const field: UnknownField = {
    no: SHARD_RUNS_FIELD,
    wireType: WireType.LengthDelimited,
    data: new BinaryWriter().bytes(new TextEncoder().encode(JSON.stringify(payload))).finish(),
  };
  registry.$unknown = kept.length > 0 ? [...others, field] : others;
}

function pruneRecorded(runs: readonly ShardRun[]): ShardRun[] {
  const recorded = new Map<string, ShardRun[]>();
  for (const r of runs) if (r.recordedAt !== undefined) recorded.set(r.project, [...(recorded.get(r.project) ?? []), r]);
  const drop = new Set<ShardRun>();
  for (const list of recorded.values()) {
    list.sort((a, b) => Number(BigInt(b.recordedAt ?? '0') - BigInt(a.recordedAt ?? '0')));
    for (const r of list.slice(KEEP_RECORDED)) drop.add(r);
  }
  return runs.filter((r) => !drop.has(r));
}

/** The shard indexes of `run` not done yet. */
export function missingShards(run: Pick<ShardRun, 'shards' | 'done'>): number[] {
  const done = new Set(run.done);
  return Array.from({ length: run.shards }, (_, i) => i).filter((i) => !done.has(i));
}
