/**
 * Entity-hash shards (architecture.md §4.7): `--shard I/N` writes exactly the entities whose shard is I.
 *
 * NOTE: the shard of an entity is `u32(first 4 bytes of its entity_id) mod N`, where entity_id is Feast's
 * MurmurHash3 x64_128 of the serialized entity key (layout/entity-id.ts, checked against Feast's vectors).
 * It depends only on the key's bytes, so every machine, platform and dynafeast version agrees; N shards
 * partition the entities (each id has exactly one residue). The offline reader applies it to each chunk
 * of DuckDB's result on the key columns alone (offline/read-view.ts keepRow), so a shard reads out and
 * encodes only its own rows' event times and features.
 */
import { DynafeastError } from '../errors.js';
import { entityIdOf } from '../layout/entity-id.js';
import { createEntityKeyEncoder } from '../layout/entity-key.js';
import type { FeatureView } from '../repo/model.js';

export interface ShardSpec {
  /** 0-based shard index, < count. */
  index: number;
  count: number;
}

/** Most shards a run may have: far above any job array, small enough that a run's record stays small. */
export const MAX_SHARDS = 10_000;

/** The environment variables that carry a job array's index: Kubernetes Indexed Job, then AWS Batch. */
export const SHARD_INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const;

/** The shard (0..count-1) of an entity id (32 lowercase hex digits). */
export function shardOfEntityId(entityId: string, count: number): number {
  return Number.parseInt(entityId.slice(0, 8), 16) % count;
}

/**
 * Accepts the join key values (in the view's entity column order, as the offline reader gives them) of
 * the entities in `spec`'s shard. A single shard accepts everything.
 */
export function createShardFilter(view: Pick<FeatureView, 'entityColumns'>, spec: ShardSpec): (keyValues: readonly unknown[]) => boolean {
  if (spec.count === 1) return () => true;
  const encodeKey = createEntityKeyEncoder(view.entityColumns);
  const keyCount = view.entityColumns.length;
  const values = new Array<unknown>(keyCount);
  return (keyValues) => {
    for (let k = 0; k < keyCount; k++) values[k] = keyValues[k];
    return shardOfEntityId(entityIdOf(encodeKey(values)), spec.count) === spec.index;
  };
}

export interface ShardFlags {
  /** `--shard I/N`. */
  shard?: string;
  /** `--shards N`: the index comes from the environment. */
  shards?: string;
}

const HINT = 'give --shard I/N with 0 <= I < N (e.g. --shard 0/4), or --shards N inside a Kubernetes Indexed Job or an AWS Batch array job';

function badShard(message: string): DynafeastError {
  return new DynafeastError('usage.badFlag', message, { hint: HINT });
}

/** A non-negative decimal integer, or undefined (no sign, no exponent, no fraction). */
function wholeNumber(s: string): number | undefined {
  if (!/^\d{1,9}$/.test(s.trim())) return undefined;
  return Number(s.trim());
}

function shardCount(text: string, flag: string): number {
  const n = wholeNumber(text);
  if (n === undefined || n < 1 || n > MAX_SHARDS) throw badShard(`${flag}: the number of shards must be a whole number from 1 to ${MAX_SHARDS}, got "${text}"`);
  return n;
}

/**
 * The shard this process writes, from `--shard I/N` or `--shards N` plus the job array's index variable;
 * undefined when neither flag is given (the whole table).
 */
export function resolveShard(flags: ShardFlags, env: Readonly<Record<string, string | undefined>>): ShardSpec | undefined {
  if (flags.shard !== undefined && flags.shards !== undefined) {
    throw badShard('--shard and --shards both given: --shard I/N names the index itself, --shards N takes it from the environment');
  }
  if (flags.shard !== undefined) {
    const m = /^\s*([^/]*)\/([^/]*)$/.exec(flags.shard);
    if (!m) throw badShard(`--shard: expected I/N (this shard's index / the number of shards), got "${flags.shard}"`);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- both groups always participate in the match
    const count = shardCount(m[2]!, '--shard');
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- both groups always participate in the match
    return { index: shardIndex(m[1]!, count, '--shard'), count };
  }
  if (flags.shards === undefined) return undefined;
  const count = shardCount(flags.shards, '--shards');
  const found = SHARD_INDEX_VARIABLES.filter((v) => env[v] !== undefined && env[v] !== '');
  if (found.length === 0) {
    throw badShard(`--shards ${count}: no shard index in the environment (neither ${SHARD_INDEX_VARIABLES.join(' nor ')} is set)`);
  }
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- found is not empty
  const name = found[0]!;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- found lists variables that are set
  return { index: shardIndex(env[name]!, count, name), count };
}

function shardIndex(text: string, count: number, where: string): number {
  const i = wholeNumber(text);
  if (i === undefined) throw badShard(`${where}: the shard index must be a whole number from 0 to ${count - 1}, got "${text}"`);
  if (i >= count) throw badShard(`${where}: shard index ${i} is out of range for ${count} shard(s): indexes run from 0 to ${count - 1}`);
  return i;
}

/** `2/4` */
export const formatShard = (s: ShardSpec) => `${s.index}/${s.count}`;
