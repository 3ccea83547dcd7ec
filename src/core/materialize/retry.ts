/**
 * What the write path retries, how long it waits, and how many retries one run may spend (DESIGN §4.1):
 * throttling, 5xx and dropped connections are retried with exponential backoff and full jitter under one
 * budget shared by every view of the run; anything else fails at once.
 */
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { classifyFailure, type FailureKind } from '../aws/retryable.js';

export { classifyFailure, type FailureKind };

/**
 * Retries one run may spend without progress, shared by all its views and requests. Each retry takes one;
 * each request that writes every item it carried gives one back, never above `limit`. So an endpoint
 * that keeps failing stops the run after `limit` retries, while a long run that is throttled but keeps
 * writing (a fresh on-demand table warming up, say) is not cut off by its length.
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

export interface BackoffOptions {
  /** First retry waits up to this long. */
  baseMs: number;
  /** No wait is longer than this. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 25, capMs: 5000 };

/** Full jitter (AWS Architecture Blog): uniform in [0, min(cap, base·2^attempt)). attempt starts at 0. */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Resolves after `ms`, or rejects with the signal's AbortError when it fires first. */
export const sleep: Sleep = (ms, signal) => sleepTimer(ms, undefined, signal ? { signal } : undefined);
