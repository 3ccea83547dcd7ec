/**
 * The write budget and the adaptive send rate of one materialize process (architecture.md §4.7).
 *
 * - A ceiling: `--max-write-units-per-second W` shared by N shards, so each process sends at most W/N
 *   write units per second (each item counts ceil(size / 1 KB) units, as DynamoDB bills it).
 * - AIMD below it: every throttled answer (UnprocessedItems, ProvisionedThroughputExceeded) cuts the
 *   rate by DECREASE once per round of requests; answers without throttling raise it back by a fixed
 *   step per second (INCREASE_PER_SECOND of the rate an episode of cuts started from). N processes writing to one table
 *   each back off on their own throttles and converge to a share of its capacity instead of storming it.
 *
 * NOTE: it adapts a *rate*, not a number of requests in flight. At DynamoDB's ~8 ms latency one
 * BatchWriteItem in flight already sends ~3,000 items/s, far past a small provisioned table: a window of
 * requests cannot go below one, a rate can. Requests in flight stay bounded by
 * dynafeast.materialize.concurrency. The pacing is GCRA: a batch may leave when the schedule has room
 * for it, with BURST_SECONDS of tolerance, and then pushes the schedule by its units / rate.
 */

/** Rate kept after a throttled round. */
export const DECREASE = 0.8;
/** Additive increase per second, as a fraction of the rate before the last decrease. */
export const INCREASE_PER_SECOND = 0.05;
/** Schedule tolerance: how far ahead of its slot a batch may leave. */
const BURST_SECONDS = 0.05;
/** The lowest rate: one full batch of 1-unit items per second keeps a run moving however hard it is throttled. */
const MIN_RATE = 25;
/** Cuts closer together than this (ms) are one episode of throttling. */
const EPISODE_MS = 1000;
/** The accepted rate is measured over this window (ms) when the first throttle sets the rate. */
const MEASURE_MS = 1000;

export interface WritePacerOptions {
  /** Write units per second this process may send (the budget's share); none = until throttled. */
  maxUnitsPerSecond?: number;
  /** Monotonic milliseconds (default performance.now), for tests. */
  nowMs?: () => number;
}

export interface PacerCounts {
  /** Write units of the batches sent (first attempts and resends). */
  sentUnits: number;
  /** Rate decreases made. */
  decreases: number;
  /** The current rate limit, units per second; undefined while unlimited. */
  rate: number | undefined;
}

export class WritePacer {
  private rate: number | undefined;
  private readonly ceiling: number | undefined;
  private readonly now: () => number;
  /** GCRA: when the next unit's slot is (ms). */
  private nextSlot = 0;
  private lastDecreaseAt = -Infinity;
  private lastIncreaseAt = 0;
  private step = 0;
  private window: Array<{ t: number; units: number }> = [];
  private windowHead = 0;
  private readonly startedAt: number;
  readonly counts: PacerCounts = { sentUnits: 0, decreases: 0, rate: undefined };

  constructor(options: WritePacerOptions = {}) {
    this.now = options.nowMs ?? (() => performance.now());
    this.startedAt = this.now();
    this.ceiling = options.maxUnitsPerSecond;
    this.rate = options.maxUnitsPerSecond;
    this.step = (options.maxUnitsPerSecond ?? 0) * INCREASE_PER_SECOND;
    this.counts.rate = this.rate;
  }

  /** Milliseconds until a batch may leave (0: now). */
  waitMs(): number {
    if (this.rate === undefined) return 0;
    return Math.max(0, this.nextSlot - BURST_SECONDS * 1000 - this.now());
  }

  /** A batch of `units` write units leaves now. */
  sent(units: number): void {
    this.counts.sentUnits += units;
    if (this.rate === undefined) return;
    const now = this.now();
    this.nextSlot = Math.max(this.nextSlot, now - BURST_SECONDS * 1000) + (units / this.rate) * 1000;
  }

  /** `units` of a batch were written; a round without throttling raises the rate by its step per second. */
  accepted(units: number): void {
    const now = this.now();
    this.window.push({ t: now, units });
    while (this.windowHead < this.window.length - 1 && (this.window[this.windowHead]?.t ?? now) < now - MEASURE_MS) this.windowHead++;
    if (this.windowHead > 1024) {
      this.window = this.window.slice(this.windowHead);
      this.windowHead = 0;
    }
    if (this.rate === undefined) return;
    const elapsed = (now - Math.max(this.lastIncreaseAt, this.lastDecreaseAt)) / 1000;
    if (elapsed <= 0) return;
    this.lastIncreaseAt = now;
    this.setRate(this.rate + this.step * elapsed);
  }

  /**
   * A batch sent at `sentAt` was throttled. One cut per round: answers to requests sent before the last
   * cut were already counted in it.
   */
  throttled(sentAt: number): void {
    if (sentAt < this.lastDecreaseAt) return;
    const now = this.now();
    const measured = this.measuredRate(now);
    // a limit far above what is sent (latency-bound) is cut from what is sent, once a window is measured
    const measuredLong = now - this.startedAt >= MEASURE_MS;
    const from = this.rate === undefined ? measured : measuredLong ? Math.min(this.rate, measured) : this.rate;
    // NOTE: cuts in quick succession are one episode (the table's bucket was empty, requests already
    // paced at the old rate kept failing): the step comes from the rate before the episode's first cut,
    // so a deep episode recovers in seconds instead of creeping back from its bottom.
    if (now - this.lastDecreaseAt > EPISODE_MS) this.step = from * INCREASE_PER_SECOND;
    this.lastDecreaseAt = now;
    this.lastIncreaseAt = now;
    this.counts.decreases++;
    this.setRate(from * DECREASE);
  }

  private setRate(rate: number): void {
    this.rate = this.ceiling === undefined ? Math.max(MIN_RATE, rate) : Math.min(this.ceiling, Math.max(Math.min(MIN_RATE, this.ceiling), rate));
    this.counts.rate = this.rate;
  }

  /** Units accepted per second over the last MEASURE_MS (or since the start, when shorter). */
  private measuredRate(now: number): number {
    let units = 0;
    for (let i = this.windowHead; i < this.window.length; i++) {
      const a = this.window[i];
      if (a !== undefined && a.t >= now - MEASURE_MS) units += a.units;
    }
    const span = Math.min(MEASURE_MS, Math.max(1, now - this.startedAt)) / 1000;
    return Math.max(MIN_RATE, units / span);
  }
}
