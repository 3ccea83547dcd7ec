import type { EnvValue } from './expand-env.js';
import type { SourceLocation } from '../errors.js';

/**
 * The validated `feature_store.yaml`. Feast keys keep Feast's meaning; dynafeast's own settings live
 * under the top-level `dynafeast:` key (architecture.md §2.1). Defaults are applied by the loader.
 */
export interface DynamoDBOnlineStoreConfig {
  type: 'dynamodb';
  region: string;
  endpointUrl?: string;
  /** Python format string with `{project}` and `{table_name}`. */
  tableNameTemplate: string;
  batchSize: number;
  consistentReads: boolean;
  tags: Record<string, string>;
  sessionBasedAuth: boolean;
  maxReadWorkers: number;
  maxPoolConnections: number;
  keepaliveTimeout?: number;
  connectTimeout: number;
  readTimeout: number;
  totalMaxRetryAttempts: number;
  retryMode: 'adaptive' | 'standard' | 'legacy';
  warmupConnections: boolean;
}

export interface TableSettings {
  billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  readCapacityUnits?: number;
  writeCapacityUnits?: number;
  pointInTimeRecovery: boolean;
  deletionProtection: boolean;
  tableClass: 'STANDARD' | 'STANDARD_INFREQUENT_ACCESS';
  /** KMS key id/ARN for SSE; undefined = AWS owned key. */
  sseKmsKeyId?: string;
  streamViewType?: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
  /** Enable DynamoDB TTL expiry of items older than the view's ttl. */
  ttlExpiry: boolean;
  /** Name of the numeric expiry attribute written when ttlExpiry is on. */
  ttlAttribute: string;
}

export interface MaterializeSettings {
  /** BatchWriteItem requests in flight. */
  concurrency: number;
  monotonicWrites: boolean;
  /** Total retries allowed for one run before it fails. */
  retryBudget: number;
}

/** dynafeast.retry: the one retry policy (util/retry.ts). */
export interface RetrySettings {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  /** Seconds. */
  maxElapsed: number;
  /** Seconds. */
  unreachableGrace: number;
}

export interface EmbeddedSettings {
  /** Folder (relative to the repo) that holds the dynalite data. */
  path: string;
}

export interface CredentialSettings {
  profile?: string;
  roleArn?: string;
  externalId?: string;
  roleSessionName?: string;
}

export interface DynafeastSettings {
  tables: TableSettings;
  materialize: MaterializeSettings;
  retry: RetrySettings;
  embedded?: EmbeddedSettings;
  credentials: CredentialSettings;
}

export interface RegistrySettings {
  registryType?: 'file';
  /** boto3 PutObject parameters for an s3:// registry (s3-registry.ts checks them). */
  s3AdditionalKwargs?: Record<string, unknown>;
  cacheTtlSeconds?: number;
}

export interface RepoConfig {
  project: string;
  /** Feast's `project_description` (written to the registry's project spec). */
  projectDescription?: string;
  /** Registry path as written (relative to the repo root unless absolute or s3://). */
  registry: string;
  /** The other fields of a `registry:` mapping (absent when `registry` is a bare path). */
  registrySettings?: RegistrySettings;
  provider: 'aws' | 'local';
  onlineStore: DynamoDBOnlineStoreConfig;
  /** Kept as written; dynafeast reads sources itself (Feast needs `type: file`). */
  offlineStore: Record<string, unknown>;
  entityKeySerializationVersion: 3;
  dynafeast: DynafeastSettings;
  /** Absolute repo root. */
  repoPath: string;
  /** Where the config came from: a file path or `FEATURE_STORE_YAML_BASE64`. */
  source: string;
  /**
   * Settings whose value came from `${VAR}` expansion and may be secret (all but those that say where
   * things are, see `isShownSetting`): the CLI hides these values in everything it prints.
   */
  envValues?: readonly EnvValue[];
}

/** A problem that does not stop loading (e.g. a Feast key dynafeast ignores). */
export interface ConfigWarning {
  message: string;
  /** Field path, e.g. `registry.cache_ttl_seconds`. */
  path?: string;
  location?: SourceLocation;
}
