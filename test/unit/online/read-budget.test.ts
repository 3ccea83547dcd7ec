/** The scan's read budget (online/scan-table.ts ReadBudget): a token bucket in read units, paid after each page. */
import { ReadBudget } from '../../../src/core/online/scan-table.js';

describe('ReadBudget', () => {
  it('lets requests go while in credit, then waits for the debt a page left to be refilled at the rate', () => {
    let now = 0;
    const b = new ReadBudget(10, () => now);
    expect(b.waitMs()).toBe(0);
    b.pay(35); // one page cost 35 units: 25 in debt
    expect(b.waitMs()).toBe(2501);
    now += 2501;
    expect(b.waitMs()).toBe(0);
  });

  it('keeps the average within the rate over many pages, whatever their cost', () => {
    let now = 0;
    const rate = 50;
    const b = new ReadBudget(rate, () => now);
    let paid = 0;
    for (let i = 0; i < 200; i++) {
      now += b.waitMs();
      const cost = (i * 37) % 128;
      b.pay(cost);
      paid += cost;
    }
    // one second's burst at most above the rate
    expect(paid).toBeLessThanOrEqual((now / 1000) * rate + rate + 128);
  });

  it('refills no more than one second of units while idle', () => {
    let now = 0;
    const b = new ReadBudget(5, () => now);
    now += 60_000;
    b.pay(6);
    expect(b.waitMs()).toBeGreaterThan(0);
  });
});

describe('ReadBudget reservations', () => {
  it('takes the average page cost when a request goes, so segments going at once share the credit', () => {
    const now = 0;
    const b = new ReadBudget(100, () => now);
    b.pay(40, b.reserve()); // the first page: nothing known, 40 paid
    expect(b.reserve()).toBe(40); // 60 - 40 = 20 left
    expect(b.waitMs()).toBe(0);
    expect(b.reserve()).toBe(40); // -20: the next one waits
    expect(b.waitMs()).toBe(201);
  });
});
