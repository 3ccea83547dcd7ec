/**
 * The resumable spools of DynamoDB-source scans (architecture.md §4.11): `data/.dynafeast-scans/<view>-<key>/`
 * under the repo, `<key>` the hash of everything the spooled rows depend on (view, window, source settings,
 * columns, run). This module is the one place that finds, judges and removes them:
 *
 * - a scan of a view discards that view's spools of the same run (unsharded, one shard spec, export,
 *   verify) under another key — another window, or a changed view or source — instead of leaving them to
 *   pile up (they are never mixed in: a key names exactly one spec);
 * - a spool whose scan is running holds `scan.lock` (the one file lock, src/core/lock/), so it is never
 *   discarded under a live run, and a second run of the same scan is refused instead of sharing its pages;
 * - spools older than STALE_SPOOL_AGE_MS that no run resumed are named with how to delete them;
 * - teardown and apply remove the spools of the views they remove.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { readLockState } from '../../lock/file-lock.js';
import type { ProgressSink } from '../../progress.js';

export const SCANS_DIR = path.join('data', '.dynafeast-scans');
export const CHECKPOINT_FILE = 'checkpoint.json';
export const SCAN_LOCK_FILE = 'scan.lock';
/** A spool nobody resumed for this long is named in a notice (a week: longer than any retry of a nightly job). */
export const STALE_SPOOL_AGE_MS = 7 * 24 * 3600_000;

const SPOOL_NAME = /^(.+)-([0-9a-f]{24})$/;

/** What a spool folder says about itself. */
export interface SpoolInfo {
  dir: string;
  /** The folder's name under SCANS_DIR. */
  name: string;
  view: string;
  key: string;
  /** The run it belongs to ('' unsharded materialize, `i/N` a shard, `export`, `verify`); undefined: written by an older dynafeast (not resumable). */
  run?: string;
  table?: string;
  /** Last checkpoint write (or the folder's time without one). */
  modifiedMs: number;
  /** Its scan is running now (scan.lock held by a live process). */
  inUse: boolean;
}

export function scansRoot(repoPath: string): string {
  return path.join(repoPath, SCANS_DIR);
}

export function spoolName(view: string, key: string): string {
  return `${view}-${key}`;
}

/** Every spool under the repo (none when the folder does not exist). */
export async function listSpools(repoPath: string): Promise<SpoolInfo[]> {
  const root = scansRoot(repoPath);
  let names: string[];
  try {
    names = await readdir(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: SpoolInfo[] = [];
  for (const name of names) {
    const m = SPOOL_NAME.exec(name);
    if (!m) continue;
    const dir = path.join(root, name);
    let meta: { version?: number; view?: string; run?: string; table?: string } = {};
    let modifiedMs: number;
    try {
      const file = path.join(dir, CHECKPOINT_FILE);
      modifiedMs = (await stat(file)).mtimeMs;
      meta = JSON.parse(await readFile(file, 'utf8')) as typeof meta;
    } catch {
      // no checkpoint yet (a run stopped before its first page) or an unreadable one: judged by the folder
      modifiedMs = await stat(dir).then(
        (s) => s.mtimeMs,
        () => 0,
      );
    }
    const lock = await readLockState(path.join(dir, SCAN_LOCK_FILE)).catch(() => ({ kind: 'missing' as const }));
    out.push({
      dir,
      name,
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the pattern has two groups
      view: typeof meta.view === 'string' ? meta.view : m[1]!,
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the pattern has two groups
      key: m[2]!,
      ...(meta.version === 2 && typeof meta.run === 'string' ? { run: meta.run } : {}),
      ...(typeof meta.table === 'string' ? { table: meta.table } : {}),
      modifiedMs,
      inUse: lock.kind === 'held' && lock.liveness !== 'dead',
    });
  }
  return out;
}

/**
 * Removes the spools of `view` for `run` under another key than `key` (another window or definition,
 * or an older dynafeast's), except one whose scan is running. Returns what it removed.
 */
export async function discardStaleSpools(repoPath: string, view: string, run: string, key: string): Promise<SpoolInfo[]> {
  const stale = (await listSpools(repoPath)).filter((s) => s.view === view && s.key !== key && (s.run === undefined || s.run === run) && !s.inUse);
  for (const s of stale) await rm(s.dir, { recursive: true, force: true });
  return stale;
}

/** Spools no run has touched for `ageMs`, other than `exceptName`, whose scans are not running. */
export async function oldSpools(repoPath: string, nowMs: number, exceptName: string, ageMs = STALE_SPOOL_AGE_MS): Promise<SpoolInfo[]> {
  return (await listSpools(repoPath)).filter((s) => s.name !== exceptName && !s.inUse && nowMs - s.modifiedMs > ageMs);
}

/**
 * Teardown's and apply's removal: every spool of these views goes. A folder that cannot be removed does
 * not fail the command (its tables and registry are done): it is named, with how to remove it, in a
 * warning, which is also returned.
 */
export async function removeSpoolsOf(repoPath: string, views: readonly string[], progress: ProgressSink): Promise<string[]> {
  if (views.length === 0) return [];
  try {
    await removeViewSpools(repoPath, views);
    return [];
  } catch (e) {
    const message = `could not remove the DynamoDB scan spools of the removed view(s) under ${scansRoot(repoPath)} (${(e as Error).message}): delete them by hand`;
    progress({ type: 'warning', message });
    return [message];
  }
}

/** Removes every spool of these views (teardown, and apply removing views): nothing is left to resume. */
export async function removeViewSpools(repoPath: string, views: readonly string[]): Promise<string[]> {
  const gone = new Set(views);
  const removed: string[] = [];
  for (const s of await listSpools(repoPath)) {
    if (!gone.has(s.view)) continue;
    await rm(s.dir, { recursive: true, force: true });
    removed.push(s.name);
  }
  return removed;
}
