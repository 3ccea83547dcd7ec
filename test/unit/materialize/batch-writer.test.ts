import { BatchWriter, type BatchSender, type SendOutcome, type WriteUnit } from '../../../src/core/materialize/batch-writer.js';
import { DEFAULT_RETRY_POLICY, RetryBudget } from '../../../src/core/util/retry.js';
import { defined } from '../../helpers/defined.js';

const unit = (i: number, tag = ''): WriteUnit => ({
  key: `k${i}`,
  json: JSON.stringify({ entity_id: { S: `k${i}` }, event_ts: { S: tag } }),
  eventTs: tag,
  bytes: 0,
});
const units = (n: number, from = 0) => Array.from({ length: n }, (_, i) => unit(from + i));

/** An in-memory table behind a scripted sender: `script(call, batch)` decides each request's fate. */
function fakeSender(
  script: (call: number, batch: readonly WriteUnit[]) => 'ok' | 'throttle' | '5xx' | 'reset' | 'fatal' | { unprocess: number },
  maxBatch = 25,
) {
  const stored = new Map<string, string>();
  const batches: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const sender: BatchSender = {
    maxBatch,
    operation: 'BatchWriteItem',
    async send(_table, batch): Promise<SendOutcome> {
      const call = calls++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      const keys = batch.map((u) => u.key);
      if (new Set(keys).size !== keys.length) throw Object.assign(new Error('duplicate keys'), { name: 'ValidationException' });
      batches.push(keys);
      const fate = script(call, batch);
      if (fate === 'throttle')
        throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
      if (fate === '5xx') throw Object.assign(new Error('oops'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
      if (fate === 'reset') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      if (fate === 'fatal') throw Object.assign(new Error('no such table'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
      const n = fate === 'ok' ? 0 : Math.min(fate.unprocess, batch.length);
      const written = batch.slice(0, batch.length - n);
      for (const u of written) stored.set(u.key, u.eventTs);
      return { unprocessed: batch.slice(batch.length - n), consumedCapacity: written.length };
    },
  };
  return { sender, stored, batches, stats: () => ({ maxInFlight, calls }) };
}

const fast = { retry: { ...DEFAULT_RETRY_POLICY, baseMs: 1, capMs: 2 } };

describe('BatchWriter', () => {
  it('writes everything in batches of at most 25 with at most `concurrency` requests in flight', async () => {
    const f = fakeSender(() => 'ok');
    const w = new BatchWriter(f.sender, { table: 't', concurrency: 4, budget: new RetryBudget(0), ...fast });
    for (let i = 0; i < 10; i++) await w.push(units(97, i * 97));
    const counts = await w.finish();
    expect(f.stored.size).toBe(970);
    expect(counts).toMatchObject({ written: 970, retries: 0, throttles: 0, consumedCapacity: 970 });
    expect(Math.max(...f.batches.map((b) => b.length))).toBe(25);
    expect(f.stats().maxInFlight).toBeLessThanOrEqual(4);
    expect(f.stats().maxInFlight).toBeGreaterThan(1);
  });

  it('resends unprocessed items and retries throttling, 5xx and dropped connections until all are written', async () => {
    const fates = ['throttle', { unprocess: 10 }, '5xx', 'reset', { unprocess: 25 }] as const;
    const f = fakeSender((call) => (call < fates.length * 3 && call % 3 === 0 ? defined(fates[call / 3]) : 'ok'));
    const w = new BatchWriter(f.sender, { table: 't', concurrency: 3, budget: new RetryBudget(100), ...fast });
    await w.push(units(500));
    const counts = await w.finish();
    expect([...f.stored.keys()].sort()).toEqual(
      units(500)
        .map((u) => u.key)
        .sort(),
    );
    expect(counts.written).toBe(500);
    expect(counts.retries).toBe(5);
    expect(counts.throttles).toBe(3); // one throttled request, two with unprocessed items
  });

  it('tells its observer of every request and resend, throttles (throttled or unprocessed) apart', async () => {
    const fates = ['throttle', { unprocess: 10 }, '5xx', 'reset', { unprocess: 25 }] as const;
    const f = fakeSender((call) => (call < fates.length * 3 && call % 3 === 0 ? defined(fates[call / 3]) : 'ok'));
    const seen = { request: 0, retry: 0, throttled: 0, operations: new Set<string>() };
    const observer = {
      request: (op: string) => (seen.request++, seen.operations.add(op)),
      retry: (op: string, throttled: boolean) => (seen.retry++, (seen.throttled += throttled ? 1 : 0), seen.operations.add(op)),
    };
    const w = new BatchWriter(f.sender, { table: 't', concurrency: 3, budget: new RetryBudget(100), observer, ...fast });
    await w.push(units(500));
    const counts = await w.finish();
    expect(seen).toEqual({ request: counts.requests, retry: 5, throttled: 3, operations: new Set(['BatchWriteItem']) });
    expect(counts.requests).toBe(f.stats().calls);
  });

  it('fails with materialize.incomplete once the retry budget is spent, without sending more', async () => {
    const f = fakeSender((call) => (call === 0 ? 'ok' : 'throttle'));
    const budget = new RetryBudget(3);
    const w = new BatchWriter(f.sender, { table: 't', concurrency: 1, budget, ...fast });
    const run = (async () => {
      await w.push(units(100));
      return w.finish();
    })();
    await expect(run).rejects.toMatchObject({ code: 'materialize.incomplete' });
    expect(budget.spent).toBe(3);
    expect(w.counts.written).toBe(25);
    expect(f.stats().calls).toBe(5); // the first batch, then one request and three retries
  });

  it('finishes a long run that keeps being throttled but keeps writing, on a budget smaller than its retries', async () => {
    // every other request is throttled: one retry per written request, paid back by that request
    const f = fakeSender((call) => (call % 2 === 1 ? 'throttle' : 'ok'));
    const budget = new RetryBudget(2);
    const w = new BatchWriter(f.sender, { table: 't', concurrency: 1, budget, ...fast });
    await w.push(units(500));
    const counts = await w.finish();
    expect(counts.written).toBe(500);
    expect(f.stored.size).toBe(500);
    expect(budget.spent).toBeGreaterThan(2);
    expect(counts.retries).toBe(budget.spent);
  });

  it('stops at the first non-retryable error', async () => {
    const f = fakeSender(() => 'fatal');
    const w = new BatchWriter(f.sender, { table: 't', concurrency: 2, budget: new RetryBudget(100), ...fast });
    await expect(
      (async () => {
        await w.push(units(60));
        await w.finish();
      })(),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(w.counts.retries).toBe(0);
  });

  it('keeps the later of two units with the same key in one batch', async () => {
    const f = fakeSender(() => 'ok');
    const w = new BatchWriter(f.sender, { table: 't', concurrency: 1, budget: new RetryBudget(0), ...fast });
    await w.push([unit(1, 'old'), unit(2), unit(1, 'new')]);
    await w.finish();
    expect(f.stored.get('k1')).toBe('new');
    expect(f.batches).toEqual([['k1', 'k2']]);
  });

  it('makes push wait while the buffer is full, so memory stays bounded', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sender: BatchSender = { maxBatch: 25, operation: 'BatchWriteItem', send: async () => (await gate, { unprocessed: [] }) };
    const w = new BatchWriter(sender, { table: 't', concurrency: 2, budget: new RetryBudget(0) });
    let pushed = false;
    const p = w.push(units(2 * 25 + 2 * 2 * 25 + 1)).then(() => (pushed = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(pushed).toBe(false);
    release();
    await p;
    await w.finish();
    expect(w.counts.written).toBe(151);
  });

  it('stops on abort: waits for requests in flight, sends nothing more, and reports aborted', async () => {
    const controller = new AbortController();
    const f = fakeSender((call) => {
      if (call === 1) controller.abort();
      return call % 2 ? { unprocess: 5 } : 'ok';
    });
    const w = new BatchWriter(f.sender, {
      table: 't',
      concurrency: 1,
      budget: new RetryBudget(100),
      signal: controller.signal,
      retry: { ...DEFAULT_RETRY_POLICY, baseMs: 50, capMs: 50 },
    });
    const run = (async () => {
      await w.push(units(200));
      await w.finish();
    })();
    await expect(run).rejects.toMatchObject({ code: 'aborted' });
    expect(f.stats().calls).toBe(2);
    expect(w.counts.written).toBe(45);
  });

  it('settle() waits for the requests in flight after push gave up on Ctrl-C', async () => {
    const controller = new AbortController();
    let finished = 0;
    let calls = 0;
    const sender: BatchSender = {
      maxBatch: 25,
      operation: 'BatchWriteItem',
      send: async (_t, batch) => {
        if (++calls === 2) controller.abort();
        await new Promise((r) => setTimeout(r, 30));
        finished += batch.length;
        return { unprocessed: [] };
      },
    };
    const w = new BatchWriter(sender, { table: 't', concurrency: 2, budget: new RetryBudget(0), signal: controller.signal });
    await w.push(units(50));
    await expect(w.push(units(500, 50))).rejects.toMatchObject({ code: 'aborted' });
    expect(finished).toBe(0);
    await w.settle();
    expect(finished).toBe(50);
    expect(w.counts.written).toBe(50);
  });

  it('sends single-item requests for a one-item sender (conditional puts)', async () => {
    const f = fakeSender(() => 'ok', 1);
    const w = new BatchWriter(f.sender, { table: 't', concurrency: 8, budget: new RetryBudget(0) });
    await w.push(units(30));
    await w.finish();
    expect(f.batches.every((b) => b.length === 1)).toBe(true);
    expect(f.stored.size).toBe(30);
  });

  describe("the retry policy's time budget and buffer", () => {
    function fakeTime() {
      let t = 0;
      return { nowMs: () => t, sleep: async (ms: number) => void (t += ms) };
    }
    const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

    it('fails with materialize.incomplete once nothing was written for max_elapsed', async () => {
      const time = fakeTime();
      const sender: BatchSender = { maxBatch: 25, operation: 'BatchWriteItem', send: async () => Promise.reject(reset()) };
      const retry = { ...DEFAULT_RETRY_POLICY, maxElapsedMs: 20_000 };
      const w = new BatchWriter(sender, { table: 't', concurrency: 2, budget: new RetryBudget(1_000_000), retry, ...time });
      await expect((async () => (await w.push(units(50)), await w.finish()))()).rejects.toMatchObject({
        code: 'materialize.incomplete',
        message: expect.stringContaining('dynafeast.retry.max_elapsed'),
      });
      expect(time.nowMs()).toBeGreaterThan(20_000);
    });

    it('a throttled run that writes part of every batch is not stopped by max_elapsed', async () => {
      const time = fakeTime();
      const f = fakeSender((_call, batch) => ({ unprocess: Math.max(0, batch.length - 5) })); // 5 written per request
      const retry = { ...DEFAULT_RETRY_POLICY, baseMs: 1000, capMs: 1000, maxElapsedMs: 3000 };
      const w = new BatchWriter(f.sender, { table: 't', concurrency: 1, budget: new RetryBudget(1_000_000), retry, random: () => 0.99, ...time });
      await w.push(units(200));
      await w.finish();
      expect(f.stored.size).toBe(200);
      expect(time.nowMs()).toBeGreaterThan(3000);
    });

    it('against a failing endpoint the producer waits: units pending a resend count against the buffer', async () => {
      const time = fakeTime();
      let calls = 0;
      const sender: BatchSender = { maxBatch: 25, operation: 'BatchWriteItem', send: async () => (calls++, Promise.reject(reset())) };
      const w = new BatchWriter(sender, { table: 't', concurrency: 2, budget: new RetryBudget(1_000_000), ...time });
      let pushed = 0;
      const run = (async () => {
        for (let i = 0; i < 400; i++) {
          await w.push(units(25, i * 25));
          pushed += 25;
        }
        await w.finish();
      })();
      await expect(run).rejects.toMatchObject({ code: 'materialize.incomplete' });
      // high water is concurrency × 25 × 2 = 100 buffered units: the 10,000 rows never all went out
      expect(pushed).toBeLessThanOrEqual(200);
      // and only the buffered units were ever sent, each a few times, not one request per row pushed
      expect(calls).toBeGreaterThan(0);
    });
  });

  describe('an endpoint nobody answers on', () => {
    /** A fake monotonic clock that backoff sleeps advance, so seconds pass instantly. */
    function fakeTime() {
      let t = 0;
      return { nowMs: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
    }
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });

    it('fails within seconds when it never answered, not after the whole retry budget', async () => {
      const time = fakeTime();
      let calls = 0;
      const sender: BatchSender = { maxBatch: 25, operation: 'BatchWriteItem', send: async () => (calls++, Promise.reject(refused())) };
      const w = new BatchWriter(sender, { table: 't', concurrency: 2, budget: new RetryBudget(1_000_000), ...time });
      await expect((async () => (await w.push(units(10)), await w.finish()))()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(time.nowMs()).toBeLessThan(10_000);
      expect(calls).toBeLessThan(50);
    });

    it('rides out a short outage after it was writing', async () => {
      const time = fakeTime();
      let calls = 0;
      const sender: BatchSender = {
        maxBatch: 25,
        operation: 'BatchWriteItem',
        send: async (_t, batch) => {
          calls++;
          if (calls >= 2 && calls <= 6) throw refused(); // a few seconds of refusals mid-run
          return { unprocessed: [], consumedCapacity: batch.length };
        },
      };
      const w = new BatchWriter(sender, { table: 't', concurrency: 1, budget: new RetryBudget(1000), ...time });
      await w.push(units(75));
      await w.finish();
      expect(w.counts.written).toBe(75);
    });

    it('gives up once nothing has answered for the unreachable grace mid-run', async () => {
      const time = fakeTime();
      let calls = 0;
      const sender: BatchSender = {
        maxBatch: 25,
        operation: 'BatchWriteItem',
        send: async (_t, batch) => {
          calls++;
          if (calls >= 2) throw refused();
          return { unprocessed: [], consumedCapacity: batch.length };
        },
      };
      const retry = { ...DEFAULT_RETRY_POLICY, unreachableGraceMs: 3000 };
      const w = new BatchWriter(sender, { table: 't', concurrency: 1, budget: new RetryBudget(1_000_000), retry, ...time });
      await expect((async () => (await w.push(units(75)), await w.finish()))()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(time.nowMs()).toBeGreaterThan(3000);
      // the last wait before giving up is at most one capped backoff
      expect(time.nowMs()).toBeLessThan(3000 + DEFAULT_RETRY_POLICY.capMs);
      expect(calls).toBeLessThan(30);
    });
  });
});
