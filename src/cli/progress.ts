/**
 * Renders core progress events (CONTRIBUTING.md convention 10): listr2 tasks on a TTY; plain periodic lines when not a
 * TTY, under CI, or with --no-progress; nothing with --json (the command prints a summary instead).
 */
import { Listr, type ListrTaskWrapper } from 'listr2';
import type { ProgressSink, TaskSpec } from '../core/progress.js';
import type { Output } from './output.js';

export type ProgressMode = 'tty' | 'plain' | 'silent';

export function progressModeOf(g: { json: boolean; progress: boolean }, stream: { isTTY?: boolean } = process.stderr): ProgressMode {
  if (g.json) return 'silent';
  if (!g.progress || !stream.isTTY || process.env.CI) return 'plain';
  return 'tty';
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(e: Error): void;
  skip?: string;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** Plain lines: one per state change, and updates at most every `intervalMs` per task. */
function plainSink(tasks: TaskSpec[], out: Output, intervalMs: number): ProgressSink {
  const title = new Map(tasks.map((t) => [t.id, t.title]));
  const last = new Map<string, number>();
  return (e) => {
    const name = e.id ? (title.get(e.id) ?? e.id) : '';
    switch (e.type) {
      case 'start':
        out.note(`${name}: started`);
        break;
      case 'update': {
        const now = Date.now();
        if (now - (last.get(e.id) ?? 0) >= intervalMs) {
          last.set(e.id, now);
          out.note(`${name}: ${e.message}`);
        }
        break;
      }
      case 'done':
        out.note(`${out.symbols.ok} ${name}${e.message ? `: ${e.message}` : ''}`);
        break;
      case 'skipped':
        out.note(`- ${name}: ${e.message}`);
        break;
      case 'failed':
        out.note(`${out.symbols.fail} ${name}: ${e.message}`);
        break;
      case 'warning':
        out.warn(`${name ? `${name}: ` : ''}${e.message}`);
        break;
    }
  };
}

/**
 * Runs `work` while showing one task per spec. `work` receives the sink to report on; its result is
 * returned. Events for ids not in `tasks` are shown as plain notes.
 */
export async function runWithProgress<T>(
  tasks: TaskSpec[],
  mode: ProgressMode,
  out: Output,
  work: (sink: ProgressSink) => Promise<T>,
  opts: { plainIntervalMs?: number } = {},
): Promise<T> {
  if (mode === 'silent') return work(() => {});
  if (mode === 'plain' || tasks.length === 0) return work(plainSink(tasks, out, opts.plainIntervalMs ?? 2000));

  const gates = new Map(tasks.map((t) => [t.id, deferred()]));
  const wrappers = new Map<string, ListrTaskWrapper<unknown, never, never>>();
  const warnings: string[] = [];
  const listr = new Listr(
    tasks.map((t) => ({
      // listr2 writes to the terminal itself: its text is cleaned as Output would
      title: out.clean(t.title),
      task: async (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
        wrappers.set(t.id, task);
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- gates has an entry for every task, made from the same list
        const gate = gates.get(t.id)!;
        await gate.promise;
        if (gate.skip !== undefined) task.skip(out.clean(`${t.title}: ${gate.skip}`));
      },
    })),
    { concurrent: true, exitOnError: false, registerSignalListeners: false, renderer: 'default', rendererOptions: { collapseSubtasks: false } } as never,
  );
  const sink: ProgressSink = (e) => {
    if (e.type === 'warning') {
      warnings.push(e.message);
      return;
    }
    const gate = gates.get(e.id);
    const w = wrappers.get(e.id);
    if (!gate) return;
    if (e.type === 'update' && w) w.output = out.clean(e.message);
    if (e.type === 'done') {
      if (w && e.message) w.title = out.clean(`${tasks.find((t) => t.id === e.id)?.title ?? e.id}: ${e.message}`);
      gate.resolve();
    }
    if (e.type === 'skipped') {
      gate.skip = e.message;
      gate.resolve();
    }
    if (e.type === 'failed') gate.reject(new Error(out.clean(e.message)));
  };
  const running = listr.run().catch(() => {});
  try {
    return await work(sink);
  } finally {
    // tasks the work never finished (it threw) are closed so the renderer stops
    for (const g of gates.values()) g.resolve();
    await running;
    for (const w of warnings) out.warn(w);
  }
}
