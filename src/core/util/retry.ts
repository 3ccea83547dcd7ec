/**
 * The one retry policy: exponential backoff with full jitter and a cap, a budget
 * by attempts and by elapsed time, a short grace for an endpoint nobody answers on, and the service's own
 * `Retry-After` hint honoured when it gives one. Materialize, reads and plan execution all draw their
 * waits from here; the tunables come from `dynafeast.retry` in feature_store.yaml (retryPolicyOf).
 */
import { classifyAwsError, isRetryableKind, retryAfterHintMs } from '../aws/aws-errors.js';
import type { RepoConfig } from '../config/types.js';
import { sleep as defaultSleep, type Sleep } from './sleep.js';

export interface RetryPolicy {
  /** The first retry waits up to this long (ms). */
  baseMs: number;
  /** No single wait is longer than this (ms), unless the service asks for longer. */
  capMs: number;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** No retry starts this long (ms) after the first attempt. */
  maxElapsedMs: number;
  /** An endpoint that refuses connections (or has no such host) is retried only this long (ms). */
  unreachableGraceMs: number;
}

/** The schema's defaults (config/schema.ts), for callers that have no config (tests, library users). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 25, capMs: 5000, maxAttempts: 10, maxElapsedMs: 120_000, unreachableGraceMs: 3000 };

/** The policy feature_store.yaml sets. */
export function retryPolicyOf(config: Pick<RepoConfig, 'dynafeast'>): RetryPolicy {
  const r = config.dynafeast.retry;
  return {
    baseMs: r.baseDelayMs,
    capMs: r.maxDelayMs,
    maxAttempts: r.maxAttempts,
    maxElapsedMs: r.maxElapsed * 1000,
    unreachableGraceMs: r.unreachableGrace * 1000,
  };
}

/**
 * Full jitter (AWS Architecture Blog): uniform in [0, min(cap, base·2^attempt)); attempt starts at 0.
 * A service hint (Retry-After) is a floor: we never come back sooner than asked.
 */
export function backoffDelayMs(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random: () => number = Math.random, hintMs?: number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  const jittered = Math.floor(random() * ceiling);
  return hintMs !== undefined && hintMs > jittered ? Math.ceil(hintMs) : jittered;
}

/**
 * Retries one run may spend without progress, shared by all its views and requests (materialize's
 * `retry_budget`). Each retry takes one; each request that writes every item it carried gives one back,
 * never above `limit`. So an endpoint that keeps failing stops the run after `limit` retries, while a
 * long run that is throttled but keeps writing (a fresh on-demand table warming up) is not cut off.
 */
export class RetryBudget {
  private used = 0;
  private left: number;
  constructor(readonly limit: number) {
    this.left = limit;
  }

  /** Takes one retry; false when the budget is spent. */
  take(): boolean {
    if (this.left < 1) return false;
    this.left--;
    this.used++;
    return true;
  }

  /** A request wrote all its items: one retry back, up to the limit. */
  refund(): void {
    if (this.left < this.limit) this.left++;
  }

  /** Retries taken so far (refunds do not lower it). */
  get spent(): number {
    return this.used;
  }

  /** Retries that may still be taken. */
  get available(): number {
    return this.left;
  }
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Which failures are resent; default: throttled, transient-network and (within the grace) unreachable. */
  retryable?: (e: unknown) => boolean;
  signal?: AbortSignal;
  sleep?: Sleep;
  random?: () => number;
  /** Monotonic milliseconds, for tests (default performance.now). */
  nowMs?: () => number;
  /** Told before each wait (for counting retries). */
  onRetry?: (e: unknown, delayMs: number, attempt: number) => void;
}

/**
 * Runs `call` until it resolves, or throws its last error once the error is not retryable or the
 * policy's attempts, elapsed time or unreachable grace are spent. `attempt` starts at 0.
 */
export async function withRetry<T>(call: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy } = options;
  const now = options.nowMs ?? (() => performance.now());
  const sleep = options.sleep ?? defaultSleep;
  const started = now();
  let unreachableSince: number | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (e) {
      const kind = classifyAwsError(e);
      const retryable = options.retryable ? options.retryable(e) : isRetryableKind(kind);
      if (!retryable || attempt + 1 >= policy.maxAttempts || options.signal?.aborted) throw e;
      const t = now();
      if (kind === 'endpoint-unreachable') {
        unreachableSince ??= t;
        if (t - unreachableSince >= policy.unreachableGraceMs) throw e;
      } else {
        unreachableSince = undefined;
      }
      const delay = backoffDelayMs(attempt, policy, options.random, retryAfterHintMs(e));
      if (t + delay - started > policy.maxElapsedMs) throw e;
      options.onRetry?.(e, delay, attempt);
      await sleep(delay, options.signal);
    }
  }
}
