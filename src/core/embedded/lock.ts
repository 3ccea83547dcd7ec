/**
 * The lock that makes one process at a time serve a data folder: dynalite crashes its process when a
 * second LevelDB handle opens the same folder, so nothing opens it without holding this lock first.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../util/sleep.js';

export const LOCK_FILE = 'dynafeast.lock';

/** The lock file's JSON: who serves the folder and where. */
export interface LockInfo {
  pid: number;
  host: string;
  port: number;
  startedAt: string;
  /** Tells this holder's lock apart from a later one written by a recycled pid. */
  token: string;
}

export type AcquireResult = { acquired: true; lock: LockInfo } | { acquired: false; lock: LockInfo };

// A lock is written right after it is created; an unreadable one older than this was left half-written.
const UNREADABLE_GRACE_MS = 2000;

export function lockPathOf(dataDir: string): string {
  return join(dataDir, LOCK_FILE);
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates the lock atomically, or returns the live holder's lock. Stale locks (dead pid) are taken over.
 * `servedHere` holds the folders this process serves or is starting; a created lock is added to it before
 * anything else runs, and a lock with our own pid that is not in it was left by an earlier run: stale.
 */
export async function acquireLock(
  dataDir: string,
  where: { host: string; port: number },
  servedHere: Set<string>,
): Promise<AcquireResult> {
  const path = lockPathOf(dataDir);
  const mine: LockInfo = {
    pid: process.pid,
    host: where.host,
    port: where.port,
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  for (;;) {
    if (tryCreate(path, mine)) {
      servedHere.add(dataDir);
      return { acquired: true, lock: mine };
    }
    const found = readLock(path);
    if (found === 'missing') continue;
    if (found === 'unreadable') {
      if (ageMs(path) < UNREADABLE_GRACE_MS) {
        await sleep(50);
        continue;
      }
      takeOver(path, undefined);
      continue;
    }
    const ours = found.lock.pid === process.pid;
    if ((ours && servedHere.has(dataDir)) || (!ours && isPidAlive(found.lock.pid))) return { acquired: false, lock: found.lock };
    takeOver(path, found.raw);
  }
}

/** Deletes the lock only if it is still the one `lock` describes. Never throws. */
export function releaseLock(dataDir: string, lock: LockInfo): void {
  const path = lockPathOf(dataDir);
  const found = readLock(path);
  if (typeof found === 'object' && found.lock.token === lock.token) unlinkQuietly(path);
}

function tryCreate(path: string, lock: LockInfo): boolean {
  let fd: number;
  try {
    fd = fs.openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    fs.writeSync(fd, JSON.stringify(lock));
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

type ReadResult = { lock: LockInfo; raw: string } | 'missing' | 'unreadable';

export function readLock(path: string): ReadResult {
  let raw: string;
  try {
    raw = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  try {
    const v = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.port === 'number') {
      return { lock: { host: '127.0.0.1', startedAt: '', token: '', ...v } as LockInfo, raw };
    }
  } catch {
    // fall through: still being written, or damaged
  }
  return 'unreadable';
}

/**
 * Moves a stale lock aside. Two processes may judge the same lock stale; rename lets only one of them
 * move it, and whoever moved a lock that is no longer the stale one puts it back.
 */
function takeOver(path: string, staleRaw: string | undefined): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  let movedRaw: string | undefined;
  try {
    movedRaw = fs.readFileSync(aside, 'utf8');
  } catch {
    movedRaw = undefined;
  }
  if (staleRaw !== undefined && movedRaw !== staleRaw) {
    try {
      fs.linkSync(aside, path);
    } catch {
      // a newer lock exists already; it wins
    }
  }
  unlinkQuietly(aside);
}

function ageMs(path: string): number {
  try {
    return Date.now() - fs.statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

export function unlinkQuietly(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // already gone
  }
}
