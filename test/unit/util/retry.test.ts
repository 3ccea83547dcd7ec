import fc from 'fast-check';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, RetryBudget, retryPolicyOf, withRetry, type RetryPolicy } from '../../../src/core/util/retry.js';
import { testConfig } from '../../helpers/config.js';

/** A fake monotonic clock that sleeps advance, so seconds pass instantly. */
function fakeTime() {
  let t = 0;
  const waits: number[] = [];
  return { nowMs: () => t, sleep: async (ms: number) => void (waits.push(ms), (t += ms)), waits };
}

const throttled = () => Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({ ...DEFAULT_RETRY_POLICY, ...over });

describe('backoffDelayMs', () => {
  it('draws from [0, min(cap, base·2^attempt)) (full jitter)', () => {
    const opts = { baseMs: 25, capMs: 1000 };
    expect(backoffDelayMs(0, opts, () => 0.999)).toBe(24);
    expect(backoffDelayMs(3, opts, () => 0.5)).toBe(100);
    expect(backoffDelayMs(10, opts, () => 0.999)).toBe(999);
    expect(backoffDelayMs(500, opts, () => 0)).toBe(0);
  });

  it('for every attempt, base, cap and draw: 0 ≤ delay < min(cap, base·2^attempt), or the hint when longer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 300_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }),
        (attempt, baseMs, capMs, draw, hint) => {
          const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
          const d = backoffDelayMs(attempt, { baseMs, capMs }, () => draw, hint);
          expect(Number.isInteger(d)).toBe(true);
          if (hint !== undefined && hint >= ceiling) expect(d).toBe(hint);
          else expect(d).toBeLessThan(Math.max(ceiling, (hint ?? 0) + 1));
          expect(d).toBeGreaterThanOrEqual(hint ?? 0);
        },
      ),
    );
  });
});

describe('withRetry', () => {
  it('retries throttling with growing waits until the call succeeds', async () => {
    const time = fakeTime();
    let calls = 0;
    const out = await withRetry(async () => (++calls < 4 ? Promise.reject(throttled()) : 'ok'), { policy: policy(), random: () => 0.999, ...time });
    expect(out).toBe('ok');
    expect(time.waits).toEqual([24, 49, 99]);
  });

  it('stops after maxAttempts with the last error', async () => {
    const time = fakeTime();
    let calls = 0;
    await expect(withRetry(async () => (calls++, Promise.reject(throttled())), { policy: policy({ maxAttempts: 3 }), ...time })).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    expect(calls).toBe(3);
  });

  it('never starts a wait that would end past maxElapsedMs', async () => {
    const time = fakeTime();
    await expect(
      withRetry(async () => Promise.reject(throttled()), {
        policy: policy({ maxAttempts: 1000, baseMs: 100, capMs: 1000, maxElapsedMs: 5000 }),
        random: () => 0.999,
        ...time,
      }),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(time.nowMs()).toBeLessThanOrEqual(5000);
    expect(time.nowMs()).toBeGreaterThan(4000);
  });

  it('gives an unreachable endpoint only the grace, however many attempts are left', async () => {
    const time = fakeTime();
    let calls = 0;
    await expect(
      withRetry(async () => (calls++, Promise.reject(refused())), { policy: policy({ maxAttempts: 1000, unreachableGraceMs: 2000 }), ...time }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(time.nowMs()).toBeGreaterThanOrEqual(2000);
    expect(time.nowMs()).toBeLessThan(2000 + DEFAULT_RETRY_POLICY.capMs);
    expect(calls).toBeLessThan(20);
  });

  it('does not retry what is not retryable (validation, not found, access denied, conditional)', async () => {
    for (const name of ['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException', 'ConditionalCheckFailedException']) {
      let calls = 0;
      await expect(
        withRetry(async () => (calls++, Promise.reject(Object.assign(new Error(name), { name }))), { policy: policy(), ...fakeTime() }),
      ).rejects.toMatchObject({ name });
      expect(calls).toBe(1);
    }
  });

  it('waits at least as long as Retry-After asks', async () => {
    const time = fakeTime();
    let calls = 0;
    const busy = () => Object.assign(new Error('busy'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 }, retryAfterMs: 1500 });
    await withRetry(async () => (++calls < 2 ? Promise.reject(busy()) : 'ok'), { policy: policy(), random: () => 0, ...time });
    expect(time.waits).toEqual([1500]);
  });

  it('a caller may say what is retryable (a table still settling)', async () => {
    let calls = 0;
    const settling = () => Object.assign(new Error('not yet'), { name: 'ContinuousBackupsUnavailableException' });
    const out = await withRetry(async () => (++calls < 3 ? Promise.reject(settling()) : 'done'), {
      policy: policy(),
      retryable: (e) => (e as Error).name === 'ContinuousBackupsUnavailableException',
      ...fakeTime(),
    });
    expect(out).toBe('done');
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const run = withRetry(async () => Promise.reject(throttled()), {
      policy: policy({ baseMs: 60_000, capMs: 60_000 }),
      random: () => 0.9,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stop')), 10);
    await expect(run).rejects.toThrow('stop');
  });
});

describe('retryPolicyOf', () => {
  it('reads dynafeast.retry (seconds become ms); the defaults are DEFAULT_RETRY_POLICY', () => {
    const config = testConfig({ repoPath: '/tmp/x' });
    expect(retryPolicyOf(config)).toEqual(DEFAULT_RETRY_POLICY);
    const tuned = {
      ...config,
      dynafeast: { ...config.dynafeast, retry: { baseDelayMs: 10, maxDelayMs: 100, maxAttempts: 4, maxElapsed: 1.5, unreachableGrace: 0.5 } },
    };
    expect(retryPolicyOf(tuned)).toEqual({ baseMs: 10, capMs: 100, maxAttempts: 4, maxElapsedMs: 1500, unreachableGraceMs: 500 });
  });
});

describe('RetryBudget', () => {
  it('allows exactly `limit` retries', () => {
    const b = new RetryBudget(2);
    expect([b.take(), b.take(), b.take()]).toEqual([true, true, false]);
    expect(b.spent).toBe(2);
  });

  it('gets one retry back per fully written request, never above the limit', () => {
    const b = new RetryBudget(2);
    b.refund();
    expect(b.available).toBe(2);
    expect([b.take(), b.take(), b.take()]).toEqual([true, true, false]);
    b.refund();
    expect([b.take(), b.take()]).toEqual([true, false]);
    expect(b.spent).toBe(3);
  });
});
