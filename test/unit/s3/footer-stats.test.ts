/**
 * Footer pruning never drops a row of the window: the span read from a parquet footer (by ranged reads,
 * as from S3) contains every event time DuckDB reads from the file, to the microsecond.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { FOOTER_FETCH_BYTES, timestampSpanFromFooter } from '../../../src/core/s3/footer-stats.js';
import { runDuckdb } from '../../helpers/offline-fixture.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';
import { defined } from '../../helpers/defined.js';

function rangedFile(bytes: Uint8Array, reads: { bytes: number }) {
  return {
    byteLength: bytes.length,
    slice: (start: number, end = bytes.length) => {
      reads.bytes += end - start;
      return bytes.slice(start, end).buffer;
    },
  };
}

async function minMax(file: string): Promise<[bigint, bigint]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const rows = (await c.runAndReadAll(`SELECT epoch_us(min(ts)), epoch_us(max(ts)) FROM read_parquet('${file}')`)).getRows();
    return defined(rows[0]) as [bigint, bigint];
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('timestampSpanFromFooter', () => {
  const dir = tempRepoDir('dynafeast-footer-');

  it('contains every event time of the file (TIMESTAMP, TIMESTAMPTZ, ns and ms units), reading only the footer', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.bigInt({ min: 0n, max: 4_000_000_000_000_000n }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom('TIMESTAMP', 'TIMESTAMPTZ', 'TIMESTAMP_NS', 'TIMESTAMP_MS'),
        async (micros, type) => {
          const file = path.join(dir, `f${++n}.parquet`);
          const values = micros.map((m) => `(make_timestamp(${m})::${type}, ${m % 1000n})`).join(', ');
          await runDuckdb(`COPY (SELECT * FROM (VALUES ${values}) t(ts, v)) TO '${file}' (FORMAT parquet)`);
          const bytes = new Uint8Array(await readFile(file));
          const reads = { bytes: 0 };
          const span = defined(await timestampSpanFromFooter(rangedFile(bytes, reads), 'ts'));
          const [lo, hi] = await minMax(file);
          expect(span.min <= lo && span.max >= hi).toBe(true);
          expect(hi + 1n - span.max).toBeGreaterThanOrEqual(0n);
          expect(reads.bytes).toBeLessThanOrEqual(FOOTER_FETCH_BYTES);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('gives no span for a column that is not a time, so the file is always read', async () => {
    const file = path.join(dir, 'ints.parquet');
    await runDuckdb(`COPY (SELECT range AS ts FROM range(10)) TO '${file}' (FORMAT parquet)`);
    expect(await timestampSpanFromFooter(rangedFile(new Uint8Array(await readFile(file)), { bytes: 0 }), 'ts')).toBeUndefined();
  });

  it('refuses bytes that are not parquet', async () => {
    await expect(timestampSpanFromFooter(rangedFile(new TextEncoder().encode('not parquet at all'), { bytes: 0 }), 'ts')).rejects.toThrow();
  });
});
