/**
 * Writes items to one table through a BatchSender with many requests in flight (architecture.md §4.1): batches
 * of at most `maxBatch` distinct keys, unprocessed items and retryable failures resent after a backoff
 * with full jitter, every resend paid from the run's retry budget. The producer is slowed down
 * (push() waits) so at most a few batches per slot are buffered: memory stays bounded.
 */
import { DynafeastError } from '../errors.js';
import { classifyAwsError, isRetryableKind, retryAfterHintMs } from '../aws/aws-errors.js';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, type RetryBudget, type RetryPolicy } from '../util/retry.js';
import { sleep as defaultSleep, type Sleep } from '../util/sleep.js';
import { writeUnitsOf } from '../layout/item.js';
import type { DynamoCallObserver } from '../aws/call-observer.js';
import type { WritePacer } from './write-pacer.js';

/**
 * One item to put as DynamoDB JSON text (what the sender writes into the request body), with its hash
 * key (entity_id) so a batch never holds the same key twice.
 */
export interface WriteUnit {
  key: string;
  json: string;
  /** The item's event_ts again, for conditional puts. */
  eventTs: string;
  /** The item's size as DynamoDB counts it (layout/item.ts itemSizeBytes): what its write units follow. */
  bytes: number;
}

export interface SendOutcome {
  /** Units the server did not write this time (UnprocessedItems); resent after a backoff. */
  unprocessed: readonly WriteUnit[];
  /** Write capacity units the server reported, when it reports them. */
  consumedCapacity?: number;
  /** Units deliberately not written (monotonic mode: a newer item is stored). */
  skipped?: number;
  /** Retries the sender made on its own (e.g. the SDK's), counted in the stats and the budget. */
  innerRetries?: number;
}

export interface BatchSender {
  /** Most units one request takes: 25 for BatchWriteItem, 1 for conditional PutItem. */
  readonly maxBatch: number;
  /** The DynamoDB operation each request is, as /metrics names it. */
  readonly operation: 'BatchWriteItem' | 'PutItem';
  send(table: string, batch: readonly WriteUnit[]): Promise<SendOutcome>;
}

export interface WriterCounts {
  /** Units the server accepted (written or, in monotonic mode, deliberately skipped). */
  written: number;
  skipped: number;
  requests: number;
  retries: number;
  /** Requests that were throttled or came back with unprocessed items. */
  throttles: number;
  consumedCapacity: number;
}

export interface BatchWriterOptions {
  table: string;
  concurrency: number;
  budget: RetryBudget;
  signal?: AbortSignal;
  /** Backoff, time budget and unreachable grace (the run's retries are counted by `budget`). */
  retry?: RetryPolicy;
  random?: () => number;
  sleep?: Sleep;
  /** Monotonic milliseconds, for tests (default performance.now). */
  nowMs?: () => number;
  /** Paces batches by write units (the budget and AIMD, write-pacer.ts); default: no pacing. */
  pacer?: WritePacer;
  /** Told of every request and resend, as the read path tells it (the feature server's /metrics). */
  observer?: DynamoCallObserver;
}

interface Pending {
  unit: WriteUnit;
  attempt: number;
}

export class BatchWriter {
  readonly counts: WriterCounts = { written: 0, skipped: 0, requests: 0, retries: 0, throttles: 0, consumedCapacity: 0 };
  /** When a request last got an answer (ms, monotonic); undefined until the first one. */
  private lastAnswerAt: number | undefined;
  /** When a request last wrote (or deliberately skipped) an item; undefined until the first one. */
  private lastProgressAt: number | undefined;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly fresh: Pending[] = [];
  private freshHead = 0;
  private readonly ready: Pending[] = [];
  private inFlight = 0;
  private inFlightUnits = 0;
  private waiting = 0; // units sleeping before a resend
  private closing = false;
  private stopping = false;
  private failure: unknown;
  private wakeups: Array<() => void> = [];
  private readonly highWater: number;
  private readonly max: number;
  // Cancels backoff sleeps on Ctrl-C and after a failure, so a failed run does not linger on timers.
  private readonly cancel = new AbortController();
  /** The pump waiting for the pacer's next slot. */
  private paced: NodeJS.Timeout | undefined;

  constructor(
    private readonly sender: BatchSender,
    private readonly options: BatchWriterOptions,
  ) {
    this.max = sender.maxBatch;
    this.now = options.nowMs ?? (() => performance.now());
    this.startedAt = this.now();
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.highWater = Math.max(1, options.concurrency) * this.max * 2;
    options.signal?.addEventListener(
      'abort',
      () => {
        this.cancel.abort();
        this.wake();
      },
      { once: true },
    );
  }

  /** Units accepted but not yet confirmed written. */
  get outstanding(): number {
    return this.fresh.length - this.freshHead + this.ready.length + this.waiting + this.inFlightUnits;
  }

  /**
   * Queues units; resolves once the buffer is below its high-water mark. Rejects after a failure.
   * Units waiting for a resend count too: against a failing endpoint the producer stops, instead of
   * feeding every row of the run into first attempts that fail (issue 14: 10,000 retries in 3.5 s).
   */
  async push(units: readonly WriteUnit[]): Promise<void> {
    this.check();
    for (const unit of units) this.fresh.push({ unit, attempt: 0 });
    this.pump();
    while (this.fresh.length - this.freshHead + this.ready.length + this.waiting > this.highWater) {
      await this.nextChange();
      this.check();
    }
  }

  /** Sends what is left and waits for every request; throws when some units could not be written. */
  async finish(): Promise<WriterCounts> {
    this.closing = true;
    this.pump();
    while (this.inFlight > 0 || (!this.stopped && this.outstanding > 0)) await this.nextChange();
    this.check();
    return this.counts;
  }

  /**
   * Waits for the requests in flight, sending nothing new. After an error or Ctrl-C the caller settles
   * the writer before reporting, so the counts are final and no request outlives the run.
   */
  async settle(): Promise<void> {
    this.cancel.abort();
    clearTimeout(this.paced);
    this.stopping = true;
    while (this.inFlight > 0) await this.nextChange();
  }

  private get stopped(): boolean {
    return this.stopping || this.failure !== undefined || this.options.signal?.aborted === true;
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.options.signal?.aborted) {
      throw new DynafeastError('aborted', `writing to ${this.options.table} was interrupted`, { cause: this.options.signal.reason });
    }
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => this.wakeups.push(resolve));
  }

  private wake(): void {
    const w = this.wakeups;
    this.wakeups = [];
    for (const f of w) f();
  }

  private pump(): void {
    const pacer = this.options.pacer;
    while (!this.stopped && this.inFlight < this.options.concurrency) {
      const freshCount = this.fresh.length - this.freshHead;
      const available = this.ready.length + freshCount;
      if (available === 0 || (available < this.max && !this.closing && this.ready.length === 0)) break;
      const wait = pacer?.waitMs() ?? 0;
      if (wait > 0) {
        this.paced ??= setTimeout(() => {
          this.paced = undefined;
          this.pump();
          this.wake();
        }, Math.ceil(wait));
        break;
      }
      this.dispatch(this.takeBatch());
    }
    if (this.freshHead > 4096 && this.freshHead * 2 > this.fresh.length) {
      this.fresh.splice(0, this.freshHead);
      this.freshHead = 0;
    }
  }

  /** Resends first, then fresh units; a key already in the batch is replaced by the later unit. */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const index = new Map<string, number>();
    const add = (p: Pending) => {
      const at = index.get(p.unit.key);
      if (at === undefined) {
        index.set(p.unit.key, batch.length);
        batch.push(p);
      } else {
        batch[at] = p;
        this.counts.written++; // the replaced unit is superseded, never sent: count it as done
      }
    };
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the loop condition checks ready is not empty
    while (batch.length < this.max && this.ready.length > 0) add(this.ready.shift()!);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- freshHead < fresh.length
    while (batch.length < this.max && this.freshHead < this.fresh.length) add(this.fresh[this.freshHead++]!);
    return batch;
  }

  private dispatch(batch: Pending[]): void {
    this.inFlight++;
    this.inFlightUnits += batch.length;
    this.counts.requests++;
    this.options.observer?.request(this.sender.operation);
    const units = batch.map((p) => p.unit);
    const sentAt = this.now();
    this.options.pacer?.sent(units.reduce((n, u) => n + writeUnitsOf(u.bytes), 0));
    this.sender
      .send(this.options.table, units)
      .then(
        (outcome) => this.settled(batch, outcome, sentAt),
        (e: unknown) => this.failed(batch, e, sentAt),
      )
      .catch((e: unknown) => this.fail(e))
      .finally(() => {
        this.inFlight--;
        this.inFlightUnits -= batch.length;
        this.pump();
        this.wake();
      });
  }

  private settled(batch: Pending[], outcome: SendOutcome, sentAt: number): void {
    this.lastAnswerAt = this.now();
    const inner = outcome.innerRetries ?? 0;
    this.counts.retries += inner;
    for (let i = 0; i < inner; i++) this.options.budget.take();
    this.counts.consumedCapacity += outcome.consumedCapacity ?? 0;
    this.counts.skipped += outcome.skipped ?? 0;
    const left = outcome.unprocessed;
    this.counts.written += batch.length - left.length;
    const pacer = this.options.pacer;
    if (pacer) {
      const leftKeys = new Set(left.map((u) => u.key));
      pacer.accepted(batch.reduce((n, p) => (leftKeys.has(p.unit.key) ? n : n + writeUnitsOf(p.unit.bytes)), 0));
      if (left.length > 0) pacer.throttled(sentAt);
    }
    // progress is any item written: a throttled run that writes some of each batch is not stalled
    if (left.length < batch.length) this.lastProgressAt = this.lastAnswerAt;
    if (left.length === 0) return this.options.budget.refund();
    this.counts.throttles++;
    const attempt = new Map(batch.map((p) => [p.unit.key, p.attempt]));
    // Unprocessed items are DynamoDB holding back for capacity: a throttle, as the counts say.
    this.retryLater(
      left.map((unit) => ({ unit, attempt: attempt.get(unit.key) ?? 0 })),
      true,
    );
  }

  private failed(batch: Pending[], e: unknown, sentAt: number): void {
    const kind = classifyAwsError(e);
    if (!isRetryableKind(kind)) return this.fail(e);
    // NOTE: an endpoint nobody answers on is retried through a blip, not for the hours the retry budget
    // would allow: once nothing has answered for the policy's unreachable grace, the run fails with it.
    if (kind === 'endpoint-unreachable' && this.now() - (this.lastAnswerAt ?? this.startedAt) > this.policy.unreachableGraceMs) return this.fail(e);
    if (kind === 'throttled') {
      this.counts.throttles++;
      this.options.pacer?.throttled(sentAt);
    }
    this.retryLater(batch, kind === 'throttled', e);
  }

  private retryLater(pending: Pending[], throttled: boolean, cause?: unknown): void {
    if (this.stopped) return;
    const stalledMs = this.now() - (this.lastProgressAt ?? this.startedAt);
    if (stalledMs > this.policy.maxElapsedMs) {
      this.fail(
        new DynafeastError(
          'materialize.incomplete',
          `nothing was written to ${this.options.table} for ${Math.round(stalledMs / 1000)} s while retrying (dynafeast.retry.max_elapsed is ${this.policy.maxElapsedMs / 1000} s)`,
          {
            hint: 'the table is throttling or failing: raise its capacity (or use on-demand), lower dynafeast.materialize.concurrency, or raise dynafeast.retry.max_elapsed',
            cause,
          },
        ),
      );
      return;
    }
    if (!this.options.budget.take()) {
      this.fail(
        new DynafeastError(
          'materialize.incomplete',
          `retry budget of ${this.options.budget.limit} spent while writing to ${this.options.table} (retries without progress: each fully written request gives one back)`,
          {
            hint: 'the table is throttling or failing: raise its capacity (or use on-demand), lower dynafeast.materialize.concurrency, or raise dynafeast.materialize.retry_budget',
            cause,
          },
        ),
      );
      return;
    }
    this.counts.retries++;
    this.options.observer?.retry(this.sender.operation, throttled);
    const attempt = Math.max(...pending.map((p) => p.attempt));
    const delay = backoffDelayMs(attempt, this.policy, this.options.random, cause === undefined ? undefined : retryAfterHintMs(cause));
    this.waiting += pending.length;
    (this.options.sleep ?? defaultSleep)(delay, this.cancel.signal)
      .then(
        () => {
          for (const p of pending) this.ready.push({ unit: p.unit, attempt: p.attempt + 1 });
        },
        () => {}, // cancelled: the units stay unwritten and finish() reports why
      )
      .finally(() => {
        this.waiting -= pending.length;
        this.pump();
        this.wake();
      });
  }

  private fail(e: unknown): void {
    if (this.failure === undefined) this.failure = e;
    this.cancel.abort();
    clearTimeout(this.paced);
    this.wake();
  }
}
