/**
 * Leases: one file per process that reuses an embedded store another process serves. The serving
 * command waits for them before it stops, so a second command does not lose its server half-way.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import { liveness, thisProcess } from '../lock/liveness.js';

export const LEASE_DIR = 'dynafeast.users';

/** Registers this process as a user of the store; returns the lease file to remove when done. */
export function addLease(dataDir: string): string {
  const dir = join(dataDir, LEASE_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const path = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}`);
  // the holder's identity, so a lease of a dead process whose pid was reused is not waited for
  fs.writeFileSync(path, JSON.stringify(thisProcess()));
  return path;
}

export function removeLease(path: string): void {
  unlinkQuietly(path);
}

/** Pids of other live processes holding a lease; leases of dead processes are deleted on the way. */
export function liveLeaseholders(dataDir: string): number[] {
  const dir = join(dataDir, LEASE_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const pids = new Set<number>();
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    // a lease from another machine (a copied folder) is not a user of this machine's server
    if (liveness({ pid, ...holderOf(join(dir, name)) }) === 'alive') pids.add(pid);
    else unlinkQuietly(join(dir, name));
  }
  return [...pids];
}

/** The host and start time a lease names; nothing for an empty or foreign file (the pid decides). */
function holderOf(path: string): { host?: string; start?: string } {
  try {
    const v = JSON.parse(fs.readFileSync(path, 'utf8')) as { host?: unknown; start?: unknown };
    return { ...(typeof v.host === 'string' ? { host: v.host } : {}), ...(typeof v.start === 'string' ? { start: v.start } : {}) };
  } catch {
    return {};
  }
}

function unlinkQuietly(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // already gone
  }
}
