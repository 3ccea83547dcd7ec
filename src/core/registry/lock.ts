/**
 * A lock file beside the registry so two writers (apply, materialize, teardown — in one process or
 * several) never interleave a read-modify-write and lose each other's changes. The lock itself is the
 * shared file lock (../lock/file-lock.ts); this names it and words its error.
 */
import { DynafeastError } from '../errors.js';
import { DEFAULT_STALE_MS, withFileLock } from '../lock/file-lock.js';

export interface LockOptions {
  /** How long to wait for another holder before giving up. */
  timeoutMs?: number;
  /** A lock older than this whose holder cannot be checked (another host) is considered abandoned. */
  staleMs?: number;
}

/** Runs `fn` while holding `<registryPath>.lock`. */
export async function withRegistryLock<T>(registryPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lockPath = `${registryPath}.lock`;
  // a folder that cannot be written, or a lock that cannot be read or removed, fails before anything else
  // is touched: the file lock names the file and the failure, this adds that nothing was changed
  return withFileLock(lockPath, fn, {
    timeoutMs: opts.timeoutMs ?? 30_000,
    staleMs: opts.staleMs ?? DEFAULT_STALE_MS,
    done: 'the registry is unchanged',
    onTimeout: (holder) =>
      new DynafeastError(
        'registry.locked',
        `the registry is locked by another dynafeast process (${holder ? `pid ${holder.pid} on ${holder.host}, ` : ''}${lockPath})`,
        { hint: `wait for the other apply/materialize to finish; if none is running, delete ${lockPath}` },
      ),
  });
}
