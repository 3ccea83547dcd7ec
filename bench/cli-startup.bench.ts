/**
 * CLI cold start: wall time of `dynafeast --help` (and `--version`) as separate processes, 20 runs each
 * after 2 warm-ups. Prints ONE JSON line (milliseconds).
 *
 *   npm run build && npx tsc -p tsconfig.json --outDir .bench && node .bench/bench/cli-startup.bench.js
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defined } from '../test/helpers/defined.js';

const runs = Number(process.env.BENCH_RUNS ?? 20);
const here = path.dirname(fileURLToPath(import.meta.url));
// works from bench/ (ts source) and from .bench/bench/ (compiled)
const bin = [path.resolve(here, '../bin/dynafeast.js'), path.resolve(here, '../../bin/dynafeast.js')].find((p) => {
  try {
    return spawnSync(process.execPath, [p, '--version']).status === 0;
  } catch {
    return false;
  }
});
if (!bin) throw new Error('bin/dynafeast.js not found; run npm run build first');

function time(args: string[]): { p50: number; mean: number; min: number; max: number } {
  const samples: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [defined(bin), ...args], { stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`dynafeast ${args.join(' ')} exited ${r.status}`);
    if (i >= 2) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    p50: round(defined(samples[Math.floor(samples.length / 2)])),
    mean: round(samples.reduce((a, b) => a + b, 0) / samples.length),
    min: round(defined(samples[0])),
    max: round(defined(samples[samples.length - 1])),
  };
}

console.log(JSON.stringify({ bench: 'cli-startup', runs, node: process.version, help_ms: time(['--help']), version_ms: time(['--version']) }));
