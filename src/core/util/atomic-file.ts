/**
 * A small file replaced whole or not at all: written to a temp file next to it, flushed, then renamed
 * over it, so a crash leaves either the old content or the new (a scan checkpoint, a spooled page).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await mkdir(path.dirname(file), { recursive: true });
  try {
    const fh = await open(tmp, 'w', 0o644);
    try {
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
