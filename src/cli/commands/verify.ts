/**
 * `dynafeast verify START END [--views V…] [--sample N]`: online store vs the latest offline row per
 * entity in the window; exit 1 when anything differs (for CI after a materialize), 0 when all match.
 */
import { systemClock } from '../../core/context.js';
import { formatMicrosIso } from '../../core/materialize/time-arg.js';
import { selectViews } from '../../core/materialize/windows.js';
import { summary, verify, type VerifyReport } from '../../core/verify/verify.js';
import type { Output } from '../output.js';
import type { GlobalFlags, VerifyFlags } from '../program.js';
import { progressModeOf, runWithProgress } from '../progress.js';
import { openAwsSession, stopSignal } from '../session.js';

export async function runVerify(o: VerifyFlags, g: GlobalFlags): Promise<number> {
  const signal = stopSignal();
  const s = await openAwsSession(g);
  try {
    const tasks = selectViews(s.repo, o.views).map((v) => ({ id: v.name, title: v.name }));
    const report = await runWithProgress(tasks, progressModeOf(g), s.out, (progress) =>
      verify(
        {
          config: s.config,
          repo: s.repo,
          aws: s.aws,
          clock: systemClock,
          progress,
          signal,
          ...(o.segments !== undefined ? { segments: o.segments } : {}),
        },
        { start: o.start, end: o.end, views: o.views, ...(o.sample !== undefined ? { sample: o.sample } : {}) },
      ),
    );
    if (g.json) s.out.printJson(verifyJson(report));
    else render(report, s.out);
    return report.ok ? 0 : 1;
  } finally {
    await s.close();
  }
}

export function verifyJson(report: VerifyReport): unknown {
  return {
    start: formatMicrosIso(report.startMicros),
    end: formatMicrosIso(report.endMicros),
    ok: report.ok,
    views: report.views.map((v) => ({
      view: v.view,
      table: v.table,
      offline_entities: v.offlineEntities,
      checked: v.checked,
      sampled: v.sampled,
      missing: v.missing,
      stale: v.stale,
      different: v.different,
      different_by_feature: v.differentByFeature,
      extra: v.extra,
      newer: v.newer,
      examples: v.examples,
    })),
  };
}

function render(report: VerifyReport, out: Output): void {
  const span = `${formatMicrosIso(report.startMicros)} .. ${formatMicrosIso(report.endMicros)}`;
  if (report.views.length === 0) {
    out.say(`${out.symbols.ok} Nothing to verify: no online feature views.`);
    return;
  }
  out.say(`${report.ok ? out.symbols.ok : out.symbols.fail} ${report.ok ? 'Online store matches' : 'Online store differs from'} the offline data for ${span}:`);
  for (const v of report.views) {
    out.say(`  ${v.view}: ${summary(v)}`);
    const features = Object.entries(v.differentByFeature).filter(([, n]) => n > 0);
    if (features.length > 0) out.say(`    different values: ${features.map(([f, n]) => `${f} ${n}`).join(', ')}`);
    for (const [kind, list] of Object.entries(v.examples)) if (list.length > 0) out.say(`    e.g. ${kind}: ${list.join('; ')}`);
  }
}
