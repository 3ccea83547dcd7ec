/**
 * `dynafeast --version` and `dynafeast version` from the built binary, and the promise behind a fast
 * `--help`: the CLI's start loads neither DuckDB nor the AWS SDK; only the commands that use them do.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { binPath, repoRoot, runCli, runNode, tempDir } from '../helpers/cli.js';

const require = createRequire(import.meta.url);
const versionOf = (packageJson: string) => (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
const dynafeast = versionOf(path.join(repoRoot, 'package.json'));

describe('versions', () => {
  it('--version and -V print the package version alone', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${dynafeast}\n`);
    }
  }, 60_000);

  it('version --json reports dynafeast, Node.js, DuckDB and the AWS SDK', async () => {
    const r = await runCli(['version', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      dynafeast,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      duckdb: expect.stringMatching(/^\d+\.\d+\.\d+/),
      duckdbNodeApi: versionOf(require.resolve('@duckdb/node-api/package.json')),
      awsSdk: versionOf(require.resolve('@aws-sdk/client-dynamodb/package.json')),
    });
  }, 60_000);

  it('version prints one line per component for people', async () => {
    const r = await runCli(['version']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(`dynafeast ${dynafeast}`);
    expect(lines[1]).toContain(process.versions.node);
    expect(lines[2]).toMatch(/^DuckDB +\d+\.\d+\.\d+/);
    expect(lines[3]).toMatch(/^AWS SDK +3\.\d+/);
  }, 60_000);
});

describe('what the CLI loads', () => {
  // A module resolve hook (Node's module.register) that appends every resolved URL to a file.
  const dir = tempDir('dynafeast-loads-');
  const log = path.join(dir, 'loaded.txt');
  const hooks = path.join(dir, 'hooks.mjs');
  const preload = path.join(dir, 'preload.mjs');
  writeFileSync(
    hooks,
    "import { appendFileSync } from 'node:fs';\n" +
      'export async function resolve(specifier, context, next) {\n' +
      '  const resolved = await next(specifier, context);\n' +
      "  appendFileSync(process.env.LOADED_LOG, resolved.url + '\\n');\n" +
      '  return resolved;\n' +
      '}\n',
  );
  writeFileSync(preload, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);

  async function loadedBy(args: string[]): Promise<string[]> {
    writeFileSync(log, '');
    // node --import <preload> bin/dynafeast.js …args
    const r = await runNode('--import', [preload, binPath, ...args], { env: { LOADED_LOG: log } });
    expect(r.code).toBe(0);
    return readFileSync(log, 'utf8').trim().split('\n');
  }

  it.each([[['--help']], [['--version']], [['init', '--help']]])(
    '%j loads neither DuckDB nor the AWS SDK',
    async (args) => {
      const loaded = await loadedBy(args);
      expect(loaded.some((u) => u.includes('/dist/cli/main.js'))).toBe(true);
      expect(loaded.filter((u) => /@duckdb|@aws-sdk|@smithy|dynalite/.test(u))).toEqual([]);
    },
    60_000,
  );

  it('version loads DuckDB (to ask its engine version)', async () => {
    expect((await loadedBy(['version'])).some((u) => u.includes('@duckdb/node-api'))).toBe(true);
  }, 60_000);
});
