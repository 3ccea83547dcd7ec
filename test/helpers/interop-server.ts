/**
 * The DynamoDB-compatible server both SDKs talk to through `endpoint_url`: `dynafeast local` (the
 * embedded dynalite, served standalone) by default, or moto server with INTEROP_SERVER=moto.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { readLocalCredentials } from '../../src/core/embedded/local-credentials.js';
import { AWS_DUMMY_ENV, binPath, serverCredentialsEnv } from './interop.js';
import { freePort } from './cli.js';
import { defined } from './defined.js';

export interface Server {
  kind: 'dynalite' | 'moto';
  endpoint: string;
  /** The credentials its clients must sign with (`dynafeast local` accepts only its repo's key). */
  credentialsEnv: Record<string, string>;
  /** The server's process id (its CPU time is read from /proc by the S3 benchmark). */
  pid: number | undefined;
  stop(): Promise<void>;
}

export { freePort };

export function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`server exited ${child.exitCode} before listening:\n${log()}`));
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`server not listening on ${port} after ${timeoutMs} ms:\n${log()}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts the server in `dir` (dynalite keeps its data there). */
export async function startServer(kind: 'dynalite' | 'moto', dir: string): Promise<Server> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let child: ChildProcess;
  if (kind === 'dynalite') {
    // A repo of its own: the feature repos under test then use the endpoint like any remote DynamoDB.
    writeFileSync(
      path.join(dir, 'feature_store.yaml'),
      [
        'project: interop_server',
        'registry: data/registry.db',
        'provider: aws',
        'online_store:',
        '  type: dynamodb',
        '  region: us-east-1',
        `  endpoint_url: ${endpoint}`,
        'entity_key_serialization_version: 3',
        'dynafeast:',
        '  embedded:',
        '    path: data/online_store',
        '',
      ].join('\n'),
    );
    child = spawn(process.execPath, [binPath, '-c', dir, 'local', '--no-color'], {
      env: { ...process.env, ...AWS_DUMMY_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
      env: { ...process.env, ...AWS_DUMMY_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  let log = '';
  defined(child.stdout).on('data', (d) => (log += d));
  defined(child.stderr).on('data', (d) => (log += d));
  child.on('error', (e) => (log += `\nspawn error: ${e.message}`));
  try {
    await waitForPort(port, child, () => log, 30_000);
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  const credentialsEnv: Record<string, string> = {};
  if (kind === 'dynalite') {
    // `dynafeast local` refuses requests not signed with the key it generated for its repo: Feast's
    // boto3 and the dynafeast processes of the test get that key instead of the dummy one.
    const key = readLocalCredentials(path.join(dir, 'data/online_store'));
    if (!key) throw new Error(`dynafeast local wrote no key file in ${dir}/data/online_store:\n${log}`);
    Object.assign(credentialsEnv, { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey });
    Object.assign(serverCredentialsEnv, credentialsEnv);
  }
  return {
    kind,
    endpoint,
    credentialsEnv,
    pid: child.pid,
    stop: async () => {
      await stopChild(child);
      for (const k of Object.keys(serverCredentialsEnv)) delete serverCredentialsEnv[k];
    },
  };
}
