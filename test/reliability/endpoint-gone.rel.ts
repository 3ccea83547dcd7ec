/**
 * The endpoint goes away in the middle of a materialize (issue 14): the server process is SIGKILLed while
 * the CLI is writing. The run must end within 10 s of the kill with exit 1 and "cannot reach <endpoint>"
 * — not a throttling message after thousands of retries — and without a MaxListenersExceededWarning.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, spawnCli, STACK_FRAME } from '../helpers/isolated-cli.js';
import { CHAOS_WINDOW, makeChaosRepo } from '../helpers/chaos-repo.js';
import { defined } from '../helpers/defined.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ENTITIES = 200_000;

interface ChildServer {
  child: ChildProcess;
  endpoint: string;
  /** Resolves once the server has received at least `n` BatchWriteItem requests. */
  writes(n: number): Promise<void>;
}

function startChildServer(): Promise<ChildServer> {
  const child = spawn(process.execPath, [path.join(here, '../helpers/dynalite-child.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let seen = 0;
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`dynalite child exited (${code ?? signal}) before listening`)));
    defined(child.stdout).on('data', (d: Buffer) => {
      out += d.toString();
      for (const m of out.matchAll(/writes (\d+)/g)) seen = Math.max(seen, Number(m[1]));
      for (const w of waiters.splice(0)) {
        if (seen >= w.n) w.resolve();
        else waiters.push(w);
      }
      const endpoint = /endpoint (\S+)/.exec(out)?.[1];
      if (endpoint) {
        resolve({
          child,
          endpoint,
          writes: (n) => (seen >= n ? Promise.resolve() : new Promise<void>((r) => waiters.push({ n, resolve: r }))),
        });
      }
    });
  });
}

let server: ChildServer | undefined;

afterAll(() => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
});

it('killing the endpoint mid-materialize ends the run within 10 s with "cannot reach", exit 1', async () => {
  server = await startChildServer();
  const repo = await makeChaosRepo({ entities: ENTITIES, endpoint: server.endpoint, project: 'gone' });
  const applied = await runCli(['-c', repo, 'apply', '--yes'], { cwd: repo });
  if (applied.code !== 0) throw new Error(applied.stderr);

  const run = spawnCli(['-c', repo, 'materialize', ...CHAOS_WINDOW], { cwd: repo, timeoutMs: 300_000 });
  await Promise.race([server.writes(40), run.done.then((r) => Promise.reject(new Error(`materialize ended first:\n${r.stderr}`)))]);
  const killedAt = performance.now();
  server.child.kill('SIGKILL');
  const r = await run.done;
  const afterKillMs = performance.now() - killedAt;

  process.stderr.write(`endpoint-gone: exit ${r.code} ${Math.round(afterKillMs)} ms after the kill\n`);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`cannot reach ${server.endpoint}`);
  expect(r.stderr).toMatch(/dynafeast local/);
  expect(r.stderr).not.toMatch(/throttl|retry budget/i);
  expect(r.stderr).not.toMatch(/MaxListenersExceededWarning/);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(afterKillMs).toBeLessThan(10_000);
});
