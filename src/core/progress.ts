/**
 * Core reports progress as events; the CLI turns them into listr2 tasks or plain lines (CONTRIBUTING.md convention 10).
 * Each event names a task by `id`; the set of tasks is known before the work starts (plan steps, views),
 * so the CLI can lay them out first.
 */
export type ProgressEvent =
  | { type: 'start'; id: string }
  /** `message` replaces the task's status line; `stats` are the figures behind it for --json summaries. */
  | { type: 'update'; id: string; message: string; stats?: Record<string, number> }
  | { type: 'done'; id: string; message?: string }
  | { type: 'skipped'; id: string; message: string }
  | { type: 'failed'; id: string; message: string }
  /** Something the user should read even when nothing fails (e.g. "not supported by this endpoint"). */
  | { type: 'warning'; id?: string; message: string };

export type ProgressSink = (event: ProgressEvent) => void;

export const ignoreProgress: ProgressSink = () => {};

export interface TaskSpec {
  id: string;
  title: string;
}
