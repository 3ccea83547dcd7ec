import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, quotedString, type DuckDBConnection } from '@duckdb/node-api';
import { parse } from 'yaml';
import { initTemplateVars, listFiles, renderTemplateDir } from '../../src/core/init/templates.js';
import { EXAMPLE_FILES, writeExampleData } from '../../src/core/sample-data/example-data.js';
import { defined } from '../helpers/defined.js';
import { tempRepoDir } from '../helpers/temp-dir.js';

const EXAMPLE = path.resolve('examples/driver-stats');

let tmp: string;
let db: DuckDBInstance;
let c: DuckDBConnection;

beforeAll(async () => {
  tmp = tempRepoDir('dynafeast-example-');
  db = await DuckDBInstance.create(':memory:', { threads: '1' });
  c = await db.connect();
  await c.run(`SET TimeZone = 'UTC'`);
});
afterAll(async () => {
  c.closeSync();
  db.closeSync();
  await rm(tmp, { recursive: true, force: true });
});

const rows = async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJS();
const pq = (file: string) => `read_parquet(${quotedString(file)})`;

describe('examples/driver-stats', () => {
  it('holds the files the README lists', async () => {
    expect(await listFiles(EXAMPLE)).toEqual([
      '.gitignore',
      'README.md',
      'data/driver_profile.parquet',
      'data/driver_stats.parquet',
      'feature_store.yaml',
      'features.yaml',
      'profiles.yaml',
    ]);
  });

  it('is what init -t local writes for NAME driver-stats, plus profiles.yaml', async () => {
    const rendered = await renderTemplateDir('local', initTemplateVars({ project: 'driver_stats', name: 'driver-stats', port: 4567 }));
    for (const name of ['feature_store.yaml', 'features.yaml']) {
      expect(await readFile(path.join(EXAMPLE, name), 'utf8')).toBe(rendered.find((f) => f.path === name)?.content);
    }
  });

  it('commits exactly the data the generator writes', async () => {
    const summary = await writeExampleData(tmp);
    expect(summary.driverStats.rows).toBe(1801);
    expect(summary.driverProfileRows).toBe(75);
    for (const file of Object.values(EXAMPLE_FILES)) {
      const committed = pq(path.join(EXAMPLE, file));
      const fresh = pq(path.join(tmp, file));
      const describe = async (src: string) => (await rows(`DESCRIBE SELECT * FROM ${src}`)).map((r) => `${r.column_name} ${r.column_type}`);
      expect(await describe(committed)).toEqual(await describe(fresh));
      const [diff] = await rows(
        `SELECT (SELECT count(*) FROM (SELECT * FROM ${committed} EXCEPT ALL SELECT * FROM ${fresh})) +
                (SELECT count(*) FROM (SELECT * FROM ${fresh} EXCEPT ALL SELECT * FROM ${committed})) AS n,
                (SELECT count(*) FROM ${committed}) AS total`,
      );
      expect(diff).toEqual({ n: 0n, total: file === EXAMPLE_FILES.driverStats ? 1801n : 75n });
    }
  });

  it('has a column for every join key and feature its definitions name', async () => {
    for (const [defsFile, dataFile] of [
      ['features.yaml', EXAMPLE_FILES.driverStats],
      ['profiles.yaml', EXAMPLE_FILES.driverProfile],
    ] as const) {
      const defs = parse(await readFile(path.join(EXAMPLE, defsFile), 'utf8'));
      const columns = (await rows(`DESCRIBE SELECT * FROM ${pq(path.join(EXAMPLE, dataFile))}`)).map((r) => r.column_name);
      expect(defs.sources[0].path).toBe(dataFile);
      const view = defs.feature_views[0];
      for (const f of view.schema) expect(columns).toContain(f.name);
      expect(columns).toEqual(expect.arrayContaining(['driver_id', 'event_timestamp', 'created']));
    }
  });

  it('holds the newest values the README documents (latest event, then latest created)', async () => {
    const latest = await rows(
      `SELECT driver_id, round(conv_rate::DOUBLE, 6) AS conv_rate, round(acc_rate::DOUBLE, 6) AS acc_rate, avg_daily_trips,
              strftime(event_timestamp, '%Y-%m-%dT%H:%M:%S') AS ev
       FROM ${pq(path.join(EXAMPLE, EXAMPLE_FILES.driverStats))}
       QUALIFY row_number() OVER (PARTITION BY driver_id ORDER BY event_timestamp DESC, created DESC) = 1
       ORDER BY driver_id`,
    );
    expect(latest).toEqual([
      { driver_id: 1001n, conv_rate: 0.875, acc_rate: 0.125, avg_daily_trips: 1000n, ev: '2021-04-12T10:00:00' },
      { driver_id: 1002n, conv_rate: 0.937501, acc_rate: 0.343016, avg_daily_trips: 867n, ev: '2021-04-12T10:00:00' },
      { driver_id: 1003n, conv_rate: 0.558133, acc_rate: 0.191414, avg_daily_trips: 801n, ev: '2021-04-12T10:00:00' },
      { driver_id: 1004n, conv_rate: 0.405588, acc_rate: 0.529118, avg_daily_trips: 858n, ev: '2021-04-12T10:00:00' },
      { driver_id: 1005n, conv_rate: 0.338887, acc_rate: 0.157708, avg_daily_trips: 495n, ev: '2021-04-12T10:00:00' },
    ]);
    const profile = await rows(
      `SELECT driver_id, name, rating, active, vehicle_count, epoch(signup_ts)::BIGINT AS signup_s, attributes,
              decode(avatar) AS avatar, embedding, languages
       FROM ${pq(path.join(EXAMPLE, EXAMPLE_FILES.driverProfile))}
       WHERE event_timestamp = TIMESTAMPTZ '2021-04-12 00:00:00+00' ORDER BY driver_id`,
    );
    expect(profile[0]).toEqual({
      driver_id: 1001n,
      name: 'Driver 1001',
      rating: 4.1,
      active: false,
      vehicle_count: 3,
      signup_s: 1577923200n,
      attributes: '{"vehicle":"van","seats":6}',
      avatar: 'avatar-1001',
      embedding: [0.125, 0, 0.5],
      languages: ['en'],
    });
    expect(profile[3]).toMatchObject({ driver_id: 1004n, rating: null, embedding: [], languages: null });
    expect(Object.entries(defined(profile[4])).filter(([k, v]) => k !== 'driver_id' && v !== null)).toEqual([]);
  });
});
