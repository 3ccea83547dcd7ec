/**
 * Which AWS errors are worth retrying, shared by the write path (materialize) and the lean read path:
 * throttling, 5xx and dropped connections are; anything else fails at once.
 */
export type FailureKind = 'throttle' | 'transient' | 'fatal';

// NOTE: by name/code only (CONVENTIONS 15): local servers word their messages differently.
const THROTTLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'Throttling',
  'TooManyRequestsException',
]);
const TRANSIENT_NAMES = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** Classifies an error thrown by a write request. */
export function classifyFailure(e: unknown): FailureKind {
  if (typeof e !== 'object' || e === null) return 'fatal';
  const err = e as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  const name = typeof err.name === 'string' ? err.name : '';
  const code = typeof err.code === 'string' ? err.code : '';
  if (THROTTLE_NAMES.has(name) || err.$retryable?.throttling === true || err.$metadata?.httpStatusCode === 429) return 'throttle';
  if (TRANSIENT_NAMES.has(name) || TRANSIENT_CODES.has(code) || TRANSIENT_CODES.has(name)) return 'transient';
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'transient';
  // A socket closed mid-response surfaces without a code on some Node versions.
  if (name === 'Error' && typeof (e as Error).message === 'string' && (e as Error).message === 'socket hang up') return 'transient';
  return 'fatal';
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The endpoint could not be reached at all (nothing listening, no such host): worth a retry during a
 * blip, but not for hours — callers give up once nothing has succeeded for a while.
 */
export function isUnreachable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code);
}
