/**
 * The library as a program uses it, against the built dist: docs/library.md's example compiled by tsc
 * (strict, every declaration file checked) and run on a materialized `-t local` repo, and scripts that
 * forget close() still ending on their own.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { consumerTsconfig, repoRoot, runCli, runNode, startCli, tempDir, tscPath, useFreePort } from '../helpers/cli.js';
import { defined } from '../helpers/defined.js';

const parent = tempDir('dynafeast-lib-');
const repo = path.join(parent, 'demo', 'feature_repo');
const store = path.join(repo, 'data', 'online_store');
const example = readFileSync(path.join(repoRoot, 'examples', 'library', 'read.ts'), 'utf8');

/** No lock and no lease left behind: whoever served or used the store let go of it. */
function storeReleased(): boolean {
  const leases = path.join(store, 'dynafeast.users');
  return !existsSync(path.join(store, 'dynafeast.lock')) && (!existsSync(leases) || readdirSync(leases).length === 0);
}

beforeAll(async () => {
  // `import ... from 'dynafeast'` resolves as in an installed project: node_modules/dynafeast is this package.
  mkdirSync(path.join(parent, 'node_modules'));
  symlinkSync(repoRoot, path.join(parent, 'node_modules', 'dynafeast'), 'dir');
  writeFileSync(path.join(parent, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  expect((await runCli(['init', 'demo', '-t', 'local'], { cwd: parent })).code).toBe(0);
  await useFreePort(repo);
  for (const args of [['apply'], ['materialize-incremental', 'now']]) {
    const r = await runCli(['--no-progress', ...args], { cwd: repo });
    expect(r.stderr + r.stdout).toMatch(/complete|Materialized/);
    expect(r.code).toBe(0);
  }
}, 180_000);

describe('docs/library.md example', () => {
  it('is examples/library/read.ts, word for word', () => {
    expect(readFileSync(path.join(repoRoot, 'docs', 'library.md'), 'utf8')).toContain(example);
  });

  it('type-checks strictly against the built types, and its `await using` runs on this Node', async () => {
    writeFileSync(path.join(parent, 'read.ts'), example);
    // strict; test/e2e/pack.e2e.test.ts compiles it again with every declaration file checked
    writeFileSync(path.join(parent, 'tsconfig.json'), consumerTsconfig(['read.ts'], 'out', false));
    const tsc = await runNode(tscPath, ['-p', parent], { timeoutMs: 150_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
    const r = await runNode(path.join(parent, 'out', 'read.js'), [repo], { timeoutMs: 60_000 });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    const [features, failure] = r.stdout.trim().split('\n');
    expect(JSON.parse(defined(features))).toEqual({
      driver_id: [1001, 1002],
      driver_id__status: ['PRESENT', 'PRESENT'],
      conv_rate: [expect.any(Number), expect.any(Number)],
      conv_rate__status: ['PRESENT', 'PRESENT'],
      avg_daily_trips: [expect.any(Number), expect.any(Number)],
      avg_daily_trips__status: ['PRESENT', 'PRESENT'],
    });
    expect(failure).toMatch(/^repo\.unknownFeature: .*no_such_feature/);
    expect(storeReleased()).toBe(true);
  }, 180_000);
});

describe('a script that never calls close()', () => {
  const forgetful = path.join(parent, 'forgets-close.mjs');
  beforeAll(() => {
    writeFileSync(
      forgetful,
      [
        "import { FeatureStore } from 'dynafeast';",
        'const store = await FeatureStore.open({ repoPath: process.argv[2], transport: process.argv[3] });',
        "const read = await store.getOnlineFeatures({ features: ['driver_hourly_stats:conv_rate'], entityRows: [{ driver_id: 1001 }] });",
        'console.log(JSON.stringify(read));',
        '',
      ].join('\n'),
    );
  });

  /** Without the fix a forgotten store keeps the process up for good: a hang is a SIGKILL at the time-out. */
  async function runForgetful(transport: string): Promise<void> {
    const r = await runNode(forgetful, [repo, transport], { timeoutMs: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ driver_id: [1001], conv_rate: [expect.any(Number)] });
  }

  it.each(['lean', 'sdk'])(
    'ends on its own when it serves the embedded store (%s transport), and closes the store',
    async (transport) => {
      await runForgetful(transport);
      expect(storeReleased()).toBe(true);
    },
    90_000,
  );

  it('first waits for another process still using the store it serves', async () => {
    // a live process holding a lease, as a `dynafeast materialize` that joined this store would
    const user = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await new Promise((resolve) => user.once('spawn', resolve));
    mkdirSync(path.join(store, 'dynafeast.users'), { recursive: true });
    writeFileSync(path.join(store, 'dynafeast.users', `${user.pid}-test`), '');
    const script = spawn(process.execPath, [forgetful, repo, 'lean'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const scriptExit = new Promise<number | null>((resolve) => script.once('exit', resolve));
    try {
      // the read is done once it printed; the script then has nothing left to do but wait for the user
      await Promise.race([new Promise((resolve) => script.stdout.once('data', resolve)), scriptExit]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(script.exitCode).toBeNull();
      expect(existsSync(path.join(store, 'dynafeast.lock'))).toBe(true);
    } finally {
      user.kill();
    }
    expect(await scriptExit).toBe(0);
    expect(storeReleased()).toBe(true);
  }, 90_000);

  it.each(['lean', 'sdk'])(
    'ends on its own when another process serves the store (%s transport), and gives up its lease',
    async (transport) => {
      const server = await startCli(['local'], /Ctrl-C to stop/, { cwd: repo });
      try {
        await runForgetful(transport);
        expect(readdirSync(path.join(store, 'dynafeast.users'))).toEqual([]);
      } finally {
        server.child.kill('SIGINT');
      }
      expect((await server.exited).code).toBe(0);
      expect(storeReleased()).toBe(true);
    },
    90_000,
  );
});
