import { spawn, type ChildProcess } from 'node:child_process';
import { jest } from '@jest/globals';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, ListTablesCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAwsClients } from '../../src/core/aws/clients.js';
import type { Logger } from '../../src/core/context.js';
import { ensureEmbeddedDynamo, serveEmbedded, type EmbeddedHandle } from '../../src/core/embedded/embedded.js';
import { LEASE_DIR } from '../../src/core/embedded/leases.js';
import { LOCK_FILE } from '../../src/core/embedded/lock.js';
import { resolveEmbeddedTarget } from '../../src/core/embedded/target.js';
import { createFeastTable, localRepoConfig } from '../helpers/dynalite.js';
import { defined } from '../helpers/defined.js';
import { tempRepoDir } from '../helpers/temp-dir.js';
import { freePort } from '../helpers/cli.js';

jest.setTimeout(15000);

const TABLE = 'test_project.driver_hourly_stats';
let repo: string;
let port: number;
const handles: EmbeddedHandle[] = [];
const children: ChildProcess[] = [];

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (m) => lines.push(`debug ${m}`), info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

function config() {
  return localRepoConfig(repo, `http://127.0.0.1:${port}`, { dynafeast: { embedded: { path: 'data/online_store' } } });
}

const dataDir = () => join(repo, 'data/online_store');
/** Whom a lock of this repo's store must name. */
const identity = () => ({ repo, project: config().project, dataDir: dataDir() });
/** A lock file as a live dynafeast serving this repo's store writes it. */
const lockRecord = (pid: number, lockPort: number, token: string) =>
  JSON.stringify({
    pid,
    host: os.hostname(),
    token,
    at: Date.now(),
    data: { ...identity(), host: '127.0.0.1', port: lockPort, startedAt: new Date().toISOString() },
  });
const lockPath = () => join(dataDir(), LOCK_FILE);

async function ensure(logger: Logger = recordingLogger(), opts = {}): Promise<EmbeddedHandle> {
  const h = await ensureEmbeddedDynamo(config(), logger, opts);
  handles.push(h);
  return h;
}

async function withClient<T>(endpoint: string, fn: (c: DynamoDBClient) => Promise<T>): Promise<T> {
  const clients = createAwsClients(config(), { endpointUrl: endpoint });
  try {
    return await fn(clients.dynamo);
  } finally {
    clients.destroy();
  }
}

async function createTable(c: DynamoDBClient): Promise<void> {
  await createFeastTable(c, TABLE);
}

const item = {
  entity_id: { S: 'abc123' },
  event_ts: { S: '2021-04-12 10:59:42+00:00' },
  values: { M: { conv_rate: { B: new Uint8Array([0x35, 0, 0, 0, 0x3f]) } } },
};

async function readItem(c: DynamoDBClient) {
  return (await c.send(new GetItemCommand({ TableName: TABLE, Key: { entity_id: { S: 'abc123' } } }))).Item;
}

/** Another process that holds the lock and serves the folder, as a second dynafeast would. */
async function spawnServingProcess(lockIdentity = identity()): Promise<{ child: ChildProcess; port: number }> {
  const code = `
    const fs = require('fs');
    const dynalite = require('dynalite');
    const [dir, lock, identity] = process.argv.slice(1);
    const record = (port, token) => JSON.stringify({ pid: process.pid, host: require('os').hostname(), token, at: Date.now(), data: { ...JSON.parse(identity), host: '127.0.0.1', port, startedAt: new Date().toISOString() } });
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(require('path').dirname(lock), { recursive: true });
    fs.writeFileSync(lock, record(1, '00000000'), { flag: 'wx' });
    const s = dynalite({ path: dir, createTableMs: 0 });
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      fs.writeFileSync(lock, record(port, '11111111'));
      process.stdout.write('ready ' + port + '\\n');
    });
    process.on('SIGTERM', () => s.close(() => { fs.rmSync(lock, { force: true }); process.exit(0); }));
  `;
  const child = spawn(process.execPath, ['-e', code, lockIdentity.dataDir, lockPath(), JSON.stringify(lockIdentity)], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const childPort = await new Promise<number>((resolve, reject) => {
    let out = '';
    defined(child.stdout).on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`child exited ${c}`)));
  });
  return { child, port: childPort };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.once('exit', r));
  return defined(child.pid);
}

beforeEach(async () => {
  repo = tempRepoDir('dynafeast-embedded-');
  port = await freePort();
});

afterEach(async () => {
  for (const h of handles.splice(0).reverse()) await h.close();
  for (const c of children.splice(0)) await stopChild(c);
  fs.rmSync(repo, { recursive: true, force: true });
});

describe('embedded DynamoDB', () => {
  it('serves the folder, persists data across restarts and removes its lock on close', async () => {
    const first = await ensure();
    expect(first).toMatchObject({ owned: true, endpoint: `http://127.0.0.1:${port}`, pid: process.pid, dataDir: dataDir() });
    expect(JSON.parse(fs.readFileSync(lockPath(), 'utf8'))).toMatchObject({
      pid: process.pid,
      host: os.hostname(),
      data: { ...identity(), host: '127.0.0.1', port },
    });
    await withClient(first.endpoint, async (c) => {
      await createTable(c);
      await c.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    });
    const t0 = Date.now();
    await first.close();
    const closeMs = Date.now() - t0;
    expect(closeMs).toBeLessThan(2500);
    expect(fs.existsSync(lockPath())).toBe(false);

    const second = await ensure();
    expect(second.owned).toBe(true);
    const back = await withClient(second.endpoint, readItem);
    expect(back).toEqual(item);
  });

  it('reuses the instance another process serves, on that process’s port', async () => {
    const other = await spawnServingProcess();
    const logger = recordingLogger();
    const h = await ensure(logger);
    expect(h).toMatchObject({ owned: false, endpoint: `http://127.0.0.1:${other.port}`, pid: other.child.pid });
    await withClient(h.endpoint, async (c) => {
      await createTable(c);
      await c.send(new PutItemCommand({ TableName: TABLE, Item: item }));
      expect(await readItem(c)).toEqual(item);
    });
    expect(fs.readdirSync(join(dataDir(), LEASE_DIR))).toHaveLength(1);
    await h.close();
    expect(fs.readdirSync(join(dataDir(), LEASE_DIR))).toHaveLength(0);
    expect(logger.lines.join('\n')).toContain(`process ${other.child.pid}`);

    await expect(serveEmbedded(config(), recordingLogger())).rejects.toMatchObject({ code: 'embedded.locked' });
  });

  it('ignores, with a warning, a live process’s lock copied from another repo, and never sends requests to it', async () => {
    // the lock in this folder names the repo it was copied from, whose server (the child) still runs
    const other = await spawnServingProcess({ repo: join(repo, 'original'), project: 'test_project', dataDir: join(repo, 'original/data/online_store') });
    await withClient(`http://127.0.0.1:${other.port}`, createTable);
    const logger = recordingLogger();
    const h = await ensure(logger);
    expect(h).toMatchObject({ owned: true, endpoint: `http://127.0.0.1:${port}`, pid: process.pid });
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([
      expect.stringContaining(`ignoring ${lockPath()}: it was written for project "test_project" of the repo ${join(repo, 'original')}`),
    ]);
    expect(JSON.parse(fs.readFileSync(lockPath(), 'utf8'))).toMatchObject({ pid: process.pid, data: identity() });
    // this repo's store is its own (empty); the original's table is still there
    expect((await withClient(h.endpoint, (c) => c.send(new ListTablesCommand({})))).TableNames).toEqual([]);
    expect((await withClient(`http://127.0.0.1:${other.port}`, (c) => c.send(new ListTablesCommand({})))).TableNames).toEqual([TABLE]);
  });

  it('takes the folder over once the serving process has exited', async () => {
    const other = await spawnServingProcess();
    await withClient(`http://127.0.0.1:${other.port}`, async (c) => {
      await createTable(c);
      await c.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    });
    other.child.kill('SIGKILL'); // no clean-up: the lock file stays behind, stale
    await new Promise((r) => other.child.once('exit', r));
    expect(fs.existsSync(lockPath())).toBe(true);

    const h = await ensure();
    expect(h.owned).toBe(true);
    expect(await withClient(h.endpoint, readItem)).toEqual(item);
  });

  it('takes over a stale lock left by a dead process', async () => {
    fs.mkdirSync(dataDir(), { recursive: true });
    const pid = await deadPid();
    fs.writeFileSync(lockPath(), JSON.stringify({ pid, host: '127.0.0.1', port, startedAt: '2020-01-01T00:00:00Z', token: 'old' }));
    const h = await ensure();
    expect(h.owned).toBe(true);
    expect(JSON.parse(fs.readFileSync(lockPath(), 'utf8')).pid).toBe(process.pid);
  });

  it('refuses clearly when a live process holds the lock but does not answer', async () => {
    fs.mkdirSync(dataDir(), { recursive: true });
    const lock = lockRecord(process.ppid, port, 'aaaaaaaa');
    fs.writeFileSync(lockPath(), lock);
    const err = await ensureEmbeddedDynamo(config(), recordingLogger(), { startWaitMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'embedded.locked' });
    expect((err as Error).message).toContain(String(process.ppid));
    expect((err as { hint: string }).hint).toContain(lockPath());
    expect(fs.readFileSync(lockPath(), 'utf8')).toBe(lock);
  });

  it('reports a port taken by another program and leaves no lock behind', async () => {
    const sockets: net.Socket[] = [];
    const blocker = net.createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const err = await ensureEmbeddedDynamo(config(), recordingLogger()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'embedded.portInUse' });
      expect((err as Error).message).toContain(String(port));
      expect(fs.existsSync(lockPath())).toBe(false);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => blocker.close(() => r()));
    }
    const h = await ensure();
    expect(h.owned).toBe(true);
  });

  it('shares one instance between concurrent calls in one process', async () => {
    const [a, b] = await Promise.all([ensure(), ensure()]);
    expect([a.owned, b.owned].sort()).toEqual([false, true]);
    expect(a.endpoint).toBe(b.endpoint);
    await withClient(a.endpoint, (c) => c.send(new ListTablesCommand({})));
  });

  it('waits for other processes still using the store before stopping it', async () => {
    const logger = recordingLogger();
    const h = await ensure(logger, { usersWaitMs: 400 });
    const lease = join(dataDir(), LEASE_DIR, `${process.ppid}-test`);
    fs.mkdirSync(join(dataDir(), LEASE_DIR), { recursive: true });
    fs.writeFileSync(lease, '');
    const t0 = Date.now();
    await h.close();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(logger.lines.some((l) => l.startsWith('info') && l.includes(`waiting for pid ${process.ppid}`))).toBe(true);
    expect(logger.lines.some((l) => l.startsWith('warn'))).toBe(true);
  });

  it('serves standalone on an overridden port', async () => {
    const other = await freePort();
    const h = await serveEmbedded(config(), recordingLogger(), { port: other });
    handles.push(h);
    expect(h).toMatchObject({ owned: true, endpoint: `http://127.0.0.1:${other}` });
    const out = await withClient(h.endpoint, (c) => c.send(new ListTablesCommand({})));
    expect(out.TableNames).toEqual([]);
  });

  it('survives a client that disconnects half-way through a request', async () => {
    const h = await ensure();
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 500\r\n\r\n{"Tab');
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    const out = await withClient(h.endpoint, (c) => c.send(new ListTablesCommand({})));
    expect(out.TableNames).toEqual([]);
  });

  it('refuses a data folder another program opened without the lock, instead of crashing', async () => {
    fs.mkdirSync(dataDir(), { recursive: true });
    const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
    const { ClassicLevel } = fromDynalite('classic-level') as {
      ClassicLevel: new (p: string) => { open(): Promise<void>; close(): Promise<void> };
    };
    const foreign = new ClassicLevel(dataDir());
    await foreign.open();
    try {
      await expect(ensureEmbeddedDynamo(config(), recordingLogger())).rejects.toMatchObject({ code: 'embedded.locked' });
      expect(fs.existsSync(lockPath())).toBe(false);
    } finally {
      await foreign.close();
    }
  });

  it('only serves loopback http endpoints', () => {
    const bad = (url: string | undefined) => localRepoConfig(repo, url, { dynafeast: { embedded: { path: 'x' } } });
    expect(() => resolveEmbeddedTarget(bad('https://127.0.0.1:8000'))).toThrow(expect.objectContaining({ code: 'config.badValue' }));
    expect(() => resolveEmbeddedTarget(bad('http://10.1.2.3:8000'))).toThrow(expect.objectContaining({ code: 'config.badValue' }));
    expect(() => resolveEmbeddedTarget(bad('http://127.0.0.1'))).toThrow(expect.objectContaining({ code: 'config.badValue' }));
    expect(() => resolveEmbeddedTarget(bad(undefined))).toThrow(expect.objectContaining({ code: 'config.missingKey' }));
    expect(resolveEmbeddedTarget(bad('http://localhost:8001'))).toEqual({
      dataDir: join(repo, 'x'),
      host: '127.0.0.1',
      port: 8001,
      repo,
      project: config().project,
    });
  });
});
