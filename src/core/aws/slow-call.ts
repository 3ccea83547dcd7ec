/**
 * A call to an endpoint that does not answer is waited on for up to read_timeout × attempts (plus
 * backoff): with the defaults, most of a minute. Silence for that long looks like a hang, so after a
 * few seconds the user is told what dynafeast is waiting for, and again while it still waits. Shared by
 * the SDK clients (a middleware) and the lean HTTP client, one watch per run.
 *
 * NOTE: the watch only tells; it never ends a call nor decides that one failed. Whether the endpoint did
 * not answer in time is decided in one place, aws-errors.ts: the senders' timers raise its
 * `noAnswerInTime` error (the SDK one of the same shape), `networkFailureOf` / `endpointGaveNoAnswer`
 * classify it, and describeAwsError words the one error the user reads ("cannot reach <endpoint>").
 */
import type { Logger } from '../context.js';

export interface SlowCallWatch {
  /** Starts watching one call of `action` (e.g. `DescribeTable`); the returned function ends it. */
  start(action: string): () => void;
}

export interface SlowCallOptions {
  /** First notice after this long. Default 5 s. */
  afterMs?: number;
  /** Then at most one notice per action this often while calls of it are still waiting. Default 15 s. */
  everyMs?: number;
  /** What bounds the wait, appended to the notice, e.g. `read_timeout 10 s, 3 attempts`. */
  limits?: string;
}

export const NO_WATCH: SlowCallWatch = { start: () => () => {} };

export function createSlowCallWatch(logger: Logger, endpoint: string | (() => string), opts: SlowCallOptions = {}): SlowCallWatch {
  const afterMs = opts.afterMs ?? 5_000;
  const everyMs = opts.everyMs ?? 15_000;
  // many calls wait together (3 probes, 32 writes in flight): one notice names them all, and notices
  // come at most every `everyMs`
  const pending = new Map<symbol, { action: string; started: number }>();
  let lastNotice = -Infinity;
  const where = () => (typeof endpoint === 'string' ? endpoint : endpoint());
  return {
    start(action) {
      const id = Symbol(action);
      const started = Date.now();
      pending.set(id, { action, started });
      let timer: NodeJS.Timeout | undefined;
      const tick = () => {
        const now = Date.now();
        if (now - lastNotice >= everyMs) {
          lastNotice = now;
          // calls that began within a second of this one are waiting just as long
          const actions = new Set([...pending.values()].filter((c) => now - c.started >= afterMs - 1_000).map((c) => c.action));
          const secs = Math.round((now - started) / 1000);
          logger.warn(`still waiting for ${where()} (${[...actions].join(', ')}) after ${secs} s${opts.limits ? `; it gives up after ${opts.limits}` : ''}`);
        }
        timer = setTimeout(tick, everyMs);
        timer.unref();
      };
      timer = setTimeout(tick, afterMs);
      // a pending notice must never keep the process alive
      timer.unref();
      return () => {
        clearTimeout(timer);
        pending.delete(id);
      };
    },
  };
}
