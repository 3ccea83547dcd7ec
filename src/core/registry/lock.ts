/**
 * A lock file beside the registry so two writers (apply, materialize, teardown — in one process or
 * several) never interleave a read-modify-write and lose each other's changes. The lock itself is the
 * shared file lock (../lock/file-lock.ts); this names it and words its error.
 */
import { DynafeastError } from '../errors.js';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DEFAULT_STALE_MS, withFileLock } from '../lock/file-lock.js';
import { describeFsError } from '../fs-error.js';

export interface LockOptions {
  /** How long to wait for another holder before giving up. */
  timeoutMs?: number;
  /** A lock older than this whose holder cannot be checked (another host) is considered abandoned. */
  staleMs?: number;
}

/** Runs `fn` while holding `<registryPath>.lock`. */
export async function withRegistryLock<T>(registryPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lockPath = `${registryPath}.lock`;
  // a folder that cannot be written fails here, before anything else is touched
  try {
    await mkdir(dirname(lockPath), { recursive: true });
  } catch (e) {
    throw describeFsError(e, { doing: 'take the registry lock in', path: dirname(lockPath), done: 'the registry is unchanged' }) ?? e;
  }
  return withFileLock(lockPath, fn, {
    timeoutMs: opts.timeoutMs ?? 30_000,
    staleMs: opts.staleMs ?? DEFAULT_STALE_MS,
    onTimeout: (holder) =>
      new DynafeastError(
        'registry.locked',
        `the registry is locked by another dynafeast process (${holder ? `pid ${holder.pid} on ${holder.host}, ` : ''}${lockPath})`,
        { hint: `wait for the other apply/materialize to finish; if none is running, delete ${lockPath}` },
      ),
  });
}
