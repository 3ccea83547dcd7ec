/**
 * `export` and `sql` on a real server: every dtype column of test/helpers/dtype-columns.ts goes source →
 * materialize → export (parquet, CSV, JSON lines); materializing the exported parquet stores the same
 * Value bytes (Map columns too: their typed JSON text is read back exactly), with each join key recovered from the source; `sql` answers a count over the online view and reads the offline source;
 * bad outputs and queries are refused with their codes.
 */
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DuckDBInstance } from '@duckdb/node-api';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import type { RepoConfig } from '../../src/core/config/types.js';
import { fixedClock, silentLogger } from '../../src/core/context.js';
import { exportOnline } from '../../src/core/export/export.js';
import { runSql } from '../../src/core/export/sql.js';
import { entityIdOf } from '../../src/core/layout/entity-id.js';
import { serializeEntityKey } from '../../src/core/layout/entity-key.js';
import { createValueEncoder } from '../../src/core/layout/value-codec.js';
import { materializeWindows } from '../../src/core/materialize/materialize.js';
import { fixedWindows } from '../../src/core/materialize/windows.js';
import type { Dtype, RepoModel } from '../../src/core/repo/model.js';
import { defined } from '../helpers/defined.js';
import { createFeastTable, localRepoConfig } from '../helpers/dynalite.js';
import { DTYPE_COLUMNS, dtypeRowsSql } from '../helpers/dtype-columns.js';
import { bytesOf, eventTsOf, scanTable, type StoredItem } from '../helpers/materialize-fixture.js';
import { runDuckdb as duckdb } from '../helpers/offline-fixture.js';
import { startTestServer, type TestServer } from '../helpers/plan-apply-server.js';
import { makeSource, makeView } from '../helpers/view-fixtures.js';
import { describeFeastTable, scanTable as scanOnline, storeScanOptions } from '../../src/core/online/scan-table.js';
import type { ParsedItem } from '../../src/core/layout/item.js';

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

/** Materializes `file` (one row per k) as `view` (default: the every-dtype view) into a fresh table; its items by entity_id. */
async function materializeFile(file: string, from: bigint, to: bigint, first = defined(repo.featureViews[0])): Promise<Map<string, StoredItem>> {
  const source = makeSource(file, { createdTimestampColumn: '' });
  const r: RepoModel = { ...repo, sources: [source], featureViews: [{ ...first, source: source.name }] };
  const c = { ...config, project: `x${randomUUID().slice(0, 8)}` };
  const view = defined(r.featureViews[0]);
  await createFeastTable(server.client, `${c.project}.${view.name}`);
  const clients = createAwsClients(c);
  await materializeWindows(
    { config: c, repo: r, aws: clients, clock: fixedClock(to), logger: silentLogger, record: false },
    fixedWindows([view], from, to),
  ).finally(() => clients.destroy());
  return scanTable(server.client, `${c.project}.${view.name}`);
}

it('scans every dtype through the lean client to the same parsed items the SDK client gives', async () => {
  const info = await describeFeastTable({ dynamo: aws.dynamo, table: `${config.project}.all_dtypes`, endpoint: aws.endpoint });
  const scan = async (lean: boolean, segments: number) => {
    const items: ParsedItem[] = [];
    const { lean: leanOptions, ...sdk } = storeScanOptions({ config, aws, segments }, info);
    expect(leanOptions).toBeDefined();
    await scanOnline(lean ? { ...sdk, lean: defined(leanOptions) } : sdk, (page) => void items.push(...page));
    return items.sort((a, b) => a.entityId.localeCompare(b.entityId));
  };
  const sdk = await scan(false, 1);
  expect(sdk).toHaveLength(3);
  expect(Object.keys(defined(sdk[0]).values).sort()).toEqual(DTYPE_COLUMNS.map(([name]) => name).sort());
  for (const segments of [1, 3]) expect(await scan(true, segments)).toEqual(sdk);
});

it('exports every dtype so that materializing the export stores the same Value bytes', async () => {
  const stored = await scanTable(server.client, `${config.project}.all_dtypes`);
  expect(stored.size).toBe(3);
  const parquet = path.join(dir, 'out.parquet');
  const report = await exportOnline({ config, repo, aws, segments: 3 }, { views: [], format: 'parquet', out: parquet });
  expect(report.views).toMatchObject([{ view: 'all_dtypes', items: 3, unresolvedKeys: 0, file: parquet }]);
  // entity_id comes along, so rows whose keys the source lacks can still be told apart
  expect((await query(`SELECT count(DISTINCT entity_id) AS n FROM read_parquet('${parquet}')`))[0]).toEqual({ n: '3' });
  // the latest row per entity: 'a' at T0 + 123456 (not the older edge-value row)
  expect(await query(`SELECT k, epoch_us(event_timestamp) AS t FROM read_parquet('${parquet}') ORDER BY k`)).toEqual([
    { k: 'a', t: String(T0 + 123_456n) },
    { k: 'b', t: String(T0) },
    { k: 'c', t: String(T0 + 1_000_000n) },
  ]);

  const again = await materializeFile(parquet, T0 - 10_000_000n, T0 + 1_000_000n);
  expect([...again.keys()].sort()).toEqual([...stored.keys()].sort());
  for (const [id, item] of stored) {
    const other = defined(again.get(id));
    expect(defined(other.event_ts).S).toBe(defined(item.event_ts).S);
    // Map columns too: their typed JSON text is read back as the Values it tags
    for (const [name] of DTYPE_COLUMNS) {
      expect([name, bytesOf(other, name).toString('hex')]).toEqual([name, bytesOf(item, name).toString('hex')]);
    }
  }
  // a Map: its entries, each Value tagged with its case (int64 as a string, as protobuf's JSON has it)
  const maps = await query(`SELECT k, meta FROM read_parquet('${parquet}') ORDER BY k`);
  expect(maps.map((r) => (r.meta === null ? null : (JSON.parse(r.meta as string) as unknown)))).toEqual([
    { ok: { boolVal: true }, trips: { int64Val: '5' }, vehicle: { stringVal: 'truck' } },
    null,
    { ok: { boolVal: false }, trips: {}, vehicle: { stringVal: '' } },
  ]);
  // the column types readers see
  const types = await query(`SELECT column_name AS c, column_type AS t FROM (DESCRIBE SELECT * FROM read_parquet('${parquet}'))`);
  const typeOf = (c: string) => types.find((r) => r.c === c)?.t;
  expect([typeOf('f32'), typeOf('uts'), typeOf('dec'), typeOf('prof'), typeOf('nest'), typeOf('si64')]).toEqual([
    'FLOAT',
    'TIMESTAMP WITH TIME ZONE',
    'VARCHAR',
    'STRUCT("name" VARCHAR, age BIGINT, score DOUBLE)',
    'INTEGER[][]',
    'BIGINT[]',
  ]);

  const simple = await query(`SELECT k, i32, i64, str FROM read_parquet('${parquet}') ORDER BY k`);
  const jsonl = path.join(dir, 'out.jsonl');
  await exportOnline({ config, repo, aws }, { views: [], format: 'jsonl', out: jsonl });
  const fromJson = await query(`SELECT k, i64, str FROM read_json('${jsonl}') ORDER BY k`);
  expect(fromJson.map((r) => [r.k, r.i64, r.str])).toEqual(simple.map((r) => [r.k, r.i64, r.str]));

  const csv = path.join(dir, 'out.csv');
  await exportOnline({ config, repo, aws }, { views: [], format: 'csv', out: csv });
  expect((await query(`SELECT k, i32::INTEGER AS i32, str FROM read_csv('${csv}') ORDER BY k`)).map((r) => [r.k, r.i32])).toEqual(
    simple.map((r) => [r.k, r.i32]),
  );
  // no temp files left beside the outputs
  expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
});

it('exports the value types no file column feeds (ZonedTimestamp, ScalarMap) and Array(Map), Set(Array(Decimal)) as Feast stores them, keys recovered', async () => {
  // Feast writes these from Python objects (no offline column feeds them): put the items directly.
  const features: [string, Dtype, unknown][] = [
    ['zt', { kind: 'scalar', scalar: 'ZonedTimestamp' }, { seconds: 1_618_210_800n, zone: 'Europe/Paris' }],
    [
      'sm',
      { kind: 'scalar', scalar: 'ScalarMap' },
      new Map<unknown, unknown>([
        [7, 'x'],
        [true, 1],
      ]),
    ],
    ['lm', { kind: 'list', scalar: 'Map' }, [{ a: 1 }, {}]],
    // every case a Map value infers, a nested Map and keys in upb's order ("ab" before "a", "" last)
    [
      'mm',
      { kind: 'scalar', scalar: 'Map' },
      {
        a: 1.5,
        ab: 2n ** 63n - 1n,
        '': 'text',
        b: true,
        c: new Uint8Array([0, 255]),
        d: new Date(1_618_210_800_000),
        n: { x: [1, 2], y: { z: null } },
        l: [{ q: 'r' }],
      },
    ],
    ['ns', { kind: 'nested', outer: 'set', inner: { kind: 'list', scalar: 'Decimal' } }, [['1.50', '-2'], []]],
  ];
  const view = makeView(
    'rare_dtypes',
    [{ name: 'k', dtype: 'String' }],
    features.map(([name, dtype]) => [name, dtype] as [string, Dtype]),
  );
  const r: RepoModel = { ...repo, featureViews: [view] };
  const table = `${config.project}.${view.name}`;
  await createFeastTable(server.client, table);
  const entityId = entityIdOf(serializeEntityKey([{ name: 'k', dtype: 'String', value: 'a' }]));
  const values = Object.fromEntries(features.map(([name, dtype, v]) => [name, { B: createValueEncoder(dtype, name)(v) }]));
  await server.client.send(
    new PutItemCommand({ TableName: table, Item: { entity_id: { S: entityId }, event_ts: { S: eventTsOf(T0) }, values: { M: values } } }),
  );

  const out = path.join(dir, 'rare.parquet');
  await exportOnline({ config, repo: r, aws }, { views: [], format: 'parquet', out });
  const rows = await query(`SELECT k, zt.timestamp AS ts, zt.zone AS zone, sm, lm, ns FROM read_parquet('${out}')`);
  expect(rows).toEqual([
    {
      k: 'a',
      ts: '2021-04-12 07:00:00+00',
      zone: 'Europe/Paris',
      sm: '[{"key":{"int64Key":"7"},"value":{"stringVal":"x"}},{"key":{"boolKey":true},"value":{"int64Val":"1"}}]',
      lm: ['{"a":{"int64Val":"1"}}', '{}'],
      // decimals as their exact text; an empty inner list is stored as an empty Value (Feast's None)
      ns: [['1.50', '-2'], null],
    },
  ]);

  // the Map columns materialize back to the bytes they were exported from
  const maps = { ...view, features: view.features.filter((f) => f.name === 'lm' || f.name === 'mm') };
  const back = await materializeFile(out, T0 - 1n, T0 + 1n, maps);
  const item = defined(back.get(entityId));
  for (const name of ['lm', 'mm']) expect([name, bytesOf(item, name).toString('hex')]).toEqual([name, Buffer.from(defined(values[name]).B).toString('hex')]);
});

/**
 * A driver view over a source of drivers 1..`sourceDrivers` (one row each), and a fresh table holding an
 * item for each of `online` (conv_rate `conv(d)`, event time `T0 + eventOffset(d)`), written as Feast does.
 */
async function driverExport(
  name: string,
  sourceDrivers: number,
  online: number[],
  conv: (d: number) => number,
  eventOffset: (d: number) => bigint,
): Promise<RepoModel> {
  const file = path.join(dir, `${name}.parquet`);
  await duckdb(
    `COPY (SELECT i::BIGINT AS driver_id, make_timestamptz(${T0}::BIGINT) AS event_timestamp, 1.5::FLOAT AS conv_rate FROM range(1, ${sourceDrivers + 1}) t(i)) TO '${file}' (FORMAT parquet)`,
  );
  const view = makeView(name, [{ name: 'driver_id', dtype: 'Int64' }], [['conv_rate', { kind: 'scalar', scalar: 'Float32' }]]);
  const table = `${config.project}.${view.name}`;
  await createFeastTable(server.client, table);
  const encode = createValueEncoder({ kind: 'scalar', scalar: 'Float32' }, 'conv_rate');
  for (const d of online) {
    const entityId = entityIdOf(serializeEntityKey([{ name: 'driver_id', dtype: 'Int64', value: BigInt(d) }]));
    await server.client.send(
      new PutItemCommand({
        TableName: table,
        Item: { entity_id: { S: entityId }, event_ts: { S: eventTsOf(T0 + eventOffset(d)) }, values: { M: { conv_rate: { B: encode(conv(d)) } } } },
      }),
    );
  }
  return { ...repo, sources: [makeSource(file, { createdTimestampColumn: '' })], featureViews: [view] };
}

it('recovers the join keys of a source with more entities than one appender flush (204,800 rows)', async () => {
  // 300,000 drivers in the source; 40 of them online, spread over it. The keys once streamed out of the
  // connection their appender flushed on, which ended the stream at the first flush: keys lost, no error.
  const drivers = Array.from({ length: 40 }, (_, i) => 1 + i * 7_499);
  const r = await driverExport(
    'many_drivers',
    300_000,
    drivers,
    () => 1.5,
    () => 0n,
  );
  const out = path.join(dir, 'many.parquet');
  const report = await exportOnline({ config, repo: r, aws }, { views: [], format: 'parquet', out });
  expect(report.views).toMatchObject([{ items: 40, unresolvedKeys: 0 }]);
  const keys = await query(`SELECT driver_id FROM read_parquet('${out}') ORDER BY driver_id`);
  expect(keys.map((k) => Number(k.driver_id))).toEqual(drivers);
});

it('joins the keys in steps to the same rows as in one, entities the source lacks counted in any step', async () => {
  // 100 drivers in the source; 30 of them online, and 3 online entities the source does not hold
  const drivers = [...Array.from({ length: 30 }, (_, i) => 1 + i * 3), 1_000, 1_001, 1_002];
  const r = await driverExport('stepped_drivers', 100, drivers, (d) => d / 8, BigInt);
  const exported = async (joinStepRows: number | undefined) => {
    const out = path.join(dir, `stepped-${joinStepRows ?? 'default'}.parquet`);
    const report = await exportOnline({ config, repo: r, aws, ...(joinStepRows !== undefined ? { joinStepRows } : {}) }, { views: [], format: 'parquet', out });
    const rows = await query(`SELECT * FROM read_parquet('${out}') ORDER BY entity_id`);
    return { report: report.views.map((v) => [v.items, v.unresolvedKeys]), rows };
  };
  const once = await exported(undefined);
  expect(once.report).toEqual([[33, 3]]);
  expect(once.rows.map((row) => (row.driver_id === null ? null : Number(row.driver_id))).sort((a, b) => (a ?? 1e9) - (b ?? 1e9))).toEqual([
    ...drivers.slice(0, 30),
    null,
    null,
    null,
  ]);
  // one step per entity, a few entities per step, steps of one entity too many: all the same rows
  for (const step of [1, 2, 7, 32]) expect(await exported(step)).toEqual(once);
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
