import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openOfflineStore, type OfflineStore } from '../../../src/core/offline/offline-store.js';
import { prepareView, type OfflineChunk } from '../../../src/core/offline/read-view.js';
import type { FeatureView, FileSource } from '../../../src/core/repo/model.js';
import { list, makeSource, makeView, scalar } from '../../helpers/view-fixtures.js';
import { defined } from '../../helpers/defined.js';
import { runDuckDb } from '../../helpers/duckdb-sql.js';

let dir: string;
let store: OfflineStore;

const sql = runDuckDb;

async function parquet(name: string, select: string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await sql(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
  return name;
}

async function readAll(view: FeatureView, source: FileSource, start: bigint, end: bigint) {
  const prepared = await prepareView(store, { view, source, repoRoot: dir, startMicros: start, endMicros: end });
  const rows: Array<{ keys: unknown[]; event: bigint; features: unknown[] }> = [];
  for await (const c of prepared.chunks() as AsyncGenerator<OfflineChunk>) {
    for (let i = 0; i < c.length; i++) {
      rows.push({ keys: c.keys.map((k) => k[i]), event: defined(c.eventMicros[i]), features: c.features.map((f) => f[i]) });
    }
  }
  await prepared.release();
  rows.sort((a, b) => String(a.keys).localeCompare(String(b.keys)));
  return { prepared, rows };
}

const T0 = 1_618_210_800_000_000n; // 2021-04-12 07:00:00 UTC
const H = 3_600_000_000n;
const ts = (micros: bigint) => `make_timestamp(${micros}::BIGINT)`;

const driverView = makeView(
  'driver_stats',
  [{ name: 'driver_id', dtype: 'Int64' }],
  [
    ['conv_rate', scalar('Float32')],
    ['trips', scalar('Int64')],
  ],
);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dynafeast-offline-'));
  store = await openOfflineStore({ threads: 1 });
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('prepareView', () => {
  it('keeps the latest row per key, breaks ties by created, and includes both window edges', async () => {
    const file = await parquet(
      'latest.parquet',
      `SELECT * FROM (VALUES
        (1001::BIGINT, ${ts(T0 - H)}, ${ts(T0)}, 0.1::FLOAT, 1::BIGINT),  -- before START: out
        (1001, ${ts(T0)}, ${ts(T0)}, 0.2, 2),                            -- START edge
        (1002, ${ts(T0 + H)}, ${ts(T0)}, 0.3, 3),
        (1002, ${ts(T0 + 2n * H)}, ${ts(T0)}, 0.4, 4),                   -- END edge, tie on event...
        (1002, ${ts(T0 + 2n * H)}, ${ts(T0 + 1n)}, 0.5, 5),              -- ...greatest created wins
        (1002, ${ts(T0 + 2n * H)}, NULL, 0.55, 55),                      -- null created loses
        (1003, ${ts(T0 + 2n * H + 1n)}, ${ts(T0)}, 0.6, 6),              -- 1 µs after END: out
        (NULL, ${ts(T0)}, ${ts(T0)}, 0.7, 7)                             -- null key: counted, skipped
      ) t(driver_id, event_timestamp, created, conv_rate, trips)`,
    );
    const { prepared, rows } = await readAll(driverView, makeSource(file), T0, T0 + 2n * H);
    expect(prepared.rowsInWindow).toBe(6);
    expect(prepared.entities).toBe(2);
    expect(prepared.nullKeyRows).toBe(1);
    expect(rows).toEqual([
      { keys: [1001n], event: T0, features: [Math.fround(0.2), 2n] },
      { keys: [1002n], event: T0 + 2n * H, features: [Math.fround(0.5), 5n] },
    ]);
  });

  it('applies field_mapping to keys, features and the timestamp columns', async () => {
    const file = await parquet('mapped.parquet', `SELECT 7::INTEGER AS id, ${ts(T0)} AS ts, ${ts(T0)} AS c, 0.5::DOUBLE AS cr, 9::SMALLINT AS t`);
    const source = makeSource(file, {
      timestampField: 'event_timestamp',
      createdTimestampColumn: 'created',
      fieldMapping: { id: 'driver_id', ts: 'event_timestamp', c: 'created', cr: 'conv_rate', t: 'trips' },
    });
    const { rows } = await readAll(driverView, source, T0, T0);
    expect(rows).toEqual([{ keys: [7n], event: T0, features: [0.5, 9n] }]);
  });

  it('converts every dtype to the value the encoder takes, keeping NULLs and list NULLs', async () => {
    const view = makeView(
      'all',
      [{ name: 'k', dtype: 'String' }],
      [
        ['i32', scalar('Int32')],
        ['i64', scalar('Int64')],
        ['f32', scalar('Float32')],
        ['f64', scalar('Float64')],
        ['s', scalar('String')],
        ['b', scalar('Bytes')],
        ['flag', scalar('Bool')],
        ['uts', scalar('UnixTimestamp')],
        ['j', scalar('Json')],
        ['li64', list('Int64')],
        ['lf32', list('Float32')],
        ['ls', list('String')],
        ['lb', list('Bool')],
        ['luts', list('UnixTimestamp')],
        ['lbytes', list('Bytes')],
      ],
    );
    const file = await parquet(
      'dtypes.parquet',
      `SELECT * FROM (VALUES
        ('a', -5::INTEGER, 9007199254740993::BIGINT, 0.1::DOUBLE, 0.25::DOUBLE, 'x', '\\x01\\x02'::BLOB, true,
         TIMESTAMP '1969-12-31 23:59:59.5', '{"a":1}', [1, NULL, 3]::BIGINT[], [1.5]::FLOAT[], ['p', NULL],
         [true, false], [TIMESTAMP '2021-04-12 07:00:00.9'], ['\\xFF'::BLOB]),
        ('b', NULL, NULL, NULL, 'NaN'::DOUBLE, NULL, NULL, NULL, NULL, NULL, NULL, []::FLOAT[], NULL, NULL, NULL, NULL)
      ) t(k, i32, i64, f32, f64, s, b, flag, uts, j, li64, lf32, ls, lb, luts, lbytes)`,
    );
    const source = makeSource(file, { createdTimestampColumn: '', timestampField: 'e' });
    await sql(`COPY (SELECT *, ${ts(T0)} AS e FROM '${path.join(dir, file)}') TO '${path.join(dir, 'dtypes2.parquet')}' (FORMAT parquet)`);
    const { rows } = await readAll(view, { ...source, path: 'dtypes2.parquet' }, T0, T0);
    expect(defined(rows[0]).features).toEqual([
      -5,
      9007199254740993n,
      0.1,
      0.25,
      'x',
      new Uint8Array([1, 2]),
      true,
      -1n, // floor, not truncation, before 1970
      '{"a":1}',
      [1n, null, 3n],
      [1.5],
      ['p', null],
      [true, false],
      [1618210800n],
      [new Uint8Array([255])],
    ]);
    expect(defined(rows[1]).features[3]).toBeNaN();
    expect(defined(rows[1]).features.filter((_, i) => i !== 3)).toEqual([null, null, null, null, null, null, null, null, null, [], null, null, null, null]);
  });

  it('reads naive timestamps as UTC, and TIMESTAMPTZ, TIMESTAMP_NS (truncated) and DATE columns', async () => {
    const view = makeView('v', [{ name: 'k', dtype: 'Int32' }], [['n', scalar('Int64')]]);
    const cases: Array<[string, bigint]> = [
      [`TIMESTAMP '2021-04-12 07:00:00.123456'`, T0 + 123_456n],
      [`TIMESTAMPTZ '2021-04-12 09:00:00.5+02:00'`, T0 + 500_000n],
      [`TIMESTAMP_NS '2021-04-12 07:00:00.000000999'`, T0],
      [`DATE '2021-04-12'`, T0 - 7n * H],
    ];
    for (const [i, [expr, expected]] of cases.entries()) {
      const file = await parquet(`ts${i}.parquet`, `SELECT 1::INTEGER AS k, 2::BIGINT AS n, ${expr} AS event_timestamp`);
      const { rows } = await readAll(view, makeSource(file, { createdTimestampColumn: '' }), expected, expected);
      expect(rows.map((r) => r.event)).toEqual([expected]);
    }
  });

  it('reads CSV files, globs and hive-partitioned folders', async () => {
    await writeFile(
      path.join(dir, 'rows.csv'),
      'driver_id,event_timestamp,created,conv_rate,trips\n1001,2021-04-12 07:00:00,2021-04-12 07:00:00,0.5,3\n1001,2021-04-12 06:00:00+00:00,2021-04-12 07:00:00,0.25,4\n',
    );
    const csv = await readAll(driverView, makeSource('rows.csv'), T0 - H, T0);
    expect(csv.rows).toEqual([{ keys: [1001n], event: T0, features: [0.5, 3n] }]);

    for (const d of ['1', '2']) {
      await parquet(
        `hive/day=${d}/part.parquet`,
        `SELECT 100${d}::BIGINT AS driver_id, ${ts(T0)} AS event_timestamp, ${ts(T0)} AS created, 0.5::FLOAT AS conv_rate, ${d}::BIGINT AS trips`,
      );
    }
    const view = makeView('h', [{ name: 'driver_id', dtype: 'Int64' }], [['day', scalar('Int64')]]);
    const hive = await readAll(view, makeSource('hive'), T0, T0);
    expect(hive.rows).toEqual([
      { keys: [1001n], event: T0, features: [1n] },
      { keys: [1002n], event: T0, features: [2n] },
    ]);
    const glob = await readAll(driverView, makeSource('hive/*/*.parquet'), T0, T0);
    expect(glob.rows.map((r) => r.features[1])).toEqual([1n, 2n]);
  });

  it('writes one row for an entityless view: the latest', async () => {
    const view = makeView('global', [], [['n', scalar('Int64')]]);
    const file = await parquet('global.parquet', `SELECT * FROM (VALUES (1::BIGINT, ${ts(T0)}), (2, ${ts(T0 + 1n)})) t(n, event_timestamp)`);
    const { prepared, rows } = await readAll(view, makeSource(file, { createdTimestampColumn: '' }), T0, T0 + 1n);
    expect(prepared.entities).toBe(1);
    expect(rows).toEqual([{ keys: [''], event: T0 + 1n, features: [2n] }]);
    const empty = await readAll(view, makeSource(file, { createdTimestampColumn: '' }), 0n, 1n);
    expect([empty.prepared.entities, empty.rows.length]).toEqual([0, 0]);
  });
});

describe('prepareView errors', () => {
  let file: string;
  beforeAll(async () => {
    file = await parquet(
      'errors.parquet',
      `SELECT 'x' AS driver_id, ${ts(T0)} AS event_timestamp, ${ts(T0)} AS created, 0.5::FLOAT AS conv_rate, 3000000000::BIGINT AS big`,
    );
  });
  const prepare = (view: FeatureView, source: FileSource) => prepareView(store, { view, source, repoRoot: dir, startMicros: T0, endMicros: T0 });

  it('names a missing column and the file (exit 2)', async () => {
    const view = makeView('v', [{ name: 'driver_id', dtype: 'String' }], [['conv_rat', scalar('Float32')]]);
    const err = await prepare(view, makeSource(file)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'repo.missingColumn', kind: 'usage' });
    expect(String((err as Error).message)).toMatch(/"conv_rat".*errors\.parquet|errors\.parquet.*"conv_rat"/);
    expect(String((err as Error).message)).toContain('conv_rate');
  });

  it('rejects a column whose type cannot hold the dtype, reporting all of them', async () => {
    const view = makeView('v', [{ name: 'driver_id', dtype: 'Int64' }], [['conv_rate', scalar('String')]]);
    const err = (await prepare(view, makeSource(file)).catch((e: unknown) => e)) as { code: string; details: Array<{ code: string; message: string }> };
    expect(err.code).toBe('repo.badColumnType');
    expect(err.details.map((d) => d.code)).toEqual(['repo.badColumnType', 'repo.badColumnType']);
    expect(defined(err.details[0]).message).toContain('"driver_id"');
  });

  it('names the column when a value does not fit an Int32', async () => {
    const view = makeView('v', [{ name: 'driver_id', dtype: 'String' }], [['big', scalar('Int32')]]);
    await expect(prepare(view, makeSource(file))).rejects.toMatchObject({ code: 'repo.badColumnType', message: expect.stringContaining('"big"') });
  });

  it('reports a missing file and a file that is not parquet', async () => {
    const view = makeView('v', [{ name: 'driver_id', dtype: 'String' }], []);
    await expect(prepare(view, makeSource('nope.parquet'))).rejects.toMatchObject({ code: 'repo.unreadableSource', kind: 'usage' });
    await writeFile(path.join(dir, 'junk.parquet'), 'not parquet');
    await expect(prepare(view, makeSource('junk.parquet'))).rejects.toMatchObject({ code: 'repo.unreadableSource' });
    await expect(prepare(view, makeSource('none/*.parquet'))).rejects.toMatchObject({ code: 'repo.unreadableSource' });
  });
});
