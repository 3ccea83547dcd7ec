import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defined } from './defined.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin', 'dynafeast.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built binary (npm test builds first) with no TTY, as CI would. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
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
export function startCli(args: string[], ready: RegExp, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ child: ChildProcess; output: () => string; exited: Promise<RunResult> }> {
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

export function tempDir(prefix = 'dynafeast-e2e-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A stack frame line, which must never reach a user without --debug. */
export const STACK_FRAME = /^\s+at .+\(.*:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;
