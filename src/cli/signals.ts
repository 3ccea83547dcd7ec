/**
 * Ctrl-C and SIGTERM for the CLI: which commands stop cleanly, which end at once, and the exit codes
 * (130 / 143). Kept apart from main.ts so session.ts can register work without importing the entry point.
 */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT;

/** What a signal has to stop, kept by session.ts: open AWS sessions and commands that stop cleanly. */
export const running = { sessions: new Set<symbol>(), stoppable: new Set<AbortController>() };

/**
 * Ctrl-C and SIGTERM. A command that took a stop signal (session.stopSignal: materialize waits for the
 * requests in flight and records nothing) stops cleanly and its `aborted` error maps to 130/143. A
 * command with an AWS session that did not ends at once with 128+signal: registry writes are atomic
 * (temp file + rename) and DynamoDB calls idempotent, so the next run finishes the job. A command with
 * its own handler and no session (local) handles it itself. A second signal always ends at once.
 */
export function installStopHandlers(state: { signal?: StopSignal }): () => void {
  const installed = (Object.keys(SIGNAL_EXIT) as StopSignal[]).map((sig) => {
    const handler = () => {
      const first = state.signal === undefined;
      state.signal ??= sig;
      if (first && running.stoppable.size > 0) {
        for (const c of running.stoppable) c.abort(sig);
        return;
      }
      if (first && running.sessions.size === 0 && process.listenerCount(sig) > 1) return;
      // synchronous on purpose: other handlers (listr2 exits with 127 on SIGINT) must not run first
      process.stderr.write(`\n${sig === 'SIGINT' ? 'interrupted' : 'terminated'}: stopped; run the command again to finish\n`);
      process.exit(SIGNAL_EXIT[sig]);
    };
    process.on(sig, handler);
    return () => process.off(sig, handler);
  });
  return () => installed.forEach((off) => off());
}
