/**
 * The package as npm users get it: `npm pack` of a clean copy of this checkout (prepack builds dist),
 * the tarball installed into an empty project, then `npx dynafeast` through the demo flow and a strict
 * TypeScript consumer compiled against the installed types. One pack and one install for the suite.
 */
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { consumerTsconfig, repoRoot, runNode, runProcess, tempDir, tscPath, useFreePort, type RunResult } from '../helpers/cli.js';
import { defined } from '../helpers/defined.js';

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

const work = tempDir('dynafeast-pack-');
const checkout = path.join(work, 'checkout');
const app = path.join(work, 'app');
const repo = path.join(app, 'x', 'feature_repo');
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
let packed: PackResult;
let timings = '';

// npm run under `npm test` passes its npm_* settings down; the npm runs here are a user's, not nested ones.
const npmEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => /^npm_/i.test(k))
    .map((k) => [k, undefined]),
);
const npm = (args: string[], cwd: string) => runProcess('npm', args, { cwd, env: npmEnv, timeoutMs: 240_000 });
// --no: never fetch a package of that name from the registry; the installed one must answer
const npx = (args: string[]) => runProcess('npx', ['--no', '--', 'dynafeast', ...args], { cwd: app, env: npmEnv });
// the demo flow as a user types it, `dynafeast …`: the bin link npm made, without npx's own start-up
const dynafeast = (args: string[], cwd: string) => runProcess(path.join(app, 'node_modules', '.bin', 'dynafeast'), args, { cwd });

function ok(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

beforeAll(async () => {
  // What a fresh clone holds (tracked and new files, nothing ignored: no dist, no node_modules), so the
  // tarball is built by prepack and not taken from this checkout's dist.
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    try {
      cpSync(path.join(repoRoot, f), path.join(checkout, f));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted but not yet committed
    }
  }
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
  const t0 = Date.now();
  const pack = ok(await npm(['pack', '--json', '--pack-destination', work], checkout), 'npm pack');
  packed = defined((JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as PackResult[])[0]);

  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const t1 = Date.now();
  ok(await npm(['install', path.join(work, packed.filename), '--no-audit', '--no-fund', '--prefer-offline'], app), 'npm install');
  timings = `npm pack ${t1 - t0} ms, npm install ${Date.now() - t1} ms`;
}, 400_000);

describe('npm pack', () => {
  it('holds dist, bin, templates, README, LICENSE and package.json, nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of paths) expect(p).toMatch(/^(dist|bin|templates)\/|^(README\.md|LICENSE|package\.json)$/);
    expect(paths).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'bin/dynafeast.js',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/cli/main.js',
        'templates/local/feature_store.yaml',
      ]),
    );
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    expect(readFileSync(path.join(app, 'node_modules', 'dynafeast', 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    // README's development section quotes these; a jump means something heavy slipped in
    process.stdout.write(`dynafeast tarball: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${paths.length} files (${timings})\n`);
    expect(packed.size).toBeLessThan(512 * 1024);
    expect(packed.unpackedSize).toBeLessThan(2 * 1024 * 1024);
  });

  it('published declarations import only Node built-ins and declared dependencies', () => {
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})]);
    const root = path.join(app, 'node_modules', 'dynafeast');
    const undeclared = new Set<string>();
    for (const f of packed.files.filter((f) => f.path.endsWith('.d.ts'))) {
      const text = readFileSync(path.join(root, f.path), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const [, spec] of text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
        if (defined(spec).startsWith('.') || defined(spec).startsWith('node:') || builtinModules.includes(defined(spec))) continue;
        const name = defined(spec).startsWith('@') ? defined(spec).split('/').slice(0, 2).join('/') : defined(defined(spec).split('/')[0]);
        if (!declared.has(name)) undeclared.add(`${name} (${f.path})`);
      }
    }
    expect([...undeclared]).toEqual([]);
  });
});

describe('the installed package', () => {
  it('npx dynafeast --help', async () => {
    const r = ok(await npx(['--help']), 'dynafeast --help');
    expect(r.stdout).toMatch(/^Usage: dynafeast/m);
  }, 60_000);

  it('runs the demo flow: init -t local, apply, materialize-incremental now, get-online-features', async () => {
    ok(await npx(['init', 'x', '-t', 'local']), 'npx dynafeast init');
    await useFreePort(repo);
    ok(await dynafeast(['--no-progress', 'apply'], repo), 'apply');
    ok(await dynafeast(['--no-progress', 'materialize-incremental', 'now'], repo), 'materialize-incremental');
    const read = ok(
      await dynafeast(['get-online-features', '-f', 'driver_hourly_stats:conv_rate', '-e', 'driver_id=1001', '-e', 'driver_id=1002'], repo),
      'get-online-features',
    );
    expect(JSON.parse(read.stdout)).toEqual({ driver_id: [1001, 1002], conv_rate: [expect.any(Number), expect.any(Number)] });
  }, 120_000);

  it('compiles a strict TypeScript consumer (skipLibCheck: false) against the installed types, which then runs', async () => {
    cpSync(path.join(repoRoot, 'examples', 'library', 'read.ts'), path.join(app, 'read.ts'));
    writeFileSync(path.join(app, 'tsconfig.json'), consumerTsconfig(['read.ts'], 'out'));
    const tsc = await runNode(tscPath, ['-p', app], { timeoutMs: 150_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
    const r = ok(await runNode(path.join(app, 'out', 'read.js'), [repo], { cwd: app, timeoutMs: 30_000 }), 'the compiled consumer');
    expect(JSON.parse(defined(r.stdout.split('\n')[0]))).toMatchObject({ driver_id: [1001, 1002], conv_rate__status: ['PRESENT', 'PRESENT'] });
  }, 240_000);
});
