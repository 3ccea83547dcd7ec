import type { FileSource } from '../../../src/core/repo/model.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigWithWarnings } from '../../../src/core/config/load-config.js';
import { loadRepo } from '../../../src/core/repo/load-repo.js';
import { defined } from '../../helpers/defined.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/good');

describe('good fixtures', () => {
  it('loads the embedded driver demo (the template config) with defaults applied', () => {
    const repoPath = path.join(fixtures, 'driver_demo');
    const { config, warnings } = loadConfigWithWarnings({ repoPath, env: {} });
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      project: 'driver_demo',
      registry: 'data/registry.db',
      provider: 'aws',
      entityKeySerializationVersion: 3,
      offlineStore: { type: 'file' },
      repoPath,
      source: path.join(repoPath, 'feature_store.yaml'),
      onlineStore: {
        type: 'dynamodb',
        region: 'us-east-1',
        endpointUrl: 'http://127.0.0.1:4567',
        tableNameTemplate: '{project}.{table_name}',
        batchSize: 100,
        consistentReads: false,
        tags: {},
        sessionBasedAuth: false,
        maxReadWorkers: 10,
        maxPoolConnections: 50,
        connectTimeout: 5,
        readTimeout: 10,
        totalMaxRetryAttempts: 3,
        retryMode: 'adaptive',
        warmupConnections: false,
      },
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
        embedded: { path: 'data/online_store' },
        credentials: {},
      },
    });

    const repo = loadRepo(repoPath, config);
    expect(repo.files).toEqual(['features.yaml']);
    expect(repo.entities.map((e) => e.name)).toEqual(['driver', '__dummy']);
    const view = defined(repo.featureViews[0]);
    expect(view).toMatchObject({
      name: 'driver_hourly_stats',
      entities: ['driver'],
      entityColumns: [{ name: 'driver_id', dtype: 'Int64' }],
      ttlMicros: 86_400_000_000n,
      online: true,
      tags: { team: 'driver_performance' },
      location: { file: 'features.yaml', line: 13, column: 5 },
    });
    expect(view.features.map((f) => f.name)).toEqual(['conv_rate', 'acc_rate', 'avg_daily_trips']);
    expect(defined(repo.featureServices[0]).projections).toEqual([{ featureView: 'driver_hourly_stats', features: ['conv_rate', 'acc_rate'] }]);
    expect(repo.sources[0]).toMatchObject({ format: 'parquet', createdTimestampColumn: 'created', fieldMapping: {} });
  });

  it('loads a multi-file repo with env expansion, aliases and entityless views', () => {
    const repoPath = path.join(fixtures, 'multi_file');
    const env = { AWS_REGION: 'eu-west-1', READ_BATCH: '50', EXTERNAL_ID: 'abc-123' };
    const { config, warnings } = loadConfigWithWarnings({ repoPath, env });
    expect(config.onlineStore.region).toBe('eu-west-1');
    expect(config.onlineStore.batchSize).toBe(50);
    expect(config.registry).toBe('s3://my-bucket/registry.db');
    expect(config.projectDescription).toBe('Ride sharing features');
    expect(config.dynafeast.tables).toMatchObject({ billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 10 });
    expect(config.dynafeast.credentials).toEqual({ profile: 'ml-prod', roleArn: 'arn:aws:iam::123456789012:role/feature-writer', externalId: 'abc-123' });
    expect(config.dynafeast.embedded).toBeUndefined();
    expect(warnings.map((w) => w.path)).toEqual(['coerce_tz_aware']);

    const repo = loadRepo(repoPath, config);
    expect(repo.files).toEqual(['defs/entities.yml', 'defs/sources.yaml', 'defs/views.yaml']);
    const [trips, weather] = repo.featureViews;
    expect(defined(trips).entityColumns).toEqual([
      { name: 'driver_id', dtype: 'Int64' },
      { name: 'customer_id', dtype: 'String' },
    ]);
    expect(defined(trips).ttlMicros).toBe(36n * 3_600_000_000n);
    expect(defined(trips?.features[1]).dtype).toEqual({ kind: 'list', scalar: 'Float32' });
    expect(weather).toMatchObject({ entities: ['__dummy'], entityColumns: [{ name: '__dummy_id', dtype: 'String' }], ttlMicros: 0n });
    expect(repo.sources.map((s) => (s as FileSource).format)).toEqual(['parquet', 'csv']);
    expect(defined(repo.featureServices[0]).projections).toEqual([
      { featureView: 'driver_customer_trips', features: ['trip_count', 'last_ratings'] },
      { featureView: 'city_weather', features: ['temperature'] },
    ]);
    expect(repo.entities.at(-1)).toEqual({ name: '__dummy', joinKeys: ['__dummy_id'], valueType: undefined, description: '', tags: {}, owner: '' });
  });
});
