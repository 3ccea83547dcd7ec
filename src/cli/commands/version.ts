import { collectVersions } from '../../core/version.js';
import { createOutput } from '../output.js';
import type { GlobalFlags, VersionFlags } from '../program.js';

export async function runVersion(_o: VersionFlags, g: GlobalFlags): Promise<number> {
  const out = createOutput(g);
  const v = await collectVersions();
  if (g.json) {
    out.printJson({ ok: true, ...v });
    return 0;
  }
  const duckdb = v.duckdb === null ? `not loadable on ${v.platform} (${v.duckdbError})` : v.duckdb;
  out.say(
    [
      `dynafeast ${v.dynafeast}`,
      `Node.js   ${v.node} (${v.platform})`,
      `DuckDB    ${duckdb} (@duckdb/node-api ${v.duckdbNodeApi})`,
      `AWS SDK   ${v.awsSdk} (@aws-sdk/client-dynamodb)`,
    ].join('\n'),
  );
  return 0;
}
