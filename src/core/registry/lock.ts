/**
 * A lock file beside the registry so two writers (apply, materialize, teardown — in one process or
 * several) never interleave a read-modify-write and lose each other's changes.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DynafeastError } from '../errors.js';
import { describeFsError } from '../fs-error.js';

export interface LockOptions {
  /** How long to wait for another holder before giving up. */
  timeoutMs?: number;
  /** A lock older than this whose holder cannot be checked is considered abandoned. */
  staleMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  at: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const UNREADABLE_STALE_MS = 5_000;

/** Errors of link() on file systems without hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Takes the lock file, or returns false when another holder has it. The owner is written to a temp
 * file first and linked into place, so the lock never exists without its owner: a holder killed at any
 * moment leaves a lock the next writer can judge. A waiter killed before removing its temp file leaves
 * `registry.db.lock.<pid>.<id>.tmp`, which the next registry write clears.
 */
async function tryTake(lockPath: string, owner: string): Promise<boolean> {
  const mine = `${lockPath}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(mine, owner);
  try {
    await link(mine, lockPath);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code)) throw e;
  } finally {
    await rm(mine, { force: true });
  }
  // no hard links here: create exclusively, then write the owner (an unreadable lock is judged by age)
  try {
    const fh = await open(lockPath, 'wx');
    try {
      await fh.writeFile(owner);
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isAbandoned(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const owner = JSON.parse(await readFile(lockPath, 'utf8')) as LockOwner;
    if (owner.host === hostname()) return !processAlive(owner.pid);
    return Date.now() - owner.at > staleMs;
  } catch {
    // Unreadable: a lock taken without hard links by a holder killed while writing its owner (a holder
    // alive writes it within a millisecond), so a few seconds of age are enough.
    try {
      return Date.now() - (await stat(lockPath)).mtimeMs > Math.min(staleMs, UNREADABLE_STALE_MS);
    } catch {
      return false;
    }
  }
}

/** Runs `fn` while holding `<registryPath>.lock`. */
export async function withRegistryLock<T>(registryPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lockPath = `${registryPath}.lock`;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const staleMs = opts.staleMs ?? 10 * 60_000;
  const deadline = Date.now() + timeoutMs;
  // a folder that cannot be written fails here, before anything else is touched
  const take = async () => {
    try {
      await mkdir(dirname(lockPath), { recursive: true });
      return await tryTake(lockPath, JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() } satisfies LockOwner));
    } catch (e) {
      throw describeFsError(e, { doing: 'take the registry lock in', path: dirname(lockPath), done: 'the registry is unchanged' }) ?? e;
    }
  };
  for (;;) {
    if (await take()) break;
    if (await isAbandoned(lockPath, staleMs)) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new DynafeastError('registry.locked', `the registry is locked by another dynafeast process (${lockPath})`, {
        hint: `wait for the other apply/materialize to finish; if none is running, delete ${lockPath}`,
      });
    }
    await sleep(25 + Math.random() * 50);
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
