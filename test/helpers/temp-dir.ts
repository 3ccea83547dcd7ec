/**
 * The one way tests make temp folders: each is removed when the suite ends, passed or failed (KEEP_TMP=1
 * keeps them for a look after a failure). A test that wants its folder gone sooner removes it itself;
 * removing it twice is harmless.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();
// Registered when a suite imports this module; a benchmark (bench/, plain node) that imports it through
// another helper has no jest globals and makes no temp folders here.
if (typeof afterAll === 'function')
  afterAll(() => {
    if (process.env.KEEP_TMP) return;
    // NOTE: this hook is declared when the module is imported, so it runs before the suite's own top-level
    // afterAll hooks (jest runs them in declaration order): a child still writing into a folder may race the
    // removal, hence the retries.
    for (const dir of made) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    made.clear();
  });

/** A fresh temp folder, removed after the suite. */
export function tempRepoDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}
