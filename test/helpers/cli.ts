import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defined } from './defined.js';
import { freePort } from './free-port.js';
import { tempRepoDir } from './temp-dir.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin', 'dynafeast.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs the built binary (npm test builds first) with no TTY, as CI would. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runNode(binPath, args, opts);
}

/** Runs a Node script with no TTY; SIGKILLed (signal in the result) after timeoutMs. */
export function runNode(script: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess(process.execPath, [script, ...args], opts);
}

/** Runs a program with no TTY; SIGKILLed (signal in the result) after timeoutMs. */
export function runProcess(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Starts the binary and resolves once stderr or stdout matches `ready`. */
export function startCli(
  args: string[],
  ready: RegExp,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ child: ChildProcess; output: () => string; exited: Promise<RunResult> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let done = false;
    const exited = new Promise<RunResult>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
    const check = () => {
      if (!done && ready.test(stdout + stderr)) {
        done = true;
        resolve({ child, output: () => stdout + stderr, exited });
      }
    };
    defined(child.stdout).on('data', (d) => ((stdout += d), check()));
    defined(child.stderr).on('data', (d) => ((stderr += d), check()));
    void exited.then((r) => {
      if (!done) reject(new Error(`exited ${r.code} before ready:\n${r.stdout}${r.stderr}`));
    });
  });
}

/** A temp folder removed after the suite (test/helpers/temp-dir.ts). */
export function tempDir(prefix = 'dynafeast-e2e-'): string {
  return tempRepoDir(prefix);
}

/** A stack frame line, which must never reach a user without --debug. */
export const STACK_FRAME = /^\s+at .+\(.*:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

export { freePort };

/**
 * Points a `-t local` repo's embedded store at a free port: the template's fixed 4567 would collide
 * between test files running at once.
 */
export async function useFreePort(repoDir: string): Promise<number> {
  const port = await freePort();
  const config = path.join(repoDir, 'feature_store.yaml');
  writeFileSync(config, readFileSync(config, 'utf8').replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`));
  return port;
}

/** Runs tsc from this repo's devDependencies. */
export const tscPath = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * The tsconfig a strict consumer would use, Node's types from this repo. `checkAllDeclarations` also
 * type-checks every declaration file the program reaches (dynafeast's and the AWS SDK's: slow).
 */
export function consumerTsconfig(files: string[], outDir: string, checkAllDeclarations = true): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: !checkAllDeclarations,
      outDir,
      typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
      types: ['node'],
    },
    files,
  });
}
