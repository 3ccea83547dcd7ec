import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import dynalite from 'dynalite';
import type { Logger } from '../context.js';
import { DynafeastError } from '../errors.js';
import { localDummyCredentials } from '../aws/credentials.js';
import { endpointOf } from './target.js';

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

/**
 * Starts dynalite on host:port (0: any free port) over the LevelDB folder, or in memory without one. For
 * a folder, the caller holds its lock and has checked the port is free.
 */
export async function startDynalite(
  target: { dataDir?: string; host: string; port: number },
  logger: Logger,
): Promise<DynaliteServer> {
  // NOTE: 0 ms so tables turn ACTIVE on the next tick (CreateTable itself still answers CREATING).
  const server = dynalite({
    ...(target.dataDir ? { path: target.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  survivesAbortedRequests(server, logger);
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
 * dynalite rethrows a request stream's 'error' (a client that disconnects mid-body), which would kill
 * the whole process; such a request is dropped instead.
 */
function survivesAbortedRequests(server: Server, logger: Logger): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const on = req.on.bind(req);
    req.on = ((event: string, listener: (...args: unknown[]) => void) => {
      if (event !== 'error') return on(event, listener);
      return on('error', (e: Error) => {
        logger.debug(`embedded DynamoDB: request dropped (${e.message})`);
        res.destroy();
      });
    }) as typeof req.on;
    for (const handle of handlers) handle(req, res);
  });
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

/** True when endpoint answers a DynamoDB ListTables quickly. */
export async function answersDynamo(endpoint: string, logger?: Logger, timeoutMs = 1500): Promise<boolean> {
  // No keep-alive: a lingering socket would hold the probed server's close() open.
  const httpAgent = new http.Agent({ keepAlive: false });
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: localDummyCredentials(),
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
    logger?.debug(`no DynamoDB answer at ${endpoint}: ${(e as Error).name}: ${(e as Error).message}`);
    return false;
  } finally {
    client.destroy();
    httpAgent.destroy();
  }
}
