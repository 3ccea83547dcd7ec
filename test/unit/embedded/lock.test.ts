import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { acquireLock, disbelief, LOCK_FILE, type StoreIdentity } from '../../../src/core/embedded/lock.js';
import { isLoopbackHost } from '../../../src/core/embedded/target.js';
import type { LockRecord } from '../../../src/core/lock/file-lock.js';
import { defined } from '../../helpers/defined.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

let root: string;
let me: StoreIdentity;
let warnings: string[];
const warn = (m: string) => warnings.push(m);
const where = { host: '127.0.0.1', port: 8123 };

beforeEach(() => {
  root = tempRepoDir('dynafeast-embedded-lock-');
  me = { repo: join(root, 'repo'), project: 'shop', dataDir: join(root, 'repo/data/online_store') };
  mkdirSync(me.dataDir, { recursive: true });
  warnings = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const lockPath = () => join(me.dataDir, LOCK_FILE);
/** A lock as a live process (the test runner's parent) serving `data` would have written it. */
const liveLock = (data: Record<string, unknown>, over: Partial<LockRecord> = {}) =>
  writeFileSync(lockPath(), JSON.stringify({ pid: process.ppid, host: hostname(), token: '1234567890abcdef', at: Date.now(), data, ...over }));
const ours = (over: Record<string, unknown> = {}) => ({ ...me, host: '127.0.0.1', port: 9000, startedAt: '2026-01-01T00:00:00Z', ...over });

describe('the embedded store lock', () => {
  it('names the holder, its loopback endpoint and the repo, project and folder it serves', async () => {
    const r = await acquireLock(me, where, warn);
    expect(r.acquired).toBe(true);
    const onDisk = JSON.parse(readFileSync(lockPath(), 'utf8')) as LockRecord;
    expect(onDisk).toMatchObject({ pid: process.pid, host: hostname(), data: { ...me, ...where } });
    if (r.acquired) r.held.releaseSync();
    expect(readdirSync(me.dataDir)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('hands back a live holder of this very store, to reuse its endpoint', async () => {
    liveLock(ours());
    expect(await acquireLock(me, where, warn)).toEqual({
      acquired: false,
      lock: { pid: process.ppid, host: '127.0.0.1', port: 9000, token: '1234567890abcdef' },
    });
    expect(warnings).toEqual([]);
  });

  it('ignores, with a warning, a lock copied along with the repo from another one whose server still runs', async () => {
    const original = { repo: join(root, 'original'), project: 'shop', dataDir: join(root, 'original/data/online_store') };
    liveLock(ours(original));
    const r = await acquireLock(me, where, warn);
    expect(r.acquired).toBe(true);
    expect(JSON.parse(readFileSync(lockPath(), 'utf8'))).toMatchObject({ pid: process.pid, data: me });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(lockPath());
    expect(warnings[0]).toContain(original.repo);
    expect(warnings[0]).toMatch(/delete that file/);
  });

  it.each([
    ['a non-loopback IP', { host: '10.1.2.3' }, 'http://10.1.2.3:9000'],
    ['a host name', { host: 'db.example.com' }, 'http://db.example.com:9000'],
    ['the unspecified address', { host: '0.0.0.0' }, 'http://0.0.0.0:9000'],
    ['no port', { port: undefined }, 'no valid endpoint'],
    ['no repo', { repo: undefined }, 'does not say which repo'],
  ])('ignores, with a warning, a hand-written lock naming %s', async (_what, over, said) => {
    liveLock(ours(over));
    const r = await acquireLock(me, where, warn);
    expect(r.acquired).toBe(true);
    expect(warnings).toEqual([expect.stringContaining(said)]);
  });

  it('ignores an older dynafeast’s lock (no repo named) and one written on another machine', async () => {
    writeFileSync(lockPath(), JSON.stringify({ pid: process.ppid, host: '127.0.0.1', port: 9000, startedAt: '', token: 't' }));
    expect((await acquireLock(me, where, warn)).acquired).toBe(true);
    rmSync(lockPath());
    liveLock(ours(), { host: 'elsewhere.example' });
    expect((await acquireLock(me, where, warn)).acquired).toBe(true);
    expect(warnings).toEqual([expect.stringContaining('does not say which repo'), expect.stringContaining('another machine (elsewhere.example)')]);
  });

  it('refuses, rather than open the folder twice, when another repo’s live server serves this very folder', async () => {
    liveLock(ours({ repo: join(root, 'other'), project: 'other' }));
    await expect(acquireLock(me, where, warn)).rejects.toMatchObject({ code: 'embedded.locked', message: expect.stringContaining(join(root, 'other')) });
    expect(JSON.parse(readFileSync(lockPath(), 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('believes a lock only when it names a loopback endpoint and exactly this repo, project and folder', () => {
    const text = fc.oneof(fc.string(), fc.constantFrom(me.repo, me.project, me.dataDir, '127.0.0.1', 'localhost', '::1', '10.0.0.1', '0.0.0.0'));
    const data = fc.record(
      { repo: text, project: text, dataDir: text, host: text, port: fc.oneof(fc.integer({ min: -1, max: 70000 }), fc.double()) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(data, (d) => {
        const why = disbelief({ pid: 1, host: hostname(), token: 'x', at: 0, data: d }, me);
        const believed =
          d.repo === me.repo &&
          d.project === me.project &&
          d.dataDir === me.dataDir &&
          typeof d.host === 'string' &&
          isLoopbackHost(d.host) &&
          Number.isInteger(d.port) &&
          defined(d.port) >= 1 &&
          defined(d.port) <= 65535;
        expect(why === undefined).toBe(believed);
      }),
      { numRuns: 500 },
    );
  });

  it('counts only loopback addresses as loopback', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'a.localhost', '::1', '[::1]']) expect({ h, ok: isLoopbackHost(h) }).toEqual({ h, ok: true });
    for (const h of ['0.0.0.0', '10.0.0.1', '127.0.0.256', '128.0.0.1', 'localhost.example.com', '::', '::2', '', 'example.com']) {
      expect({ h, ok: isLoopbackHost(h) }).toEqual({ h, ok: false });
    }
  });
});
