/**
 * `dynafeast materialize-incremental END [--views V...]`: like Feast, each view from its latest
 * materialized end (or now - ttl on the first run) to END; END may be `now`.
 */
import { materializeIncremental } from '../../core/materialize/run-materialize.js';
import type { GlobalFlags, MaterializeIncrementalFlags } from '../program.js';
import { runMaterializeCommand, runOptionsOf } from './materialize.js';

export async function runMaterializeIncremental(o: MaterializeIncrementalFlags, g: GlobalFlags): Promise<number> {
  return runMaterializeCommand(g, o.views, (ctx) => materializeIncremental(ctx, { end: o.end, views: o.views, strict: o.strict, ...runOptionsOf(o) }));
}
