/**
 * The repo the write benchmark materializes: Feast's driver stats view over a generated parquet file,
 * with a config pointing at the benchmark's endpoint.
 */
import type { RepoConfig } from '../../src/core/config/types.js';
import { testConfig } from '../../test/helpers/config.js';
import type { FeatureView, RepoModel } from '../../src/core/repo/model.js';

export const BENCH_VIEW = 'driver_hourly_stats';

export function benchRepo(root: string, parquetPath: string): RepoModel {
  const view: FeatureView = {
    name: BENCH_VIEW,
    entities: ['driver'],
    entityColumns: [{ name: 'driver_id', dtype: 'Int64' }],
    ttlMicros: 0n,
    source: 'driver_stats_source',
    online: true,
    features: [
      { name: 'conv_rate', dtype: { kind: 'scalar', scalar: 'Float32' }, description: '', tags: {} },
      { name: 'acc_rate', dtype: { kind: 'scalar', scalar: 'Float32' }, description: '', tags: {} },
      { name: 'avg_daily_trips', dtype: { kind: 'scalar', scalar: 'Int64' }, description: '', tags: {} },
    ],
    tags: {},
    description: '',
    owner: '',
  };
  return {
    root,
    files: [],
    entities: [{ name: 'driver', joinKeys: ['driver_id'], valueType: 'Int64', description: '', tags: {}, owner: '' }],
    sources: [
      {
        name: 'driver_stats_source',
        type: 'file',
        path: parquetPath,
        format: 'parquet',
        timestampField: 'event_timestamp',
        createdTimestampColumn: 'created',
        fieldMapping: {},
        description: '',
        tags: {},
        owner: '',
      },
    ],
    featureViews: [view],
    featureServices: [],
  };
}

export function benchConfig(root: string, endpointUrl: string, concurrency: number, monotonic = false): RepoConfig {
  return testConfig({
    repoPath: root,
    project: 'bench',
    endpointUrl,
    onlineStore: { readTimeout: 30, retryMode: 'standard' },
    tables: { ttlAttribute: 'dynafeast_expires_at' },
    materialize: { concurrency, monotonicWrites: monotonic, retryBudget: 100_000 },
  });
}
