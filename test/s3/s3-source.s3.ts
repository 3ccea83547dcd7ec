/**
 * Source shapes read from S3 (moto) through the production reader: CSV, a glob, a single object, a
 * window no file holds; rows equal to what DuckDB reads from the same bytes on local disk, through the
 * lean ranged GETs (the default) and the SDK's GetObject alike.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger } from '../../src/core/context.js';
import { openOfflineStore, type OfflineStore } from '../../src/core/offline/offline-store.js';
import { prepareView, type OfflineChunk } from '../../src/core/offline/read-view.js';
import type { FeatureView, FileSource } from '../../src/core/repo/model.js';
import { runDuckdb } from '../helpers/offline-fixture.js';
import { makeSource, makeView, scalar } from '../helpers/view-fixtures.js';
import { makeBucket, s3RepoConfig, s3TestEnv, type TestBucket } from '../helpers/s3.js';
import { tempRepoDir } from '../helpers/temp-dir.js';
import { readFileSync } from 'node:fs';

const H = 3_600_000_000n;
const T0 = 1_618_210_800_000_000n; // 2021-04-12 07:00:00 UTC
const view: FeatureView = makeView(
  'driver_stats',
  [{ name: 'driver_id', dtype: 'Int64' }],
  [
    ['conv_rate', scalar('Float32')],
    ['trips', scalar('Int64')],
  ],
);

let bucket: TestBucket;
let store: OfflineStore;
const local = tempRepoDir('dynafeast-s3-src-');
beforeAll(async () => {
  bucket = await makeBucket('dynafeast-sources');
  store = await openOfflineStore();
  await writeFile(
    path.join(local, 'rows.csv'),
    'driver_id,event_timestamp,created,conv_rate,trips\n1001,2021-04-12 07:00:00,2021-04-12 07:00:00,0.5,3\n1001,2021-04-12 06:00:00+00:00,2021-04-12 07:00:00,0.25,4\n',
  );
  await bucket.put('csv/rows.csv', readFileSync(path.join(local, 'rows.csv')));
  for (const [h, d] of [
    [0n, 1001],
    [5n, 1002],
    [48n, 1003],
  ] as const) {
    const file = path.join(local, `h${h}.parquet`);
    await runDuckdb(
      `COPY (SELECT ${d}::BIGINT AS driver_id, make_timestamp(${T0 - h * H}) AS event_timestamp, make_timestamp(${T0}) AS created, 0.5::FLOAT AS conv_rate, ${h}::BIGINT AS trips) TO '${file}' (FORMAT parquet)`,
    );
    await bucket.put(`glob/part-${h}.parquet`, readFileSync(file));
    await bucket.put(`glob/other-${h}.txt`, 'not data');
    // hive partitions by the event-time column itself: the day each file's rows fall on
    const day = new Date(Number((T0 - h * H) / 1000n)).toISOString().slice(0, 10);
    await bucket.put(`by-day/event_timestamp=${day}/part-${h}.parquet`, readFileSync(file));
  }
});
afterAll(async () => {
  await store.close();
  await bucket.remove();
});

async function read(source: FileSource, start: bigint, end: bigint, transport?: 'lean' | 'sdk') {
  const config = s3RepoConfig('data/registry.db');
  const prepared = await prepareView(store, {
    view,
    source,
    repoRoot: local,
    startMicros: start,
    endMicros: end,
    s3: { config, logger: silentLogger, env: s3TestEnv(), ...(transport ? { transport } : {}) },
  });
  const rows: unknown[] = [];
  for await (const c of prepared.chunks() as AsyncGenerator<OfflineChunk>)
    for (let i = 0; i < c.length; i++) rows.push([c.keys[0]?.[i], c.eventMicros[i], c.features.map((f) => f[i])]);
  await prepared.release();
  return { rows, s3: prepared.reader.s3 };
}

describe('S3 sources', () => {
  it('reads a CSV object as the same file on disk reads', async () => {
    const fromS3 = await read(makeSource(`s3://${bucket.name}/csv/rows.csv`), T0 - H, T0);
    const fromDisk = await read(makeSource('rows.csv'), T0 - H, T0);
    expect(fromS3.rows).toEqual(fromDisk.rows);
    expect(fromS3.rows).toEqual([[1001n, T0, [0.5, 3n]]]);
    expect(fromS3.s3).toMatchObject({ filesMatched: 1, filesFetched: 1 });
  });

  it('reads the objects a glob matches, and fetches only the files the window needs', async () => {
    const r = await read(makeSource(`s3://${bucket.name}/glob/part-*.parquet`), T0 - 10n * H, T0);
    expect(r.rows.map((x) => (x as unknown[])[0]).sort()).toEqual([1001n, 1002n]);
    expect(r.s3).toMatchObject({ filesMatched: 3, filesFetched: 2, filesPruned: 1, footersRead: 3 });
  });

  it('reads the same rows and bytes through the SDK transport as through the lean ranged GETs', async () => {
    const source = makeSource(`s3://${bucket.name}/glob/part-*.parquet`);
    const lean = await read(source, T0 - 10n * H, T0, 'lean');
    const sdk = await read(source, T0 - 10n * H, T0, 'sdk');
    expect(sdk.rows).toEqual(lean.rows);
    expect({ ...sdk.s3, seconds: 0, listSeconds: 0, footerSeconds: 0 }).toEqual({ ...lean.s3, seconds: 0, listSeconds: 0, footerSeconds: 0 });
  });

  it('a window no file holds fetches one file (to check the columns) and yields no row', async () => {
    const r = await read(makeSource(`s3://${bucket.name}/glob/`), T0 + 100n * H, T0 + 200n * H);
    expect(r.rows).toEqual([]);
    expect(r.s3).toMatchObject({ filesMatched: 3, filesFetched: 1 });
  });

  it('reads no footer of a file whose event-time partition lies inside the window, and none of one outside it', async () => {
    // the window holds the whole of 2021-04-12 and nothing of 2021-04-10: one file fetched, no footer read
    const dayStart = (T0 / (24n * H)) * 24n * H;
    const r = await read(makeSource(`s3://${bucket.name}/by-day/`), dayStart, dayStart + 24n * H - 1n);
    expect(r.s3).toMatchObject({ filesMatched: 3, filesFetched: 2, filesPruned: 1, footersRead: 0 });
    expect(r.s3?.bytesFetched).toBe(r.s3?.bytesOfFetchedFiles);
    expect(r.rows).toHaveLength(2);
  });

  it('removes its spool with the offline store', async () => {
    const own = await openOfflineStore();
    await prepareView(own, {
      view,
      source: makeSource(`s3://${bucket.name}/glob/part-0.parquet`),
      repoRoot: local,
      startMicros: 0n,
      endMicros: T0,
      s3: { config: s3RepoConfig('data/registry.db'), logger: silentLogger, env: s3TestEnv() },
    });
    expect(existsSync(path.join(own.tempDir, 's3'))).toBe(true);
    await own.close();
    expect(existsSync(own.tempDir)).toBe(false);
  });
});
