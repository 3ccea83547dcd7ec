/** The online reader (DESIGN §4.3) and the shapes it returns. */
export { OnlineReader, type OnlineReaderDeps } from './read-online.js';
export { resolveFeatures, type ResolvedFeature, type FeatureSelection } from './feature-refs.js';
export { convertEntityRows, convertJoinKeyValue, type EntityTable } from './entity-rows.js';
export { toFeastDict, toRows, outputColumns, TIMESTAMP_SUFFIX, STATUS_SUFFIX, type ShapeOptions } from './to-dict.js';
export { type BatchGetSend } from './batch-get-runner.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../util/retry.js';
export type { EntityRows, FieldStatus, OnlineColumn, OnlineFeaturesRequest, OnlineFeaturesColumns, OnlineFeaturesResult, ReadTransport, ValueFormat } from './types.js';
export { createReadSender, dropSdkLogMiddleware, type ReadSender } from './transport.js';
export { createLeanBatchGet, type LeanBatchGet, type LeanBatchGetOptions } from './lean-batch-get.js';
