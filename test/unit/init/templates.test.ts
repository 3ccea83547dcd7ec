import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import {
  TEMPLATE_NAMES,
  initTemplateVars,
  listFiles,
  renderTemplate,
  renderTemplateDir,
  templatesRoot,
  type RenderedFile,
} from '../../../src/core/init/templates.js';

// The options Feast's DynamoDBOnlineStoreConfig accepts (it forbids any other key under online_store).
const FEAST_DYNAMODB_KEYS = new Set([
  'type',
  'region',
  'endpoint_url',
  'table_name_template',
  'batch_size',
  'consistent_reads',
  'tags',
  'session_based_auth',
  'max_read_workers',
  'max_pool_connections',
  'keepalive_timeout',
  'connect_timeout',
  'read_timeout',
  'total_max_retry_attempts',
  'retry_mode',
  'warmup_connections',
]);

const LOCAL_VARS = initTemplateVars({ project: 'driver_fs', name: 'driver-fs', port: 4599 });
const AWS_VARS = initTemplateVars({
  project: 'driver_fs',
  name: 'driver-fs',
  port: 4567,
  region: { value: 'eu-west-3', comment: '# from --region' },
});

function file(files: RenderedFile[], name: string): string {
  const f = files.find((x) => x.path === name);
  if (!f) throw new Error(`${name} not rendered`);
  return f.content;
}

describe('renderTemplate', () => {
  it('fills placeholders, with or without inner spaces', () => {
    expect(renderTemplate('a: {{project}}\nb: {{ port }}', { project: 'p', port: '1' })).toBe('a: p\nb: 1');
  });

  it('leaves single braces alone (Python format strings in the YAML)', () => {
    expect(renderTemplate('t: "{project}.{table_name}"', {})).toBe('t: "{project}.{table_name}"');
  });

  it('reports a placeholder without a value with its line', () => {
    expect(() => renderTemplate('a: 1\nb: {{nope}}', { project: 'p' }, 'x.yaml')).toThrow(
      expect.objectContaining({ code: 'internal', location: { file: 'x.yaml', line: 2 } }),
    );
  });
});

describe('templates', () => {
  it('are found relative to the package and hold the same files', async () => {
    expect(templatesRoot()).toBe(path.resolve('templates') + path.sep);
    for (const t of TEMPLATE_NAMES) {
      expect(await listFiles(path.join(templatesRoot(), t))).toEqual(['README.md', 'feature_store.yaml', 'features.yaml']);
    }
  });

  it('share one features.yaml without placeholders', async () => {
    const [local, aws] = await Promise.all(TEMPLATE_NAMES.map((t) => readFile(path.join(templatesRoot(), t, 'features.yaml'), 'utf8')));
    expect(aws).toBe(local);
    expect(local).not.toContain('{{');
  });

  it("define architecture.md §2.2's driver repo", async () => {
    const defs = parse(file(await renderTemplateDir('local', LOCAL_VARS), 'features.yaml'));
    expect(defs).toEqual({
      entities: [{ name: 'driver', join_keys: ['driver_id'], value_type: 'Int64', description: expect.any(String) }],
      sources: [
        {
          name: 'driver_stats_source',
          type: 'file',
          path: 'data/driver_stats.parquet',
          timestamp_field: 'event_timestamp',
          created_timestamp_column: 'created',
        },
      ],
      feature_views: [
        {
          name: 'driver_hourly_stats',
          entities: ['driver'],
          ttl: '1d',
          source: 'driver_stats_source',
          online: true,
          schema: [
            { name: 'conv_rate', dtype: 'Float32' },
            { name: 'acc_rate', dtype: 'Float32' },
            { name: 'avg_daily_trips', dtype: 'Int64' },
          ],
          tags: { team: 'driver_performance' },
          description: expect.any(String),
        },
      ],
      feature_services: [{ name: 'driver_activity', features: [{ driver_hourly_stats: ['conv_rate', 'acc_rate'] }] }],
    });
  });

  it('render a local feature_store.yaml for the embedded store that Feast can load', async () => {
    const files = await renderTemplateDir('local', LOCAL_VARS);
    const cfg = parse(file(files, 'feature_store.yaml'));
    expect(cfg).toEqual({
      project: 'driver_fs',
      registry: 'data/registry.db',
      provider: 'aws',
      online_store: { type: 'dynamodb', region: 'us-east-1', endpoint_url: 'http://127.0.0.1:4599' },
      offline_store: { type: 'file' },
      entity_key_serialization_version: 3,
      dynafeast: { embedded: { path: 'data/online_store' } },
    });
  });

  it('render an aws feature_store.yaml with the region, its comment and table settings', async () => {
    const files = await renderTemplateDir('aws', AWS_VARS);
    const text = file(files, 'feature_store.yaml');
    const cfg = parse(text);
    expect(cfg).toEqual({
      project: 'driver_fs',
      registry: 'data/registry.db',
      provider: 'aws',
      online_store: { type: 'dynamodb', region: 'eu-west-3' },
      offline_store: { type: 'file' },
      entity_key_serialization_version: 3,
      dynafeast: { tables: { billing_mode: 'PAY_PER_REQUEST' } },
    });
    expect(text).toMatch(/^ {2}region: eu-west-3 {2}# from --region$/m);
  });

  it.each(TEMPLATE_NAMES)('%s: online_store holds only Feast DynamoDB options, also once uncommented', async (t) => {
    const text = file(await renderTemplateDir(t, t === 'aws' ? AWS_VARS : LOCAL_VARS), 'feature_store.yaml');
    const block = text.slice(text.indexOf('online_store:'), text.indexOf('\noffline_store:'));
    const keys = [...block.matchAll(/^ {2}(?:# )?([a-z_]+):/gm)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThan(1);
    for (const k of keys) expect(FEAST_DYNAMODB_KEYS).toContain(k);
  });

  it.each(TEMPLATE_NAMES)('%s: README gives the next commands with names filled in', async (t) => {
    const readme = file(await renderTemplateDir(t, t === 'aws' ? AWS_VARS : LOCAL_VARS), 'README.md');
    expect(readme).not.toContain('{{');
    expect(readme).toMatch(/^# driver_fs$/m);
    expect(readme).toContain('cd driver-fs/feature_repo');
    for (const cmd of [
      'dynafeast apply',
      'dynafeast materialize-incremental now',
      'dynafeast get-online-features -f driver_hourly_stats:conv_rate -e driver_id=1001',
      'dynafeast teardown',
    ]) {
      expect(readme).toMatch(new RegExp(`^${cmd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
  });
});
