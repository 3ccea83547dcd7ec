/**
 * The one classification of AWS errors — thrown by the SDK, by the lean client (same `name` / `code` /
 * `$metadata.httpStatusCode`), by a proxy on the way, or by the socket under them. Every retry decision
 * and every message (errors.ts) is made from it.
 *
 * NOTE: by `name` / `code` / HTTP status only, never by message: local servers (dynalite, DynamoDB
 * Local, moto) word their messages differently, and AWS changes wording.
 */
export type AwsErrorKind =
  /** The service asked us to slow down (throttling, 429): retried with backoff. */
  | 'throttled'
  /** A 5xx, a read timeout, a connection dropped mid-request: retried with backoff. */
  | 'transient-network'
  /** Nothing answers at the endpoint (refused, no such host, no route): retried only for a short grace. */
  | 'endpoint-unreachable'
  /** Missing, expired or rejected credentials, or access denied: never retried. */
  | 'auth'
  | 'not-found'
  | 'validation'
  /** A conditional write found a newer item: the expected outcome of monotonic writes. */
  | 'conditional-failed'
  | 'other';

const THROTTLED_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'Throttling',
  'TooManyRequestsException',
  'SlowDown',
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
// The request did not complete (dropped mid-way, or no answer in time): worth a resend.
// NOTE: ETIMEDOUT is here, not below: the SDK gives its read timeout that code too, so a slow server
// and an unanswered connect cannot be told apart by code; attempts × read_timeout bound both.
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ETIMEDOUT']);
// Nobody answers there at all.
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const ACCESS_DENIED_NAMES = new Set(['AccessDeniedException', 'AccessDenied']);
const BAD_KEY_NAMES = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidAccessKeyId']);
const BAD_SIGNATURE_NAMES = new Set(['InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignatureException']);
const NO_CREDENTIALS_NAMES = new Set(['CredentialsProviderError', 'TokenProviderError', 'MissingAuthenticationToken', 'MissingAuthenticationTokenException']);
/** Raised on this machine by the SDK's credential providers (their wording names the profile or file). */
export const PROVIDER_ERROR_NAMES: ReadonlySet<string> = new Set(['CredentialsProviderError', 'TokenProviderError']);
const NOT_FOUND_NAMES = new Set(['ResourceNotFoundException', 'TableNotFoundException', 'NoSuchKey', 'NoSuchBucket']);
const VALIDATION_NAMES = new Set([
  'ValidationException',
  'SerializationException',
  'InvalidParameterValueException',
  'InvalidParameterCombinationException',
  'MissingParameter',
  'ItemCollectionSizeLimitExceededException',
]);
const UNSUPPORTED_NAMES = new Set(['UnknownOperationException', 'NotImplementedException', 'NotImplemented', 'InvalidAction']);
/** TLS failures: a plain-HTTP server behind an https:// URL, or a certificate Node does not trust. */
const TLS_CODE = /^(EPROTO|ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_(GET|VERIFY)|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT)/;

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
  $response?: { headers?: Record<string, string | undefined> };
  retryAfterMs?: unknown;
}

const shape = (e: unknown): ErrorShape => (typeof e === 'object' && e !== null ? (e as ErrorShape) : {});

/** The error's `name` ('' when it has none). */
export function awsErrorName(e: unknown): string {
  const name = shape(e).name;
  return typeof name === 'string' ? name : '';
}

/** The socket / system error code (ECONNREFUSED…), when there is one. */
export function awsErrorCode(e: unknown): string | undefined {
  const code = shape(e).code;
  return typeof code === 'string' ? code : undefined;
}

export function httpStatusOf(e: unknown): number | undefined {
  return shape(e).$metadata?.httpStatusCode;
}

export function classifyAwsError(e: unknown): AwsErrorKind {
  const err = shape(e);
  const name = awsErrorName(e);
  const code = awsErrorCode(e) ?? '';
  const status = err.$metadata?.httpStatusCode;
  if (THROTTLED_NAMES.has(name) || err.$retryable?.throttling === true || status === 429) return 'throttled';
  if (UNREACHABLE_CODES.has(code) || UNREACHABLE_CODES.has(name)) return 'endpoint-unreachable';
  if (TRANSIENT_CODES.has(code) || TRANSIENT_CODES.has(name) || TRANSIENT_NAMES.has(name)) return 'transient-network';
  if (name === 'ConditionalCheckFailedException') return 'conditional-failed';
  if (ACCESS_DENIED_NAMES.has(name) || credentialProblemOf(name) !== undefined || status === 407) return 'auth';
  if (NOT_FOUND_NAMES.has(name)) return 'not-found';
  if (VALIDATION_NAMES.has(name)) return 'validation';
  if (status !== undefined && status >= 500 && status !== 501) return 'transient-network';
  return 'other';
}

/** Kinds a retry loop resends; `endpoint-unreachable` only within the policy's grace (see retry.ts). */
export function isRetryableKind(kind: AwsErrorKind): boolean {
  return kind === 'throttled' || kind === 'transient-network' || kind === 'endpoint-unreachable';
}

export type CredentialProblem = 'missing' | 'expired' | 'bad-key' | 'bad-signature';

function credentialProblemOf(name: string): CredentialProblem | undefined {
  if (NO_CREDENTIALS_NAMES.has(name)) return 'missing';
  if (name.startsWith('ExpiredToken') || name === 'RequestExpired') return 'expired';
  if (BAD_KEY_NAMES.has(name)) return 'bad-key';
  if (BAD_SIGNATURE_NAMES.has(name)) return 'bad-signature';
  return undefined;
}

/** What is wrong with the credentials, for an `auth` error that is not a plain access denial. */
export const credentialProblem = (e: unknown): CredentialProblem | undefined => credentialProblemOf(awsErrorName(e));
export const isAccessDenied = (e: unknown): boolean => ACCESS_DENIED_NAMES.has(awsErrorName(e));
export const isNotFound = (e: unknown): boolean => classifyAwsError(e) === 'not-found';
export const isInUse = (e: unknown): boolean => awsErrorName(e) === 'ResourceInUseException';
/** PITR is briefly unavailable on a table that was just created. */
export const isContinuousBackupsUnavailable = (e: unknown): boolean => awsErrorName(e) === 'ContinuousBackupsUnavailableException';

/** The endpoint does not implement the operation (dynalite, some emulators). */
export function isUnsupportedOperation(e: unknown): boolean {
  return UNSUPPORTED_NAMES.has(awsErrorName(e)) || httpStatusOf(e) === 501;
}

/** The TLS handshake failed; the code (EPROTO, CERT_…) when so. */
export function tlsFailureCode(e: unknown): string | undefined {
  const code = awsErrorCode(e);
  return code !== undefined && TLS_CODE.test(code) ? code : undefined;
}

const TIMEOUTS = new Set(['ETIMEDOUT', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/**
 * What happened to the connection, for network failures: nobody answers (`unreachable`), no answer in
 * time (`timeout`), or the connection closed mid-request (`dropped`); undefined for anything else.
 */
export function networkFailureOf(e: unknown): 'unreachable' | 'timeout' | 'dropped' | undefined {
  const id = awsErrorCode(e) ?? awsErrorName(e);
  if (TIMEOUTS.has(id)) return 'timeout';
  if (UNREACHABLE_CODES.has(id)) return 'unreachable';
  if (TRANSIENT_CODES.has(id)) return 'dropped';
  return undefined;
}

/**
 * The endpoint gave no answer: none in time (a read or connect timeout, the SDK's or the lean client's)
 * or none at all (refused, no such host, no route). The one test of "the endpoint did not answer": a
 * caller that would only wait the same again on its next call stops at the first such error. A dropped
 * connection is not one: the server was reached, and the next call may well get through.
 */
export function endpointGaveNoAnswer(e: unknown): boolean {
  const failure = networkFailureOf(e);
  return failure === 'timeout' || failure === 'unreachable';
}

/**
 * The error a sender's own timer raises (the lean client's read and connect timeouts): shaped as the
 * SDK shapes its own (`TimeoutError` for no answer, `ETIMEDOUT` for no connection), so the one
 * classification above reads it as a timeout and describeAwsError words it as every other.
 */
export function noAnswerInTime(host: string, ms: number, waitedFor: 'answer' | 'connection'): Error {
  if (waitedFor === 'answer') return Object.assign(new Error(`no answer from ${host} within ${ms} ms`), { name: 'TimeoutError' });
  return Object.assign(new Error(`no connection to ${host} within ${ms} ms`), { code: 'ETIMEDOUT' });
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EADDRNOTAVAIL: 'address not available',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ECONNABORTED: 'connection aborted',
  UND_ERR_SOCKET: 'connection closed',
  TimeoutError: 'no answer in time',
  RequestTimeout: 'no answer in time',
  RequestTimeoutException: 'no answer in time',
};

/** Plain words for a network error: "connection refused", "no such host"… (the code itself otherwise). */
export function networkReason(e: unknown): string {
  const code = awsErrorCode(e);
  const name = awsErrorName(e);
  return (code !== undefined ? REASONS[code] : undefined) ?? REASONS[name] ?? code ?? (name || 'network error');
}

/**
 * How long the service asked us to wait (a `Retry-After` header, in seconds or as an HTTP date), when it
 * did. The lean client copies the header onto its errors as `retryAfterMs`; SDK errors keep `$response`.
 */
export function retryAfterHintMs(e: unknown, nowMs: number = Date.now()): number | undefined {
  const err = shape(e);
  if (typeof err.retryAfterMs === 'number' && Number.isFinite(err.retryAfterMs) && err.retryAfterMs >= 0) return err.retryAfterMs;
  const header = err.$response?.headers?.['retry-after'] ?? err.$response?.headers?.['Retry-After'];
  return parseRetryAfter(header, nowMs);
}

export function parseRetryAfter(header: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
