/**
 * `dynafeast materialize-status [--run-id ID]`: the sharded runs in the registry, shards done and
 * missing, and whether each run's intervals are recorded (human, or one JSON document with --json).
 */
import { shardRunStatus, type RunStatus } from '../../core/materialize/run-status.js';
import { registryStoreOf } from '../../core/registry/registry-store.js';
import type { Output } from '../output.js';
import type { GlobalFlags, MaterializeStatusFlags } from '../program.js';
import { openConfig } from '../session.js';

export async function runMaterializeStatus(o: MaterializeStatusFlags, g: GlobalFlags): Promise<number> {
  const { config, out } = openConfig(g);
  const runs = shardRunStatus(await registryStoreOf(config).read(), config.project, o.runId);
  if (g.json) out.printJson({ ok: true, runs });
  else render(runs, out);
  return 0;
}

const list = (xs: number[]) => xs.join(', ');

function render(runs: RunStatus[], out: Output): void {
  if (runs.length === 0) {
    out.say('No sharded runs recorded in the registry.');
    return;
  }
  for (const r of runs) {
    const state = r.recorded ? `${out.symbols.ok} recorded ${r.recordedAt ?? ''}` : `${r.missing.length} shard(s) missing: ${list(r.missing)}`;
    out.say(`${r.runId}: ${r.done.length}/${r.shards} shards done · ${state}`);
    for (const i of r.intervals) out.say(`  ${i.view}: ${i.start} .. ${i.end}`);
  }
}
