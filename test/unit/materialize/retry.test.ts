import { backoffDelayMs, classifyFailure, RetryBudget } from '../../../src/core/materialize/retry.js';

describe('classifyFailure', () => {
  it.each([
    [{ name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } }, 'throttle'],
    [{ name: 'ThrottlingException' }, 'throttle'],
    [{ name: 'RequestLimitExceeded' }, 'throttle'],
    [{ name: 'Whatever', $metadata: { httpStatusCode: 429 } }, 'throttle'],
    [{ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }, 'transient'],
    [{ name: 'SomethingNew', $metadata: { httpStatusCode: 503 } }, 'transient'],
    [{ name: 'TimeoutError' }, 'transient'],
    [{ name: 'Error', code: 'ECONNRESET' }, 'transient'],
    [{ name: 'Error', code: 'EPIPE' }, 'transient'],
    [{ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }, 'fatal'],
    [{ name: 'ValidationException', $metadata: { httpStatusCode: 400 } }, 'fatal'],
    [{ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }, 'fatal'],
    ['a string', 'fatal'],
  ])('%j → %s', (e, kind) => {
    expect(classifyFailure(e)).toBe(kind);
  });
});

describe('backoffDelayMs', () => {
  it('draws from [0, min(cap, base·2^attempt)) (full jitter)', () => {
    const opts = { baseMs: 25, capMs: 1000 };
    expect(backoffDelayMs(0, opts, () => 0.999)).toBe(24);
    expect(backoffDelayMs(3, opts, () => 0.5)).toBe(100);
    expect(backoffDelayMs(10, opts, () => 0.999)).toBe(999);
    expect(backoffDelayMs(500, opts, () => 0)).toBe(0);
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
