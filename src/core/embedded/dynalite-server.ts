import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import dynalite from 'dynalite';
import type { Logger } from '../context.js';
import { DynafeastError } from '../errors.js';
import type { AwsCredentials } from '../aws/identity.js';
import { localDummyCredentials } from '../aws/credentials.js';
import { endpointOf } from './target.js';
import { verifySignature } from './verify-signature.js';
import { isOwnHost } from '../util/own-host.js';

export { isOwnHost };

export interface DynaliteServer {
  endpoint: string;
  close(): Promise<void>;
  /**
   * Lets the process end while the server listens or holds idle keep-alive connections; a request in
   * flight still keeps it alive through its client's socket.
   */
  unref(): void;
}

// Keep-alive sockets of clients in other processes would hold close() open; cut them after this.
const CLOSE_GRACE_MS = 2000;

/** Who may use the server, beyond being on this machine. */
export interface ServerDoors {
  /** Requests must be SigV4-signed with this key (the repo's local key); absent: any signature (tests). */
  auth?: AwsCredentials;
  /** The one browser origin allowed to call the server (CORS); absent: requests with an Origin are refused. */
  corsOrigin?: string;
  /**
   * Refuse a Host other than the loopback address and port served (DNS rebinding). Off only for test
   * servers that sit behind TCP relays (fault proxies) on other ports.
   */
  checkHost?: boolean;
}

/** dynalite's own limit on a request body; larger ones are refused before they are buffered. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Starts dynalite on host:port (0: any free port) over the LevelDB folder, or in memory without one. For
 * a folder, the caller holds its lock and has checked the port is free.
 */
export async function startDynalite(
  target: { dataDir?: string; host: string; port: number },
  logger: Logger,
  doors: ServerDoors = {},
): Promise<DynaliteServer> {
  // NOTE: 0 ms so tables turn ACTIVE on the next tick (CreateTable itself still answers CREATING).
  const server = dynalite({
    ...(target.dataDir ? { path: target.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  guardRequests(server, logger, doors);
  try {
    await listen(server, target.port, target.host);
  } catch (e) {
    await closeUnlistened(server);
    throw e;
  }
  server.on('error', (e) => logger.warn(`embedded DynamoDB: ${e.message}`));
  const address = server.address();
  const endpoint = endpointOf(target.host, typeof address === 'object' && address ? address.port : target.port);
  logger.debug(`embedded DynamoDB serving ${target.dataDir ?? 'memory'} at ${endpoint}`);
  return {
    endpoint,
    close: () => closeServer(server),
    unref: () => {
      server.unref();
      server.on('connection', (socket: net.Socket) => socket.unref());
    },
  };
}

/**
 * Puts the checks dynalite lacks in front of it (it answers any Origin with CORS `*`, any Host and any
 * signature): the Host must be this loopback address and port (DNS rebinding), an Origin is refused
 * unless it is the one `corsOrigin` (a web page must not reach the store), and with `auth` the SigV4
 * signature must be the repo key's. The body is read here first (the signature covers it) and then
 * handed to dynalite. A client that disconnects mid-body is dropped; dynalite would rethrow the stream's
 * 'error' and kill the process.
 */
function guardRequests(server: Server, logger: Logger, doors: ServerDoors): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refuse = (status: number, type: string, message: string) => {
      logger.debug(`embedded DynamoDB: refused ${req.method} from ${req.socket.remoteAddress} (${message})`);
      refuseRequest(req, res, status, type, message);
    };
    const port = (server.address() as net.AddressInfo | null)?.port;
    if (doors.checkHost && !isOwnHost(req.headers.host, port)) {
      return refuse(403, 'AccessDeniedException', `Host "${req.headers.host ?? ''}" is not this server's loopback address and port`);
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (doors.corsOrigin === undefined || origin !== doors.corsOrigin) {
        return refuse(403, 'AccessDeniedException', `cross-origin requests are refused (Origin ${origin}); see \`dynafeast local --cors-origin\``);
      }
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'POST');
        res.setHeader(
          'Access-Control-Allow-Headers',
          'authorization, content-type, x-amz-date, x-amz-target, x-amz-security-token, x-amz-user-agent, amz-sdk-invocation-id, amz-sdk-request',
        );
        res.setHeader('Access-Control-Max-Age', '600');
        res.statusCode = 204;
        return void res.end();
      }
      // dynalite would add its own `Access-Control-Allow-Origin: *`
      delete req.headers.origin;
    } else if (req.method === 'OPTIONS') {
      return refuse(403, 'AccessDeniedException', 'OPTIONS (CORS preflight) is not served');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let dropped = false;
    req.on('error', (e: Error) => {
      dropped = true;
      logger.debug(`embedded DynamoDB: request dropped (${e.message})`);
      res.destroy();
    });
    req.on('data', (chunk: Buffer) => {
      if (dropped) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        dropped = true;
        refuse(413, 'ValidationException', 'request body too large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (dropped) return;
      const body = Buffer.concat(chunks);
      if (doors.auth && req.method !== 'GET') {
        const problem = verifySignature({ method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body }, doors.auth, Date.now());
        if (problem) return refuse(problem.type === 'MissingAuthenticationTokenException' ? 403 : 400, problem.type, problem.message);
      }
      req.removeAllListeners('data');
      req.removeAllListeners('end');
      req.removeAllListeners('error');
      // the body is consumed; replay it to dynalite's listeners, which read it the same way
      for (const handle of handlers) handle(req, res);
      if (body.length > 0) req.emit('data', body);
      req.emit('end');
    });
  });
}

/** A DynamoDB-shaped error (SDKs show `type: message`), and the connection closed. */
function refuseRequest(req: IncomingMessage, res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ __type: `com.amazon.coral.service#${type}`, message });
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  res.end(body);
  req.resume();
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
}

/** dynalite closes its LevelDB only from a listening server's close(), so listen anywhere first. */
async function closeUnlistened(server: Server): Promise<void> {
  try {
    await listen(server, 0, '127.0.0.1');
    await closeServer(server);
  } catch {
    // best effort: the store was never used
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.close((e?: Error) => {
      clearTimeout(timer);
      if (e) reject(e);
      else resolve();
    });
  });
}

/** Rejects with 'embedded.portInUse' when something listens on host:port; says so if it is a DynamoDB. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  const probe = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, host, () => resolve());
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE') throw e;
    const endpoint = endpointOf(host, port);
    const what = (await answersDynamo(endpoint))
      ? 'another DynamoDB-compatible server (another repo’s embedded store, DynamoDB Local, moto…)'
      : 'another program';
    throw new DynafeastError('embedded.portInUse', `Port ${port} on ${host} is already used by ${what}.`, {
      path: 'online_store.endpoint_url',
      hint: `Change the port in online_store.endpoint_url (or pass --port to \`dynafeast local\`), or stop the program listening on ${port}.`,
      cause: e,
    });
  }
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

interface ClassicLevelCtor {
  new (path: string): { open(): Promise<void>; close(): Promise<void> };
}

/**
 * Opens and closes the LevelDB folder once before dynalite does: a folder held by a program that does
 * not use dynafeast's lock fails here with an error instead of crashing dynalite's process.
 */
export async function assertFolderOpenable(dataDir: string): Promise<void> {
  // The copy of classic-level dynalite itself loads, so both agree on the native module.
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { ClassicLevel } = fromDynalite('classic-level') as { ClassicLevel: ClassicLevelCtor };
  const db = new ClassicLevel(dataDir);
  try {
    await db.open();
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new DynafeastError('embedded.locked', `The embedded store's data folder ${dataDir} is open in another program.`, {
        hint: 'Stop the other program using that folder (a dynalite started by hand?), or point dynafeast.embedded.path elsewhere.',
        cause: e,
      });
    }
    throw new DynafeastError('embedded.startFailed', `Could not open the embedded store's data in ${dataDir}: ${(e as Error).message}.`, {
      hint: 'Check the folder is readable and writable; if its files are damaged, move it aside and run `dynafeast apply` and `materialize` again.',
      cause: e,
    });
  }
  await db.close();
}

/** DynamoDB's answers to a request signed with the wrong key: a DynamoDB refusing us still is one. */
const AUTH_REFUSALS = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'MissingAuthenticationTokenException', 'AccessDeniedException']);

/**
 * True when endpoint answers a DynamoDB ListTables quickly, or refuses it the way DynamoDB refuses a key
 * it does not know (another repo's embedded store).
 */
export async function answersDynamo(endpoint: string, logger?: Logger, opts: { timeoutMs?: number; credentials?: AwsCredentials } = {}): Promise<boolean> {
  const timeoutMs = opts.timeoutMs ?? 1500;
  // No keep-alive: a lingering socket would hold the probed server's close() open.
  const httpAgent = new http.Agent({ keepAlive: false });
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: opts.credentials ? { ...opts.credentials } : localDummyCredentials(),
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      httpAgent,
      connectionTimeout: Math.min(500, timeoutMs),
      requestTimeout: timeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
  try {
    const out = await client.send(new ListTablesCommand({ Limit: 1 }));
    return Array.isArray(out.TableNames);
  } catch (e) {
    if (AUTH_REFUSALS.has((e as Error).name) && (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined) return true;
    logger?.debug(`no DynamoDB answer at ${endpoint}: ${(e as Error).name}: ${(e as Error).message}`);
    return false;
  } finally {
    client.destroy();
    httpAgent.destroy();
  }
}
