import fc from 'fast-check';
import { DECREASE, INCREASE_PER_SECOND, WritePacer } from '../../../src/core/materialize/write-pacer.js';
import { defined } from '../../helpers/defined.js';

/** A pacer on a clock the test moves. */
function pacerAt(maxUnitsPerSecond?: number) {
  let t = 0;
  const pacer = new WritePacer({ ...(maxUnitsPerSecond !== undefined ? { maxUnitsPerSecond } : {}), nowMs: () => t });
  return { pacer, advance: (ms: number) => (t += ms), now: () => t };
}

/** Sends batches of `units` as fast as the pacer lets for `ms`; returns the units sent. */
function sendFor(p: ReturnType<typeof pacerAt>, ms: number, units = 25): number {
  const end = p.now() + ms;
  let sent = 0;
  while (p.now() < end) {
    const wait = p.pacer.waitMs();
    if (wait > 0) {
      p.advance(Math.min(wait, end - p.now()));
      continue;
    }
    p.pacer.sent(units);
    sent += units;
  }
  return sent;
}

describe('WritePacer', () => {
  it('sends no more than its share of the budget, whatever the batch size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 25, max: 50_000 }), fc.integer({ min: 1, max: 100 }), (rate, units) => {
        const p = pacerAt(rate);
        const sent = sendFor(p, 10_000, units);
        // ten seconds' worth, plus at most the 50 ms tolerance and the batch that opened it
        expect(sent).toBeLessThanOrEqual(rate * 10.05 + 2 * units);
        expect(sent).toBeGreaterThanOrEqual(rate * 10 - units);
      }),
    );
  });

  it('is unlimited until the first throttle, then cuts from the rate it measured', () => {
    const p = pacerAt();
    expect(p.pacer.waitMs()).toBe(0);
    for (let i = 0; i < 100; i++) {
      p.pacer.sent(25);
      p.pacer.accepted(25);
      p.advance(10); // 2,500 units/s accepted
    }
    p.pacer.throttled(p.now() - 5);
    expect(defined(p.pacer.counts.rate)).toBeCloseTo(2500 * DECREASE, 0);
  });

  it('cuts once per round: answers to requests sent before a cut do not cut again', () => {
    const p = pacerAt(1000);
    const before = p.now();
    p.advance(100);
    p.pacer.throttled(before);
    expect(p.pacer.counts.rate).toBeCloseTo(1000 * DECREASE);
    p.pacer.throttled(before);
    p.pacer.throttled(before + 50);
    expect(p.pacer.counts).toMatchObject({ decreases: 1 });
    p.advance(10);
    p.pacer.throttled(p.now());
    expect(p.pacer.counts.rate).toBeCloseTo(1000 * DECREASE * DECREASE);
  });

  it('raises the rate additively after a cut, back to the ceiling and never past it', () => {
    const p = pacerAt(1000);
    p.pacer.throttled(p.now());
    const cut = defined(p.pacer.counts.rate);
    p.advance(1000);
    p.pacer.accepted(25);
    expect(defined(p.pacer.counts.rate)).toBeCloseTo(cut + 1000 * INCREASE_PER_SECOND);
    p.advance(60_000);
    p.pacer.accepted(25);
    expect(p.pacer.counts.rate).toBe(1000);
  });

  it('never drops below one batch per second, nor rises over the ceiling, whatever the answers', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2000 })), { maxLength: 200 }),
        (ceiling, events) => {
          const p = pacerAt(ceiling);
          for (const [throttled, ms] of events) {
            p.advance(ms);
            p.pacer.sent(25);
            if (throttled) p.pacer.throttled(p.now());
            else p.pacer.accepted(25);
            const rate = p.pacer.counts.rate;
            if (rate === undefined) continue;
            expect(rate).toBeGreaterThanOrEqual(Math.min(25, ceiling ?? 25));
            if (ceiling !== undefined) expect(rate).toBeLessThanOrEqual(ceiling);
          }
        },
      ),
    );
  });
});
