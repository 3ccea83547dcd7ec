import { DynafeastError, isDynafeastError } from '../errors.js';

export interface AwsErrorContext {
  /** The DynamoDB table the call was about. */
  table?: string;
  /** The API call, `BatchWriteItem` or `dynamodb:BatchWriteItem` (`sts:AssumeRole` for STS calls). */
  action?: string;
  /** The endpoint the call went to (AwsClients.endpoint), named when it cannot be reached. */
  endpoint?: string;
}

// NOTE: classified by name/code only, never by message: local servers word their messages differently.
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied']);
const BAD_KEY = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidAccessKeyId']);
const BAD_SIGNATURE = new Set(['InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignatureException']);
const NO_CREDENTIALS = new Set([
  'CredentialsProviderError',
  'TokenProviderError',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
]);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'TimeoutError',
]);

const IAM_POLICY_HINT = '`dynafeast iam-policy` prints the exact policy each command needs.';

/**
 * Turns an error thrown by the AWS SDK (or its credential providers, or the socket under it) into a
 * DynafeastError with a stable code and a next step. Pure. Messages never carry credential values.
 */
export function describeAwsError(e: unknown, ctx: AwsErrorContext = {}): DynafeastError {
  if (isDynafeastError(e)) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const code = typeof err.code === 'string' ? err.code : undefined;
  const serverMessage = typeof err.message === 'string' ? redactSecrets(err.message) : String(e);
  const iamAction = qualifiedAction(ctx.action);
  const call = ctx.action ? ctx.action.replace(/^dynamodb:/, '') : 'request';
  const where = ctx.table ? ` on table "${ctx.table}"` : '';
  const endpoint = ctx.endpoint ?? 'the DynamoDB endpoint';

  if (ACCESS_DENIED.has(name)) {
    return new DynafeastError('dynamo.accessDenied', `Access denied: ${call}${where} (${serverMessage})`, {
      hint:
        `Allow ${iamAction ?? 'the action'}${ctx.table ? ` on the table's ARN` : ''} for the identity ` +
        `dynafeast runs as. ${IAM_POLICY_HINT}`,
      cause: e,
    });
  }
  const credentialProblem = credentialDiagnosis(name);
  if (credentialProblem) {
    // The server's wording is left out on purpose: signature errors echo the signed request.
    return new DynafeastError('dynamo.credentials', `AWS credentials rejected for ${endpoint}: ${credentialProblem}`, {
      hint:
        'Set dynafeast.credentials.profile (or AWS_PROFILE), run `aws sso login` for SSO profiles, or ' +
        'export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; `aws sts get-caller-identity` shows who you are. ' +
        `The identity needs ${iamAction ?? 'the DynamoDB actions of the command'}; ${IAM_POLICY_HINT}`,
      cause: e,
    });
  }
  if (UNREACHABLE.has(name) || (code !== undefined && UNREACHABLE.has(code))) {
    return new DynafeastError(
      'dynamo.unreachable',
      `Could not reach DynamoDB at ${endpoint} (${code ?? name}) during ${call}${where}.`,
      { hint: unreachableHint(ctx.endpoint), cause: e },
    );
  }
  const status = err.$metadata?.httpStatusCode;
  return new DynafeastError(
    'dynamo.failed',
    `DynamoDB ${call}${where} failed: ${name}${status ? ` (HTTP ${status})` : ''}: ${serverMessage}`,
    { hint: failedHint(name, status), cause: e },
  );
}

function qualifiedAction(action: string | undefined): string | undefined {
  if (!action) return undefined;
  return action.includes(':') ? action : `dynamodb:${action}`;
}

function credentialDiagnosis(name: string): string | undefined {
  if (NO_CREDENTIALS.has(name)) return 'no credentials could be found (env, profile, SSO, web identity, ECS, EC2).';
  if (name.startsWith('ExpiredToken') || name === 'RequestExpired') return 'the session token has expired.';
  if (BAD_KEY.has(name)) return 'the access key or security token is not recognised.';
  if (BAD_SIGNATURE.has(name)) return 'the request signature was rejected (wrong secret key or clock skew).';
  return undefined;
}

function unreachableHint(endpoint: string | undefined): string {
  const local = endpoint !== undefined && /\/\/(localhost|127\.|\[::1\])/i.test(endpoint);
  if (local) {
    return (
      'Nothing answers there. Start a server (`dynafeast local`), or set `dynafeast.embedded` in ' +
      'feature_store.yaml so commands start the embedded store themselves.'
    );
  }
  return (
    'Check online_store.region and online_store.endpoint_url, your network and proxy settings ' +
    '(HTTPS_PROXY); online_store.connect_timeout and read_timeout set how long to wait.'
  );
}

function failedHint(name: string, status: number | undefined): string | undefined {
  if (name === 'ResourceNotFoundException') return 'The table does not exist: run `dynafeast apply` first.';
  if (name === 'ProvisionedThroughputExceededException' || name === 'ThrottlingException') {
    return 'Retries were exhausted: lower dynafeast.materialize.concurrency or raise the table capacity.';
  }
  if (name === 'UnknownOperationException') return 'This endpoint does not support the operation.';
  if (status !== undefined && status >= 500) return 'A server-side error: retry later.';
  return undefined;
}

/** Removes access key ids, session tokens and signatures that a server may echo back. */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b/g, '$1…')
    .replace(/(x-amz-security-token[=:]\s*)[^\s&'",]+/gi, '$1…')
    .replace(/(Signature=)[0-9a-f]+/gi, '$1…')
    .replace(/(Credential=)[^\s,]+/gi, '$1…');
}
