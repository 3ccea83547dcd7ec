/**
 * The span of event times a parquet file holds, read from its footer's column statistics through ranged
 * reads (hyparquet reads parquet metadata from any byte-range source): a file whose span misses the
 * window is never fetched (architecture.md §4.1). Exact to the microsecond: times come out as epoch
 * microseconds (bigint), never through JS `Date` (architecture.md §3).
 */
import type { AsyncBuffer } from 'hyparquet';

/** Bytes read from the end of the file first; the footer of a file with a few columns fits. */
export const FOOTER_FETCH_BYTES = 8192;

const DAY_MICROS = 86_400_000_000n;

// Statistics as epoch microseconds. NOTE: nanoseconds are floored, so a max may be up to 999 ns early;
// the caller widens the max by 1 µs so a row in the window is never pruned.
// Tagged, so a plain INT64 column (a number, not a time) is never taken for microseconds.
const parsers = {
  timestampFromMilliseconds: (ms: bigint) => ({ us: ms * 1000n }),
  timestampFromMicroseconds: (us: bigint) => ({ us }),
  timestampFromNanoseconds: (ns: bigint) => ({ us: ns >= 0n ? ns / 1000n : (ns - 999n) / 1000n }),
  dateFromDays: (days: number) => ({ day: BigInt(days) * DAY_MICROS }),
};

export interface FooterSpan {
  min: bigint;
  max: bigint;
}

/** The bytes a footer takes at the end of a parquet file (metadata, its length, `PAR1`), from the file's last 8 bytes or more. */
export function footerLengthOf(tail: Uint8Array): number | undefined {
  if (tail.length < 8) return undefined;
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (view.getUint32(tail.length - 4, true) !== 0x31524150) return undefined; // PAR1
  return view.getUint32(tail.length - 8, true) + 8;
}

/**
 * The min and max of `column` over every row group, or undefined when a row group has no statistics for
 * it or the column is not a timestamp or date (then the file is always read). Throws when the bytes are
 * not parquet. `fetchBytes`: how many of the file's last bytes to read first (when the footer is longer, a
 * second read gets the rest).
 */
export async function timestampSpanFromFooter(file: AsyncBuffer, column: string, fetchBytes = FOOTER_FETCH_BYTES): Promise<FooterSpan | undefined> {
  // loaded here: only a run that reads parquet from S3 needs it
  const { parquetMetadataAsync } = await import('hyparquet');
  const meta = await parquetMetadataAsync(file, { parsers, initialFetchSize: fetchBytes });
  let min: bigint | undefined;
  let max: bigint | undefined;
  for (const group of meta.row_groups) {
    const chunk = group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === column);
    const stats = chunk?.meta_data?.statistics;
    if (Number(group.num_rows) === 0) continue;
    const lo = asMicros(stats?.min_value ?? stats?.min, false);
    const hi = asMicros(stats?.max_value ?? stats?.max, true);
    if (lo === undefined || hi === undefined) return undefined;
    if (min === undefined || lo < min) min = lo;
    if (max === undefined || hi > max) max = hi;
  }
  return min === undefined || max === undefined ? undefined : { min, max: max + 1n };
}

function asMicros(v: unknown, upper: boolean): bigint | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if ('us' in v && typeof v.us === 'bigint') return v.us;
  if ('day' in v && typeof v.day === 'bigint') return upper ? v.day + DAY_MICROS - 1n : v.day;
  return undefined;
}
