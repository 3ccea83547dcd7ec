import fc from 'fast-check';
import { runPool, runQueue } from '../../../src/core/util/pool.js';

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

describe('runQueue', () => {
  it('for any tree of work: every item once, added work before the items not yet started, never more than `concurrency` at a time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (n, children, concurrency) => {
          // item `i` adds children[i % 30] items numbered below -1 (so they are told apart from the initial ones)
          let nextChild = -1;
          const started: number[] = [];
          const expected = new Set<number>(Array.from({ length: n }, (_, i) => i));
          let inFlight = 0;
          let peak = 0;
          await runQueue(
            Array.from({ length: n }, (_, i) => i),
            concurrency,
            async (item, enqueue) => {
              started.push(item);
              inFlight++;
              peak = Math.max(peak, inFlight);
              await tick();
              inFlight--;
              if (item >= 0) {
                const more = Array.from({ length: children[item % 30] ?? 0 }, () => --nextChild);
                for (const m of more) expected.add(m);
                enqueue(...more);
              }
            },
          );
          expect([...started].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
          expect(peak).toBeLessThanOrEqual(concurrency);
          // the initial items still start in their order
          const initialOrder = started.filter((x) => x >= 0);
          expect(initialOrder).toEqual([...initialOrder].sort((a, b) => a - b));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('runs added work ahead of the queue', async () => {
    const started: string[] = [];
    await runQueue(['a', 'b', 'c'], 1, async (item, enqueue) => {
      started.push(item);
      if (item === 'a') enqueue('a1', 'a2');
    });
    expect(started).toEqual(['a', 'a1', 'a2', 'b', 'c']);
  });

  it('after a failure starts nothing new, added work included, and throws the first failure', async () => {
    const started: number[] = [];
    let running = 0;
    const run = runQueue([1, 2, 3, 4, 5, 6], 2, async (i, enqueue) => {
      started.push(i);
      running++;
      await tick();
      running--;
      if (i === 1) enqueue(100, 101);
      if (i === 2) throw new Error('boom 2');
    });
    await expect(run).rejects.toThrow('boom 2');
    expect(running).toBe(0);
    expect(started.length).toBeLessThan(6);
  });
});
