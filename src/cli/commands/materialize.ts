/**
 * `dynafeast materialize START END [--views V...]`: writes the latest row per entity of each view's
 * window to DynamoDB, with one progress task per view, and records the intervals in the registry.
 */
import { systemClock } from '../../core/context.js';
import { describeDryRun, describeReports, reportToJson, type MaterializeReport } from '../../core/materialize/report.js';
import { materialize, materializeTaskSpecs, type MaterializeContext, type RunOptions } from '../../core/materialize/run-materialize.js';
import { DEFAULT_PRICE_PER_MILLION_WRITES } from '../../core/materialize/dry-run.js';
import { formatMicrosIso } from '../../core/materialize/time-arg.js';
import type { ProgressSink } from '../../core/progress.js';
import type { Output } from '../output.js';
import type { GlobalFlags, MaterializeFlags, MaterializeRunFlags } from '../program.js';
import { progressModeOf, runWithProgress } from '../progress.js';
import { openAwsSession, stopSignal, type AwsSession } from '../session.js';

/** Opens the session, runs `work` under the progress display, prints the summary. Shared by both commands. */
export async function runMaterializeCommand(g: GlobalFlags, views: string[], work: (ctx: MaterializeContext) => Promise<MaterializeReport>): Promise<number> {
  const signal = stopSignal();
  const s = await openAwsSession(g);
  try {
    const tasks = materializeTaskSpecs(s.repo, views);
    const report = await runWithProgress(tasks, progressModeOf(g), s.out, (progress: ProgressSink) => work(contextOf(s, progress, signal)));
    if (g.json) s.out.printJson(reportToJson(report));
    else renderReport(report, s.out);
    return 0;
  } finally {
    await s.close();
  }
}

function contextOf(s: AwsSession, progress: ProgressSink, signal: AbortSignal): MaterializeContext {
  return { config: s.config, repo: s.repo, aws: s.aws, clock: systemClock, logger: s.logger, progress, signal };
}

/** The core's run options from the flags; the environment is where `--shards N` finds its index. */
export function runOptionsOf(o: MaterializeRunFlags): RunOptions {
  return {
    ...(o.shard !== undefined ? { shard: o.shard } : {}),
    ...(o.shards !== undefined ? { shards: o.shards } : {}),
    ...(o.runId !== undefined ? { runId: o.runId } : {}),
    ...(o.maxWriteUnitsPerSecond !== undefined ? { maxWriteUnitsPerSecond: o.maxWriteUnitsPerSecond } : {}),
    ...(o.dryRun ? { dryRun: { pricePerMillionWrites: o.pricePerMillionWrites ?? DEFAULT_PRICE_PER_MILLION_WRITES } } : {}),
    env: process.env,
  };
}

function renderReport(report: MaterializeReport, out: Output): void {
  const written = report.views.filter((v) => v.status === 'written');
  if (report.views.length === 0) {
    out.say(`${out.symbols.ok} Nothing to materialize: no online feature views.`);
    return;
  }
  if (report.dryRun) {
    out.say(
      `${out.symbols.ok} Dry run: nothing was written${report.shardRun ? ` (shard ${report.shardRun.shard.index}/${report.shardRun.shard.count})` : ''}:`,
    );
    out.say(describeDryRun(report, report.dryRun));
    return;
  }
  const w = written[0];
  const span = w ? ` from ${formatMicrosIso(w.startMicros)} to ${formatMicrosIso(w.endMicros)}` : '';
  const sameWindow = written.every((v) => v.startMicros === w?.startMicros && v.endMicros === w?.endMicros);
  out.say(`${out.symbols.ok} Materialized ${written.length} feature view(s)${sameWindow ? span : ''}:`);
  out.say(describeReports(report.views, { short: false }));
  const s = report.shardRun;
  if (s) {
    const missing = s.shard.count - s.done.length;
    out.say(
      `  shard ${s.shard.index}/${s.shard.count} of run ${s.runId} done; ${s.done.length} of ${s.shard.count} shard(s) done` +
        (s.recordedNow ? ', the last one: intervals recorded in the registry' : s.recorded ? ' (the run was already recorded)' : `, ${missing} to go`),
    );
  } else if (report.recorded) out.say('  intervals recorded in the registry');
}

export async function runMaterialize(o: MaterializeFlags, g: GlobalFlags): Promise<number> {
  return runMaterializeCommand(g, o.views, (ctx) => materialize(ctx, { start: o.start, end: o.end, views: o.views, strict: o.strict, ...runOptionsOf(o) }));
}
