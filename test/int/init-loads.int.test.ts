// What init writes (and the example) must pass dynafeast's own config and definition validation —
// including every option the aws template only shows commented out.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfigWithWarnings } from '../../src/core/config/load-config.js';
import { fixedClock } from '../../src/core/context.js';
import { initRepo } from '../../src/core/init/init-repo.js';
import { loadRepo } from '../../src/core/repo/load-repo.js';
import { tempRepoDir } from '../helpers/temp-dir.js';

const clock = fixedClock(1_709_210_096_789_012n);
let parent: string;
beforeAll(async () => {
  parent = tempRepoDir('dynafeast-init-load-');
});
afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

function load(repoPath: string) {
  const { config, warnings } = loadConfigWithWarnings({ repoPath, env: {} });
  const repo = loadRepo(repoPath, config);
  return { config, warnings, repo };
}

describe('init output loads with the config and repo loaders', () => {
  it('local', async () => {
    const { repoDir } = await initRepo({ parentDir: parent, name: 'loc', template: 'local', env: {}, clock });
    const { config, warnings, repo } = load(repoDir);
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ project: 'loc', onlineStore: { region: 'us-east-1', endpointUrl: 'http://127.0.0.1:4567' } });
    expect(config.dynafeast.embedded).toEqual({ path: 'data/online_store' });
    expect(repo.featureViews.map((v) => [v.name, v.ttlMicros])).toEqual([['driver_hourly_stats', 86_400_000_000n]]);
    expect(repo.featureServices.map((s) => s.name)).toEqual(['driver_activity']);
  });

  it('aws, with its commented options switched on', async () => {
    const { repoDir } = await initRepo({ parentDir: parent, name: 'cloud', template: 'aws', region: 'eu-west-1', env: {}, clock });
    const file = path.join(repoDir, 'feature_store.yaml');
    const plain = load(repoDir);
    expect(plain.warnings).toEqual([]);
    expect(plain.config.onlineStore.region).toBe('eu-west-1');
    expect(plain.config.dynafeast.tables.billingMode).toBe('PAY_PER_REQUEST');

    // Uncomment every "# key: value" line (not the prose ones), keeping only one billing_mode.
    const text = (await readFile(file, 'utf8')).replace(/^( *)# ( *[a-z_]+:.*)$/gm, '$1$2').replace(/^ *billing_mode: PAY_PER_REQUEST\n/m, '');
    await writeFile(file, text);
    const { config } = load(repoDir);
    expect(config.onlineStore).toMatchObject({ tableNameTemplate: '{project}.{table_name}', consistentReads: false, tags: { team: 'ml-platform' } });
    expect(config.dynafeast.tables).toMatchObject({
      billingMode: 'PROVISIONED',
      readCapacityUnits: 5,
      writeCapacityUnits: 5,
      pointInTimeRecovery: true,
      deletionProtection: true,
      ttlExpiry: true,
    });
    expect(config.dynafeast.credentials).toMatchObject({ profile: 'my-profile', roleArn: expect.stringMatching(/^arn:aws:iam::/) });
  });

  it('examples/driver-stats', () => {
    const { config, repo } = load(path.resolve('examples/driver-stats'));
    expect(config.project).toBe('driver_stats');
    expect(repo.featureViews.map((v) => v.name).sort()).toEqual(['driver_hourly_stats', 'driver_profile']);
    expect(repo.featureServices.map((s) => s.name).sort()).toEqual(['driver_activity', 'driver_ranking']);
  });
});
