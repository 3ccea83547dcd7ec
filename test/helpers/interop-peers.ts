/**
 * Two `dynafeast local` servers side by side for the interop tier's "same data, two writers" tests:
 * Feast writes to one, dynafeast to the other, and the tests dump and compare both (one temp folder
 * for everything, removed afterwards unless INTEROP_KEEP=1).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FeastRead, TableDump } from './interop-compare.js';
import { expectOk, interopPython, run, runDynafeast, runPython, tempDir, type RunResult } from './interop.js';
import { startServer, type Server } from './interop-server.js';

export interface Peers {
  root: string;
  /** Where Feast writes. */
  feast: Server;
  /** Where dynafeast writes. */
  dyna: Server;
  stop(): Promise<void>;
}

export async function startPeers(prefix: string): Promise<Peers> {
  const root = tempDir(prefix);
  mkdirSync(path.join(root, 'feast-server'));
  mkdirSync(path.join(root, 'dyna-server'));
  const feast = await startServer('dynalite', path.join(root, 'feast-server'));
  const dyna = await startServer('dynalite', path.join(root, 'dyna-server'));
  return {
    root,
    feast,
    dyna,
    async stop() {
      await feast.stop();
      await dyna.stop();
      if (process.env.INTEROP_KEEP === '1') console.log(`interop files kept in ${root}`);
      else rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Feast's CLI, signing for `server` (each `dynafeast local` accepts only its own repo's key). */
export function feastCli(args: string[], cwd: string, server: Server): Promise<RunResult> {
  return run(path.join(path.dirname(interopPython()), 'feast'), args, { cwd, env: server.credentialsEnv });
}

/** The dynafeast CLI, signing for `server`. */
export function dynafeastOn(args: string[], server: Server): Promise<RunResult> {
  return runDynafeast(args, { env: server.credentialsEnv });
}

/** Every item of `project`'s tables on `server`, raw (scripts/interop/dump_tables.py). */
export async function dumpTables(root: string, server: Server, project: string): Promise<TableDump> {
  const out = path.join(mkdtempSync(path.join(root, 'dump-')), 'dump.json');
  expectOk('dump_tables.py', await runPython('dump_tables.py', [server.endpoint, 'us-east-1', project, out], { env: server.credentialsEnv }));
  return JSON.parse(readFileSync(out, 'utf8')) as TableDump;
}

/** Feast's get_online_features on `repo` against `server`, canonical JSON (scripts/interop/feast_read.py). */
export async function feastRead(root: string, repo: string, server: Server, request: Record<string, unknown>): Promise<FeastRead> {
  const dir = mkdtempSync(path.join(root, 'read-'));
  writeFileSync(path.join(dir, 'request.json'), JSON.stringify(request));
  expectOk(
    'feast_read.py',
    await runPython('feast_read.py', [repo, path.join(dir, 'request.json'), path.join(dir, 'out.json')], { env: server.credentialsEnv }),
  );
  return JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as FeastRead;
}
