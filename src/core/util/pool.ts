/**
 * The one bounded-concurrency runner: `fn` over `items` with at most `concurrency` calls in flight, items
 * taken in order. After the first failure no new item is started; the calls already running are awaited
 * (no request outlives the pool) and the first failure is thrown.
 */
export async function runPool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  // NOTE: the common single-item case (one read chunk, one table) skips the worker machinery.
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- items.length === 1
  if (items.length === 1) return fn(items[0]!, 0);
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- index < items.length, checked by the loop
        await fn(items[index]!, index);
      } catch (e) {
        if (!failed) failure = e;
        failed = true;
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failed) throw failure;
}
