/**
 * The repo the write benchmark materializes: Feast's driver stats view over a generated parquet file,
 * with a config pointing at the benchmark's endpoint.
 */
import type { RepoConfig } from '../../src/core/config/types.js';
import { testConfig } from '../../test/helpers/config.js';
import type { FeatureView, RepoModel } from '../../src/core/repo/model.js';
import { makeSource } from '../../test/helpers/view-fixtures.js';
import { makeRepo, makeView } from '../../test/helpers/plan-fixtures.js';

export const BENCH_VIEW = 'driver_hourly_stats';

export function benchRepo(root: string, parquetPath: string): RepoModel {
  const features: FeatureView['features'] = [
    { name: 'conv_rate', dtype: { kind: 'scalar', scalar: 'Float32' }, description: '', tags: {} },
    { name: 'acc_rate', dtype: { kind: 'scalar', scalar: 'Float32' }, description: '', tags: {} },
    { name: 'avg_daily_trips', dtype: { kind: 'scalar', scalar: 'Int64' }, description: '', tags: {} },
  ];
  return {
    ...makeRepo([makeView(BENCH_VIEW, { ttlMicros: 0n, features })]),
    root,
    files: [],
    sources: [makeSource(parquetPath, { name: 'driver_stats_source' })],
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
