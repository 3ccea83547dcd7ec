/**
 * export's DuckDB limits (offline-store.ts: appendMemoryLimit, exportMemoryLimit) and its parquet COPY
 * (export.ts: COPY_OPTIONS) on a wide view: the rows are appended under the append limit and written
 * under the export limit of 2 threads, in row groups of at most EXPORT_ROW_GROUP_BYTES, every row and
 * value kept. Under 256 MB with DuckDB's 122,880-row groups this COPY ran out of memory. A narrow view
 * keeps DuckDB's row groups (its file is as before).
 */
import path from 'node:path';
import { COPY_OPTIONS } from '../../../src/core/export/export.js';
import { createBoundedAppender } from '../../../src/core/offline/bounded-appender.js';
import { appendMemoryLimit, exportMemoryLimit, openOfflineStore } from '../../../src/core/offline/offline-store.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

const ROWS = 300_000;
const THREADS = 2;

async function exported(features: number): Promise<{ rows: number; maxRowsPerGroup: number; same: boolean }> {
  const dir = tempRepoDir('dynafeast-copy-');
  const columns = features + 1;
  const store = await openOfflineStore({ operation: 'export', threads: THREADS, onDisk: true });
  try {
    const c = store.connection;
    const names = Array.from({ length: features }, (_, i) => `f${i}`);
    await c.run(`CREATE TABLE wide (i BIGINT, ${names.map((n) => `${n} DOUBLE`).join(', ')})`);
    await store.limitMemory(appendMemoryLimit(columns));
    const out = await createBoundedAppender(c, 'wide');
    for (let i = 0; i < ROWS; i++) {
      out.appendBigInt(BigInt(i));
      for (let f = 0; f < features; f++) out.appendDouble(i * (f + 1));
      out.endRow();
    }
    out.flushSync();
    out.closeSync();
    await store.limitMemory(exportMemoryLimit(columns, THREADS));
    const file = path.join(dir, 'wide.parquet');
    await c.run(`COPY (SELECT * FROM wide) TO '${file}' (${COPY_OPTIONS.parquet})`);
    // the checks are this test's, not export's: a limit of their own
    await store.limitMemory('1GB');
    const maxRowsPerGroup = Number((await c.runAndReadAll(`SELECT max(row_group_num_rows) FROM parquet_metadata('${file}')`)).getRows()[0]?.[0]);
    const rows = Number((await c.runAndReadAll(`SELECT count(*) FROM '${file}'`)).getRows()[0]?.[0]);
    // every row, every value: nothing in the table that the file lacks, and no row twice
    const missing = Number((await c.runAndReadAll(`SELECT count(*) FROM (SELECT * FROM wide EXCEPT ALL SELECT * FROM '${file}')`)).getRows()[0]?.[0]);
    return { rows, maxRowsPerGroup, same: missing === 0 };
  } finally {
    await store.close();
  }
}

it('a wide view is appended and written within its limits, in row groups of at most 16 MB, every row kept', async () => {
  // 101 8-byte columns: 122,880 rows would be ~99 MB per row group
  const wide = await exported(100);
  expect(wide).toMatchObject({ rows: ROWS, same: true });
  expect(wide.maxRowsPerGroup * 101 * 8).toBeLessThanOrEqual(16 * 2 ** 20);
}, 120_000);

it("a narrow view keeps DuckDB's 122,880-row groups", async () => {
  expect(await exported(3)).toMatchObject({ rows: ROWS, same: true, maxRowsPerGroup: 122_880 });
}, 60_000);

it('the limits grow with the columns and threads, never below their floor', () => {
  expect(appendMemoryLimit(6)).toBe('24MB');
  expect(appendMemoryLimit(101)).toBe('160MB');
  expect(exportMemoryLimit(6, 2)).toBe('64MB');
  expect(exportMemoryLimit(101, 2)).toBe('133MB');
  expect(exportMemoryLimit(6, 16)).toBe('304MB');
});
