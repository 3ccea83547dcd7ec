/**
 * The per-view status line and figures of a materialization (rows in window, entities, written/total,
 * items/s, ETA, retries, throttles), computed from the writer's counters on a timer.
 */
import type { ProgressSink } from '../progress.js';
import type { WriterCounts } from './batch-writer.js';

export interface ViewProgressFigures {
  rowsInWindow: number;
  entities: number;
  written: number;
  itemsPerSecond: number;
  /** Seconds left at the current rate; -1 while unknown. */
  etaSeconds: number;
  retries: number;
  throttles: number;
}

const fmt = new Intl.NumberFormat('en-US');

export function formatDuration(seconds: number): string {
  if (seconds < 0 || !Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function progressMessage(f: ViewProgressFigures): string {
  const parts = [
    `${fmt.format(f.rowsInWindow)} rows`,
    `${fmt.format(f.entities)} entities`,
    `written ${fmt.format(f.written)}/${fmt.format(f.entities)}`,
    `${fmt.format(Math.round(f.itemsPerSecond))} items/s`,
    `ETA ${formatDuration(f.etaSeconds)}`,
  ];
  if (f.retries > 0) parts.push(`${fmt.format(f.retries)} retries`);
  if (f.throttles > 0) parts.push(`${fmt.format(f.throttles)} throttled`);
  return parts.join(' · ');
}

/**
 * Emits an `update` event for view `id` every `intervalMs` while writing. The rate is measured over the
 * last few seconds so the ETA follows throttling instead of the run's average.
 */
export function startProgressTicker(
  id: string,
  sink: ProgressSink,
  totals: { rowsInWindow: number; entities: number },
  counts: () => WriterCounts,
  intervalMs = 500,
): { stop(): void; emit(): void } {
  const window: Array<{ t: number; written: number }> = [{ t: performance.now(), written: 0 }];
  const emit = () => {
    const c = counts();
    const now = performance.now();
    window.push({ t: now, written: c.written });
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the window starts with one sample and only shrinks while it has more than two
    while (window.length > 2 && now - window[0]!.t > 5000) window.shift();
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the window starts with one sample and only shrinks while it has more than two
    const first = window[0]!;
    const seconds = (now - first.t) / 1000;
    const rate = seconds > 0 ? (c.written - first.written) / seconds : 0;
    const left = totals.entities - c.written;
    const figures: ViewProgressFigures = {
      ...totals,
      written: c.written,
      itemsPerSecond: rate,
      etaSeconds: rate > 0 ? left / rate : left === 0 ? 0 : -1,
      retries: c.retries,
      throttles: c.throttles,
    };
    sink({ type: 'update', id, message: progressMessage(figures), stats: { ...figures } });
  };
  const timer = setInterval(emit, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), emit };
}
