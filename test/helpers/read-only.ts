/**
 * Folders and files that refuse changes, for tests of file-system failures. Root writes through a 0555
 * folder, so as root the immutable attribute (chattr +i) stands in for the mode; it stops even root,
 * which then sees EPERM rather than EACCES. Both map to `fs.permissionDenied`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';

export const asRoot = process.getuid?.() === 0;

/**
 * `on`: nothing in folder `dir` can be created, renamed or removed (and the file `dir` cannot be changed
 * or, as root, removed). `off` undoes it; call it in a `finally` so the temp folder can be cleaned up.
 */
export function refuseChanges(p: string, on: boolean): void {
  if (!asRoot) {
    const folder = statSync(p).isDirectory();
    chmodSync(p, on ? (folder ? 0o555 : 0o444) : folder ? 0o755 : 0o644);
    return;
  }
  const r = spawnSync('chattr', [on ? '+i' : '-i', p]);
  if (r.status !== 0) throw new Error(`chattr ${on ? '+i' : '-i'} ${p} failed: ${String(r.stderr)}`);
}

/** A permission failure as this user meets it: EACCES, or EPERM as root (see above). */
export const PERMISSION_DENIED = /permission denied \(EACCES\)|operation not permitted \(EPERM\)/;
