/**
 * The one sleep: resolves after `ms`, or rejects with the signal's reason when it is aborted first.
 *
 * NOTE: every sleep on one signal shares a single 'abort' listener. A writer with 32 requests in flight
 * has dozens of backoff sleeps on its signal at once; one listener each would trip Node's
 * MaxListenersExceededWarning ("11 abort listeners added to [AbortSignal]") and leak on long runs.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const waiters = new WeakMap<AbortSignal, Set<() => void>>();

/** Runs `fn` when `signal` aborts; returns the function that forgets it. One listener per signal. */
function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let set = waiters.get(signal);
  if (set === undefined) {
    const fresh = new Set<() => void>();
    waiters.set(signal, fresh);
    signal.addEventListener(
      'abort',
      () => {
        for (const f of [...fresh]) f();
        fresh.clear();
      },
      { once: true },
    );
    set = fresh;
  }
  set.add(fn);
  const registered = set;
  return () => void registered.delete(fn);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export const sleep: Sleep = (ms, signal) => {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    let forget: (() => void) | undefined;
    const timer = setTimeout(
      () => {
        forget?.();
        resolve();
      },
      Math.max(0, ms),
    );
    if (signal !== undefined) {
      forget = onAbort(signal, () => {
        clearTimeout(timer);
        reject(abortReason(signal));
      });
    }
  });
};
