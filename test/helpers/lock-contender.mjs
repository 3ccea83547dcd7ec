// Child process for the lock contention tests, with the built code (dist/) the CLI runs.
//
//   node lock-contender.mjs count <dir> <n>         n times: take <dir>/registry.db.lock (withRegistryLock),
//                                                   prove it is the only holder (creates <dir>/holder with
//                                                   O_EXCL, removes it before letting go) and add 1 to
//                                                   <dir>/counter; exit 3 on a second holder
//   node lock-contender.mjs commit <registry> <n> <id> <project> <view>
//                                                   n materialization intervals recorded through the
//                                                   registry's commit path (recordMaterialization), the
//                                                   interval i of writer id starting at id*1e6+i µs
//   node lock-contender.mjs hold <dir>              takes the lock, prints "holding", waits to be killed
//   node lock-contender.mjs once <dir>              prints "ready", waits for <dir>/go, tries the lock once
//                                                   and prints {"acquired":…,"holder":pid}; a holder then
//                                                   waits for <dir>/release before letting go
import { existsSync } from 'node:fs';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const [mode, dir, n, id, project, view] = process.argv.slice(2);
const { withRegistryLock } = await import('../../dist/core/registry/lock.js');
const { tryLock } = await import('../../dist/core/lock/file-lock.js');
const registry = path.join(dir, 'registry.db');
const until = async (check) => {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
};

if (mode === 'count') {
  const marker = path.join(dir, 'holder');
  for (let i = 0; i < Number(n); i++) {
    await withRegistryLock(
      registry,
      async () => {
        let fh;
        try {
          fh = await open(marker, 'wx');
        } catch (e) {
          if (e.code !== 'EEXIST') throw e;
          process.stderr.write(`two holders: pid ${process.pid} took the lock while ${await readFile(marker, 'utf8').catch(() => '?')} held it\n`);
          process.exit(3);
        }
        await fh.writeFile(String(process.pid));
        await fh.close();
        const counter = path.join(dir, 'counter');
        const value = Number(await readFile(counter, 'utf8').catch(() => '0'));
        // a turn of the event loop while holding, so other processes really contend meanwhile
        await new Promise((r) => setImmediate(r));
        await writeFile(counter, String(value + 1));
        await rm(marker);
      },
      { timeoutMs: 120_000 },
    );
  }
} else if (mode === 'commit') {
  const { recordMaterialization } = await import('../../dist/core/registry/commit.js');
  for (let i = 0; i < Number(n); i++) {
    const start = BigInt(Number(id) * 1_000_000 + i);
    await recordMaterialization(dir, project, view, start, start + 1n, { lock: { timeoutMs: 120_000 } });
  }
} else if (mode === 'hold') {
  const r = await tryLock(`${registry}.lock`);
  if (!r.acquired) throw new Error('lock-contender hold: the lock is taken');
  process.stdout.write('holding\n');
  await new Promise(() => setInterval(() => {}, 60_000));
} else if (mode === 'once') {
  process.stdout.write('ready\n');
  await until(() => existsSync(path.join(dir, 'go')));
  const r = await tryLock(`${registry}.lock`);
  process.stdout.write(`${JSON.stringify({ acquired: r.acquired, holder: r.acquired ? process.pid : r.holder?.pid })}\n`);
  if (r.acquired) {
    await until(() => existsSync(path.join(dir, 'release')));
    await r.lock.release();
  }
} else {
  throw new Error(`lock-contender: unknown mode ${mode}`);
}
