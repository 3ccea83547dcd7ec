/**
 * Registry-driven mode and `import`, through the built binary on the embedded store: a repo whose YAML
 * definitions are gone still materializes and reads from its registry; `import` writes YAML back and
 * `plan` then has nothing to do.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, STACK_FRAME } from '../helpers/cli.js';

describe('a repo with only a registry (as after `feast apply` of Python definitions)', () => {
  const parent = tempDir();
  const repo = path.join(parent, 'demo', 'feature_repo');
  const cli = (...args: string[]) => runCli(['-c', repo, ...args]);

  beforeAll(async () => {
    expect((await runCli(['init', 'demo', '-t', 'local'], { cwd: parent })).code).toBe(0);
    expect((await cli('apply')).code).toBe(0);
    // the definitions now exist only in the registry
    renameSync(path.join(repo, 'features.yaml'), path.join(parent, 'features.yaml.orig'));
  }, 60_000);

  it('materialize-incremental and get-online-features work, and say once where definitions came from', async () => {
    const m = await cli('materialize-incremental', 'now');
    expect(m.code).toBe(0);
    expect(m.stderr.match(/Definitions come from the Feast registry data\/registry\.db/g)).toHaveLength(1);
    const r = await cli('--json', 'get-online-features', '-f', 'driver_hourly_stats:conv_rate', '-e', 'driver_id=1001');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown[]>;
    expect(doc.driver_id).toEqual([1001]);
    expect(typeof doc.conv_rate?.[0]).toBe('number');
    const s = await cli('--json', 'get-online-features', '--feature-service', 'driver_activity', '-e', 'driver_id=1002');
    expect(s.code).toBe(0);
  }, 60_000);

  it('plan manages the tables only: nothing to do, and it says why the registry is left alone', async () => {
    const p = await cli('plan', '--detailed-exitcode');
    expect(p.code).toBe(0);
    expect(p.stdout + p.stderr).toMatch(/manage the tables only/);
  });

  it('list --json gives entities as a JSON array', async () => {
    const r = await cli('--json', 'list', 'feature-views');
    expect(JSON.parse(r.stdout)).toEqual([{ name: 'driver_hourly_stats', entities: ['driver'], type: 'FeatureView' }]);
  });

  it('import writes YAML that loads into the same definitions, and plan then has no changes', async () => {
    const r = await cli('import');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote features\.yaml: 1 entities, 1 data sources, 1 feature views, 1 feature services/);
    const text = readFileSync(path.join(repo, 'features.yaml'), 'utf8');
    expect(text).toMatch(/^# Imported from the Feast registry data\/registry\.db \(project demo\)/);
    const v = await cli('--json', 'validate');
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, entities: ['driver'], featureServices: ['driver_activity'] });
    const p = await cli('plan', '--detailed-exitcode');
    expect([p.code, p.stdout]).toEqual([0, expect.stringMatching(/no changes/i)]);
  }, 60_000);

  it('validate and plan show where the YAML disagrees with the registry on stored bytes, both sides', async () => {
    const file = path.join(repo, 'features.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      original
        .replace('value_type: Int64', 'value_type: String')
        .replace('dtype: Float32', 'dtype: Float64')
        .replace('data/driver_stats.parquet', 'data/other.parquet'),
    );
    try {
      const v = await cli('--json', 'validate');
      expect(v.code).toBe(0);
      expect(JSON.parse(v.stdout).registryMismatches).toEqual([
        { object: 'entity driver', field: 'value_type', yaml: 'String', registry: 'Int64' },
        { object: 'feature view driver_hourly_stats', field: 'join key columns', yaml: '["driver_id:String"]', registry: '["driver_id:Int64"]' },
        { object: 'feature view driver_hourly_stats', field: 'conv_rate dtype', yaml: 'Float64', registry: 'Float32' },
        { object: 'data source driver_stats_source', field: 'path', yaml: 'data/other.parquet', registry: 'data/driver_stats.parquet' },
      ]);
      const p = await cli('plan');
      expect(p.stderr).toMatch(/entity driver: value_type: YAML String, registry Int64/);
    } finally {
      writeFileSync(file, original);
    }
  }, 60_000);

  it('import never overwrites, and refuses a path outside the repo', async () => {
    const again = await cli('import');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; import never overwrites/);
    const outside = await cli('import', '--out', '../elsewhere.yaml');
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/inside the repo/);
    expect(outside.stderr).not.toMatch(STACK_FRAME);
  });

  it('import with no registry is a clear error', async () => {
    const where = tempDir();
    expect((await runCli(['init', 'fresh', '-t', 'local'], { cwd: where })).code).toBe(0);
    const fresh = path.join(where, 'fresh', 'feature_repo');
    renameSync(path.join(fresh, 'features.yaml'), path.join(fresh, 'features.yaml.bak'));
    const r = await runCli(['-c', fresh, 'import']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no registry at .*nothing to import/);
  });
});
