/** Temp folders a suite makes and forgets: removed when the suite ends (KEEP_TMP=1 keeps them for a look after a failure). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();
// Registered when a suite imports this module.
afterAll(() => {
  if (process.env.KEEP_TMP) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
});

/** A fresh temp folder, removed after the suite. */
export function tempRepoDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}
