/**
 * `export` and `sql` on a real server: every dtype the fixtures have goes source → materialize → export
 * (parquet, CSV, JSON lines) and comes back as the latest offline row per entity, with its join key
 * recovered from the source; `sql` answers a count over the online view and reads the offline source;
 * bad outputs and queries are refused with their codes.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import type { RepoConfig } from '../../src/core/config/types.js';
import { fixedClock, silentLogger } from '../../src/core/context.js';
import { exportOnline } from '../../src/core/export/export.js';
import { runSql } from '../../src/core/export/sql.js';
import { materializeWindows } from '../../src/core/materialize/materialize.js';
import { fixedWindows } from '../../src/core/materialize/windows.js';
import type { Dtype, RepoModel } from '../../src/core/repo/model.js';
import { defined } from '../helpers/defined.js';
import { createFeastTable, localRepoConfig } from '../helpers/dynalite.js';
import { DTYPE_COLUMNS, dtypeRowsSql } from '../helpers/dtype-columns.js';
import { duckdb } from '../helpers/materialize-fixture.js';
import { startTestServer, type TestServer } from '../helpers/plan-apply-server.js';
import { makeSource, makeView } from '../helpers/view-fixtures.js';

const T0 = 1_618_210_800_000_000n; // 2021-04-12 07:00:00 UTC

let server: TestServer;
let dir: string;
let config: RepoConfig;
let repo: RepoModel;
let aws: AwsClients;

beforeAll(async () => {
  server = await startTestServer();
  dir = await mkdtemp(path.join(tmpdir(), 'dynafeast-export-'));
  const file = path.join(dir, 'dtypes.parquet');
  // row 'a' twice: the older one must not be what comes back
  await duckdb(
    `COPY (${dtypeRowsSql('c', T0 - 5_000_000n).replace("'c' AS k", "'a' AS k")} UNION ALL ${dtypeRowsSql('a', T0 + 123_456n)} UNION ALL ${dtypeRowsSql('b', T0)} UNION ALL ${dtypeRowsSql('c', T0 + 1_000_000n)}) TO '${file}' (FORMAT parquet)`,
  );
  const view = makeView(
    'all_dtypes',
    [{ name: 'k', dtype: 'String' }],
    DTYPE_COLUMNS.map(([name, dtype]) => [name, dtype] as [string, Dtype]),
  );
  repo = { root: dir, files: [], entities: [], sources: [makeSource(file, { createdTimestampColumn: '' })], featureViews: [view], featureServices: [] };
  config = { ...localRepoConfig(dir, server.endpoint), project: `x${randomUUID().slice(0, 8)}` };
  await createFeastTable(server.client, `${config.project}.${view.name}`);
  aws = createAwsClients(config);
  await materializeWindows(
    { config, repo, aws, clock: fixedClock(T0), logger: silentLogger, record: false },
    fixedWindows([view], T0 - 10_000_000n, T0 + 1_000_000n),
  );
});
afterAll(async () => {
  aws.destroy();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Rows of a query in a throwaway DuckDB, as DuckDB's JSON-safe values, ordered by k. */
async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`SET TimeZone = 'UTC'`);
    return (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/**
 * What materialize stores for the fixture rows, read back as DuckDB values: Float32 rounded to f32,
 * timestamps floored to whole seconds, NaN scalars stored as null, NULL list elements as the element
 * default (NaN stays inside float lists), NULL everything for row 'b'. Computed in SQL from the source.
 */
function expectedSql(file: string): string {
  const cols = DTYPE_COLUMNS.map(([name, dtype]) => `${expectedColumn(name, dtype)} AS ${name}`);
  return `SELECT k, ${cols.join(', ')}, event_timestamp::TIMESTAMPTZ AS event_timestamp FROM (
    SELECT * FROM read_parquet('${file}') QUALIFY row_number() OVER (PARTITION BY k ORDER BY event_timestamp DESC) = 1) ORDER BY k`;
}

function expectedColumn(name: string, dtype: Dtype): string {
  const el = (x: string): string => {
    switch (dtype.scalar) {
      case 'Float32':
        return dtype.kind === 'list' ? `coalesce(${x}::FLOAT, 0)` : `CASE WHEN isnan(${x}) THEN NULL ELSE ${x}::FLOAT END`;
      case 'Float64':
        return dtype.kind === 'list' ? `coalesce(${x}, 0)` : x;
      case 'UnixTimestamp':
        return `to_timestamp(floor(epoch_us(${x}) / 1e6)::BIGINT)`;
      case 'Int32':
      case 'Int64':
        return dtype.kind === 'list' ? `coalesce(${x}, 0)` : x;
      case 'String':
      case 'Json':
        return dtype.kind === 'list' ? `coalesce(${x}, '')` : x;
      case 'Bytes':
        return dtype.kind === 'list' ? `coalesce(${x}, ''::BLOB)` : x;
      case 'Bool':
        return dtype.kind === 'list' ? `coalesce(${x}, false)` : x;
    }
  };
  return dtype.kind === 'list' ? `list_transform(${name}, e -> ${el('e')})` : el(name);
}

it('exports every dtype as the latest offline row per entity, in each format', async () => {
  const file = defined(repo.sources[0]).path;
  const expected = await query(expectedSql(file));
  expect(expected.map((r) => r.k)).toEqual(['a', 'b', 'c']);
  const columns = ['k', ...DTYPE_COLUMNS.map(([n]) => n), 'event_timestamp'].join(', ');

  const parquet = path.join(dir, 'out.parquet');
  const report = await exportOnline({ config, repo, aws, segments: 3 }, { views: [], format: 'parquet', out: parquet });
  expect(report.views).toMatchObject([{ view: 'all_dtypes', items: 3, unresolvedKeys: 0, file: parquet }]);
  expect(await query(`SELECT ${columns} FROM read_parquet('${parquet}') ORDER BY k`)).toEqual(expected);
  // entity_id comes along, so rows whose keys the source lacks can still be told apart
  expect((await query(`SELECT count(DISTINCT entity_id) AS n FROM read_parquet('${parquet}')`))[0]).toEqual({ n: '3' });

  const jsonl = path.join(dir, 'out.jsonl');
  await exportOnline({ config, repo, aws }, { views: [], format: 'jsonl', out: jsonl });
  const fromJson = await query(`SELECT k, i64, f64, str, li64, event_timestamp FROM read_json('${jsonl}') ORDER BY k`);
  expect(fromJson.map((r) => [r.k, r.i64, r.str])).toEqual(expected.map((r) => [r.k, r.i64, r.str]));

  const csv = path.join(dir, 'out.csv');
  await exportOnline({ config, repo, aws }, { views: [], format: 'csv', out: csv });
  expect((await query(`SELECT k, i32::INTEGER AS i32, str FROM read_csv('${csv}') ORDER BY k`)).map((r) => [r.k, r.i32])).toEqual(
    expected.map((r) => [r.k, r.i32]),
  );
  // no temp files left beside the outputs
  expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
});

it('sql counts over the online view and reads the offline source', async () => {
  const online = await runSql({ config, repo, aws }, 'SELECT count(*) AS n, count(i32) AS with_i32 FROM all_dtypes');
  expect(online.rows).toEqual([{ n: '3', with_i32: '2' }]);
  const offline = await runSql({ config, repo, aws }, 'SELECT count(*) AS n FROM offline.src');
  expect(offline.rows).toEqual([{ n: '4' }]);
  expect(offline.loaded).toEqual([]);
});

it('refuses bad outputs and queries', async () => {
  await expect(exportOnline({ config, repo, aws }, { views: [], format: 'csv', out: path.join(dir, 'no', 'such', 'x.csv') })).rejects.toMatchObject({
    code: 'usage.badArgument',
  });
  await expect(exportOnline({ config, repo, aws }, { views: ['nope'], format: 'csv', out: path.join(dir, 'x.csv') })).rejects.toMatchObject({
    code: 'repo.unknownFeatureView',
  });
  await expect(runSql({ config, repo, aws }, 'SELEC 1')).rejects.toMatchObject({ code: 'sql.badQuery' });
  await expect(runSql({ config, repo, aws }, 'SELECT * FROM all_dtypes_typo')).rejects.toMatchObject({ code: 'sql.badQuery' });
  await expect(runSql({ config, repo, aws }, '  ')).rejects.toMatchObject({ code: 'usage.badArgument' });
});
