/**
 * HTTP(S)_PROXY / NO_PROXY against a real forwarding proxy written here (CONNECT tunnels for https,
 * absolute-URI requests for http) in front of a real dynalite. Everything is on loopback, which never goes
 * through a proxy in use, so the suite turns on the proxy module's test switch.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { inspect } from 'node:util';
import { GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createAwsClients, describeAwsError, type AwsClients } from '../../src/core/aws/clients.js';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { createLeanClient } from '../../src/core/aws/lean/lean-client.js';
import { createProxyAgent, proxyForScheme, proxyTesting } from '../../src/core/aws/proxy.js';
import type { Logger } from '../../src/core/context.js';
import { isDynafeastError } from '../../src/core/errors.js';
import type { WriteUnit } from '../../src/core/materialize/batch-writer.js';
import { createLeanBatchSender, createLeanConditionalPutSender } from '../../src/core/materialize/lean/lean-sender.js';
import { createLeanBatchGet } from '../../src/core/online/lean-batch-get.js';
import { createFeastTable, localRepoConfig, startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { DEFAULT_RETRY_POLICY } from '../../src/core/util/retry.js';
import { defined } from '../helpers/defined.js';
import { tempRepoDir } from '../helpers/temp-dir.js';

const USER = 'alice';
const PASSWORD = 'pr0xy-s3cret@corp';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'REQUEST_METHOD'];
const TABLE = 'proxied';

interface Seen {
  kind: 'connect' | 'forward';
  /** host:port of a CONNECT, the absolute URL of a forwarded request. */
  target: string;
  auth: string | undefined;
}

interface TestProxy {
  port: number;
  /** Requests and tunnels it was asked for, refused ones included. */
  seen: Seen[];
  /** TCP connections clients opened to it, and the most open at once. */
  connections: number;
  maxOpen: number;
  url(credentials?: string): string;
  close(): Promise<void>;
}

/**
 * A forwarding proxy on loopback that wants Basic credentials `USER:PASSWORD`: CONNECT opens a tunnel,
 * an absolute-URI request is forwarded. It only ever connects to loopback targets.
 */
async function startProxy(): Promise<TestProxy> {
  const seen: Seen[] = [];
  const upstream = new http.Agent({ keepAlive: true });
  const state = { connections: 0, open: 0, maxOpen: 0 };
  const loopback = (host: string) => host === '127.0.0.1' || host === 'localhost';
  const server = http.createServer((req, res) => {
    const auth = req.headers['proxy-authorization'];
    seen.push({ kind: 'forward', target: req.url ?? '', auth });
    if (auth !== BASIC) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-type': 'text/html' }).end('<html>proxy login</html>');
      return;
    }
    const target = new URL(req.url ?? '');
    if (!loopback(target.hostname)) {
      res.writeHead(502).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const forward = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers, agent: upstream },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const auth = req.headers['proxy-authorization'];
    seen.push({ kind: 'connect', target: req.url ?? '', auth });
    if (auth !== BASIC) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    if (!host || !loopback(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const tunnel = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) tunnel.write(head);
      tunnel.pipe(client);
      client.pipe(tunnel);
    });
    tunnel.on('error', () => client.destroy());
    client.on('error', () => tunnel.destroy());
  });
  server.on('connection', (socket: net.Socket) => {
    state.connections++;
    state.maxOpen = Math.max(state.maxOpen, ++state.open);
    socket.on('close', () => state.open--);
  });
  const port = await listen(server);
  return {
    port,
    seen,
    get connections() {
      return state.connections;
    },
    get maxOpen() {
      return state.maxOpen;
    },
    url: (credentials) => `http://${credentials ? `${credentials}@` : ''}127.0.0.1:${port}`,
    close: async () => {
      upstream.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const CREDENTIALS_URL = `${USER}:${encodeURIComponent(PASSWORD)}`;

let dynalite: TestDynalite;
let proxy: TestProxy;
let tmp: string;
let saved: Record<string, string | undefined>;
const owned: Array<{ destroy?(): void; close?(): void }> = [];
const debugLines: string[] = [];
const logger: Logger = {
  debug: (m: string) => debugLines.push(m),
  info: (m: string) => debugLines.push(m),
  warn: (m: string) => debugLines.push(m),
} as unknown as Logger;

beforeAll(async () => {
  dynalite = await startDynalite();
  proxy = await startProxy();
  tmp = tempRepoDir('dynafeast-proxy-');
  await createFeastTable(dynalite.client, TABLE);
});

afterAll(async () => {
  await proxy.close();
  await dynalite.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
  for (const k of PROXY_VARS) delete process.env[k];
  proxyTesting.proxyLoopback = true;
  proxy.seen.length = 0;
  debugLines.length = 0;
});

afterEach(() => {
  for (const o of owned.splice(0)) (o.destroy ?? o.close)?.call(o);
  proxyTesting.proxyLoopback = false;
  for (const k of PROXY_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

function awsClients(endpoint = dynalite.endpoint): AwsClients {
  const clients = createAwsClients(localRepoConfig(tmp, endpoint, { onlineStore: { connectTimeout: 2, totalMaxRetryAttempts: 2 } }), {
    credentials: localDummyCredentials(),
    logger,
  });
  owned.push(clients);
  return clients;
}

const leanOptions = (endpoint = dynalite.endpoint, maxSockets = 4) => ({
  endpoint,
  region: 'us-east-1',
  credentials: localDummyCredentials(),
  maxSockets,
  requestTimeoutMs: 2000,
});

function leanGet(endpoint = dynalite.endpoint, maxSockets = 4) {
  const get = createLeanBatchGet({
    endpoint,
    region: 'us-east-1',
    credentials: localDummyCredentials(),
    maxSockets,
    readTimeoutMs: 2000,
    retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 },
  });
  owned.push(get);
  return get;
}

const unit = (id: string, value: string): WriteUnit => {
  const item = { entity_id: { S: id }, value: { S: value }, event_ts: { S: '2026-01-01T00:00:00' } };
  return { key: id, json: JSON.stringify(item), eventTs: item.event_ts.S, bytes: 0 };
};

async function readBack(ids: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    const got = await dynalite.client.send(new GetItemCommand({ TableName: TABLE, Key: { entity_id: { S: id } } }));
    if (got.Item) out[id] = defined(got.Item.value?.S);
  }
  return out;
}

/** Everything a user could see: messages, hints, causes' stacks, the errors as printed by console.log, debug lines. */
function printed(e: unknown): string {
  const d = describeAwsError(e, { action: 'BatchWriteItem', table: TABLE, endpoint: dynalite.endpoint });
  const cause = d.cause instanceof Error ? `${d.cause.message}\n${d.cause.stack}` : '';
  return [d.message, d.hint ?? '', cause, String(e), inspect(e, { depth: 6 }), inspect(d, { depth: 6 }), ...debugLines].join('\n');
}

function expectNoCredentials(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(encodeURIComponent(PASSWORD));
  expect(text).not.toContain(BASIC.slice('Basic '.length));
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

describe('through HTTP_PROXY (absolute-URI requests)', () => {
  beforeEach(() => {
    process.env.HTTP_PROXY = proxy.url(CREDENTIALS_URL);
  });

  test('lean writes (BatchWriteItem, PutItem) and reads (BatchGetItem) go through the proxy with its credentials', async () => {
    const writer = createLeanBatchSender(leanOptions());
    const putter = createLeanConditionalPutSender(leanOptions());
    owned.push(writer, putter);
    const batch = Array.from({ length: 25 }, (_, i) => unit(`w${i}`, `v${i}`));
    expect((await writer.send(TABLE, batch)).unprocessed).toEqual([]);
    expect((await putter.send(TABLE, [unit('p0', 'put')])).unprocessed).toEqual([]);
    const got = await leanGet().send({ RequestItems: { [TABLE]: { Keys: [{ entity_id: { S: 'w3' } }, { entity_id: { S: 'p0' } }] } } });

    expect(
      defined(got.Responses?.[TABLE])
        .map((i) => defined(i.value).S)
        .sort(),
    ).toEqual(['put', 'v3']);
    expect(await readBack(['w0', 'w24', 'p0'])).toEqual({ w0: 'v0', w24: 'v24', p0: 'put' });
    expect(proxy.seen).toHaveLength(3);
    for (const s of proxy.seen) {
      expect(s).toEqual({ kind: 'forward', target: `${dynalite.endpoint}/`, auth: BASIC });
    }
  });

  test('SDK calls go through the proxy', async () => {
    const aws = awsClients();
    const tables = await aws.dynamo.send(new ListTablesCommand({}));
    expect(tables.TableNames).toContain(TABLE);
    expect(proxy.seen).toEqual([{ kind: 'forward', target: `${dynalite.endpoint}/`, auth: BASIC }]);
    expect(debugLines.join('\n')).toContain(`the proxy 127.0.0.1:${proxy.port} (HTTP_PROXY)`);
    expectNoCredentials(debugLines.join('\n'));
  });

  test('connections to the proxy are kept alive and capped at maxSockets', async () => {
    const before = proxy.connections;
    const get = leanGet(dynalite.endpoint, 2);
    const key = { RequestItems: { [TABLE]: { Keys: [{ entity_id: { S: 'w1' } }] } } };
    await Promise.all(Array.from({ length: 12 }, () => get.send(key)));
    await Promise.all(Array.from({ length: 12 }, () => get.send(key)));
    expect(proxy.seen).toHaveLength(24);
    expect(proxy.connections - before).toBeLessThanOrEqual(2);
  });

  test('NO_PROXY sends the host directly', async () => {
    process.env.NO_PROXY = 'example.com, 127.0.0.1';
    const writer = createLeanBatchSender(leanOptions());
    owned.push(writer);
    await writer.send(TABLE, [unit('direct', 'd')]);
    await leanGet().send({ RequestItems: { [TABLE]: { Keys: [{ entity_id: { S: 'direct' } }] } } });
    await awsClients().dynamo.send(new ListTablesCommand({}));
    expect(await readBack(['direct'])).toEqual({ direct: 'd' });
    expect(proxy.seen).toEqual([]);
  });

  test('without the test switch a loopback endpoint never uses the proxy', async () => {
    proxyTesting.proxyLoopback = false;
    process.env.HTTP_PROXY = `http://127.0.0.1:${await deadPort()}`;
    const writer = createLeanBatchSender(leanOptions());
    owned.push(writer);
    await writer.send(TABLE, [unit('local', 'l')]);
    await awsClients().dynamo.send(new ListTablesCommand({}));
    expect(await readBack(['local'])).toEqual({ local: 'l' });
  });

  test('wrong proxy credentials: a clear error naming the proxy, never the password', async () => {
    process.env.HTTP_PROXY = proxy.url(`${USER}:wrong-${encodeURIComponent(PASSWORD)}`);
    const writer = createLeanBatchSender(leanOptions());
    owned.push(writer);
    const lean = await caught(writer.send(TABLE, [unit('x', 'x')]));
    const sdk = await caught(awsClients().dynamo.send(new ListTablesCommand({})));

    for (const e of [lean, sdk]) {
      const d = describeAwsError(e, { endpoint: dynalite.endpoint });
      expect(d.code).toBe('dynamo.unreachable');
      expect(d.message).toMatch(/407/);
      expect(d.hint).toMatch(/user:password/);
      expectNoCredentials(printed(e));
    }
    // the lean client knows which proxy it used
    expect(describeAwsError(lean).message).toContain(`127.0.0.1:${proxy.port} (from HTTP_PROXY)`);
  });
});

describe('through HTTPS_PROXY (CONNECT tunnels)', () => {
  let tlsServer: tls.Server;
  let tlsPort: number;
  const hellos: string[] = [];

  // The far end of the tunnel: it records the TLS ClientHello's server name, then ends the handshake
  // (no certificate this process trusts could be offered), so a request fails after reaching it.
  beforeAll(async () => {
    tlsServer = tls.createServer({
      SNICallback: (name, done) => {
        hellos.push(name);
        done(new Error('no certificate here'));
      },
    });
    tlsServer.on('tlsClientError', () => {});
    tlsPort = await listen(tlsServer);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  });
  beforeEach(() => {
    hellos.length = 0;
    process.env.HTTPS_PROXY = proxy.url(CREDENTIALS_URL);
  });

  test('lean and SDK requests open a CONNECT tunnel with the credentials, and TLS runs through it', async () => {
    const endpoint = `https://localhost:${tlsPort}`;
    const writer = createLeanBatchSender(leanOptions(endpoint));
    owned.push(writer);
    const lean = await caught(writer.send(TABLE, [unit('t', 't')]));
    const read = await caught(leanGet(endpoint).send({ RequestItems: { [TABLE]: { Keys: [{ entity_id: { S: 't' } }] } } }));
    const sdk = await caught(awsClients(endpoint).dynamo.send(new ListTablesCommand({})));

    const tunnels = proxy.seen.filter((s) => s.kind === 'connect');
    expect(tunnels.length).toBeGreaterThanOrEqual(3);
    for (const s of tunnels) expect(s).toEqual({ kind: 'connect', target: `localhost:${tlsPort}`, auth: BASIC });
    // each tunnel carried a real TLS handshake for the endpoint's host
    expect(hellos.length).toBe(tunnels.length);
    expect(new Set(hellos)).toEqual(new Set(['localhost']));
    // (the far end's refusal reads as a dropped connection; what matters here is the path it took)
    for (const e of [lean, read, sdk]) expectNoCredentials(printed(e));
  });

  test('NO_PROXY sends the host directly', async () => {
    process.env.no_proxy = '.localhost,localhost';
    const endpoint = `https://localhost:${tlsPort}`;
    const writer = createLeanBatchSender(leanOptions(endpoint));
    owned.push(writer);
    await caught(writer.send(TABLE, [unit('t', 't')]));
    await caught(awsClients(endpoint).dynamo.send(new ListTablesCommand({})));
    expect(proxy.seen).toEqual([]);
    expect(hellos.length).toBeGreaterThanOrEqual(2);
  });

  test('a proxy that refuses the credentials: HTTP 407 named with the proxy and HTTPS_PROXY', async () => {
    process.env.HTTPS_PROXY = proxy.url(`${USER}:wrong`);
    const endpoint = `https://localhost:${tlsPort}`;
    const lean = await caught(createLeanClient(leanOptions(endpoint)).call('ListTables', '{}'));
    const sdk = await caught(awsClients(endpoint).dynamo.send(new ListTablesCommand({})));
    for (const e of [lean, sdk]) {
      const d = describeAwsError(e, { action: 'ListTables', endpoint });
      expect(d.code).toBe('dynamo.unreachable');
      expect(d.message).toContain(`127.0.0.1:${proxy.port} (from HTTPS_PROXY)`);
      expect(d.message).toContain('HTTP 407');
      expect(d.hint).toMatch(/HTTPS_PROXY as http:\/\/user:password@host:port/);
    }
    expect(hellos).toEqual([]);
  });

  test('a dead proxy: a clear error naming it (host:port only) and HTTPS_PROXY, with a hint', async () => {
    const port = await deadPort();
    process.env.HTTPS_PROXY = `http://${CREDENTIALS_URL}@127.0.0.1:${port}`;
    const endpoint = `https://localhost:${tlsPort}`;
    const writer = createLeanBatchSender(leanOptions(endpoint));
    owned.push(writer);
    const lean = await caught(writer.send(TABLE, [unit('t', 't')]));
    const sdk = await caught(awsClients(endpoint).dynamo.send(new ListTablesCommand({})));
    for (const e of [lean, sdk]) {
      const d = describeAwsError(e, { action: 'BatchWriteItem', table: TABLE, endpoint });
      expect(isDynafeastError(d) && d.code).toBe('dynamo.unreachable');
      expect(d.message).toContain(`The proxy 127.0.0.1:${port} (from HTTPS_PROXY) could not be reached (ECONNREFUSED)`);
      expect(d.hint).toMatch(/HTTPS_PROXY/);
      expect(d.hint).toMatch(/NO_PROXY/);
      expectNoCredentials(printed(e));
      expect(printed(e)).not.toContain(USER);
    }
    expect(hellos).toEqual([]);
  });

  test('a proxy that never answers CONNECT fails within the connect timeout, naming it', async () => {
    // reads the CONNECT request and never answers it
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => {
      sockets.push(s);
      s.resume();
    });
    const port = await listen(silent);
    try {
      process.env.HTTPS_PROXY = `http://127.0.0.1:${port}`;
      const endpoint = `https://localhost:${tlsPort}`;
      const started = Date.now();
      const lean = await caught(createLeanClient({ ...leanOptions(endpoint), requestTimeoutMs: 300 }).call('ListTables', '{}'));
      expect(Date.now() - started).toBeLessThan(2000);
      const d = describeAwsError(lean);
      expect(d.message).toContain(`The proxy 127.0.0.1:${port} (from HTTPS_PROXY) did not answer in time`);
      // the socket to the silent proxy was closed, not left open
      expect(sockets.length).toBeGreaterThan(0);
      await Promise.all(sockets.map((s) => (s.destroyed ? undefined : new Promise((closed) => s.once('close', closed)))));
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

// The SDK's agent for the regional AWS endpoints is built before the host is known: it decides per request.
describe('an agent built before the host is known', () => {
  test('http: proxied hosts get absolute-URI requests, exempt ones a plain request without proxy headers', async () => {
    const origin: Array<{ url: string | undefined; proxyAuth: string | undefined }> = [];
    const server = http.createServer((req, res) => {
      origin.push({ url: req.url, proxyAuth: req.headers['proxy-authorization'] });
      res.end('ok');
    });
    const port = await listen(server);
    const env = { HTTP_PROXY: proxy.url(CREDENTIALS_URL), NO_PROXY: 'localhost' };
    const agent = await createProxyAgent('http:', defined(proxyForScheme('http:', env)), { keepAlive: true, maxSockets: 2, connectTimeoutMs: 1000 }, env);
    owned.push(agent);
    const get = (host: string) =>
      new Promise<string>((resolve, reject) => {
        http
          .get({ host, port, path: '/x', agent }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c));
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
    try {
      expect(await get('127.0.0.1')).toBe('ok');
      expect(await get('localhost')).toBe('ok');
      expect(proxy.seen).toEqual([{ kind: 'forward', target: `http://127.0.0.1:${port}/x`, auth: BASIC }]);
      expect(origin).toEqual([
        { url: '/x', proxyAuth: undefined },
        { url: '/x', proxyAuth: undefined },
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('https: proxied hosts get a CONNECT tunnel, exempt ones connect directly', async () => {
    const hellos: string[] = [];
    const far = tls.createServer({
      SNICallback: (name, done) => {
        hellos.push(name);
        done(new Error('no certificate here'));
      },
    });
    far.on('tlsClientError', () => {});
    const port = await listen(far);
    const env = { HTTPS_PROXY: proxy.url(CREDENTIALS_URL), NO_PROXY: 'localhost' };
    const agent = await createProxyAgent('https:', defined(proxyForScheme('https:', env)), { keepAlive: true, maxSockets: 2, connectTimeoutMs: 1000 }, env);
    owned.push(agent);
    const attempt = (host: string, servername: string) =>
      new Promise<void>((resolve) => {
        https.get({ host, port, path: '/', agent, servername }, () => resolve()).on('error', () => resolve());
      });
    try {
      await attempt('127.0.0.1', 'via-proxy.test');
      await attempt('localhost', 'localhost');
      expect(proxy.seen).toEqual([{ kind: 'connect', target: `127.0.0.1:${port}`, auth: BASIC }]);
      expect(hellos).toEqual(['via-proxy.test', 'localhost']);
    } finally {
      await new Promise<void>((resolve) => far.close(() => resolve()));
    }
  });
});
