/**
 * The embedded DynamoDB: dynalite in this process over `dynafeast.embedded.path`, or the
 * instance another process already serves for the same folder.
 */
import fs from 'node:fs';
import { sleep } from '../util/sleep.js';
import type { RepoConfig } from '../config/types.js';
import type { Logger } from '../context.js';
import { DynafeastError, isDynafeastError } from '../errors.js';
import type { AwsCredentials } from '../aws/identity.js';
import { addLease, liveLeaseholders, removeLease } from './leases.js';
import { ensureLocalCredentials } from './local-credentials.js';
import type { HeldLock } from '../lock/file-lock.js';
import { acquireLock, lockPathOf, stillHeld, type EmbeddedLockData, type LockInfo } from './lock.js';
import { endpointOf, resolveEmbeddedTarget, type EmbeddedTarget } from './target.js';

/**
 * dynalite and its LevelDB bindings (~150 modules, ~30 ms) load only when a command uses the embedded
 * store, not on every CLI start.
 */
const server = () => import('./dynalite-server.js');

export interface EmbeddedHandle {
  /** URL to give the DynamoDB client; may differ from endpoint_url when another process serves elsewhere. */
  endpoint: string;
  /** True when this process serves the store; false when it reuses another process's instance. */
  owned: boolean;
  dataDir: string;
  /** The process serving the store. */
  pid: number;
  /** The repo's local key (local-credentials.ts): the server refuses requests not signed with it. */
  credentials: AwsCredentials;
  /** Owned: waits for other processes still using the store, then stops it. Reused: lets go of it. */
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** How long to wait for a live lock holder to start answering before giving up. */
  startWaitMs?: number;
  /** How long an owner's close() waits for other processes using the store. */
  usersWaitMs?: number;
}

const DEFAULT_START_WAIT_MS = 5000;
const POLL_MS = 200;

/**
 * Makes the embedded store available for a command whose config sets `dynafeast.embedded`: reuses the
 * instance another process serves for the same folder, else starts one here.
 */
export async function ensureEmbeddedDynamo(config: RepoConfig, logger: Logger, opts: EmbeddedOptions = {}): Promise<EmbeddedHandle> {
  if (!config.dynafeast.embedded) {
    throw new DynafeastError('internal', 'ensureEmbeddedDynamo called for a config without dynafeast.embedded.');
  }
  return open(resolveEmbeddedTarget(config), logger, { ...opts, reuse: true, waitForUsers: true, holdsProcess: false });
}

/**
 * Serves the store standalone for `dynafeast local` (other clients: Feast Python, the AWS CLI). Fails with
 * 'embedded.locked' when another process already serves the folder. close() stops at once.
 */
export async function serveEmbedded(
  target: RepoConfig | EmbeddedTarget,
  logger: Logger,
  opts: EmbeddedOptions & { port?: number; corsOrigin?: string } = {},
): Promise<EmbeddedHandle> {
  const resolved = 'dataDir' in target ? target : resolveEmbeddedTarget(target, { port: opts.port });
  return open(resolved, logger, { ...opts, reuse: false, waitForUsers: false, holdsProcess: true });
}

interface OpenMode extends EmbeddedOptions {
  /** The one browser origin `dynafeast local --cors-origin` allows. */
  corsOrigin?: string;
  reuse: boolean;
  waitForUsers: boolean;
  /**
   * true (`dynafeast local`): the server alone keeps the process running. false: a program that is done
   * ends even if it never called close() (a library user's forgotten `store.close()`); the store is
   * then closed at 'beforeExit', after the processes still using it are done.
   */
  holdsProcess: boolean;
}

async function open(target: EmbeddedTarget, logger: Logger, mode: OpenMode): Promise<EmbeddedHandle> {
  const host = target.host ?? '127.0.0.1';
  const { dataDir, port } = target;
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    throw new DynafeastError('embedded.startFailed', `Could not create the embedded store's folder ${dataDir}: ${(e as Error).message}.`, {
      path: 'dynafeast.embedded.path',
      hint: 'Check the path and its permissions.',
      cause: e,
    });
  }
  const credentials = ensureLocalCredentials(dataDir, logger);
  const identity = { repo: target.repo, project: target.project, dataDir };
  let held: HeldLock<EmbeddedLockData> | undefined;
  while (!held) {
    const result = await acquireLock(identity, { host, port }, (m) => logger.warn(m)).catch((e: unknown) => {
      throw isDynafeastError(e) ? e : startFailed(dataDir, endpointOf(host, port), e);
    });
    if (result.acquired) held = result.held;
    // the lock is being written this very moment
    else if (!result.lock) await sleep(50);
    else if (!mode.reuse) throw alreadyServed(dataDir, result.lock);
    else {
      const reused = await reuse(dataDir, result.lock, credentials, logger, mode.startWaitMs ?? DEFAULT_START_WAIT_MS);
      // undefined: the holder exited meanwhile, so the folder is free to take.
      if (reused) return reused;
    }
  }
  const owned = held;
  const onExit = () => owned.releaseSync();
  process.on('exit', onExit);
  const giveUp = () => {
    process.removeListener('exit', onExit);
    owned.releaseSync();
  };
  const { answersDynamo, assertFolderOpenable, assertPortFree, startDynalite } = await server();
  let dynalite: Awaited<ReturnType<typeof startDynalite>>;
  try {
    await assertPortFree(host, port);
    await assertFolderOpenable(dataDir);
    dynalite = await startDynalite({ dataDir, host, port }, logger, {
      auth: credentials,
      checkHost: true,
      ...(mode.corsOrigin ? { corsOrigin: mode.corsOrigin } : {}),
    });
  } catch (e) {
    giveUp();
    if (isDynafeastError(e)) throw e;
    throw startFailed(dataDir, endpointOf(host, port), e);
  }
  if (!(await answersDynamo(dynalite.endpoint, logger, { credentials }))) {
    await dynalite.close().catch(() => undefined);
    giveUp();
    throw startFailed(dataDir, dynalite.endpoint, new Error('it did not answer ListTables'));
  }
  logger.debug(`embedded DynamoDB started at ${dynalite.endpoint} (data: ${dataDir})`);
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= stop());
  // Nothing else left to do in this process: close as the caller would have (waiting for other users
  // with a timer that keeps the process up meanwhile), so LevelDB is closed and the lock released.
  const closeAtExit = () => void close().catch((e: unknown) => logger.warn(`embedded DynamoDB: ${(e as Error).message}`));
  if (!mode.holdsProcess) {
    dynalite.unref();
    process.once('beforeExit', closeAtExit);
  }
  const stop = async () => {
    process.removeListener('beforeExit', closeAtExit);
    if (mode.waitForUsers) await waitForUsers(dataDir, logger, mode.usersWaitMs ?? Infinity);
    else {
      const users = liveLeaseholders(dataDir);
      if (users.length) logger.warn(`embedded DynamoDB stopped while pid ${users.join(', ')} still used it`);
    }
    try {
      await dynalite.close();
    } finally {
      giveUp();
    }
  };
  return {
    endpoint: dynalite.endpoint,
    owned: true,
    dataDir,
    pid: process.pid,
    credentials,
    close,
  };
}

async function reuse(dataDir: string, lock: LockInfo, credentials: AwsCredentials, logger: Logger, startWaitMs: number): Promise<EmbeddedHandle | undefined> {
  const endpoint = endpointOf(lock.host, lock.port);
  // Leased before probing, so the owner cannot stop between our check and our first request.
  const lease = addLease(dataDir);
  const deadline = Date.now() + startWaitMs;
  for (;;) {
    if (await (await server()).answersDynamo(endpoint, logger, { credentials })) break;
    if (!stillHeld(dataDir, lock)) {
      removeLease(lease);
      return undefined;
    }
    if (Date.now() >= deadline) {
      removeLease(lease);
      throw new DynafeastError('embedded.locked', `The embedded store in ${dataDir} is locked by process ${lock.pid}, which does not answer at ${endpoint}.`, {
        path: 'dynafeast.embedded.path',
        hint: `Wait for process ${lock.pid} to finish or stop it; if no dynafeast process is running, delete ${lockPathOf(dataDir)}.`,
      });
    }
    await sleep(POLL_MS);
  }
  logger.debug(`embedded DynamoDB: using the instance process ${lock.pid} serves at ${endpoint}`);
  const onExit = () => removeLease(lease);
  process.on('exit', onExit);
  return {
    endpoint,
    owned: false,
    dataDir,
    pid: lock.pid,
    credentials,
    close: async () => {
      process.removeListener('exit', onExit);
      removeLease(lease);
    },
  };
}

async function waitForUsers(dataDir: string, logger: Logger, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let told = false;
  for (;;) {
    const users = liveLeaseholders(dataDir);
    if (users.length === 0) return;
    if (Date.now() >= deadline) {
      logger.warn(`embedded DynamoDB: stopping although pid ${users.join(', ')} still uses it`);
      return;
    }
    if (!told) {
      logger.info(`embedded DynamoDB: waiting for pid ${users.join(', ')}, which still uses it (Ctrl-C stops now)`);
      told = true;
    }
    await sleep(POLL_MS);
  }
}

function alreadyServed(dataDir: string, lock: LockInfo): DynafeastError {
  const endpoint = endpointOf(lock.host, lock.port);
  return new DynafeastError('embedded.locked', `Process ${lock.pid} already serves the embedded store in ${dataDir} at ${endpoint}.`, {
    path: 'dynafeast.embedded.path',
    hint: `Use that instance (endpoint ${endpoint}) or stop process ${lock.pid} first.`,
  });
}

function startFailed(dataDir: string, endpoint: string, e: unknown): DynafeastError {
  const why = e instanceof Error ? e.message : String(e);
  return new DynafeastError('embedded.startFailed', `Could not start the embedded DynamoDB at ${endpoint} over ${dataDir}: ${why}.`, {
    hint: 'Run with --debug for details; check the folder is writable and the port allowed.',
    cause: e,
  });
}
