/**
 * Wide views are read in batches of feature columns (view-query.ts): the items must be byte for byte
 * those of one query over all columns, whatever the batch size, over mixed dtypes, ties, duplicate rows,
 * NULL keys and timestamps and two files; and DuckDB's memory must follow the batch, not the view.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { jest } from '@jest/globals';
import { isDynafeastError } from '../../../src/core/errors.js';
import { createChunkEncoder } from '../../../src/core/materialize/encode-rows.js';
import { openOfflineStore, type OfflineStore, type OfflineStoreOptions } from '../../../src/core/offline/offline-store.js';
import { prepareView, type PrepareViewInput } from '../../../src/core/offline/read-view.js';
import { createShardFilter } from '../../../src/core/materialize/shard.js';
import { FEATURE_BATCH } from '../../../src/core/offline/view-query.js';
import type { Dtype, FeatureView, FileSource } from '../../../src/core/repo/model.js';
import { list, makeSource, makeView, scalar } from '../../helpers/view-fixtures.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';
import { runDuckdb } from '../../helpers/offline-fixture.js';

// writing and reading 2,000-column files on a loaded machine
jest.setTimeout(300_000);

const T0 = 1_618_210_800_000_000n; // 2021-04-12 07:00:00 UTC
const H = 3_600_000_000n;
const FEATURES = 2000;

/** One column kind: its dtype and the SQL of its value in row `r` (`h` is a per-row, per-column hash). */
interface Kind {
  dtype: Dtype;
  sql: (h: string) => string;
}
const nullEvery = (h: string, n: number, sql: string) => `CASE WHEN ${h} % ${n} = 0 THEN NULL ELSE ${sql} END`;
const KINDS: Kind[] = [
  { dtype: scalar('Int64'), sql: (h) => nullEvery(h, 13, `(${h} % 2000001)::BIGINT - 1000000`) },
  { dtype: scalar('Int32'), sql: (h) => nullEvery(h, 11, `((${h} % 65536)::INTEGER - 32768)`) },
  {
    dtype: scalar('Float64'),
    sql: (h) => `CASE ${h} % 9 WHEN 0 THEN NULL WHEN 1 THEN '-0.0'::DOUBLE WHEN 2 THEN 'NaN'::DOUBLE WHEN 3 THEN 'inf'::DOUBLE ELSE (${h} % 100000) / 7.0 END`,
  },
  { dtype: scalar('Float32'), sql: (h) => `CASE ${h} % 7 WHEN 0 THEN NULL WHEN 1 THEN '-0.0'::FLOAT ELSE ((${h} % 1000) / 3.0)::FLOAT END` },
  { dtype: scalar('String'), sql: (h) => nullEvery(h, 5, `'s' || (${h} % 997)::VARCHAR || CASE WHEN ${h} % 4 = 0 THEN ' é 🚗' ELSE '' END`) },
  { dtype: scalar('Bool'), sql: (h) => nullEvery(h, 6, `${h} % 2 = 0`) },
  { dtype: scalar('Bytes'), sql: (h) => nullEvery(h, 8, `encode('b' || (${h} % 251)::VARCHAR)`) },
  { dtype: scalar('UnixTimestamp'), sql: (h) => nullEvery(h, 10, `make_timestamp((${h} % 100000000000)::BIGINT * 1000)`) },
  {
    dtype: list('Float64'),
    sql: (h) => nullEvery(h, 12, `[(${h} % 5) / 2.0, '-0.0'::DOUBLE, CASE WHEN ${h} % 3 = 0 THEN NULL ELSE 1.5 END]::DOUBLE[]`),
  },
  { dtype: list('Int64'), sql: (h) => nullEvery(h, 9, `[(${h} % 7)::BIGINT, NULL, 3]::BIGINT[]`) },
  { dtype: list('String'), sql: (h) => nullEvery(h, 4, `['x' || (${h} % 3)::VARCHAR]`) },
  { dtype: scalar('Json'), sql: (h) => nullEvery(h, 3, `'{"n":' || (${h} % 50)::VARCHAR || '}'`) },
  // a checked conversion (whole DOUBLEs into Int64) in every batch
  { dtype: scalar('Int64'), sql: (h) => nullEvery(h, 17, `((${h} % 1000)::BIGINT)::DOUBLE`) },
];

let dir: string;
let view: FeatureView;
let source: FileSource;

/**
 * Rows `from`..`to` of the generated source: 50 entities of two join keys, event timestamps over four
 * hours (one beyond the window), equal event times with equal or NULL created times, NULL keys and NULL
 * event timestamps, and every fifth row written twice (a duplicate later in the file).
 */
async function writeFile(name: string, from: number, to: number): Promise<void> {
  const features = Array.from({ length: FEATURES }, (_, i) => `${(KINDS[i % KINDS.length] as Kind).sql(`hash(r, ${i})`)} AS f${i}`).join(',\n');
  const rows = `SELECT r FROM range(${from}, ${to}) t(r) UNION ALL SELECT r FROM range(${from}, ${to}) t(r) WHERE r % 5 = 0`;
  await runDuckdb(
    `COPY (SELECT CASE WHEN r % 37 = 0 THEN NULL ELSE (r % 50)::BIGINT END AS driver_id, ['north', 'south'][1 + r % 2] AS city, ` +
      `CASE WHEN r % 41 = 0 THEN NULL ELSE make_timestamp(${T0}::BIGINT + ((r * 7) % 4) * ${H}) END AS event_timestamp, ` +
      `CASE WHEN r % 3 = 0 THEN NULL ELSE make_timestamp(${T0}::BIGINT + r % 2) END AS created, ${features} ` +
      `FROM (${rows}) ORDER BY r) TO '${path.join(dir, name)}' (FORMAT parquet, ROW_GROUP_SIZE 128)`,
  );
}

beforeAll(async () => {
  dir = tempRepoDir('dynafeast-wide-');
  await mkdir(path.join(dir, 'wide'));
  await writeFile('wide/a.parquet', 0, 200);
  await writeFile('wide/b.parquet', 150, 300);
  view = makeView(
    'wide',
    [
      { name: 'driver_id', dtype: 'Int64' },
      { name: 'city', dtype: 'String' },
    ],
    Array.from({ length: FEATURES }, (_, i) => [`f${i}`, (KINDS[i % KINDS.length] as Kind).dtype]),
  );
  source = makeSource('wide/*.parquet');
});

/** The items materialize would send (DynamoDB JSON text, sorted), and the counts it reports. */
async function items(featureBatch: number, options: OfflineStoreOptions = { threads: 2 }, keepRow?: PrepareViewInput['keepRow']) {
  const store: OfflineStore = await openOfflineStore(options);
  try {
    const prepared = await prepareView(store, {
      view,
      source,
      repoRoot: dir,
      startMicros: T0,
      endMicros: T0 + 2n * H,
      featureBatch,
      ...(keepRow ? { keepRow } : {}),
    });
    const encode = createChunkEncoder(view);
    const out: string[] = [];
    let largest = 0;
    for await (const chunk of prepared.chunks()) {
      largest = Math.max(largest, chunk.length);
      for (const u of encode(chunk)) out.push(u.json);
    }
    await prepared.release();
    const { rowsInWindow, entities, nullKeyRows, nullTimestampRows } = prepared;
    return { items: out.sort(), counts: { rowsInWindow, entities, nullKeyRows, nullTimestampRows }, largest };
  } finally {
    await store.close();
  }
}

describe('a wide view read in batches of feature columns', () => {
  let oneQuery: Awaited<ReturnType<typeof items>>;
  beforeAll(async () => {
    oneQuery = await items(Infinity);
  });

  it('the one-query read finds every case the data was made for', () => {
    expect(oneQuery.counts.entities).toBe(50);
    expect(oneQuery.counts.nullKeyRows).toBeGreaterThan(0);
    expect(oneQuery.counts.nullTimestampRows).toBeGreaterThan(0);
    expect(oneQuery.items).toHaveLength(50);
    // -0.0 (a Float64 Value of 0x8000000000000000: field 5, then the little-endian bytes) survives the aggregate
    const negativeZero = `{"B":"${Buffer.from([0x29, 0, 0, 0, 0, 0, 0, 0, 0x80]).toString('base64')}"}`;
    expect(oneQuery.items.some((j) => j.includes(negativeZero))).toBe(true);
  });

  for (const batch of [FEATURE_BATCH, 333, 128]) {
    it(`writes the same bytes in batches of ${batch} columns (${Math.ceil(FEATURES / batch)} passes)`, async () => {
      const batched = await items(batch);
      expect(batched.counts).toEqual(oneQuery.counts);
      expect(batched.items.length).toBe(oneQuery.items.length);
      batched.items.forEach((json, i) => {
        if (json !== oneQuery.items[i]) throw new Error(`item ${i} differs between batches of ${batch} and one query`);
      });
    });
  }

  it('the shards of a batched read hold exactly the items of the whole read (a shard keeps rows of each batch stream alike)', async () => {
    const shards = 3;
    const slices: string[] = [];
    for (let index = 0; index < shards; index++) {
      const slice = await items(333, { threads: 2 }, createShardFilter(view, { index, count: shards }));
      expect(slice.items.length).toBeGreaterThan(0);
      slices.push(...slice.items);
    }
    expect(slices.sort()).toEqual(oneQuery.items);
  });

  it('keeps DuckDB within a memory limit that one query over all 2,000 columns exceeds', async () => {
    // a query holds buffers per column it reads (~70 KB for a parquet scan, more for lists and strings):
    // one query over these 2,000 columns fails at 384 MB; in batches of 200, 192 MB are enough
    const limited = { threads: 1, memoryLimit: '256MB' };
    const batched = await items(200, limited);
    expect(batched.items).toEqual(oneQuery.items);
    const whole = await items(Infinity, limited).catch((e: unknown) => e);
    expect(isDynafeastError(whole) && whole.code).toBe('offline.failed');
  });
});
