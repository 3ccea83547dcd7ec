/**
 * The one file lock: the registry's `registry.db.lock` and the embedded store's `dynafeast.lock` are both
 * taken, judged, taken over and released here.
 *
 * - Taking it is one atomic step: the owner is written to a temp file and hard-linked into place (or, on
 *   file systems without hard links, created with O_EXCL), so a lock never exists without its owner.
 * - The owner names its process by pid, host and start time (./liveness.ts) plus a random token, so a
 *   lock of a dead process is told apart from one of a live process that got the same pid.
 * - A stale lock is removed only by whoever creates `<lock>.stale-<token>` first (O_EXCL): that file
 *   gives one process the right to remove that one lock, and it re-reads the lock before removing it, so
 *   a waiter that judged an old lock never removes the fresh lock of the process that took over. Check,
 *   remove and create are then safe to race in any number of processes.
 * - Release removes the lock only while it still holds this holder's token.
 * - Every file-system failure of taking, reading or removing a lock is told by the one describer
 *   (../fs-error.ts): which file, what was being done, what to do; never a bare errno.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { link, mkdir, open, readdir, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeFsError, withDone } from '../fs-error.js';
import { backoffDelayMs } from '../util/retry.js';
import { notRegularFile } from '../util/checked-file.js';
import { sleep } from '../util/sleep.js';
import { liveness, pidExists, thisProcess, type Liveness, type ProcessRef } from './liveness.js';

/** What a lock file holds: its holder, and what the holder publishes (the embedded store: its endpoint). */
export interface LockRecord<D = unknown> extends ProcessRef {
  /** Random per acquisition: tells this holding apart from any other, even of the same process. */
  token: string;
  /** When it was taken (epoch ms): judges a holder on another host, whose process cannot be checked. */
  at: number;
  data?: D;
}

/** What the lock path holds right now. */
export type LockState =
  { kind: 'missing' } | { kind: 'held'; record: LockRecord; key: string; liveness: Liveness } | { kind: 'unreadable'; key: string; ageMs: number };

export interface HeldLock<D> {
  path: string;
  record: LockRecord<D>;
  /** Removes the lock if it is still this holding's. Never throws. */
  release(): Promise<void>;
  /** The same, for `process.on('exit')`, where nothing asynchronous runs. */
  releaseSync(): void;
}

export interface TryLockOptions {
  /** A holder on another host (cannot be checked) is presumed gone this long after taking the lock. */
  staleMs?: number;
  /**
   * A live holder's lock this returns true for is treated as abandoned anyway (it is not a lock on this
   * resource, e.g. it was copied here). May throw to refuse outright.
   */
  disown?: (record: LockRecord, liveness: Liveness) => boolean;
}

export type TryLockResult<D> = { acquired: true; lock: HeldLock<D> } | { acquired: false; holder?: LockRecord };

export interface WithLockOptions extends TryLockOptions {
  /** How long to wait for the holder before giving up with `onTimeout`'s error. */
  timeoutMs: number;
  onTimeout: (holder: LockRecord | undefined) => Error;
  /** What is (un)done when taking the lock fails, added to a file-system error, e.g. `the registry is unchanged`. */
  done?: string;
}

export const DEFAULT_STALE_MS = 10 * 60_000;
/**
 * A lock that cannot be parsed was written by hand, damaged, or (only without hard links) is being
 * written right now: a live holder finishes within milliseconds, so after this long it is abandoned.
 */
export const UNREADABLE_GRACE_MS = 5_000;
const WAIT_BACKOFF = { baseMs: 2, capMs: 25 };

/** `e` as the one file-system error (what failed, where, what to do) when it is one; else `e` itself. */
function lockFsError(e: unknown, doing: string, path: string): unknown {
  return describeFsError(e, { doing, path }) ?? e;
}

/**
 * Removes one file, done when it is already gone. NOTE: not `rm({ force })`: on a file it may not remove
 * (immutable, EPERM) that retries it as a folder and reports ENOTDIR, which would name the wrong failure.
 */
async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function removeFileSync(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Tokens this process holds: a lock with our own pid and another token is an earlier run's, or a claim. */
const heldHere = new Set<string>();

/**
 * Takes the lock at `path` if it is free or abandoned (its holder died, or `disown` says so), else
 * returns the live holder (undefined while the lock is unreadable but young).
 */
export async function tryLock<D>(path: string, data?: D, opts: TryLockOptions = {}): Promise<TryLockResult<D>> {
  const record: LockRecord<D> = { ...thisProcess(), token: randomBytes(8).toString('hex'), at: Date.now(), ...(data === undefined ? {} : { data }) };
  heldHere.add(record.token);
  try {
    // a lock that vanishes between our create and our read is retried, a bounded number of times
    for (let round = 0; round < 50; round++) {
      if (await createExclusive(path, JSON.stringify(record))) {
        await removeLitter(path);
        return { acquired: true, lock: heldLock(path, record) };
      }
      const state = await readLockState(path);
      if (state.kind === 'missing') continue;
      if (!isAbandoned(state, opts)) {
        heldHere.delete(record.token);
        return { acquired: false, holder: state.kind === 'held' ? state.record : undefined };
      }
      await removeIfStill(path, state.key);
    }
    heldHere.delete(record.token);
    return { acquired: false };
  } catch (e) {
    heldHere.delete(record.token);
    throw e;
  }
}

/** Runs `fn` holding the lock at `path`, waiting up to `timeoutMs` for another holder. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, opts: WithLockOptions): Promise<T> {
  let lock: HeldLock<undefined> | undefined;
  try {
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (e) {
      throw lockFsError(e, 'create the folder of the lock', dirname(path));
    }
    const deadline = Date.now() + opts.timeoutMs;
    for (let attempt = 0; !lock; attempt++) {
      const r = await tryLock<undefined>(path, undefined, opts);
      if (r.acquired) lock = r.lock;
      else if (Date.now() > deadline) throw opts.onTimeout(r.holder);
      else await sleep(1 + backoffDelayMs(attempt, WAIT_BACKOFF));
    }
  } catch (e) {
    // only failures of taking the lock: what `fn` throws is its own and passes unchanged
    throw opts.done === undefined ? e : withDone(e, opts.done);
  }
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

const LOCK_READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);
const LOCK_FILE_ROLE = { what: 'the lock file' };

/** Reads and judges the lock file without taking it. */
export async function readLockState(path: string): Promise<LockState> {
  let raw: string;
  let st: fs.Stats;
  try {
    // non-blocking, and only a regular file: a FIFO put where the lock goes must not hang the command
    const fh = await open(path, LOCK_READ_FLAGS);
    try {
      st = await fh.stat();
      if (!st.isFile()) throw notRegularFile(path, st, LOCK_FILE_ROLE);
      raw = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw lockFsError(e, 'read the lock', path);
  }
  return judge(raw, st);
}

/** The same, synchronous. */
export function readLockStateSync(path: string): LockState {
  let raw: string;
  let st: fs.Stats;
  try {
    const fd = fs.openSync(path, LOCK_READ_FLAGS);
    try {
      st = fs.fstatSync(fd);
      if (!st.isFile()) throw notRegularFile(path, st, LOCK_FILE_ROLE);
      raw = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw lockFsError(e, 'read the lock', path);
  }
  return judge(raw, st);
}

function judge(raw: string, st: fs.Stats): LockState {
  const record = parseRecord(raw);
  if (!record) {
    // no token to name it by: the content and the inode's identity and age stand in for one
    const key = `x${createHash('sha256').update(`${raw}\0${st.ino}\0${st.mtimeMs}`).digest('hex').slice(0, 16)}`;
    return { kind: 'unreadable', key, ageMs: Date.now() - st.mtimeMs };
  }
  const key = /^[0-9a-f]{8,64}$/.test(record.token) ? record.token : `x${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
  return { kind: 'held', record, key, liveness: holderLiveness(record) };
}

function parseRecord(raw: string): LockRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.pid !== 'number') return undefined;
  return {
    pid: o.pid,
    // a lock without a host (older dynafeast) was written on this machine, as far as we can tell
    host: typeof o.host === 'string' ? o.host : thisProcess().host,
    ...(typeof o.start === 'string' ? { start: o.start } : {}),
    token: typeof o.token === 'string' ? o.token : '',
    at: typeof o.at === 'number' ? o.at : 0,
    ...(o.data !== undefined ? { data: o.data } : {}),
  };
}

function holderLiveness(r: LockRecord): Liveness {
  const me = thisProcess();
  // this process: alive exactly while it holds that token (else an earlier run that had our pid); a lock
  // without a start time (older dynafeast, no /proc) cannot be told from ours, so the pid decides
  if (r.pid === me.pid && r.host === me.host && r.start !== undefined && r.start === me.start) return heldHere.has(r.token) ? 'alive' : 'dead';
  return liveness(r);
}

function isAbandoned(state: Exclude<LockState, { kind: 'missing' }>, opts: TryLockOptions): boolean {
  if (state.kind === 'unreadable') return state.ageMs > Math.min(opts.staleMs ?? DEFAULT_STALE_MS, UNREADABLE_GRACE_MS);
  if (state.liveness === 'dead') return true;
  if (opts.disown?.(state.record, state.liveness)) return true;
  return state.liveness === 'unknown' && Date.now() - state.record.at > (opts.staleMs ?? DEFAULT_STALE_MS);
}

/**
 * Removes the file at `path` if it is still the one named `key`, never a newer one: only the process that
 * creates `<path>.stale-<key>` may remove it, and it checks again once it holds that claim. A claim left
 * by a process killed while holding it is itself removed the same way.
 */
async function removeIfStill(path: string, key: string, depth = 0): Promise<void> {
  const claim = `${path}.stale-${key}`;
  const token = randomBytes(8).toString('hex');
  // while it exists the claim is as alive as this process
  heldHere.add(token);
  let claimed: boolean;
  try {
    claimed = await createExclusive(claim, JSON.stringify({ ...thisProcess(), token, at: Date.now() } satisfies LockRecord));
  } catch (e) {
    heldHere.delete(token);
    throw e;
  }
  if (!claimed) {
    heldHere.delete(token);
    if (depth >= 2) return;
    const other = await readLockState(claim);
    if (other.kind === 'missing') return;
    if (other.kind === 'unreadable' ? other.ageMs > UNREADABLE_GRACE_MS : other.liveness === 'dead') await removeIfStill(claim, other.key, depth + 1);
    return;
  }
  try {
    const now = await readLockState(path);
    if (now.kind !== 'missing' && now.key === key)
      await removeFile(path).catch((e: unknown) => Promise.reject(lockFsError(e, 'remove the abandoned lock', path)));
  } finally {
    heldHere.delete(token);
    await removeFile(claim).catch((e: unknown) => Promise.reject(lockFsError(e, 'remove the claim on an abandoned lock', claim)));
  }
}

/** Errors of link() on file systems without hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Creates `path` holding `content` unless it exists, in one step others cannot observe half-done. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const tmp = tempName(path);
  try {
    await writeFile(tmp, content);
  } catch (e) {
    // the write's own failure is the one to report; a temp file it may have left is litter (removeLitter)
    await removeFile(tmp).catch(() => {});
    throw lockFsError(e, 'create', path);
  }
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code)) throw lockFsError(e, 'create', path);
  } finally {
    await removeFile(tmp).catch((e: unknown) => Promise.reject(lockFsError(e, 'remove the temp file', tmp)));
  }
  try {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(content);
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockFsError(e, 'create', path);
  }
}

const tempName = (path: string) => `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
// the lock's and a claim's (`<lock>.stale-<key>.<pid>.<id>.tmp`) temp files
const TEMP = /(?:^|\.)(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Files a process killed mid-way leaves beside the lock: a creator's temp file (`<lock>.<pid>.<id>.tmp`)
 * and a taker's claim (`<lock>.stale-<key>`). Whoever takes the lock next removes those of dead
 * processes (best effort: the lock is fine either way).
 */
export async function removeLitter(path: string): Promise<void> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    try {
      const temp = TEMP.exec(rest);
      // our own pid's temp files belong to a waiter of this process taking the lock right now
      if (temp) {
        const pid = Number(temp[1]);
        if (pid !== process.pid && !pidExists(pid)) await removeFile(join(dir, name));
      } else if (rest.startsWith('stale-')) {
        const claim = await readLockState(join(dir, name));
        if (claim.kind === 'held' && claim.liveness === 'dead') await removeIfStill(join(dir, name), claim.key);
      }
    } catch {
      // left for the next holder
    }
  }
}

function heldLock<D>(path: string, record: LockRecord<D>): HeldLock<D> {
  const mine = (s: LockState) => s.kind === 'held' && s.record.token === record.token;
  return {
    path,
    record,
    async release() {
      try {
        if (mine(await readLockState(path))) await removeFile(path);
      } catch {
        // unreadable or gone: not ours to remove
      } finally {
        heldHere.delete(record.token);
      }
    },
    releaseSync() {
      try {
        if (mine(readLockStateSync(path))) removeFileSync(path);
      } catch {
        // as above
      } finally {
        heldHere.delete(record.token);
      }
    },
  };
}
