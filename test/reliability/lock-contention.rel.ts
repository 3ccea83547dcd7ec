/**
 * The file lock under contention (issue 14): many processes taking the registry lock over and over never
 * hold it two at a time and never lose an update, and a holder killed by SIGKILL leaves a lock that
 * exactly one of several waiters judging it at the same moment takes over.
 *
 * LOCK_TRIALS (default 3) sets how many times the contention trial runs; the issue's bar is 100 in a row
 * (`LOCK_TRIALS=100 npm run test:reliability -- test/reliability/lock-contention.rel.ts`).
 * LOCK_TAKEOVER_ROUNDS (default 5) does the same for the crashed-holder rounds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { create } from '@bufbuild/protobuf';
import { FeatureViewSchema, FeatureViewSpecSchema } from '../../src/gen/feast/core/FeatureView_pb.js';
import { RegistrySchema } from '../../src/gen/feast/core/Registry_pb.js';
import { readRegistry, writeRegistryAtomic } from '../../src/core/registry/registry-file.js';
import { timestampToMicros } from '../../src/core/registry/time.js';
import { repoRoot } from '../helpers/isolated-cli.js';
import { tempRepoDir } from '../helpers/temp-repo.js';
import { defined } from '../helpers/defined.js';

const contender = path.join(repoRoot, 'test/helpers/lock-contender.mjs');
const TRIALS = Number(process.env.LOCK_TRIALS ?? 3);
const TAKEOVER_ROUNDS = Number(process.env.LOCK_TAKEOVER_ROUNDS ?? 5);
const PROCESSES = 8;
const ACQUISITIONS = 200;

interface Run {
  child: ChildProcess;
  out: string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, [contender, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { child, out: '' } as Run;
  defined(child.stdout).on('data', (d: Buffer) => (run.out += d.toString()));
  defined(child.stderr).on('data', (d: Buffer) => (run.out += d.toString()));
  run.done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out: run.out }));
  });
  return run;
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the registry lock under contention', () => {
  it(
    `${PROCESSES} processes × ${ACQUISITIONS} acquisitions, ${TRIALS} trial(s): never two holders, never a lost update`,
    async () => {
      const times: number[] = [];
      for (let trial = 1; trial <= TRIALS; trial++) {
        const dir = tempRepoDir('dynafeast-contention-');
        const t0 = performance.now();
        const runs = Array.from({ length: PROCESSES }, () => start(['count', dir, String(ACQUISITIONS)]));
        const ends = await Promise.all(runs.map((r) => r.done));
        times.push(performance.now() - t0);
        const failed = ends.filter((e) => e.code !== 0);
        if (failed.length) throw new Error(`trial ${trial}: ${failed.map((e) => `exit ${e.code ?? e.signal}: ${e.out}`).join('\n')}`);
        expect({ trial, counter: Number(readFileSync(path.join(dir, 'counter'), 'utf8')) }).toEqual({ trial, counter: PROCESSES * ACQUISITIONS });
        // no lock, temp file or claim left behind
        expect({ trial, left: readdirSync(dir) }).toEqual({ trial, left: ['counter'] });
        rmSync(dir, { recursive: true, force: true });
        if (trial % 10 === 0 && trial < TRIALS) process.stderr.write(`lock contention: ${trial}/${TRIALS} trials passed\n`);
      }
      const sorted = [...times].sort((a, b) => a - b);
      process.stderr.write(
        `lock contention: ${TRIALS} trials of ${PROCESSES}×${ACQUISITIONS}, total ${(times.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s, ` +
          `median ${Math.round(defined(sorted[sorted.length >> 1]))} ms, max ${Math.round(defined(sorted[sorted.length - 1]))} ms per trial\n`,
      );
      // a trial takes seconds (most of it waiting for the file system): 100 of them take longer than the tier's timeout
    },
    Math.max(600_000, TRIALS * 30_000),
  );

  it('writers recording materializations through the registry commit path: every interval is in the registry', async () => {
    const dir = tempRepoDir('dynafeast-contention-commit-');
    const registry = path.join(dir, 'registry.db');
    const [project, view, writers, each] = ['contend', 'stats', 4, 40];
    await writeRegistryAtomic(
      registry,
      create(RegistrySchema, { featureViews: [create(FeatureViewSchema, { spec: create(FeatureViewSpecSchema, { name: view, project }) })] }),
      1n,
    );
    const ends = await Promise.all(Array.from({ length: writers }, (_, id) => start(['commit', registry, String(each), String(id), project, view]).done));
    for (const e of ends) expect({ code: e.code, out: e.out }).toEqual({ code: 0, out: '' });
    const intervals = defined(defined((await readRegistry(registry)).featureViews[0]).meta).materializationIntervals.map((i) =>
      timestampToMicros(defined(i.startTime)),
    );
    const expected = Array.from({ length: writers }, (_, id) => Array.from({ length: each }, (_, i) => BigInt(id * 1_000_000 + i))).flat();
    expect(intervals.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(expected);
    expect(readdirSync(dir)).toEqual(['registry.db']);
  });

  it(
    `a holder killed by SIGKILL, then 6 waiters judging its lock at once: exactly one takes over (${TAKEOVER_ROUNDS} rounds)`,
    async () => {
      for (let round = 1; round <= TAKEOVER_ROUNDS; round++) {
        const dir = tempRepoDir('dynafeast-takeover-');
        const holder = start(['hold', dir]);
        await until(() => holder.out.includes('holding'), 'the holder to take the lock');
        holder.child.kill('SIGKILL');
        expect((await holder.done).signal).toBe('SIGKILL');
        const lock = JSON.parse(readFileSync(path.join(dir, 'registry.db.lock'), 'utf8')) as { pid: number };
        expect(lock.pid).toBe(holder.child.pid);

        const waiters = Array.from({ length: 6 }, () => start(['once', dir]));
        await until(() => waiters.every((w) => w.out.includes('ready')), 'the waiters to start');
        writeFileSync(path.join(dir, 'go'), '');
        await until(() => waiters.every((w) => w.out.includes('{')), 'every waiter to try the lock');
        const results = waiters.map((w, k) => ({
          pid: w.child.pid,
          ...(JSON.parse(defined(w.out.split('\n')[1])) as { acquired: boolean; holder: number }),
          k,
        }));
        writeFileSync(path.join(dir, 'release'), '');
        for (const w of waiters) expect((await w.done).code).toBe(0);

        const winners = results.filter((r) => r.acquired);
        expect({ round, winners: winners.length }).toEqual({ round, winners: 1 });
        // everyone else saw the winner's fresh lock, not the dead one and not a lock of their own
        for (const r of results.filter((x) => !x.acquired)) expect({ round, holder: r.holder }).toEqual({ round, holder: defined(winners[0]).pid });
        expect(readdirSync(dir).sort()).toEqual(['go', 'release']);
      }
    },
    Math.max(600_000, TAKEOVER_ROUNDS * 30_000),
  );
});
