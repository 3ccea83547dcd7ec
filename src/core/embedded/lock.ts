/**
 * The lock that makes one process at a time serve a data folder: dynalite crashes its process when a
 * second LevelDB handle opens the same folder, so nothing opens it without holding this lock first. It is
 * the shared file lock (../lock/file-lock.ts) carrying where the holder serves and for which repo.
 *
 * Other commands send their requests to the endpoint a live holder's lock names, so a lock is only
 * believed when it names a loopback endpoint and this very repo, project and folder. A lock copied along
 * with the repo (it would send the copy's teardown to the original's store) or written by hand (it could
 * send requests signed with real credentials to any host) is ignored with a warning.
 */
import { join } from 'node:path';
import { DynafeastError } from '../errors.js';
import { readLockStateSync, tryLock, type HeldLock, type LockRecord } from '../lock/file-lock.js';
import type { Liveness } from '../lock/liveness.js';
import { endpointOf, isLoopbackHost } from './target.js';

export const LOCK_FILE = 'dynafeast.lock';

/** Which repo a store belongs to; a lock naming another is not a lock on this store. */
export interface StoreIdentity {
  /** Absolute path of the repo. */
  repo: string;
  project: string;
  /** Absolute data folder. */
  dataDir: string;
}

/** What the lock file publishes besides its holder. */
export interface EmbeddedLockData extends StoreIdentity {
  /** Loopback address and port the holder serves on. */
  host: string;
  port: number;
  startedAt: string;
}

/** A believed lock: who serves the folder and where. */
export interface LockInfo {
  pid: number;
  host: string;
  port: number;
  /** Tells this holding apart from a later one, even by a process with the same pid. */
  token: string;
}

export type AcquireResult = { acquired: true; lock: LockInfo; held: HeldLock<EmbeddedLockData> } | { acquired: false; lock?: LockInfo };

export function lockPathOf(dataDir: string): string {
  return join(dataDir, LOCK_FILE);
}

/**
 * Takes the folder's lock, or returns the live holder's lock to reuse (undefined while the lock is being
 * written). Locks of dead processes and locks not believed (see above; `warn` says why) are taken over.
 */
export async function acquireLock(identity: StoreIdentity, where: { host: string; port: number }, warn: (message: string) => void): Promise<AcquireResult> {
  const path = lockPathOf(identity.dataDir);
  const warned = new Set<string>();
  const data: EmbeddedLockData = { ...identity, host: where.host, port: where.port, startedAt: new Date().toISOString() };
  const disown = (record: LockRecord, live: Liveness): boolean => {
    // a holder on another machine does not serve this machine's loopback either
    const why =
      disbelief(record, identity) ??
      (live === 'unknown' ? { kind: 'invalid' as const, text: `it was written on another machine (${record.host})` } : undefined);
    if (why === undefined) return false;
    const other = record.data as Partial<EmbeddedLockData> | undefined;
    if (why.kind === 'identity' && live === 'alive' && other?.dataDir === identity.dataDir) throw servedForAnother(path, record, other);
    if (!warned.has(record.token)) {
      warned.add(record.token);
      warn(`ignoring ${path}: ${why.text}. If no dynafeast process serves this repo, delete that file.`);
    }
    return true;
  };
  const r = await tryLock(path, data, { disown });
  if (r.acquired) return { acquired: true, lock: infoOf(r.lock.record as LockRecord), held: r.lock };
  return { acquired: false, lock: r.holder && infoOf(r.holder) };
}

/** Whether the lock described by `lock` is still in place and its holder alive. */
export function stillHeld(dataDir: string, lock: LockInfo): boolean {
  const state = readLockStateSync(lockPathOf(dataDir));
  return state.kind === 'held' && state.record.token === lock.token && state.liveness === 'alive';
}

/** Why a lock is not to be believed: undefined when it names a loopback endpoint for this very store. */
export function disbelief(record: LockRecord, me: StoreIdentity): { kind: 'invalid' | 'identity'; text: string } | undefined {
  const d = record.data;
  if (typeof d !== 'object' || d === null) return { kind: 'invalid', text: 'it does not say which repo it serves (written by hand, or by an older dynafeast)' };
  const o = d as Record<string, unknown>;
  if (typeof o.host !== 'string' || typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 1 || o.port > 65535) {
    return { kind: 'invalid', text: 'it names no valid endpoint' };
  }
  if (!isLoopbackHost(o.host)) {
    return { kind: 'invalid', text: `it names the endpoint ${endpointOf(o.host, o.port)}, which is not on this machine (only loopback endpoints are used)` };
  }
  if (typeof o.repo !== 'string' || typeof o.project !== 'string' || typeof o.dataDir !== 'string') {
    return { kind: 'invalid', text: 'it does not say which repo it serves (written by hand, or by an older dynafeast)' };
  }
  if (o.repo !== me.repo || o.project !== me.project || o.dataDir !== me.dataDir) {
    return {
      kind: 'identity',
      text: `it was written for project "${o.project}" of the repo ${o.repo} (data ${o.dataDir}), not for project "${me.project}" of ${me.repo}`,
    };
  }
  return undefined;
}

function infoOf(record: LockRecord): LockInfo {
  const d = record.data as EmbeddedLockData;
  return { pid: record.pid, host: d.host, port: d.port, token: record.token };
}

function servedForAnother(path: string, record: LockRecord, other: Partial<EmbeddedLockData>): DynafeastError {
  return new DynafeastError(
    'embedded.locked',
    `The embedded store in ${other.dataDir} is served by process ${record.pid} for project "${other.project}" of the repo ${other.repo} (lock ${path}).`,
    {
      path: 'dynafeast.embedded.path',
      hint: `Give this repo its own dynafeast.embedded.path, or stop process ${record.pid} first.`,
    },
  );
}
