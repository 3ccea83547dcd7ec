/**
 * Shared plumbing of the interop tier: the Feast virtualenv's python (set up by
 * scripts/interop/setup.sh, passed in as INTEROP_PYTHON by scripts/interop/run.sh), the scripts beside
 * it, and the built dynafeast binary.
 */
import { copyFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, runProcess, type RunResult } from './cli.js';
import { tempRepoDir } from './temp-dir.js';

export { repoRoot };
export const scriptsDir = path.join(repoRoot, 'scripts', 'interop');
/** The built binary; INTEROP_DYNAFEAST_BIN points elsewhere (e.g. a private build while the tree is in flux). */
export const binPath = process.env.INTEROP_DYNAFEAST_BIN ?? path.join(repoRoot, 'bin', 'dynafeast.js');

/** The venv's python; a missing variable fails loudly so the tier never passes without Feast. */
export function interopPython(): string {
  const py = process.env.INTEROP_PYTHON;
  if (py === undefined || py === '') {
    throw new Error('INTEROP_PYTHON is not set: run this tier with `npm run test:interop` (scripts/interop/run.sh)');
  }
  return py;
}

export type { RunResult };

/** Dummy credentials: boto3 and the AWS SDK both insist on some, the local servers accept any. */
export const AWS_DUMMY_ENV = {
  AWS_ACCESS_KEY_ID: 'interop',
  AWS_SECRET_ACCESS_KEY: 'interop',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/**
 * The key of the server under test when it checks signatures (`dynafeast local` accepts only its repo's
 * key): set by server.ts once the server runs, and given to every boto3 and dynafeast process after
 * the dummy credentials, so it wins.
 */
export const serverCredentialsEnv: Record<string, string> = {};

/** A program with the dummy credentials and the server's key (cli.ts runProcess: no TTY, SIGKILL after timeoutMs). */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return runProcess(cmd, args, {
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    env: { ...AWS_DUMMY_ENV, ...serverCredentialsEnv, ...opts.env },
    timeoutMs: opts.timeoutMs ?? 240_000,
  });
}

/** Runs a script of scripts/interop with the Feast venv's python. */
export function runPython(script: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return run(interopPython(), [path.join(scriptsDir, script), ...args], opts);
}

/** Runs the built dynafeast binary (`npm run build` first). */
export function runDynafeast(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return run(process.execPath, [binPath, ...args], opts);
}

/** Throws with both streams when a step failed, so the test output shows why. */
export function expectOk(what: string, r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

/** A temp folder removed after the suite (test/helpers/temp-dir.ts). */
export function tempDir(prefix: string): string {
  return tempRepoDir(prefix);
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** A feature repo for the interop tier: `feature_store.yaml`, one definitions file and the generated data. */
export function makeInteropRepo(dir: string, yaml: string, definitions: string, dataDir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'feature_store.yaml'), yaml);
  copyFileSync(definitions, path.join(dir, path.basename(definitions)));
  cpSync(dataDir, path.join(dir, 'data'), { recursive: true });
}
