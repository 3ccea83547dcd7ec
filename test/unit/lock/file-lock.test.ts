import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readLockState, tryLock, withFileLock, type LockRecord } from '../../../src/core/lock/file-lock.js';
import { thisProcess } from '../../../src/core/lock/liveness.js';
import { defined } from '../../helpers/defined.js';
import { PERMISSION_DENIED, refuseChanges } from '../../helpers/read-only.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = tempRepoDir('dynafeast-file-lock-');
  path = join(dir, 'x.lock');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const DEAD_PID = 2 ** 22 + 12_345;
const record = (over: Partial<LockRecord> = {}): string => JSON.stringify({ ...thisProcess(), token: 'abcdef0123456789', at: Date.now(), ...over });
const age = async (p: string, ms: number) => {
  const t = (Date.now() - ms) / 1000;
  await utimes(p, t, t);
};

describe('tryLock', () => {
  it('writes its owner (pid, host, start time, token) and data, and release removes only its own lock', async () => {
    const r = await tryLock(path, { port: 8000 });
    if (!r.acquired) throw new Error('not acquired');
    const onDisk = JSON.parse(await readFile(path, 'utf8')) as LockRecord;
    expect(onDisk).toEqual({ ...thisProcess(), token: r.lock.record.token, at: r.lock.record.at, data: { port: 8000 } });
    expect(onDisk.token).toMatch(/^[0-9a-f]{16}$/);
    // a second taker in this process sees a live holder: the token is held here
    const second = await tryLock(path);
    expect(second).toEqual({ acquired: false, holder: onDisk });
    await r.lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('release leaves a lock that is no longer its own', async () => {
    const r = await tryLock(path);
    if (!r.acquired) throw new Error('not acquired');
    await writeFile(path, record({ pid: process.ppid, start: undefined, token: '0123456789abcdef' }));
    await r.lock.release();
    r.lock.releaseSync();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ token: '0123456789abcdef' });
  });

  it('takes over the lock of a dead holder, and of an earlier run that had this pid', async () => {
    await writeFile(path, record({ pid: DEAD_PID, start: undefined }));
    expect((await tryLock(path)).acquired).toBe(true);
    await rm(path);
    // our pid and start time, but a token this process does not hold: left by an earlier run whose pid we got
    await writeFile(path, record());
    expect((await tryLock(path)).acquired).toBe(true);
  });

  it('waits for a live holder on this host (no start time: the pid decides)', async () => {
    await writeFile(path, record({ pid: process.ppid, start: undefined }));
    expect(await tryLock(path)).toMatchObject({ acquired: false, holder: { pid: process.ppid } });
  });

  it('judges a holder on another host by age', async () => {
    await writeFile(path, record({ host: 'elsewhere.example', at: Date.now() - 1000 }));
    expect((await tryLock(path, undefined, { staleMs: 60_000 })).acquired).toBe(false);
    expect((await tryLock(path, undefined, { staleMs: 500 })).acquired).toBe(true);
  });

  it('waits for an unreadable lock while young, and takes it over once old', async () => {
    await writeFile(path, '{"pid": 12');
    expect(await tryLock(path)).toEqual({ acquired: false, holder: undefined });
    await age(path, 6_000);
    expect((await tryLock(path)).acquired).toBe(true);
  });

  it('takes over a live lock disown() rejects, and lets disown() refuse outright', async () => {
    await writeFile(path, record({ pid: process.ppid, start: undefined, data: { mine: false } }));
    const seen: unknown[] = [];
    const r = await tryLock(path, undefined, { disown: (rec, live) => (seen.push([rec.data, live]), true) });
    expect(r.acquired).toBe(true);
    expect(seen).toEqual([[{ mine: false }, 'alive']]);
    await rm(path);
    await writeFile(path, record({ pid: process.ppid, start: undefined }));
    await expect(
      tryLock(path, undefined, {
        disown: () => {
          throw new Error('refused');
        },
      }),
    ).rejects.toThrow('refused');
    expect(await readdir(dir)).toEqual(['x.lock']);
  });

  it('many waiters judging one stale lock at once: exactly one takes it over', async () => {
    for (let round = 0; round < 20; round++) {
      await writeFile(path, record({ pid: DEAD_PID, start: undefined, token: `${round}`.padStart(16, 'f') }));
      const results = await Promise.all(Array.from({ length: 12 }, () => tryLock(path)));
      const winners = results.filter((r) => r.acquired);
      expect(winners).toHaveLength(1);
      for (const r of results) if (!r.acquired) expect(r.holder?.token).toBe(defined(winners[0]).acquired && defined(winners[0]).lock.record.token);
      if (defined(winners[0]).acquired) await defined(winners[0]).lock.release();
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('a claim left by a taker killed while holding it neither blocks the takeover nor stays behind', async () => {
    const stale = 'aaaaaaaaaaaaaaaa';
    await writeFile(path, record({ pid: DEAD_PID, start: undefined, token: stale }));
    await writeFile(`${path}.stale-${stale}`, record({ pid: DEAD_PID, start: undefined, token: 'bbbbbbbbbbbbbbbb' }));
    // the first attempt clears the dead claim, a later one takes the lock
    const r = await withFileLock(path, async () => readLockState(path), { timeoutMs: 2000, onTimeout: () => new Error('timed out') });
    expect(r).toMatchObject({ kind: 'held', liveness: 'alive', record: { pid: process.pid } });
    expect(await readdir(dir)).toEqual([]);
  });

  it('clears temp files and claims of dead processes on taking the lock, and keeps live ones', async () => {
    const litter = [`x.lock.${DEAD_PID}.0badf00d.tmp`, `x.lock.stale-cccccccccccccccc`, `x.lock.stale-cccccccccccccccc.${DEAD_PID}.0badf00d.tmp`];
    const kept = [`x.lock.${process.pid}.feedface.tmp`, `x.lock.stale-dddddddddddddddd`, 'x.lock.notes'];
    await writeFile(join(dir, defined(litter[0])), record({ pid: DEAD_PID }));
    await writeFile(join(dir, defined(litter[1])), record({ pid: DEAD_PID, start: undefined, token: 'eeeeeeeeeeeeeeee' }));
    await writeFile(join(dir, defined(litter[2])), record({ pid: DEAD_PID }));
    await writeFile(join(dir, defined(kept[0])), record());
    await writeFile(join(dir, defined(kept[1])), record({ pid: process.ppid, start: undefined }));
    await writeFile(join(dir, defined(kept[2])), 'not ours');
    const r = await tryLock(path);
    expect(r.acquired).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['x.lock', ...kept].sort());
  });

  it('any content in the lock file: never throws, and an abandoned lock (dead or old and unreadable) is always taken over', async () => {
    const content = fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.json(),
      fc
        .record({
          pid: fc.oneof(fc.integer(), fc.double(), fc.string()),
          host: fc.oneof(fc.string(), fc.constant(hostname())),
          token: fc.string(),
          at: fc.integer(),
        })
        .map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(content, fc.boolean(), async (raw, old) => {
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir);
        await writeFile(path, raw);
        if (old) await age(path, 6_000);
        const before = await readLockState(path);
        const r = await tryLock(path, undefined, { staleMs: 60_000 });
        const abandoned =
          before.kind === 'unreadable'
            ? old
            : before.kind === 'held' && (before.liveness === 'dead' || (before.liveness === 'unknown' && Date.now() - before.record.at > 60_000));
        if (abandoned) expect(r.acquired).toBe(true);
        if (r.acquired) {
          expect(abandoned).toBe(true);
          await r.lock.release();
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('withFileLock', () => {
  it('runs holders one at a time, and times out with the holder named', async () => {
    let inside = 0;
    let most = 0;
    const run = () =>
      withFileLock(
        path,
        async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
        },
        { timeoutMs: 10_000, onTimeout: () => new Error('timed out') },
      );
    await Promise.all(Array.from({ length: 10 }, run));
    expect(most).toBe(1);
    expect(await readdir(dir)).toEqual([]);

    await writeFile(path, record({ pid: process.ppid, start: undefined }));
    await expect(withFileLock(path, async () => 1, { timeoutMs: 100, onTimeout: (h) => new Error(`held by ${h?.pid}`) })).rejects.toThrow(
      `held by ${process.ppid}`,
    );
  });
});

describe('file-system failures of the lock', () => {
  it('tryLock in a folder that cannot be written names the lock, the failure and what to do (fs.permissionDenied)', async () => {
    refuseChanges(dir, true);
    try {
      const err = await tryLock(path).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'fs.permissionDenied', path });
      expect((err as Error).message).toContain(`Could not create ${path}`);
      expect((err as Error).message).toMatch(PERMISSION_DENIED);
      expect((err as { hint?: string }).hint).toContain(path);
    } finally {
      refuseChanges(dir, false);
    }
  });

  it('withFileLock in a folder that cannot be created names that folder', async () => {
    await writeFile(join(dir, 'file'), '');
    const under = join(dir, 'file', 'x.lock');
    const err = await withFileLock(under, async () => 1, { timeoutMs: 100, onTimeout: () => new Error('timeout') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'fs.badPath', path: join(dir, 'file') });
    expect((err as Error).message).toContain(`Could not create the folder of the lock ${join(dir, 'file')}`);
  });
});
