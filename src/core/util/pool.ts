/**
 * The one bounded-concurrency runner: `fn` over `items` with at most `concurrency` calls in flight, items
 * taken in order. After the first failure no new item is started; the calls already running are awaited
 * (no request outlives the pool) and the first failure is thrown.
 */
export async function runPool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  // NOTE: the common single-item case (one read chunk, one table) skips the worker machinery.
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- items.length === 1
  if (items.length === 1) return fn(items[0]!, 0);
  return runQueue(
    items.map((item, index) => ({ item, index })),
    concurrency,
    ({ item, index }) => fn(item, index),
  );
}

/**
 * runPool whose calls may add work: `enqueue` puts items at the head of the queue (before the items not
 * yet started), so work a finished call found (a file to fetch after its footer was read) runs before
 * more of the original items. Same failure rules as runPool.
 */
export function runQueue<T>(items: readonly T[], concurrency: number, fn: (item: T, enqueue: (...more: T[]) => void) => Promise<void>): Promise<void> {
  const queue = [...items];
  const limit = Math.max(1, Math.floor(concurrency) || 1);
  let active = 0;
  let failed = false;
  let failure: unknown;
  return new Promise((resolve, reject) => {
    const enqueue = (...more: T[]) => {
      queue.unshift(...more);
      pump();
    };
    const settle = (e?: unknown, isFailure = false) => {
      active--;
      if (isFailure && !failed) {
        failed = true;
        failure = e;
      }
      pump();
    };
    function pump(): void {
      while (!failed && active < limit && queue.length > 0) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- queue.length > 0
        const item = queue.shift()!;
        active++;
        // a call starts on a later tick: `enqueue` from inside it never re-enters this loop mid-way
        void Promise.resolve()
          .then(() => fn(item, enqueue))
          .then(
            () => settle(),
            (e: unknown) => settle(e, true),
          );
      }
      if (active === 0 && (failed || queue.length === 0)) {
        if (failed) reject(failure);
        else resolve();
      }
    }
    pump();
  });
}
