/** `dynafeast sql "SELECT …" [-o table|csv|json]`: DuckDB SQL over the decoded online data and the offline sources. */
import { runSql } from '../../core/export/sql.js';
import type { GlobalFlags, SqlFlags } from '../program.js';
import { progressModeOf, runWithProgress } from '../progress.js';
import { csvOf, tableOf } from '../render-online.js';
import { openAwsSession, stopSignal } from '../session.js';

export async function runSqlCommand(o: SqlFlags, g: GlobalFlags): Promise<number> {
  const signal = stopSignal();
  const s = await openAwsSession(g);
  try {
    const result = await runWithProgress([], progressModeOf(g), s.out, (progress) =>
      runSql({ config: s.config, repo: s.repo, aws: s.aws, progress, signal, ...(o.segments !== undefined ? { segments: o.segments } : {}) }, o.query),
    );
    if (g.json || o.output === 'json') s.out.printJson(result.rows);
    else if (o.output === 'csv') s.out.say(csvOf(result.columns, result.rows));
    else s.out.say(tableOf(result.columns, result.rows, s.out));
    return 0;
  } finally {
    await s.close();
  }
}
