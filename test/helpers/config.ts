/**
 * RepoConfig for tests and benchmarks, built by the real loader from a minimal feature_store.yaml, so
 * every default comes from the schema (src/core/config/schema.ts) rather than a hand-kept copy.
 */
import { parseConfigText } from '../../src/core/config/load-config.js';
import type { RepoConfig } from '../../src/core/config/types.js';

export interface TestConfigOptions {
  repoPath: string;
  project?: string;
  endpointUrl?: string;
  onlineStore?: Partial<RepoConfig['onlineStore']>;
  tables?: Partial<RepoConfig['dynafeast']['tables']>;
  materialize?: Partial<RepoConfig['dynafeast']['materialize']>;
  dynafeast?: Partial<RepoConfig['dynafeast']>;
}

export interface FeatureStoreYamlOptions {
  project: string;
  /** `online_store.endpoint_url`; may be `${VAR}`. None: AWS itself. */
  endpoint?: string;
  registry?: string;
  /** Extra YAML lines appended under `online_store:` (two-space indented by the caller). */
  onlineStoreLines?: string[];
  /** A top-level `dynafeast:` block, verbatim. */
  dynafeastBlock?: string;
}

/** The feature_store.yaml of test repos and benchmarks: Feast's DynamoDB online store in us-east-1. */
export function featureStoreYaml(s: FeatureStoreYamlOptions): string {
  return [
    `project: ${s.project}`,
    `registry: ${s.registry ?? 'data/registry.db'}`,
    'provider: aws',
    'online_store:',
    '  type: dynamodb',
    '  region: us-east-1',
    ...(s.endpoint === undefined ? [] : [`  endpoint_url: "${s.endpoint}"`]),
    ...(s.onlineStoreLines ?? []),
    'offline_store: {type: file}',
    'entity_key_serialization_version: 3',
    ...(s.dynafeastBlock ? [s.dynafeastBlock] : []),
    '',
  ].join('\n');
}

export function testConfig(o: TestConfigOptions): RepoConfig {
  const yaml = featureStoreYaml({ project: o.project ?? 'test_project' });
  const { config } = parseConfigText(yaml, { file: 'feature_store.yaml', repoPath: o.repoPath, env: {} });
  return {
    ...config,
    source: `${o.repoPath}/feature_store.yaml`,
    onlineStore: { ...config.onlineStore, ...(o.endpointUrl ? { endpointUrl: o.endpointUrl } : {}), ...o.onlineStore },
    dynafeast: {
      ...config.dynafeast,
      tables: { ...config.dynafeast.tables, ...o.tables },
      materialize: { ...config.dynafeast.materialize, ...o.materialize },
      ...o.dynafeast,
    },
  };
}
