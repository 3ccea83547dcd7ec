/**
 * Which files hold feature definitions (architecture.md §2.2): every *.yaml / *.yml under the repo except
 * config files, skipping `data/` at the root, dot-folders, node_modules and __pycache__. Paths are
 * relative (with `/`) and sorted by code point, so the order never depends on the file system.
 *
 * A definition file that cannot be read is listed anyway (the reader reports it): leaving it out would
 * make `apply` delete the tables of the views it defines. A folder that cannot be listed is an error.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { DynafeastError } from '../errors.js';
import { notRegularFile } from '../util/checked-file.js';

const SKIPPED_DIRS = new Set(['node_modules', '__pycache__']);
const CONFIG_FILE = 'feature_store.yaml';

export interface FindOptions {
  /** Repo-relative paths (with `/`) of files to leave out, e.g. a config passed with -f. */
  excludeFiles?: readonly string[];
  /** Repo-relative folders to leave out, e.g. the embedded store's data folder. */
  excludeDirs?: readonly string[];
}

function isYaml(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.endsWith('.yaml') || lower.endsWith('.yml');
}

export function findDefinitionFiles(root: string, opts: FindOptions = {}): string[] {
  const excludeFiles = new Set(opts.excludeFiles ?? []);
  const excludeDirs = new Set(['data', ...(opts.excludeDirs ?? [])].map((d) => d.replace(/\/+$/, '')));
  const found: string[] = [];

  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new DynafeastError('repo.badYaml', `Cannot list the folder ${rel || '.'} of the feature repo (${code}): definition files in it would be missed.`, {
        location: { file: rel || '.' },
        hint: 'Fix its permissions, or move it out of the repo (or under data/, which is not searched).',
        cause: e,
      });
    }
    for (const d of entries) {
      const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
      // Symlinked folders are not followed: they can loop, and a repo should not span trees.
      let isDir = d.isDirectory();
      let isFile = d.isFile();
      let special = !isDir && !isFile && !d.isSymbolicLink();
      if (d.isSymbolicLink()) {
        const s = statSync(path.join(abs, d.name), { throwIfNoEntry: false });
        // a broken link named like a definition file is kept: reading it reports the dangling target
        isFile = s ? s.isFile() : true;
        isDir = false;
        special = s !== undefined && !s.isFile() && !s.isDirectory();
      }
      // a FIFO or device named like a definition file would block or garble the load: refused by name
      if (special && isYaml(d.name) && d.name !== CONFIG_FILE && !excludeFiles.has(childRel)) {
        throw notRegularFile(childRel, statSync(path.join(abs, d.name)), { what: 'definition file' });
      }
      if (isDir) {
        if (d.name.startsWith('.') || SKIPPED_DIRS.has(d.name) || excludeDirs.has(childRel)) continue;
        walk(childRel);
      } else if (isFile && isYaml(d.name) && d.name !== CONFIG_FILE && !excludeFiles.has(childRel)) {
        found.push(childRel);
      }
    }
  };
  walk('');
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
