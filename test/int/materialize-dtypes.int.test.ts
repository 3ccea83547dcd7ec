/**
 * Every Feast dtype, scalar and list, from a parquet file DuckDB wrote with each column type, nulls and
 * null list elements included, through materialize into a real server and back with the raw SDK. The
 * expected Value bytes come from the generated protobuf schema, not from the codec under test.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { create } from '@bufbuild/protobuf';
import { createAwsClients } from '../../src/core/aws/clients.js';
import { fixedClock, silentLogger } from '../../src/core/context.js';
import { entityIdOfJs } from '../../src/core/layout/entity-id.js';
import { materializeWindows } from '../../src/core/materialize/materialize.js';
import { fixedWindows } from '../../src/core/materialize/windows.js';
import type { Dtype, RepoModel } from '../../src/core/repo/model.js';
import {
  BoolListSchema,
  BytesListSchema,
  DoubleSetSchema,
  Int64SetSchema,
  MapListSchema,
  MapSchema,
  RepeatedValueSchema,
  ValueSchema,
  StringSetSchema,
  DoubleListSchema,
  FloatListSchema,
  Int32ListSchema,
  Int64ListSchema,
  StringListSchema,
  type Value,
} from '../../src/gen/feast/types/Value_pb.js';
import { createFeastTable, localRepoConfig } from '../helpers/dynalite.js';
import { makeSource, makeView } from '../helpers/view-fixtures.js';
import { startTestServer, type TestServer } from '../helpers/plan-apply-server.js';
import { bytesOf, eventTsOf, scanTable, valueBytes } from '../helpers/materialize-fixture.js';
import { runDuckdb as duckdb } from '../helpers/offline-fixture.js';
import { defined } from '../helpers/defined.js';
import { tempRepoDir } from '../helpers/temp-dir.js';
import { DTYPE_COLUMNS as COLUMNS, dtypeRowsSql, s, st, UUID_A, UUID_B } from '../helpers/dtype-columns.js';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  dir = tempRepoDir('dynafeast-dtypes-');
});
afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const T0 = 1_618_210_800_000_000n; // 2021-04-12 07:00:00 UTC
/** A feast.types.Map's entries, in upb's deterministic key order (the order dynafeast writes). */
const map = (entries: Record<string, Value['val']>) =>
  create(MapSchema, { val: Object.fromEntries(Object.entries(entries).map(([k, val]) => [k, create(ValueSchema, { val })])) });
const f32 = (x: number) => Math.fround(x);
const EXPECTED: Record<'a' | 'c', Array<Value['val']>> = {
  a: [
    { case: 'int32Val', value: -7 },
    { case: 'int64Val', value: 9007199254740993n },
    { case: 'floatVal', value: f32(0.1) },
    { case: 'doubleVal', value: 0.1 },
    { case: 'stringVal', value: 'héllo' },
    { case: 'bytesVal', value: new Uint8Array([0, 255]) },
    { case: 'boolVal', value: true },
    { case: 'unixTimestampVal', value: 1618210800n },
    { case: 'jsonVal', value: '{"a": [1, 2]}' },
    { case: 'int32ListVal', value: create(Int32ListSchema, { val: [1, -2] }) },
    { case: 'int64ListVal', value: create(Int64ListSchema, { val: [9007199254740993n] }) },
    { case: 'floatListVal', value: create(FloatListSchema, { val: [f32(0.1), 2.5] }) },
    { case: 'doubleListVal', value: create(DoubleListSchema, { val: [0.1] }) },
    { case: 'stringListVal', value: create(StringListSchema, { val: ['a', 'b'] }) },
    { case: 'bytesListVal', value: create(BytesListSchema, { val: [new Uint8Array([1])] }) },
    { case: 'boolListVal', value: create(BoolListSchema, { val: [true, false] }) },
    { case: 'unixTimestampListVal', value: create(Int64ListSchema, { val: [1618210801n] }) },
    { case: 'uuidVal', value: UUID_A },
    { case: 'timeUuidVal', value: UUID_B },
    { case: 'decimalVal', value: '12.50' }, // the DECIMAL's exact digits, as str(Decimal) writes them
    { case: 'decimalVal', value: '123456789012345678901234567890.123456789' },
    { case: 'bytesVal', value: new Uint8Array(Buffer.from('%PDF')) },
    { case: 'bytesVal', value: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) },
    { case: 'uuidListVal', value: create(StringListSchema, { val: [UUID_A] }) },
    { case: 'decimalListVal', value: create(StringListSchema, { val: ['1.50', '-0.01'] }) },
    { case: 'int64SetVal', value: create(Int64SetSchema, { val: [3n, 1n] }) }, // once each, first-seen order
    { case: 'stringSetVal', value: create(StringSetSchema, { val: ['b', 'a'] }) },
    { case: 'uuidSetVal', value: create(StringSetSchema, { val: [UUID_B, UUID_A] }) },
    { case: 'doubleSetVal', value: create(DoubleSetSchema, { val: [0.5, -0] }) }, // -0.0 and 0.0 are one (Python's set)
    // Struct fields typed as pandas hands them to Feast: an int field is int64_val, a float field double_val
    {
      case: 'structVal',
      value: map({ age: { case: 'int64Val', value: 30n }, name: { case: 'stringVal', value: 'ann' }, score: { case: 'doubleVal', value: 2 } }),
    },
    {
      case: 'mapVal',
      value: map({ ok: { case: 'boolVal', value: true }, trips: { case: 'int64Val', value: 5n }, vehicle: { case: 'stringVal', value: 'truck' } }),
    },
    {
      case: 'structListVal',
      value: create(MapListSchema, {
        val: [map({ age: { case: 'int64Val', value: 1n }, name: { case: 'stringVal', value: 'a' }, score: { case: 'doubleVal', value: 1.5 } })],
      }),
    },
    // inner lists in the declared element type; an empty or NULL inner list is an empty Value (as Feast's materialize)
    {
      case: 'listVal',
      value: create(RepeatedValueSchema, {
        val: [
          create(ValueSchema, { val: { case: 'int32ListVal', value: create(Int32ListSchema, { val: [1, 2] }) } }),
          create(ValueSchema, {}),
          create(ValueSchema, {}),
          create(ValueSchema, { val: { case: 'int32ListVal', value: create(Int32ListSchema, { val: [3] }) } }),
        ],
      }),
    },
    {
      case: 'setVal',
      value: create(RepeatedValueSchema, {
        val: [
          create(ValueSchema, { val: { case: 'stringListVal', value: create(StringListSchema, { val: ['a'] }) } }),
          create(ValueSchema, { val: { case: 'stringListVal', value: create(StringListSchema, { val: ['b', ''] }) } }),
        ],
      }),
    },
  ],
  c: [
    { case: 'int32Val', value: 0 }, // zero is still written
    { case: 'int64Val', value: -1n },
    { case: undefined, value: undefined }, // NaN → empty Value (null)
    { case: 'doubleVal', value: -0 }, // -0.0 keeps its sign
    { case: 'stringVal', value: '' },
    { case: 'bytesVal', value: new Uint8Array() },
    { case: 'boolVal', value: false },
    { case: 'unixTimestampVal', value: -1n }, // floored before 1970
    { case: 'jsonVal', value: 'null' },
    { case: 'int32ListVal', value: create(Int32ListSchema, { val: [0, 3] }) }, // NULL element → default
    { case: 'int64ListVal', value: create(Int64ListSchema, { val: [] }) }, // empty list → empty list message
    { case: 'floatListVal', value: create(FloatListSchema, { val: [-0, NaN] }) }, // NaN is a value inside a float list
    { case: 'doubleListVal', value: create(DoubleListSchema, { val: [-0, 1] }) }, // -0.0 keeps its sign
    { case: 'stringListVal', value: create(StringListSchema, { val: ['', ''] }) },
    { case: 'bytesListVal', value: create(BytesListSchema, { val: [new Uint8Array()] }) },
    { case: 'boolListVal', value: create(BoolListSchema, { val: [false, true] }) },
    { case: 'unixTimestampListVal', value: create(Int64ListSchema, { val: [-1n] }) },
    { case: 'uuidVal', value: UUID_B },
    { case: 'timeUuidVal', value: UUID_A.toUpperCase() }, // text as given, as Feast writes it
    { case: 'decimalVal', value: '0.00' },
    { case: 'decimalVal', value: '-1E+3' },
    { case: 'bytesVal', value: new Uint8Array() },
    { case: 'bytesVal', value: new Uint8Array() },
    { case: 'uuidListVal', value: create(StringListSchema, { val: ['', UUID_B] }) }, // NULL element → "" (Feast's default)
    { case: 'decimalListVal', value: create(StringListSchema, { val: [''] }) },
    { case: 'int64SetVal', value: create(Int64SetSchema, { val: [] }) },
    { case: 'stringSetVal', value: create(StringSetSchema, { val: [''] }) },
    { case: 'uuidSetVal', value: create(StringSetSchema, { val: [] }) },
    { case: 'doubleSetVal', value: create(DoubleSetSchema, { val: [] }) },
    {
      // a NULL field is an entry with an empty Value, as Feast writes None
      case: 'structVal',
      value: map({ age: { case: 'int64Val', value: -1n }, name: { case: undefined, value: undefined }, score: { case: 'doubleVal', value: 0.5 } }),
    },
    {
      case: 'mapVal',
      value: map({ ok: { case: 'boolVal', value: false }, trips: { case: undefined, value: undefined }, vehicle: { case: 'stringVal', value: '' } }),
    },
    { case: 'structListVal', value: create(MapListSchema, { val: [] }) },
    { case: 'listVal', value: create(RepeatedValueSchema, { val: [] }) },
    { case: 'setVal', value: create(RepeatedValueSchema, { val: [create(ValueSchema, {})] }) },
  ],
};

/** entity_id of a one-String-key entity, serialized by hand. */
function stringEntityId(key: string, value: string): string {
  const k = Buffer.from(key);
  const v = Buffer.from(value);
  const b = Buffer.alloc(4 + 8 + k.length + 8 + v.length);
  let p = b.writeUInt32LE(1, 0);
  p = b.writeUInt32LE(2, p);
  p = b.writeUInt32LE(k.length, p);
  p += k.copy(b, p);
  p = b.writeUInt32LE(2, p);
  p = b.writeUInt32LE(v.length, p);
  v.copy(b, p);
  return entityIdOfJs(b);
}

it('writes every dtype, nulls and list elements as Feast does', async () => {
  const sel = dtypeRowsSql;
  const file = path.join(dir, 'dtypes.parquet');
  await duckdb(`COPY (${sel('a', T0 + 123_456n)} UNION ALL ${sel('b', T0)} UNION ALL ${sel('c', T0 + 1_000_000n)}) TO '${file}' (FORMAT parquet)`);

  const view = makeView(
    'all_dtypes',
    [{ name: 'k', dtype: 'String' }],
    COLUMNS.map(([name, dtype]) => [name, dtype] as [string, Dtype]),
  );
  const source = makeSource(file, { createdTimestampColumn: '' });
  const repo: RepoModel = { root: dir, files: [], entities: [], sources: [source], featureViews: [view], featureServices: [] };
  const config = { ...localRepoConfig(dir, server.endpoint), project: `d${randomUUID().slice(0, 8)}` };
  const table = `${config.project}.${view.name}`;
  await createFeastTable(server.client, table);
  // The store's clients and the default sender, as `dynafeast materialize` builds them.
  const aws = createAwsClients(config);
  const report = await materializeWindows(
    { config, repo, aws, clock: fixedClock(T0), logger: silentLogger, record: false },
    fixedWindows([view], T0, T0 + 1_000_000n),
  ).finally(() => aws.destroy());
  expect(report.views[0]).toMatchObject({ entities: 3, written: 3 });

  const items = await scanTable(server.client, table);
  expect(items.size).toBe(3);
  const a = defined(items.get(stringEntityId('k', 'a')));
  const b = defined(items.get(stringEntityId('k', 'b')));
  const c = defined(items.get(stringEntityId('k', 'c')));
  expect([defined(a.event_ts).S, defined(b.event_ts).S, defined(c.event_ts).S]).toEqual([eventTsOf(T0 + 123_456n), eventTsOf(T0), eventTsOf(T0 + 1_000_000n)]);
  COLUMNS.forEach(([name], i) => {
    expect([name, bytesOf(a, name).toString('hex')]).toEqual([name, valueBytes(defined(EXPECTED.a[i])).toString('hex')]);
    expect([name, bytesOf(b, name).length]).toEqual([name, 0]); // NULL → empty Value
    expect([name, bytesOf(c, name).toString('hex')]).toEqual([name, valueBytes(defined(EXPECTED.c[i])).toString('hex')]);
  });
});

it('names file, row and column of a null element in a Set, and refuses a Map column by feature name', async () => {
  const file = path.join(dir, 'bad-set.parquet');
  await duckdb(
    `COPY (SELECT 'a' AS k, make_timestamp(${T0}::BIGINT) AS event_timestamp, [1, 2]::BIGINT[] AS tags, MAP {'x': 'y'} AS attrs ` +
      `UNION ALL SELECT 'b', make_timestamp(${T0}::BIGINT), [3, NULL]::BIGINT[], MAP {'x': 'z'}) TO '${file}' (FORMAT parquet)`,
  );
  const source = makeSource(file, { createdTimestampColumn: '' });
  const config = { ...localRepoConfig(dir, server.endpoint), project: `d${randomUUID().slice(0, 8)}` };
  const run = async (features: [string, Dtype][]) => {
    const view = makeView('bad_types', [{ name: 'k', dtype: 'String' }], features);
    const repo: RepoModel = { root: dir, files: [], entities: [], sources: [source], featureViews: [view], featureServices: [] };
    await createFeastTable(server.client, `${config.project}.${view.name}`).catch(() => undefined);
    const aws = createAwsClients(config);
    return materializeWindows(
      { config, repo, aws, clock: fixedClock(T0), logger: silentLogger, record: false },
      fixedWindows([view], T0, T0 + 1_000_000n),
    ).finally(() => aws.destroy());
  };
  await expect(run([['tags', st('Int64')]])).rejects.toMatchObject({
    code: 'repo.badColumnType',
    message: expect.stringMatching(/bad-set\.parquet, row 2, column "tags".*null element/),
  });
  await expect(run([['attrs', s('Map')]])).rejects.toMatchObject({
    code: 'repo.badColumnType',
    message: expect.stringMatching(/attrs/),
  });
});
