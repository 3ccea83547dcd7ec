import { chmod, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { withRegistryLock } from '../../../src/core/registry/lock.js';
import { asRoot, PERMISSION_DENIED, refuseChanges } from '../../helpers/read-only.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

let dir: string;
let registry: string;
beforeEach(async () => {
  dir = tempRepoDir('dynafeast-lock-');
  registry = join(dir, 'registry.db');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const DEAD_PID = 2 ** 22 + 12_345; // above Linux's pid_max default, so never a live process

describe('withRegistryLock', () => {
  it('writes its owner into the lock while held, and leaves no file behind', async () => {
    const seen = await withRegistryLock(registry, async () => JSON.parse(await readFile(`${registry}.lock`, 'utf8')) as { pid: number; host: string });
    expect(seen).toMatchObject({ pid: process.pid, host: hostname() });
    expect(await readdir(dir)).toEqual([]);
  });

  it('waits for a live holder and then says who to wait for', async () => {
    await writeFile(`${registry}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }));
    await expect(withRegistryLock(registry, async () => 1, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'registry.locked' });
  });

  it('takes over the lock of a holder on this host that has died', async () => {
    await writeFile(`${registry}.lock`, JSON.stringify({ pid: DEAD_PID, host: hostname(), at: Date.now() }));
    await expect(withRegistryLock(registry, async () => 'mine', { timeoutMs: 1000 })).resolves.toBe('mine');
  });

  it('takes over an unreadable lock a few seconds old (a holder killed while writing it), not a fresh one', async () => {
    await writeFile(`${registry}.lock`, '');
    await expect(withRegistryLock(registry, async () => 1, { timeoutMs: 150 })).rejects.toMatchObject({ code: 'registry.locked' });
    const old = (Date.now() - 6_000) / 1000;
    await utimes(`${registry}.lock`, old, old);
    const started = Date.now();
    await expect(withRegistryLock(registry, async () => 'mine', { timeoutMs: 2000 })).resolves.toBe('mine');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('runs holders one at a time', async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        withRegistryLock(registry, async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 10));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('withRegistryLock: file-system failures of the lock itself', () => {
  it('a folder where the lock cannot be written: what failed, where, what to do, and that nothing changed', async () => {
    refuseChanges(dir, true);
    try {
      const err = await withRegistryLock(registry, async () => 'ran').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'fs.permissionDenied', path: `${registry}.lock` });
      const { message, hint } = err as { message: string; hint: string };
      expect(message).toContain(`Could not create ${registry}.lock`);
      expect(message).toMatch(PERMISSION_DENIED);
      expect(message).toContain('The registry is unchanged.');
      expect(hint).toContain(`${registry}.lock`);
    } finally {
      refuseChanges(dir, false);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('an abandoned lock that cannot be read (or, as root, removed) is described, not left to the generic mapper', async () => {
    const lock = `${registry}.lock`;
    await writeFile(lock, JSON.stringify({ pid: DEAD_PID, host: hostname(), at: Date.now() }));
    // as another user: unreadable (reading it fails); as root, which reads anything: immutable (removing it fails)
    if (asRoot) refuseChanges(lock, true);
    else await chmod(lock, 0o000);
    try {
      const err = await withRegistryLock(registry, async () => 'ran', { timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'fs.permissionDenied', path: lock });
      const { message } = err as { message: string };
      expect(message).toContain(asRoot ? `Could not remove the abandoned lock ${lock}` : `Could not read the lock ${lock}`);
      expect(message).toMatch(PERMISSION_DENIED);
      expect(message).toContain('The registry is unchanged.');
    } finally {
      if (asRoot) refuseChanges(lock, false);
      else await chmod(lock, 0o644);
    }
  });

  it('an error of the locked work itself passes unchanged', async () => {
    const own = Object.assign(new Error('disk full inside fn'), { code: 'ENOSPC' });
    await expect(withRegistryLock(registry, () => Promise.reject(own))).rejects.toBe(own);
  });
});
