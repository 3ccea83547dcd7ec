import { sleep } from '../../../src/core/util/sleep.js';

describe('sleep', () => {
  it('resolves after about the time asked', async () => {
    const t = performance.now();
    await sleep(20);
    expect(performance.now() - t).toBeGreaterThanOrEqual(15);
  });

  it("rejects with the signal's reason when aborted, before or during the wait", async () => {
    const before = new AbortController();
    before.abort(new Error('already'));
    await expect(sleep(10_000, before.signal)).rejects.toThrow('already');
    const during = new AbortController();
    const t = performance.now();
    const waiting = sleep(10_000, during.signal);
    setTimeout(() => during.abort(new Error('now')), 5);
    await expect(waiting).rejects.toThrow('now');
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('any number of sleeps on one signal add one listener (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      let added = 0;
      const add = controller.signal.addEventListener.bind(controller.signal);
      controller.signal.addEventListener = ((...args: Parameters<typeof add>) => (added++, add(...args))) as typeof add;
      const sleeps = Array.from({ length: 100 }, () => sleep(60_000, controller.signal).catch((e: unknown) => e));
      await Promise.all(Array.from({ length: 100 }, () => sleep(1, controller.signal)));
      controller.abort(new Error('done'));
      const outcomes = await Promise.all(sleeps);
      expect(outcomes.every((e) => (e as Error).message === 'done')).toBe(true);
      expect(added).toBe(1);
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
