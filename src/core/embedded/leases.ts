/**
 * Leases: one file per process that reuses an embedded store another process serves. The serving
 * command waits for them before it stops, so a second command does not lose its server half-way.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import { isPidAlive, unlinkQuietly } from './lock.js';

export const LEASE_DIR = 'dynafeast.users';

/** Registers this process as a user of the store; returns the lease file to remove when done. */
export function addLease(dataDir: string): string {
  const dir = join(dataDir, LEASE_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const path = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.writeFileSync(path, '');
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
    if (isPidAlive(pid)) pids.add(pid);
    else unlinkQuietly(join(dir, name));
  }
  return [...pids];
}
