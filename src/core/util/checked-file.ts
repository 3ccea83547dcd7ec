/**
 * The one way dynafeast opens a path a user named (feature_store.yaml, definition files, the registry,
 * entities files, data sources, the embedded store's key file): only regular files. A FIFO would block
 * a read forever (in the main thread, where no signal handler can run), and a device such as /dev/sda
 * or /dev/stdout would be read from or written over. Reads open with O_NONBLOCK and check the opened
 * descriptor, so a path swapped for a FIFO between the check and the open still cannot block.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { DynafeastError } from '../errors.js';

export interface FileRole {
  /** What the file is, for messages: `the registry`, `entities file`, … */
  what: string;
  /** Config key or flag that named it, e.g. `registry` or `--entities-file`. */
  path?: string;
}

const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The error for a path that exists but is not a regular file. */
export function notRegularFile(file: string, st: fs.Stats, role: FileRole): DynafeastError {
  return new DynafeastError('usage.notRegularFile', `${role.what} ${file} is ${kindOf(st)}, not a regular file; it was not opened`, {
    ...(role.path ? { path: role.path } : {}),
    hint: `point ${role.path ?? 'it'} at a regular file (dynafeast never reads from or writes to pipes, devices or sockets)`,
  });
}

/**
 * Reads a regular file whole. Errors of the file system (ENOENT, EACCES…) are thrown as they are, for the
 * caller to word; a path that is not a regular file is a `usage.notRegularFile` DynafeastError.
 */
export function readRegularFileSync(file: string, role: FileRole): Buffer {
  const before = fs.statSync(file);
  if (!before.isFile()) throw notRegularFile(file, before, role);
  const fd = fs.openSync(file, READ_FLAGS);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw notRegularFile(file, st, role);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** {@link readRegularFileSync}, asynchronously. */
export async function readRegularFile(file: string, role: FileRole): Promise<Buffer> {
  const before = await fsp.stat(file);
  if (!before.isFile()) throw notRegularFile(file, before, role);
  const fh = await fsp.open(file, READ_FLAGS);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw notRegularFile(file, st, role);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/**
 * Checks a path dynafeast is about to read through another library (DuckDB reading a data source) or to
 * replace (the registry, written to a temporary file and renamed over it): absent or a regular file.
 * Returns whether it exists.
 */
export function checkRegularOrAbsent(file: string, role: FileRole): boolean {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (st === undefined) {
    // a dangling symlink: renaming over it would be fine, reading it is not; the caller decides
    return false;
  }
  if (!st.isFile()) throw notRegularFile(file, st, role);
  // a symlink to a regular file: renaming over it would replace the link, not the file it names
  return true;
}
