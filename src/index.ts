/**
 * dynafeast as a library: `import { FeatureStore } from 'dynafeast'`.
 */
export { FeatureStore, type FeatureStoreOptions, type GetOnlineFeaturesOptions } from './core/feature-store.js';
export type {
  EntityRows,
  FieldStatus,
  OnlineColumn,
  OnlineFeaturesColumns,
  OnlineFeaturesRequest,
  OnlineFeaturesResult,
  ReadTransport,
  ValueFormat,
} from './core/online/types.js';
export type { AwsCredentials, AwsCredentialsProvider } from './core/aws/identity.js';
export { toFeastDict, toRows, TIMESTAMP_SUFFIX, STATUS_SUFFIX, type ShapeOptions } from './core/online/to-dict.js';
export { DynafeastError, isDynafeastError, type ErrorCode } from './core/errors.js';
export { createServer, type FeatureServer, type ServeOptions, type AccessLogEntry } from './core/serve/server.js';
export { ServeMetrics } from './core/serve/metrics.js';
export { systemClock, fixedClock, type Clock, type Logger } from './core/context.js';
