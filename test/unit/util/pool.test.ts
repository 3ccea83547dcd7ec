import fc from 'fast-check';
import { runPool } from '../../../src/core/util/pool.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('runPool', () => {
  it('for any item count and concurrency: every item once, never more than `concurrency` at a time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 20 }), async (n, concurrency) => {
        const seen: number[] = [];
        let inFlight = 0;
        let peak = 0;
        await runPool(
          Array.from({ length: n }, (_, i) => i),
          concurrency,
          async (item, index) => {
            expect(item).toBe(index);
            inFlight++;
            peak = Math.max(peak, inFlight);
            await tick();
            seen.push(item);
            inFlight--;
          },
        );
        expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(peak).toBeLessThanOrEqual(Math.max(1, Math.min(concurrency, n)));
      }),
      { numRuns: 40 },
    );
  });

  it('after a failure starts nothing new, waits for the calls running, and throws the first failure', async () => {
    const started: number[] = [];
    let running = 0;
    const run = runPool(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async (i) => {
        started.push(i);
        running++;
        await tick();
        running--;
        if (i === 2) throw new Error('boom 2');
        if (i === 3) throw new Error('boom 3');
      },
    );
    await expect(run).rejects.toThrow('boom 2');
    expect(running).toBe(0);
    expect(started.length).toBeLessThan(10);
  });
});
