/**
 * What the built binary does at the edges of its process: a reader that goes away (`| head -1`), an
 * endpoint that accepts connections and never answers, a registry whose folder cannot be written, and
 * names holding terminal escapes.
 */
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { featureStoreYaml } from '../helpers/config.js';
import { binPath, repoRoot, runCli, STACK_FRAME, tempDir } from '../helpers/cli.js';
import { defined } from '../helpers/defined.js';
import { PERMISSION_DENIED, refuseChanges } from '../helpers/read-only.js';

const EXAMPLE = path.join(repoRoot, 'examples/driver-stats');

function exampleRepo(yaml?: string): string {
  const dir = tempDir('dynafeast-edge-');
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !/online_store|registry\.db/.test(src) });
  if (yaml !== undefined) writeFileSync(path.join(dir, 'feature_store.yaml'), yaml);
  return dir;
}

/** `sh -c "<dynafeast …> | head -1"`: the exit code of dynafeast (not head's) and its stderr. */
function pipedToHead(args: string[], cwd: string): Promise<{ code: number; stderr: string; first: string }> {
  const quoted = [process.execPath, binPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -o pipefail; ${quoted} 2>"$ERRFILE" | head -1; echo "exit:\${PIPESTATUS[0]}"`], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ERRFILE: path.join(cwd, 'stderr.txt') },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      const code = Number(/exit:(\d+)/.exec(out)?.[1] ?? -1);
      resolve({ code, stderr: readFileSync(path.join(cwd, 'stderr.txt'), 'utf8'), first: defined(out.split('\n')[0]) });
    });
  });
}

describe('a reader that goes away', () => {
  it("`get-online-features … | head -1` exits quietly with the command's own code", async () => {
    const repo = exampleRepo();
    expect((await runCli(['-c', repo, 'apply', '--yes'], { timeoutMs: 120_000 })).code).toBe(0);
    // 30k entity rows: far more output than a pipe buffer holds, so the writes after head exits fail
    writeFileSync(path.join(repo, 'entities.csv'), ['driver_id', ...Array.from({ length: 30_000 }, (_, i) => String(1001 + (i % 5)))].join('\n'));
    for (const output of ['csv', 'jsonl', 'table', 'json']) {
      const r = await pipedToHead(
        ['-c', repo, 'get-online-features', '-f', 'driver_hourly_stats:conv_rate', '--entities-file', 'entities.csv', '-o', output],
        repo,
      );
      expect({ output, code: r.code, stderr: r.stderr }).toEqual({ output, code: 0, stderr: '' });
      expect(r.first.length).toBeGreaterThan(0);
    }
  }, 300_000);
});

describe('an endpoint that accepts and never answers', () => {
  let server: net.Server;
  let endpoint: string;
  const held = new Set<net.Socket>();
  beforeAll(async () => {
    server = net.createServer((s) => {
      held.add(s);
      s.on('error', () => {});
      s.on('close', () => held.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => server.close(r));
  });

  const repoWith = (readTimeout: number) =>
    exampleRepo(
      featureStoreYaml({
        project: 'hang',
        endpoint,
        onlineStoreLines: [`  read_timeout: ${readTimeout}`, '  connect_timeout: 1', '  total_max_retry_attempts: 1'],
      }),
    );
  const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key-value' };

  it.each([
    ['plan', ['plan'], 'DescribeTable|UpdateTimeToLive|DescribeContinuousBackups|ListTagsOfResource'],
    ['get-online-features', ['get-online-features', '-f', 'driver_hourly_stats:conv_rate', '-e', 'driver_id=1001'], 'BatchGetItem'],
  ])(
    '%s says what it waits for after 5 s and gives up at read_timeout',
    async (_name, args, action) => {
      const repo = repoWith(9);
      if (args[0] === 'get-online-features') {
        // reads need the registry: apply against a real store first would need a server; write it from a local embedded run
        const local = exampleRepo();
        expect((await runCli(['-c', local, 'apply', '--yes'], { timeoutMs: 120_000 })).code).toBe(0);
        cpSync(path.join(local, 'data/registry.db'), path.join(repo, 'data/registry.db'));
        writeFileSync(
          path.join(repo, 'feature_store.yaml'),
          readFileSync(path.join(repo, 'feature_store.yaml'), 'utf8').replace('project: hang', 'project: driver_stats'),
        );
      }
      const started = Date.now();
      const r = await runCli(['-c', repo, ...args], { env, timeoutMs: 60_000 });
      const seconds = (Date.now() - started) / 1000;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`warning: still waiting for ${endpoint.replace(/\./g, '\\.')} \\((${action})[^)]*\\) after 5 s`));
      expect(r.stderr).toMatch(/read_timeout 9 s/);
      expect(r.stderr).toMatch(/^error: cannot reach .*(ETIMEDOUT|TimeoutError)/m);
      expect(r.stderr).not.toMatch(STACK_FRAME);
      // one timeout, not one per call in a row: well under two read_timeouts plus start-up
      expect(seconds).toBeLessThan(9 * 2 + 10);
    },
    120_000,
  );

  it('a short read_timeout ends the wait before any notice', async () => {
    const started = Date.now();
    const r = await runCli(['-c', repoWith(1), 'plan'], { env, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/still waiting/);
    expect((Date.now() - started) / 1000).toBeLessThan(15);
  }, 60_000);
});

describe('files that cannot be written', () => {
  it('a registry folder that cannot be written after the tables were made is explained, not "a bug", and says what is done', async () => {
    const repo = exampleRepo();
    const yamlPath = path.join(repo, 'feature_store.yaml');
    writeFileSync(yamlPath, readFileSync(yamlPath, 'utf8').replace('registry: data/registry.db', 'registry: reg/registry.db'));
    const folder = path.join(repo, 'reg');
    mkdirSync(folder);
    refuseChanges(folder, true);
    try {
      const r = await runCli(['-c', repo, 'apply', '--yes'], { timeoutMs: 120_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(/This is a bug|unexpected failure/);
      expect(r.stderr).toMatch(PERMISSION_DENIED);
      expect(r.stderr).toContain(folder);
      expect(r.stderr).toMatch(/table change\(s\) are done, but the registry was not written/);
      expect(r.stderr).toMatch(/hint: /);
      expect(r.stderr).not.toMatch(STACK_FRAME);
      const json = await runCli(['-c', repo, '--json', 'apply', '--yes'], { timeoutMs: 120_000 });
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'fs.permissionDenied' } });
    } finally {
      refuseChanges(folder, false);
    }
  }, 240_000);

  it('a registry kept 0600 stays 0600 after apply rewrites it', async () => {
    const repo = exampleRepo();
    expect((await runCli(['-c', repo, 'apply', '--yes'], { timeoutMs: 120_000 })).code).toBe(0);
    const registry = path.join(repo, 'data/registry.db');
    chmodSync(registry, 0o600);
    writeFileSync(path.join(repo, 'features.yaml'), readFileSync(path.join(repo, 'features.yaml'), 'utf8').replace(/description: .*/, 'description: changed'));
    expect((await runCli(['-c', repo, 'apply', '--yes'], { timeoutMs: 120_000 })).code).toBe(0);
    expect(statSync(registry).mode & 0o777).toBe(0o600);
  }, 240_000);
});
