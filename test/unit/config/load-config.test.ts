import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, loadConfigWithWarnings, parseConfigText } from '../../../src/core/config/load-config.js';
import { failure } from '../../helpers/error-code.js';
import { defined } from '../../helpers/defined.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

const MINIMAL = `project: demo
registry: data/registry.db
provider: aws
online_store:
  region: us-east-1
`;

function parse(text: string, env: Record<string, string> = {}) {
  return parseConfigText(text, { file: 'feature_store.yaml', repoPath: '/repo', env });
}

describe('parseConfigText: defaults', () => {
  it('fills every default from the schema', () => {
    const { config, warnings } = parse(MINIMAL);
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      project: 'demo',
      registry: 'data/registry.db',
      provider: 'aws',
      onlineStore: {
        type: 'dynamodb',
        region: 'us-east-1',
        tableNameTemplate: '{project}.{table_name}',
        batchSize: 100,
        consistentReads: false,
        tags: {},
        sessionBasedAuth: false,
        maxReadWorkers: 10,
        maxPoolConnections: 50,
        keepaliveTimeout: 30,
        connectTimeout: 5,
        readTimeout: 10,
        totalMaxRetryAttempts: 3,
        retryMode: 'adaptive',
        warmupConnections: false,
      },
      offlineStore: { type: 'file' },
      entityKeySerializationVersion: 3,
      dynafeast: {
        tables: {
          billingMode: 'PAY_PER_REQUEST',
          pointInTimeRecovery: false,
          deletionProtection: false,
          tableClass: 'STANDARD',
          ttlExpiry: false,
          ttlAttribute: 'expire_at',
        },
        materialize: { concurrency: 32, monotonicWrites: false, retryBudget: 10000 },
        retry: { baseDelayMs: 25, maxDelayMs: 5000, maxAttempts: 10, maxElapsed: 120, unreachableGrace: 3 },
        credentials: {},
      },
      repoPath: '/repo',
      source: 'feature_store.yaml',
    });
  });

  it('does not share default objects between loads', () => {
    const a = parse(MINIMAL).config;
    a.onlineStore.tags.x = 'y';
    (a.offlineStore as Record<string, unknown>).type = 'dask';
    const b = parse(MINIMAL).config;
    expect(b.onlineStore.tags).toEqual({});
    expect(b.offlineStore).toEqual({ type: 'file' });
  });

  it('treats an empty `embedded:` as enabled with its default path', () => {
    const text = MINIMAL.replace('  region: us-east-1', '  region: us-east-1\n  endpoint_url: http://localhost:4567') + 'dynafeast:\n  embedded:\n';
    expect(parse(text).config.dynafeast.embedded).toEqual({ path: 'data/online_store' });
  });

  it('reads scalars like PyYAML (YAML 1.1) as Feast does', () => {
    const text = MINIMAL + '  consistent_reads: yes\n';
    expect(parse(text).config.onlineStore.consistentReads).toBe(true);
  });

  it('accepts the registry as a mapping and billing mode aliases', () => {
    const text =
      MINIMAL.replace(
        'registry: data/registry.db',
        'registry:\n  path: gs://b/r.db\n  cache_mode: sync\n  cache_ttl_seconds: 60\n  s3_additional_kwargs: {ServerSideEncryption: "aws:kms"}',
      ) + 'dynafeast:\n  tables: {billing_mode: On_Demand}\n';
    const { config, warnings } = parse(text);
    expect(config.registry).toBe('gs://b/r.db');
    expect(config.dynafeast.tables.billingMode).toBe('PAY_PER_REQUEST');
    expect(config.registrySettings).toMatchObject({ cacheTtlSeconds: 60, s3AdditionalKwargs: { ServerSideEncryption: 'aws:kms' } });
    expect(warnings).toEqual([expect.objectContaining({ path: 'registry.cache_mode', location: { file: 'feature_store.yaml', line: 4, column: 3 } })]);
  });

  it('accepts offline_store as a bare type name, as Feast does', () => {
    expect(parse(MINIMAL + 'offline_store: dask\n').config.offlineStore).toEqual({ type: 'dask' });
  });

  it("accepts Feast's full class name as online_store.type", () => {
    const text = MINIMAL.replace('online_store:\n', 'online_store:\n  type: feast.infra.online_stores.dynamodb.DynamoDBOnlineStore\n');
    expect(parse(text).config.onlineStore.type).toBe('dynamodb');
  });

  it('warns about ignored Feast keys and a local provider talking to AWS', () => {
    const text =
      MINIMAL.replace('provider: aws', 'provider: local').replace('online_store:\n', 'online_store:\n  type: dynamodb\n') +
      'flags: {alpha_features: true}\nauth: {type: no_auth}\n';
    const { warnings } = parse(text);
    expect(warnings.map((w) => w.path)).toEqual(['provider', 'flags', 'auth']);
  });

  it('warns when the region does not look like an AWS region', () => {
    expect(parse(MINIMAL.replace('us-east-1', 'local')).warnings.map((w) => w.path)).toEqual(['online_store.region']);
  });
});

describe('parseConfigText: ${VAR} expansion', () => {
  it('expands strings and re-reads unquoted values as YAML scalars', () => {
    const text =
      MINIMAL.replace('us-east-1', '${REGION}') +
      '  batch_size: ${BATCH}\n  consistent_reads: ${CONSISTENT}\n  endpoint_url: "http://${HOST}:8000"\n  tags: {n: "${BATCH}"}\n';
    const { config } = parse(text, { REGION: 'eu-west-3', BATCH: '42', CONSISTENT: 'true', HOST: 'localhost' });
    expect(config.onlineStore).toMatchObject({
      region: 'eu-west-3',
      batchSize: 42,
      consistentReads: true,
      endpointUrl: 'http://localhost:8000',
      tags: { n: '42' },
    });
  });

  it('does not let a variable inject YAML structure', () => {
    const text = MINIMAL.replace('us-east-1', '${REGION}');
    expect(parse(text, { REGION: 'x\nbatch_size: 5' }).config.onlineStore.region).toBe('x\nbatch_size: 5');
  });

  it('reports every undefined variable with the field that uses it', () => {
    const text = MINIMAL.replace('us-east-1', '${NO_REGION}') + '  endpoint_url: http://${NO_HOST}:${NO_PORT}\n';
    const e = failure(() => parse(text));
    expect(e.code).toBe('config.undefinedEnvVar');
    expect(e.details.map((d) => [d.path, d.location?.line])).toEqual([
      ['online_store.region', 5],
      ['online_store.endpoint_url', 6],
      ['online_store.endpoint_url', 6],
    ]);
    expect(defined(e.details[1]).message).toContain('NO_HOST');
  });

  it('never shows an expanded value in an error', () => {
    const secret = 'hunter2-secret-value';
    const text = MINIMAL + `  batch_size: "\${SECRET}"\n  retry_mode: \${SECRET}\n  endpoint_url: \${SECRET}\n`;
    const e = failure(() => parse(text, { SECRET: secret }));
    expect(e.details.length).toBe(2);
    const everything = JSON.stringify([e.message, ...e.details.map((d) => [d.message, d.hint])]);
    expect(everything).not.toContain(secret);
    expect(everything).toContain('${SECRET}');
    // A cross-field rule on an expanded value does not echo it either.
    const e2 = failure(() => parse(MINIMAL + '  endpoint_url: ${SECRET}\n', { SECRET: secret }));
    expect(e2.code).toBe('config.badValue');
    expect(JSON.stringify(e2.details.map((d) => d.message))).not.toContain(secret);
  });
});

describe('parseConfigText: errors', () => {
  it('collects every shape problem, sorted by line, the first on top', () => {
    const text = `project: 1demo
registry: data/registry.db
online_store:
  region: us-east-1
  batch_size: 0
  colour: blue
dynafeast:
  materialize: {concurrency: many}
`;
    const e = failure(() => parse(text));
    expect(e.details.map((d) => [d.code, d.location?.line])).toEqual([
      ['config.badValue', 1],
      ['config.badValue', 5],
      ['config.unknownKey', 6],
      ['config.badType', 8],
    ]);
    expect(e.code).toBe('config.badValue');
    expect(e.location).toEqual({ file: 'feature_store.yaml', line: 1, column: 10 });
    expect(e.message).toContain('4 problems');
  });

  it('runs cross-field rules only once the shape is valid', () => {
    const text = MINIMAL + 'entity_key_serialization_version: 2\nbogus: 1\n';
    const e = failure(() => parse(text));
    expect(e.details.map((d) => d.code)).toEqual(['config.unknownKey']);
  });

  it('accepts old serialization versions only as a clear error', () => {
    const e = failure(() => parse(MINIMAL + 'entity_key_serialization_version: 1\n'));
    expect(e.code).toBe('config.badValue');
    expect(e.path).toBe('entity_key_serialization_version');
    expect(e.hint).toContain('3');
  });

  it.each([
    ['{project}', 'does not contain `{table_name}`'],
    ['{project}.{table_name}.{region}', 'only `{project}` and `{table_name}`'],
    ['{project}/{table_name}', 'characters DynamoDB does not allow'],
    ['{table_name', 'without a closing'],
    ['x}{table_name}', 'single `}`'],
  ])('rejects table_name_template %s', (template, reason) => {
    const e = failure(() => parse(MINIMAL + `  table_name_template: "${template}"\n`));
    expect(e.path).toBe('online_store.table_name_template');
    expect(defined(e.details[0]).message).toContain(reason);
  });

  it('reads `{{` in table_name_template as a literal brace (which table names cannot hold)', () => {
    const e = failure(() => parse(MINIMAL + '  table_name_template: "{{project}}-{project}-{table_name}"\n'));
    expect(defined(e.details[0]).message).toContain('characters DynamoDB does not allow');
  });

  it('rejects a reserved ttl attribute', () => {
    const e = failure(() => parse(MINIMAL + 'dynafeast: {tables: {ttl_attribute: event_ts}}\n'));
    expect(e.path).toBe('dynafeast.tables.ttl_attribute');
  });
});

describe('loadConfigWithWarnings: files and FEATURE_STORE_YAML_BASE64', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempRepoDir('dynafeast-config-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads <repoPath>/feature_store.yaml by default', () => {
    writeFileSync(path.join(dir, 'feature_store.yaml'), MINIMAL);
    const config = loadConfig({ repoPath: dir, env: {} });
    expect(config.repoPath).toBe(dir);
    expect(config.source).toBe(path.join(dir, 'feature_store.yaml'));
  });

  it('reads another file with featureStoreYaml and locates problems in it', () => {
    mkdirSync(path.join(dir, 'envs'));
    writeFileSync(path.join(dir, 'envs', 'prod.yaml'), MINIMAL + '  batch_size: 500\n');
    const e = failure(() => loadConfig({ repoPath: dir, featureStoreYaml: path.join(dir, 'envs', 'prod.yaml'), env: {} }));
    expect(e.location).toEqual({ file: 'envs/prod.yaml', line: 6, column: 15 });
  });

  it('reads the file FEAST_FS_YAML_FILE_PATH names when -f is not given, as Feast does; -f wins', () => {
    mkdirSync(path.join(dir, 'envs'));
    writeFileSync(path.join(dir, 'feature_store.yaml'), MINIMAL);
    writeFileSync(path.join(dir, 'envs', 'staging.yaml'), MINIMAL.replace('demo', 'staging'));
    writeFileSync(path.join(dir, 'envs', 'prod.yaml'), MINIMAL.replace('demo', 'prod'));
    const env = { FEAST_FS_YAML_FILE_PATH: path.join(dir, 'envs', 'staging.yaml') };
    expect(loadConfig({ repoPath: dir, env }).project).toBe('staging');
    expect(loadConfig({ repoPath: dir, env, featureStoreYaml: path.join(dir, 'envs', 'prod.yaml') }).project).toBe('prod');
    expect(loadConfig({ repoPath: dir, env: { FEAST_FS_YAML_FILE_PATH: '' } }).project).toBe('demo');
  });

  it('says config.notFound with a hint when there is no file', () => {
    const e = failure(() => loadConfig({ repoPath: dir, env: {} }));
    expect(e.code).toBe('config.notFound');
    expect(e.hint).toContain('dynafeast init');
  });

  it('prefers FEATURE_STORE_YAML_BASE64 over the file', () => {
    writeFileSync(path.join(dir, 'feature_store.yaml'), 'not: [valid');
    const env = { FEATURE_STORE_YAML_BASE64: Buffer.from(MINIMAL.replace('demo', 'from_env')).toString('base64') };
    const { config } = loadConfigWithWarnings({ repoPath: dir, env });
    expect(config.project).toBe('from_env');
    expect(config.source).toBe('FEATURE_STORE_YAML_BASE64');
  });

  it('ignores an empty FEATURE_STORE_YAML_BASE64', () => {
    writeFileSync(path.join(dir, 'feature_store.yaml'), MINIMAL);
    expect(loadConfig({ repoPath: dir, env: { FEATURE_STORE_YAML_BASE64: '  ' } }).project).toBe('demo');
  });

  it('never echoes a bad FEATURE_STORE_YAML_BASE64 value', () => {
    const value = 'secret_token_value!';
    const e = failure(() => loadConfig({ repoPath: dir, env: { FEATURE_STORE_YAML_BASE64: value } }));
    expect(e.code).toBe('config.badBase64');
    expect(`${e.message} ${e.hint}`).not.toContain(value);
  });
});
