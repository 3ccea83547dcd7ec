/**
 * `dynafeast get-online-features` as a user runs it: the built binary on a copy of examples/driver-stats
 * whose tables (made by `dynafeast apply`) hold the README's newest rows, written in Feast's layout.
 */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { buildItem, createValueEncoder, entityIdOf, formatEventTs, serializeEntityKey } from '../../src/core/layout/index.js';
import type { Dtype } from '../../src/core/repo/model.js';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { repoRoot, runCli, STACK_FRAME, tempDir } from '../helpers/cli.js';
import { featureStoreYaml } from '../helpers/config.js';
import { defined } from '../helpers/defined.js';

let dynalite: TestDynalite;
const repo = path.join(tempDir(), 'driver-stats');

const PROFILE: Record<string, Dtype> = {
  name: { kind: 'scalar', scalar: 'String' },
  rating: { kind: 'scalar', scalar: 'Float64' },
  active: { kind: 'scalar', scalar: 'Bool' },
  vehicle_count: { kind: 'scalar', scalar: 'Int32' },
  signup_ts: { kind: 'scalar', scalar: 'UnixTimestamp' },
  attributes: { kind: 'scalar', scalar: 'Json' },
  avatar: { kind: 'scalar', scalar: 'Bytes' },
  embedding: { kind: 'list', scalar: 'Float32' },
  languages: { kind: 'list', scalar: 'String' },
};

async function put(table: string, driver: number, eventMicros: bigint, values: Record<string, unknown>, dtypes: Record<string, Dtype>) {
  const encoded = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, createValueEncoder(defined(dtypes[k]), k)(v)]));
  const entityId = entityIdOf(serializeEntityKey([{ name: 'driver_id', dtype: 'Int64', value: driver }]));
  const item = buildItem({ entityId, eventTs: formatEventTs(eventMicros), values: encoded });
  await dynalite.client.send(new BatchWriteItemCommand({ RequestItems: { [table]: [{ PutRequest: { Item: item } }] } }));
}

const cli = (...args: string[]) => runCli(['-c', repo, 'get-online-features', ...args]);

beforeAll(async () => {
  dynalite = await startDynalite();
  cpSync(path.join(repoRoot, 'examples', 'driver-stats'), repo, { recursive: true });
  writeFileSync(path.join(repo, 'feature_store.yaml'), featureStoreYaml({ project: 'driver_stats', endpoint: dynalite.endpoint }));
  const applied = await runCli(['-c', repo, 'apply', '--yes', '--no-progress']);
  expect(applied.code).toBe(0);
  const day = 1618185600n * 1_000_000n; // 2021-04-12T00:00:00Z
  const profile = 'driver_stats.driver_profile';
  await put(
    profile,
    1001,
    day,
    {
      name: 'Driver 1001',
      rating: 4.1,
      active: false,
      vehicle_count: 3,
      signup_ts: 1577923200,
      attributes: { vehicle: 'van', seats: 6 },
      avatar: Buffer.from('avatar-1001'),
      embedding: [0.125, 0, 0.5],
      languages: ['en'],
    },
    PROFILE,
  );
  await put(profile, 1004, day, { name: 'Driver 1004', rating: null, embedding: [], languages: null }, PROFILE);
  await put(profile, 1005, day, Object.fromEntries(Object.keys(PROFILE).map((k) => [k, null])), PROFILE);
  await put(
    'driver_stats.driver_hourly_stats',
    1001,
    day + 36_000_000_000n,
    { conv_rate: 0.875, acc_rate: 0.125, avg_daily_trips: 1000 },
    {
      conv_rate: { kind: 'scalar', scalar: 'Float32' },
      acc_rate: { kind: 'scalar', scalar: 'Float32' },
      avg_daily_trips: { kind: 'scalar', scalar: 'Int64' },
    },
  );
}, 120_000);

afterAll(async () => {
  await dynalite?.stop();
});

describe('dynafeast get-online-features (built binary)', () => {
  it('loads neither the AWS SDK clients, dynalite nor the hash addon for a small read (cold start)', async () => {
    // Each costs 30-90 ms of a new process's start; a read against a local endpoint needs none of them.
    const hook = path.join(tempDir(), 'loaded-modules.mjs');
    writeFileSync(
      hook,
      [
        "import { createRequire } from 'node:module';",
        'const cache = createRequire(import.meta.url).cache;',
        "process.on('exit', () => {",
        '  const heavy = Object.keys(cache).map((f) => /node_modules\\/(@aws-sdk\\/client-[a-z]+|dynalite|murmurhash-native)\\//.exec(f)?.[1]).filter(Boolean);',
        '  process.stderr.write(`LOADED ${JSON.stringify([...new Set(heavy)])}\\n`);',
        '});',
      ].join('\n'),
    );
    const r = await runCli(['-c', repo, 'get-online-features', '-f', 'driver_profile:rating', '-e', 'driver_id=1001'], {
      env: { ...process.env, NODE_OPTIONS: `--import ${pathToFileURL(hook).href}` },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ driver_id: [1001], rating: [4.1] });
    expect(r.stderr).toContain('LOADED []');
  });

  it("prints Feast's to_dict() JSON for -f and -e", async () => {
    const r = await cli('-f', 'driver_profile:rating', '-f', 'driver_profile:embedding', '-e', 'driver_id=1001', '-e', 'driver_id=1005');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ driver_id: [1001, 1005], rating: [4.1, null], embedding: [[0.125, 0, 0.5], null] });
  });

  it('reads every dtype of driver_profile', async () => {
    const features = Object.keys(PROFILE)
      .map((f) => `driver_profile:${f}`)
      .join(',');
    const r = await cli('-f', features, '-e', 'driver_id=1001', '-e', 'driver_id=1004', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      driver_id: [1001, 1004],
      name: ['Driver 1001', 'Driver 1004'],
      rating: [4.1, null],
      active: [false, null],
      vehicle_count: [3, null],
      signup_ts: ['2020-01-02T00:00:00+00:00', null],
      attributes: [{ vehicle: 'van', seats: 6 }, null],
      avatar: [Buffer.from('avatar-1001').toString('base64'), null],
      embedding: [[0.125, 0, 0.5], []],
      languages: [['en'], null],
    });
  });

  it("reads a feature service with statuses: 2021 hourly stats are older than the view's 1d ttl", async () => {
    const r = await cli('--feature-service', 'driver_activity', '-e', 'driver_id=1001', '--with-status', '--include-event-timestamps', '--full-feature-names');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      driver_id: [1001],
      driver_id__ts: [0],
      driver_id__status: ['PRESENT'],
      driver_hourly_stats__conv_rate: [null],
      driver_hourly_stats__conv_rate__ts: [1618221600],
      driver_hourly_stats__conv_rate__status: ['OUTSIDE_MAX_AGE'],
      driver_hourly_stats__acc_rate: [null],
      driver_hourly_stats__acc_rate__ts: [1618221600],
      driver_hourly_stats__acc_rate__status: ['OUTSIDE_MAX_AGE'],
    });
  });

  it('takes entity rows from a file and prints csv, jsonl or a table', async () => {
    const rows = path.join(repo, 'rows.csv');
    writeFileSync(rows, 'driver_id\n1001\n1002\n1001\n');
    const csv = await cli('-f', 'driver_profile:name,driver_profile:languages', '--entities-file', rows, '-o', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe('driver_id,name,languages\n1001,Driver 1001,"[""en""]"\n1002,,\n1001,Driver 1001,"[""en""]"\n');
    const jsonlFile = path.join(repo, 'rows.jsonl');
    writeFileSync(jsonlFile, '{"driver_id": 1005}\n{"driver_id": "1001"}\n');
    const jsonl = await cli('-f', 'driver_profile:active', '--entities-file', jsonlFile, '-o', 'jsonl', '--with-status');
    expect(
      jsonl.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { driver_id: 1005, driver_id__status: 'PRESENT', active: null, active__status: 'NULL_VALUE' },
      { driver_id: 1001, driver_id__status: 'PRESENT', active: false, active__status: 'PRESENT' },
    ]);
    const table = await cli('-f', 'driver_profile:vehicle_count', '-e', 'driver_id=1001', '-o', 'table');
    expect(table.stdout.split('\n').map((l) => l.trimEnd())).toEqual(['driver_id  vehicle_count', '1001       3', '']);
  });

  it.each([
    [['-f', 'driver_profile:ratings', '-e', 'driver_id=1001'], /Did you mean `rating`\?/],
    [['-f', 'driver_profil:rating', '-e', 'driver_id=1001'], /Did you mean `driver_profile`\?/],
    [['--feature-service', 'driver_activty', '-e', 'driver_id=1001'], /Did you mean `driver_activity`\?/],
    [['-f', 'driver_profile:rating', '-e', 'driver_id=abc'], /driver_id \(Int64\) cannot be "abc"/],
    [['-f', 'driver_profile:rating'], /no entities given/],
    [['-f', 'driver_profile:rating', '-e', 'driver_id=1', '--json', '-o', 'csv'], /--json prints JSON/],
  ])('exits 2 on %j with a clear message', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('exits 1 when the table is missing, naming it', async () => {
    const r = await runCli(['-c', repo, '--json', 'get-online-features', '-f', 'driver_profile:rating', '-e', 'driver_id=1'], {
      env: {
        FEATURE_STORE_YAML_BASE64: Buffer.from(
          `project: nowhere\nregistry: data/registry.db\nprovider: aws\nonline_store:\n  type: dynamodb\n  region: us-east-1\n  endpoint_url: ${dynalite.endpoint}\n`,
        ).toString('base64'),
      },
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'dynamo.failed', message: expect.stringContaining('nowhere.driver_profile') } });
  });
});
