/**
 * `materialize --dry-run` (architecture.md §4.8): the items a run would write, counted instead of sent.
 * Each item's size is the one DynamoDB counts (the encoder's `bytes`, layout/item.ts), and a put costs
 * one write request unit per started kilobyte of it. Nothing is written: no request, no registry change.
 */
import type { WriteUnit, WriterCounts } from './batch-writer.js';
import { MAX_ITEM_BYTES, writeUnitsOf } from '../layout/item.js';

/**
 * USD per million write request units of an on-demand table (Standard table class, us-east-1, the price
 * since November 2024). Other regions and the Standard-IA class differ: pass the price with
 * `--price-per-million-writes`.
 */
export const DEFAULT_PRICE_PER_MILLION_WRITES = 0.625;

export interface DryRunOptions {
  /** USD per million write request units (default DEFAULT_PRICE_PER_MILLION_WRITES). */
  pricePerMillionWrites: number;
}

export interface SizeDistribution {
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface DryRunEstimate {
  items: number;
  bytes: number;
  writeUnits: number;
  /** Items by the write units each costs: `{ "1": 980, "2": 20 }`. */
  itemsByWriteUnits: Record<string, number>;
  /** Item sizes in bytes (exact percentiles: sizes are counted per byte, at most 400 KB). */
  sizes: SizeDistribution | undefined;
}

/** Takes the encoded units of one view where a BatchWriter would send them, and only counts them. */
export class DryRunCounter {
  readonly counts: WriterCounts = { written: 0, skipped: 0, requests: 0, retries: 0, throttles: 0, consumedCapacity: 0 };
  private readonly bySize = new Uint32Array(MAX_ITEM_BYTES + 1);
  private bytes = 0;
  private writeUnits = 0;
  private readonly byUnits = new Map<number, number>();

  push(units: readonly WriteUnit[]): Promise<void> {
    for (const u of units) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the encoder refuses items over MAX_ITEM_BYTES
      this.bySize[u.bytes]!++;
      this.bytes += u.bytes;
      const w = writeUnitsOf(u.bytes);
      this.writeUnits += w;
      this.byUnits.set(w, (this.byUnits.get(w) ?? 0) + 1);
    }
    this.counts.written += units.length;
    return Promise.resolve();
  }

  finish(): Promise<WriterCounts> {
    return Promise.resolve(this.counts);
  }

  settle(): Promise<void> {
    return Promise.resolve();
  }

  estimate(): DryRunEstimate {
    const items = this.counts.written;
    const itemsByWriteUnits: Record<string, number> = {};
    for (const [w, n] of [...this.byUnits].sort((a, b) => a[0] - b[0])) itemsByWriteUnits[String(w)] = n;
    return { items, bytes: this.bytes, writeUnits: this.writeUnits, itemsByWriteUnits, sizes: items === 0 ? undefined : this.distribution(items) };
  }

  private distribution(items: number): SizeDistribution {
    const ranks = [1, Math.ceil(items * 0.5), Math.ceil(items * 0.9), Math.ceil(items * 0.99), items];
    const found: number[] = [];
    let seen = 0;
    for (let size = 0; size < this.bySize.length && found.length < ranks.length; size++) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- size < bySize.length
      seen += this.bySize[size]!;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- found.length < ranks.length
      while (found.length < ranks.length && seen >= ranks[found.length]!) found.push(size);
    }
    const [min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0] = found;
    return { min, p50, p90, p99, max, mean: this.bytes / items };
  }
}

/** On-demand cost in USD of `writeUnits` at `pricePerMillion`. */
export const costOf = (writeUnits: number, pricePerMillion: number): number => (writeUnits * pricePerMillion) / 1_000_000;
