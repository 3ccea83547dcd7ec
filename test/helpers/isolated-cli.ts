/**
 * Spawning the built binary for the reliability tier, with an environment cut off from the developer's
 * AWS identity (no keys, no profiles, no instance metadata) so a case behaves the same on every machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { binPath, repoRoot } from './cli.js';
import { defined } from './defined.js';
import { tempRepoDir } from './temp-dir.js';

export { binPath, repoRoot, STACK_FRAME } from './cli.js';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  cwd?: string;
  /** Added to the isolated environment. */
  env?: Record<string, string>;
  /** Variables removed after `env` is applied. */
  unset?: readonly string[];
  timeoutMs?: number;
}

const AWS_IDENTITY_VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'FEATURE_STORE_YAML_BASE64',
];

const noAwsHome = tempRepoDir('dynafeast-noaws-');

/** process.env without any AWS identity, pointing the shared files at an empty folder. */
export function isolatedEnv(extra: Record<string, string> = {}, unset: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true' };
  for (const k of AWS_IDENTITY_VARS) delete env[k];
  Object.assign(env, {
    AWS_SHARED_CREDENTIALS_FILE: path.join(noAwsHome, 'credentials'),
    AWS_CONFIG_FILE: path.join(noAwsHome, 'config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  });
  for (const k of unset) delete env[k];
  return env;
}

/** Starts the binary; `done` resolves when it exits (killed with SIGKILL after timeoutMs). */
export function spawnCli(args: readonly string[], opts: CliOptions = {}): { child: ChildProcess; done: Promise<CliRun>; output(): string } {
  const started = performance.now();
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: isolatedEnv(opts.env, opts.unset),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  defined(child.stdout).on('data', (d) => (stdout += d));
  defined(child.stderr).on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  return { child, done, output: () => stdout + stderr };
}

export function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliRun> {
  return spawnCli(args, opts).done;
}

/** Resolves once the output matches `pattern` (rejects if the process exits first). */
export function waitForOutput(run: ReturnType<typeof spawnCli>, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${run.output()}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      if (pattern.test(run.output())) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 10);
    void run.done.then((r) => {
      if (!pattern.test(run.output())) {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`exited ${r.code ?? r.signal} before ${pattern}:\n${r.stdout}${r.stderr}`));
      }
    });
  });
}

/**
 * Resolves with `event` (e.g. a fault-proxy hold's `arrived`), or rejects with the run's output when the
 * process exits first or `timeoutMs` passes: a test waiting for a request never hangs on a CLI that failed.
 */
export function whileRunning<T>(run: ReturnType<typeof spawnCli>, event: Promise<T>, what: string, timeoutMs = 120_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms:\n${run.output()}`)), timeoutMs);
    void run.done.then((r) => reject(new Error(`exited ${r.code ?? r.signal} before ${what}:\n${r.stdout}${r.stderr}`)));
  });
  return Promise.race([event, failed]).finally(() => clearTimeout(timer));
}
