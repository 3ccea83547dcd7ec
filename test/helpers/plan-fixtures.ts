/**
 * Plain repo models and configs for planner and registry unit tests (no YAML, no server).
 */
import type { RepoConfig } from '../../src/core/config/types.js';
import { testConfig } from './config.js';
import { makeSource } from './view-fixtures.js';
import type { RepoModel, FeatureView } from '../../src/core/repo/model.js';

export function makeConfig(
  over: { project?: string; tags?: Record<string, string>; tables?: Partial<RepoConfig['dynafeast']['tables']>; template?: string } = {},
): RepoConfig {
  return testConfig({
    repoPath: '/repo',
    project: over.project ?? 'demo',
    onlineStore: { tableNameTemplate: over.template ?? '{project}.{table_name}', tags: over.tags ?? {} },
    tables: { ttlAttribute: 'dynafeast_expires_at', ...over.tables },
    materialize: { concurrency: 16, retryBudget: 1000 },
  });
}

export function makeView(name: string, over: Partial<FeatureView> = {}): FeatureView {
  return {
    name,
    entities: ['driver'],
    entityColumns: [{ name: 'driver_id', dtype: 'Int64' }],
    ttlMicros: 86_400_000_000n,
    source: 'driver_stats_source',
    online: true,
    features: [
      { name: 'conv_rate', dtype: { kind: 'scalar', scalar: 'Float32' }, description: '', tags: {} },
      { name: 'avg_daily_trips', dtype: { kind: 'scalar', scalar: 'Int64' }, description: '', tags: {} },
    ],
    tags: {},
    description: '',
    owner: '',
    ...over,
  };
}

export function makeRepo(views: FeatureView[] = [makeView('driver_hourly_stats')], services: RepoModel['featureServices'] = []): RepoModel {
  return {
    root: '/repo',
    files: ['features.yaml'],
    entities: [
      { name: 'driver', joinKeys: ['driver_id'], valueType: 'Int64', description: 'a driver', tags: {}, owner: '' },
      { name: '__dummy', joinKeys: ['__dummy_id'], valueType: undefined, description: '', tags: {}, owner: '' },
    ],
    sources: [makeSource('data/driver_stats.parquet', { name: 'driver_stats_source' })],
    featureViews: views,
    featureServices: services,
  };
}
