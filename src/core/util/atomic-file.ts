/**
 * A small file replaced whole or not at all: written to a temp file next to it, flushed, then renamed
 * over it, so a crash leaves either the old content or the new (a scan checkpoint, a spooled page).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `bytes` to `file` through `<file>.<pid>.<id>.tmp` (the name registry-file.ts's stale-temp
 * sweep knows). `keepMode`: the new inode gets the replaced file's permission bits (a registry kept 0600
 * stays 0600); a new file is 0644, readable by others as Feast writes its files.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array | string, opts: { keepMode?: boolean } = {}): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await mkdir(path.dirname(file), { recursive: true });
  try {
    const mode = opts.keepMode ? await modeOf(file) : undefined;
    const fh = await open(tmp, 'w', mode ?? 0o644);
    try {
      if (mode !== undefined) await fh.chmod(mode);
      await fh.writeFile(bytes);
      // flushed before the rename, or a crash could leave an empty file under the real name
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

/** Permission bits of the file at `file`; undefined when there is none yet. */
async function modeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mode & 0o7777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Renames a finished temp file into place after flushing it (the file was written by someone else, e.g. DuckDB). */
export async function commitFile(tmp: string, file: string): Promise<void> {
  const fh = await open(tmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}
