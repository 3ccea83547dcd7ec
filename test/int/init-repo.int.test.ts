import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, quotedString } from '@duckdb/node-api';
import { parse } from 'yaml';
import { fixedClock } from '../../src/core/context.js';
import { initRepo, type InitRepoOptions } from '../../src/core/init/init-repo.js';
import { templatesRoot } from '../../src/core/init/templates.js';
import { DUPLICATE_ROW_VALUES, HOUR_MICROS } from '../../src/core/sample-data/driver-stats-values.js';
import { tempRepoDir } from '../helpers/temp-dir.js';

// 2024-02-29T12:34:56.789012Z
const NOW = 1_709_210_096_789_012n;
const clock = fixedClock(NOW);

let parent: string;
beforeEach(async () => {
  parent = tempRepoDir('dynafeast-init-');
});
afterEach(async () => {
  await rm(parent, { recursive: true, force: true });
});

const init = (o: Partial<InitRepoOptions> = {}) => initRepo({ parentDir: parent, template: 'local', env: {}, clock, ...o });

// The parsed YAML's shape is what the tests check, so they reach into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function readYaml(file: string): Promise<Record<string, any>> {
  return parse(await readFile(file, 'utf8'));
}

describe('initRepo (local)', () => {
  it('writes NAME/feature_repo with the rendered templates and the sample data', async () => {
    const result = await init({ name: 'driver-repo' });
    expect(result).toEqual({
      repoDir: path.join(parent, 'driver-repo', 'feature_repo'),
      projectDir: path.join(parent, 'driver-repo'),
      project: 'driver_repo',
      template: 'local',
      files: ['README.md', 'data/driver_stats.parquet', 'feature_store.yaml', 'features.yaml'],
      sampleRows: 1801,
    });
    for (const f of result.files) expect((await stat(path.join(result.repoDir, f))).size).toBeGreaterThan(0);
    // nothing else in the parent: the staging folder was renamed, not left behind
    expect(await readdir(parent)).toEqual(['driver-repo']);

    const cfg = await readYaml(path.join(result.repoDir, 'feature_store.yaml'));
    expect(cfg.project).toBe('driver_repo');
    expect(cfg.online_store).toEqual({ type: 'dynamodb', region: 'us-east-1', endpoint_url: 'http://127.0.0.1:4567' });
    expect(cfg.dynafeast).toEqual({ embedded: { path: 'data/online_store' } });
    const defs = await readYaml(path.join(result.repoDir, 'features.yaml'));
    expect(defs.sources[0].path).toBe('data/driver_stats.parquet');
    expect(await readFile(path.join(result.repoDir, 'README.md'), 'utf8')).toContain('cd driver-repo/feature_repo');
  });

  it('writes a parquet file DuckDB reads back with the expected shape, relative to the clock', async () => {
    const { repoDir } = await init();
    const file = quotedString(path.join(repoDir, 'data', 'driver_stats.parquet'));
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    try {
      const c = await db.connect();
      const cols = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${file})`)).getRowObjectsJS();
      expect(cols.map((r) => `${r.column_name} ${r.column_type}`)).toEqual([
        'driver_id BIGINT',
        'event_timestamp TIMESTAMP WITH TIME ZONE',
        'created TIMESTAMP WITH TIME ZONE',
        'conv_rate FLOAT',
        'acc_rate FLOAT',
        'avg_daily_trips BIGINT',
      ]);
      const [agg] = (
        await c.runAndReadAll(
          `SELECT count(*) AS n, count(DISTINCT driver_id) AS drivers, min(epoch_us(event_timestamp)) AS first,
                  max(epoch_us(event_timestamp)) AS last, min(epoch_us(created)) AS created
           FROM read_parquet(${file})`,
        )
      ).getRowObjectsJS();
      const hour = NOW / HOUR_MICROS;
      expect(agg).toEqual({
        n: 1801n,
        drivers: 5n,
        first: (hour - 360n) * HOUR_MICROS,
        last: (hour - 1n) * HOUR_MICROS,
        created: NOW, // .789012: microseconds kept
      });
      const dup = (
        await c.runAndReadAll(
          `SELECT driver_id, epoch_us(created) AS created, avg_daily_trips FROM read_parquet(${file})
           WHERE epoch_us(event_timestamp) = ${(hour - 1n) * HOUR_MICROS} AND driver_id = 1001 ORDER BY created`,
        )
      ).getRowObjectsJS();
      expect(dup).toHaveLength(2);
      expect(dup[1]).toEqual({ driver_id: 1001n, created: NOW + 1n, avg_daily_trips: DUPLICATE_ROW_VALUES.avgDailyTrips });
      c.closeSync();
    } finally {
      db.closeSync();
    }
  });

  it('uses my_project when no NAME is given, and the port asked for', async () => {
    const result = await init({ port: 8123 });
    expect(result.repoDir).toBe(path.join(parent, 'my_project', 'feature_repo'));
    expect((await readYaml(path.join(result.repoDir, 'feature_store.yaml'))).online_store.endpoint_url).toBe('http://127.0.0.1:8123');
    await expect(init({ name: 'other', port: 70000 })).rejects.toMatchObject({ code: 'usage.badFlag' });
  });

  it('accepts an existing empty folder and gives NAME the mode a plain mkdir would', async () => {
    await mkdir(path.join(parent, 'empty'));
    const result = await init({ name: 'empty' });
    expect(result.files).toHaveLength(4);
    await mkdir(path.join(parent, 'reference'));
    const mode = async (d: string) => (await stat(path.join(parent, d))).mode & 0o777;
    expect(await mode('empty')).toBe(await mode('reference'));
  });

  it('refuses to overwrite an existing repo, a non-empty folder or a file (init.exists)', async () => {
    const first = await init({ name: 'repo' });
    const before = await readFile(path.join(first.repoDir, 'data', 'driver_stats.parquet'));
    await expect(init({ name: 'repo', clock: fixedClock(NOW + 7_200_000_000n) })).rejects.toMatchObject({
      code: 'init.exists',
      hint: expect.stringContaining('choose another NAME'),
    });
    expect(await readFile(path.join(first.repoDir, 'data', 'driver_stats.parquet'))).toEqual(before);

    await mkdir(path.join(parent, 'busy'));
    await writeFile(path.join(parent, 'busy', 'notes.txt'), 'keep me');
    await expect(init({ name: 'busy' })).rejects.toMatchObject({ code: 'init.exists' });
    await writeFile(path.join(parent, 'plainfile'), 'x');
    await expect(init({ name: 'plainfile' })).rejects.toMatchObject({ code: 'init.exists' });
    expect((await readdir(parent)).sort()).toEqual(['busy', 'plainfile', 'repo']);
  });

  it('rejects a bad NAME or template before writing anything', async () => {
    await expect(init({ name: '9lives' })).rejects.toMatchObject({ code: 'init.badName' });
    await expect(init({ name: 'x', template: 'gcp' as never })).rejects.toMatchObject({ code: 'usage.badFlag' });
    expect(await readdir(parent)).toEqual([]);
  });

  it('removes its staging folder when generation fails half way', async () => {
    // A template whose data/driver_stats.parquet is a non-empty folder: DuckDB cannot write the file.
    const templates = path.join(parent, 'templates');
    await cp(path.join(templatesRoot(), 'local'), path.join(templates, 'local'), { recursive: true });
    await mkdir(path.join(templates, 'local', 'data', 'driver_stats.parquet'), { recursive: true });
    await writeFile(path.join(templates, 'local', 'data', 'driver_stats.parquet', 'x'), 'x');
    const work = path.join(parent, 'work');
    await expect(initRepo({ parentDir: work, name: 'r', template: 'local', env: {}, clock, templatesDir: templates })).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('could not write the sample parquet file'),
    });
    expect(await readdir(work)).toEqual([]);
  });
});

describe('initRepo (aws)', () => {
  it('writes the region from --region, ahead of the environment', async () => {
    const result = await init({ name: 'a', template: 'aws', region: 'eu-central-1', env: { AWS_REGION: 'us-west-2' } });
    expect(result.region).toMatchObject({ value: 'eu-central-1', source: 'flag' });
    const cfg = await readYaml(path.join(result.repoDir, 'feature_store.yaml'));
    expect(cfg.online_store).toEqual({ type: 'dynamodb', region: 'eu-central-1' });
    expect(cfg.dynafeast.tables).toEqual({ billing_mode: 'PAY_PER_REQUEST' });
    expect(result.files).toContain('data/driver_stats.parquet');
  });

  it('takes AWS_REGION, then AWS_DEFAULT_REGION, then a commented placeholder', async () => {
    const fromEnv = await init({ name: 'b', template: 'aws', env: { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'sa-east-1' } });
    expect((await readYaml(path.join(fromEnv.repoDir, 'feature_store.yaml'))).online_store.region).toBe('us-west-2');
    const fromDefault = await init({ name: 'c', template: 'aws', env: { AWS_DEFAULT_REGION: 'sa-east-1' } });
    expect((await readYaml(path.join(fromDefault.repoDir, 'feature_store.yaml'))).online_store.region).toBe('sa-east-1');

    const placeholder = await init({ name: 'd', template: 'aws' });
    expect(placeholder.region?.source).toBe('placeholder');
    const text = await readFile(path.join(placeholder.repoDir, 'feature_store.yaml'), 'utf8');
    expect(text).toMatch(/^ {2}region: us-east-1 {2}# PLACEHOLDER: .*region/m);
    expect(parse(text).online_store.region).toBe('us-east-1');
  });

  it('rejects a malformed region before writing anything', async () => {
    await expect(init({ name: 'e', template: 'aws', region: 'Mars' })).rejects.toMatchObject({ code: 'usage.badFlag' });
    expect(await readdir(parent)).toEqual([]);
  });
});
