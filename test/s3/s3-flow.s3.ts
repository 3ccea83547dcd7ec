/**
 * The whole flow with the registry and the sources in S3, through the built binary against moto (S3 and
 * DynamoDB): apply → materialize (hive dataset pruned to the window) → get-online-features → teardown;
 * two concurrent materializations both recorded; bad S3 inputs named with the right exit code.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { runCli } from '../helpers/cli.js';
import { runDuckdb } from '../helpers/offline-fixture.js';
import { makeRepo, tempRepoDir } from '../helpers/temp-repo.js';
import { makeBucket, s3TestEnv, type TestBucket } from '../helpers/s3.js';
import { defined } from '../helpers/defined.js';
import { FOOTER_FETCH_BYTES } from '../../src/core/s3/footer-stats.js';
import type { S3FetchStats } from '../../src/core/offline/s3-source.js';

const HOUR = 3_600_000_000n;
const MINUTE = 60_000_000n;
const DAYS = 10;
// whole hours, so every day partition holds 24 rows
const nowMicros = ((BigInt(Date.now()) * 1000n) / HOUR) * HOUR;

let bucket: TestBucket;
let repo: string;
let datasetBytes = 0;
const env = () => ({ ...s3TestEnv(), DYNAFEAST_NO_UPDATE_CHECK: '1' });
const cli = (args: string[]) => runCli(args, { cwd: repo, env: env(), timeoutMs: 120_000 });
const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

async function uploadTree(local: string, prefix: string): Promise<void> {
  for (const d of readdirSync(local, { withFileTypes: true, recursive: true })) {
    if (!d.isFile()) continue;
    const full = path.join(d.parentPath, d.name);
    const body = readFileSync(full);
    datasetBytes += body.length;
    await bucket.put(`${prefix}${path.relative(local, full).split(path.sep).join('/')}`, body);
  }
}

beforeAll(async () => {
  bucket = await makeBucket('dynafeast-flow');
  const endpoint = defined(process.env.DYNAFEAST_TEST_ENDPOINT);
  repo = makeRepo({ project: `s3flow_${randomUUID().slice(0, 6)}`, endpoint, registry: `s3://${bucket.name}/feast/registry.pb` }, 'dynafeast-s3-flow-');
  // driver stats: one row per driver and minute over the last DAYS days, hive-partitioned by day
  const local = tempRepoDir('dynafeast-s3-data-');
  await runDuckdb(
    `COPY (SELECT d AS driver_id, make_timestamp(${nowMicros} - m * ${MINUTE}) AS event_timestamp, make_timestamp(${nowMicros} - m * ${MINUTE}) AS created,
            (d * 1000 + m)::FLOAT AS conv_rate, 0.5::FLOAT AS acc_rate, m::BIGINT AS avg_daily_trips,
            strftime(make_timestamp(${nowMicros} - m * ${MINUTE}), '%Y-%m-%d') AS day
          FROM range(1001, 1006) r(d), range(0, ${DAYS * 24 * 60}) s(m))
     TO '${local}' (FORMAT parquet, PARTITION_BY (day))`,
  );
  await uploadTree(local, 'stats/');
  await bucket.put('profile/driver_profile.parquet', readFileSync(path.join(repo, 'data/driver_profile.parquet')));
  const edit = (file: string, from: string, to: string) => writeFileSync(path.join(repo, file), readFileSync(path.join(repo, file), 'utf8').replace(from, to));
  edit('features.yaml', 'path: data/driver_stats.parquet', `path: s3://${bucket.name}/stats/`);
  edit('profiles.yaml', 'path: data/driver_profile.parquet', `path: s3://${bucket.name}/profile/driver_profile.parquet`);
}, 120_000);
afterAll(async () => {
  await bucket.remove();
});

const iso = (micros: bigint) => new Date(Number(micros / 1000n)).toISOString().slice(0, 19);

describe('registry and sources in S3', () => {
  it('apply → materialize → get-online-features → teardown', async () => {
    const applied = await cli(['apply', '--yes']);
    expect(applied.stderr).not.toMatch(/error/i);
    expect(applied.code).toBe(0);

    // a window of the last day and a half: most day partitions cannot hold a row of it
    const start = nowMicros - 36n * HOUR;
    const run = await cli(['--json', 'materialize', iso(start), iso(nowMicros), '-v', 'driver_hourly_stats']);
    expect(run.code).toBe(0);
    const view = (json(run.stdout).views as Record<string, unknown>[])[0] as { items: number; rows: number; s3: S3FetchStats };
    expect(view.items).toBe(5);
    expect(view.rows).toBe(5 * (36 * 60 + 1));
    expect(view.s3.filesMatched).toBeGreaterThanOrEqual(DAYS);
    expect(view.s3.filesFetched).toBeLessThanOrEqual(3);
    expect(view.s3.filesPruned).toBe(view.s3.filesMatched - view.s3.filesFetched);
    // the footers of the pruned files and the files of the window, not the dataset
    expect(view.s3.bytesFetched).toBeLessThanOrEqual(view.s3.bytesOfFetchedFiles + view.s3.filesPruned * FOOTER_FETCH_BYTES);
    expect(view.s3.bytesFetched).toBeLessThan(datasetBytes / 2);

    const read = await cli(['--json', 'get-online-features', '-f', 'driver_hourly_stats:conv_rate', '-e', 'driver_id=1003', '--with-status']);
    expect(read.code).toBe(0);
    const out = json(read.stdout);
    expect(out.conv_rate).toEqual([1003 * 1000]);
    expect(out.conv_rate__status).toEqual(['PRESENT']);

    const torn = await cli(['teardown', '--yes']);
    expect(torn.code).toBe(0);
    const listed = await cli(['list', 'feature-views']);
    expect(listed.stdout).not.toMatch(/driver_hourly_stats/);
  });

  it('two materializations at once both land in the S3 registry', async () => {
    expect((await cli(['apply', '--yes'])).code).toBe(0);
    const start = iso(nowMicros - 2n * HOUR);
    const [a, b] = await Promise.all([
      cli(['materialize', start, iso(nowMicros), '-v', 'driver_hourly_stats']),
      cli(['materialize', '2020-01-01T00:00:00', iso(nowMicros), '-v', 'driver_profile']),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const dump = json((await cli(['registry-dump'])).stdout) as { featureViews: { spec: { name: string }; meta?: { materializationIntervals?: unknown[] } }[] };
    for (const name of ['driver_hourly_stats', 'driver_profile']) {
      const v = defined(dump.featureViews.find((f) => f.spec.name === name));
      expect(v.meta?.materializationIntervals?.length).toBeGreaterThanOrEqual(1);
    }
  });

  it('names a prefix that matches nothing (exit 2), a corrupt object (exit 2) and a missing bucket (exit 1); nothing is recorded', async () => {
    const before = (await cli(['registry-dump'])).stdout;
    const features = path.join(repo, 'features.yaml');
    const original = readFileSync(features, 'utf8');
    try {
      writeFileSync(features, original.replace(`s3://${bucket.name}/stats/`, `s3://${bucket.name}/no-such-prefix/`));
      const none = await cli(['--json', 'materialize', '2020-01-01T00:00:00', 'now', '-v', 'driver_hourly_stats']);
      expect([none.code, (json(none.stdout).error as { code: string }).code]).toEqual([2, 's3.noMatch']);

      await bucket.put('corrupt/day=2020-01-01/part-0.parquet', 'PAR1 this is not really parquet');
      writeFileSync(features, original.replace(`s3://${bucket.name}/stats/`, `s3://${bucket.name}/corrupt/`));
      const corrupt = await cli(['--json', 'materialize', '2020-01-01T00:00:00', 'now', '-v', 'driver_hourly_stats']);
      expect([corrupt.code, (json(corrupt.stdout).error as { code: string }).code]).toEqual([2, 'repo.unreadableSource']);

      writeFileSync(features, original.replace(`s3://${bucket.name}/stats/`, `s3://no-such-bucket-${randomUUID().slice(0, 8)}/stats/`));
      const missing = await cli(['--json', 'materialize', '2020-01-01T00:00:00', 'now', '-v', 'driver_hourly_stats']);
      expect([missing.code, (json(missing.stdout).error as { code: string }).code]).toEqual([1, 's3.noSuchBucket']);
    } finally {
      writeFileSync(features, original);
    }
    expect((await cli(['registry-dump'])).stdout).toBe(before);
  });

  it('refuses a registry object that is not a Feast registry (exit 2) and writes nothing over it', async () => {
    const other = makeRepo(
      { project: 'notreg', endpoint: defined(process.env.DYNAFEAST_TEST_ENDPOINT), registry: `s3://${bucket.name}/junk/registry.pb` },
      'dynafeast-s3-junk-',
    );
    await bucket.put('junk/registry.pb', 'just some text');
    const r = await runCli(['--json', 'apply', '--yes'], { cwd: other, env: env() });
    expect([r.code, (json(r.stdout).error as { code: string }).code]).toEqual([2, 'registry.corrupt']);
  });

  it('teardown removes what apply made (last: the suite leaves no tables behind)', async () => {
    expect((await cli(['teardown', '--yes'])).code).toBe(0);
    expect((await cli(['list', 'feature-views'])).stdout).not.toMatch(/driver_/);
  });
});
