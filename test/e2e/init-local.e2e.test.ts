import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { readLocalCredentials } from '../../src/core/embedded/local-credentials.js';
import { freePort, runCli, startCli, tempDir, STACK_FRAME } from '../helpers/cli.js';
import { defined } from '../helpers/defined.js';

describe('dynafeast init and local (built binary)', () => {
  const parent = tempDir();
  const repo = path.join(parent, 'demo', 'feature_repo');

  it('init -t local writes a repo that validates', async () => {
    const r = await runCli(['init', 'demo', '-t', 'local'], { cwd: parent });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created feature repo');
    for (const f of ['feature_store.yaml', 'features.yaml', 'README.md', 'data/driver_stats.parquet']) {
      expect(existsSync(path.join(repo, f))).toBe(true);
    }
    const v = await runCli(['-c', repo, 'validate', '--json']);
    expect(v.code).toBe(0);
    const summary = JSON.parse(v.stdout);
    expect(summary).toMatchObject({ ok: true, project: 'demo', entities: ['driver'], featureServices: ['driver_activity'] });
    expect(summary.featureViews[0]).toEqual({
      name: 'driver_hourly_stats',
      entities: ['driver'],
      features: ['conv_rate:Float32', 'acc_rate:Float32', 'avg_daily_trips:Int64'],
    });
  });

  it('refuses to overwrite an existing repo with exit 2', async () => {
    const r = await runCli(['init', 'demo'], { cwd: parent });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/demo/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('init --json prints one JSON document', async () => {
    const r = await runCli(['--json', 'init', 'other', '-t', 'aws', '--region', 'eu-west-1'], { cwd: parent });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(readFileSync(path.join(doc.repoDir, 'feature_store.yaml'), 'utf8')).toMatch(/region: eu-west-1/);
  });

  it('local serves the embedded store to an SDK client until SIGINT', async () => {
    const port = await freePort();
    const config = path.join(repo, 'feature_store.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`));
    const server = await startCli(['-c', repo, 'local'], /Ctrl-C to stop/);
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      // the repo's own key, which init wrote (the server refuses any other)
      credentials: defined(readLocalCredentials(path.join(repo, 'data/online_store'))),
    });
    try {
      const tables = await client.send(new ListTablesCommand({}));
      expect(tables.TableNames).toEqual([]);
      // a second server on the same folder is refused with a clear message, not a crash
      const second = await runCli(['-c', repo, 'local']);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/already serves the embedded store/);
      expect(second.stderr).not.toMatch(STACK_FRAME);
    } finally {
      client.destroy();
      server.child.kill('SIGINT');
    }
    const end = await server.exited;
    expect(end.code).toBe(0);
    expect(existsSync(path.join(repo, 'data/online_store/dynafeast.lock'))).toBe(false);
  });

  it.each([[[]], [['init']], [['local']], [['validate']], [['plan']], [['apply']], [['teardown']], [['list']], [['registry-dump']]])(
    'prints help for %j',
    async (args) => {
      const r = await runCli([...args, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: dynafeast/m);
    },
  );

  it('prints the version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });

  it('bad flags exit 2', async () => {
    const r = await runCli(['init', '-t', 'gcp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gcp/);
  });
});
