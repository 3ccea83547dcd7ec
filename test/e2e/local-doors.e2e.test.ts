/**
 * `dynafeast local` refuses what a web page or another local user could send: cross-origin requests
 * (with an Origin, or a CORS preflight), a Host that is not its loopback address (DNS rebinding), and
 * requests not signed with the repo's key. Real HTTP requests to the real binary.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { signRequest } from '../../src/core/aws/lean/sigv4.js';
import { readLocalCredentials } from '../../src/core/embedded/local-credentials.js';
import { runCli, startCli, tempDir, freePort } from '../helpers/cli.js';
import { defined } from '../helpers/defined.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, opts: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body ?? '');
  });
}

const TARGET = 'DynamoDB_20120810';

describe('dynafeast local: the doors of the embedded DynamoDB (built binary)', () => {
  const parent = tempDir();
  const repo = path.join(parent, 'doors', 'feature_repo');
  const dataDir = path.join(repo, 'data/online_store');
  let port: number;
  let server: Awaited<ReturnType<typeof startCli>> | undefined;

  /** Headers of a request signed with `key` for `host`, as an SDK would send it. */
  function signed(op: string, body: string, key = defined(readLocalCredentials(dataDir)), host = `127.0.0.1:${port}`, nowMs = Date.now()) {
    return { host, ...signRequest({ host, region: 'us-east-1', service: 'dynamodb', target: `${TARGET}.${op}`, body, credentials: key, nowMs }) };
  }

  /** Tables the server holds, asked with the repo's key. */
  async function tables(): Promise<string[]> {
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: defined(readLocalCredentials(dataDir)) });
    try {
      return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
    } finally {
      client.destroy();
    }
  }

  beforeAll(async () => {
    expect((await runCli(['init', 'doors', '-t', 'local'], { cwd: parent })).code).toBe(0);
    port = await freePort();
    const config = path.join(repo, 'feature_store.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`));
    server = await startCli(['-c', repo, 'local'], /Ctrl-C to stop/);
    // a table the refused requests below must not be able to touch
    const body = JSON.stringify({
      TableName: 'keep_me',
      KeySchema: [{ AttributeName: 'entity_id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'entity_id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect((await request(port, { headers: signed('CreateTable', body), body })).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    server?.child.kill('SIGINT');
    await server?.exited;
  });

  it('init -t local wrote a per-repo key readable by its owner only, and git-ignored', () => {
    const key = defined(readLocalCredentials(dataDir));
    expect(key.accessKeyId).toMatch(/^DFLOCAL[0-9A-F]{16}$/);
    expect(key.secretAccessKey.length).toBeGreaterThanOrEqual(40);
    expect(statSync(path.join(dataDir, 'credentials')).mode & 0o077).toBe(0);
    expect(readFileSync(path.join(dataDir, '.gitignore'), 'utf8')).toMatch(/^\/credentials$/m);
  });

  it('prints where the key is, never the secret itself', () => {
    const out = defined(server).output();
    expect(out).toContain(path.join(dataDir, 'credentials'));
    expect(out).not.toContain(defined(readLocalCredentials(dataDir)).secretAccessKey);
  });

  it('answers a request signed with the repo key', async () => {
    expect(await tables()).toEqual(['keep_me']);
  });

  it('refuses a CORS preflight and sends no CORS headers', async () => {
    const r = await request(port, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-amz-target' },
    });
    expect(r.status).toBe(403);
    expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('refuses a cross-origin request even when it is correctly signed', async () => {
    const body = JSON.stringify({ TableName: 'keep_me' });
    const r = await request(port, { headers: { ...signed('DeleteTable', body), origin: 'http://evil.example' }, body });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).message).toMatch(/cross-origin/);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    expect(await tables()).toEqual(['keep_me']);
  });

  it.each([
    ['a foreign name on the right port (DNS rebinding)', () => `evil.example:${port}`],
    ['the loopback address on another port', () => `127.0.0.1:${port + 1}`],
    ['a name without a port', () => 'localhost'],
  ])('refuses a Host that is not this server: %s', async (_what, host) => {
    const body = JSON.stringify({ TableName: 'keep_me' });
    const r = await request(port, { headers: signed('DeleteTable', body, undefined, host()), body });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).message).toMatch(/Host/);
    expect(await tables()).toEqual(['keep_me']);
  });

  type Bad = { unsigned: true } | { key: { accessKeyId: string; secretAccessKey: string } } | { signedAgoMs: number };
  it.each<[string, () => Bad, string]>([
    ['unsigned', () => ({ unsigned: true }), 'MissingAuthenticationToken'],
    ['signed with another access key', () => ({ key: { accessKeyId: 'local', secretAccessKey: 'local' } }), 'UnrecognizedClient'],
    [
      'signed with the right key id but a wrong secret',
      () => ({ key: { ...defined(readLocalCredentials(dataDir)), secretAccessKey: 'guessed' } }),
      'InvalidSignature',
    ],
    ['signed 20 minutes ago (a replay)', () => ({ signedAgoMs: 20 * 60_000 }), 'InvalidSignature'],
  ])('refuses a request %s', async (_what, make, type) => {
    const body = JSON.stringify({ TableName: 'keep_me' });
    const bad = make();
    const headers =
      'unsigned' in bad
        ? { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `${TARGET}.DeleteTable` }
        : 'key' in bad
          ? signed('DeleteTable', body, bad.key)
          : signed('DeleteTable', body, undefined, undefined, Date.now() - bad.signedAgoMs);
    const r = await request(port, { headers, body });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(r.body).__type).toContain(type);
    expect(await tables()).toEqual(['keep_me']);
  });

  it('refuses a signed request whose body was changed after signing', async () => {
    const headers = signed('DeleteTable', JSON.stringify({ TableName: 'other' }));
    const r = await request(port, { headers, body: JSON.stringify({ TableName: 'keep_me' }) });
    expect(JSON.parse(r.body).__type).toContain('InvalidSignature');
    expect(await tables()).toEqual(['keep_me']);
  });
});

describe('dynafeast local --cors-origin', () => {
  it('allows that one origin (preflight and signed request) and refuses others', async () => {
    const parent = tempDir();
    const repo = path.join(parent, 'cors', 'feature_repo');
    expect((await runCli(['init', 'cors', '-t', 'local'], { cwd: parent })).code).toBe(0);
    const port = await freePort();
    const server = await startCli(['-c', repo, 'local', '-p', String(port), '--cors-origin', 'http://localhost:3000'], /Ctrl-C to stop/);
    try {
      const ok = await request(port, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' } });
      expect(ok.status).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      const host = `127.0.0.1:${port}`;
      const key = defined(readLocalCredentials(path.join(repo, 'data/online_store')));
      const body = '{}';
      const headers = {
        host,
        origin: 'http://localhost:3000',
        ...signRequest({ host, region: 'us-east-1', service: 'dynamodb', target: `${TARGET}.ListTables`, body, credentials: key, nowMs: Date.now() }),
      };
      const listed = await request(port, { headers, body });
      expect(listed.status).toBe(200);
      expect(listed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      const other = await request(port, { method: 'OPTIONS', headers: { origin: 'http://localhost:3001', 'access-control-request-method': 'POST' } });
      expect(other.status).toBe(403);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      server.child.kill('SIGINT');
      await server.exited;
    }
  }, 60_000);
});
