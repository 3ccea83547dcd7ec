/**
 * `dynafeast export [--views V…] --format parquet|csv|jsonl --out PATH`: the online tables, decoded, into
 * files (one per view), with items/s progress per view.
 */
import { exportOnline, type ExportReport } from '../../core/export/export.js';
import { selectViews } from '../../core/materialize/windows.js';
import type { Output } from '../output.js';
import type { ExportFlags, GlobalFlags } from '../program.js';
import { progressModeOf, runWithProgress } from '../progress.js';
import { openAwsSession, stopSignal } from '../session.js';

export async function runExport(o: ExportFlags, g: GlobalFlags): Promise<number> {
  const signal = stopSignal();
  const s = await openAwsSession(g);
  try {
    const tasks = selectViews(s.repo, o.views).map((v) => ({ id: v.name, title: v.name }));
    const report = await runWithProgress(tasks, progressModeOf(g), s.out, (progress) =>
      exportOnline(
        { config: s.config, repo: s.repo, aws: s.aws, progress, signal, ...(o.segments !== undefined ? { segments: o.segments } : {}) },
        { views: o.views, format: o.format, out: o.out },
      ),
    );
    if (g.json) s.out.printJson(reportJson(report));
    else render(report, s.out);
    return 0;
  } finally {
    await s.close();
  }
}

function reportJson(report: ExportReport): unknown {
  return {
    format: report.format,
    views: report.views.map((v) => ({
      view: v.view,
      table: v.table,
      file: v.file,
      items: v.items,
      unresolved_join_keys: v.unresolvedKeys,
      ...(v.keysUnavailable !== undefined ? { join_keys_unavailable: v.keysUnavailable } : {}),
      seconds: v.seconds,
    })),
  };
}

function render(report: ExportReport, out: Output): void {
  if (report.views.length === 0) {
    out.say(`${out.symbols.ok} Nothing to export: no online feature views.`);
    return;
  }
  for (const v of report.views) {
    const rate = Math.round(v.items / Math.max(v.seconds, 1e-3));
    out.say(`${out.symbols.ok} ${v.view}: ${v.items} rows → ${v.file} (${rate} items/s)`);
    if (v.keysUnavailable !== undefined) out.warn(`${v.view}: join key columns left out: ${v.keysUnavailable}`);
    else if (v.unresolvedKeys > 0) {
      out.warn(`${v.view}: ${v.unresolvedKeys} entities are not in the view's offline source, so their join key columns are empty (entity_id is set)`);
    }
  }
}
