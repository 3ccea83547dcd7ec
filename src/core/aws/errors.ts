import { DynafeastError, isDynafeastError } from '../errors.js';
import {
  awsErrorCode,
  classifyAwsError,
  credentialProblem,
  isAccessDenied,
  networkFailureOf,
  networkReason,
  PROVIDER_ERROR_NAMES,
  tlsFailureCode,
  type AwsErrorKind,
  type CredentialProblem,
} from './aws-errors.js';
import { redactSecrets } from '../redact.js';
import { ProxyError } from './proxy.js';

export interface AwsErrorContext {
  /** The DynamoDB table the call was about. */
  table?: string;
  /** The API call, `BatchWriteItem` or `dynamodb:BatchWriteItem` (`sts:AssumeRole` for STS calls). */
  action?: string;
  /** The endpoint the call went to (AwsClients.endpoint), named when it cannot be reached. */
  endpoint?: string;
}

const IAM_POLICY_HINT = '`dynafeast iam-policy` prints the exact policy each command needs.';

/**
 * Turns an error thrown by the AWS SDK (or its credential providers, or the socket under it) into a
 * DynafeastError with a stable code and a next step. Pure. Messages never carry credential values.
 * Which kind of failure it is comes from the one classification (aws-errors.ts); this only words it.
 */
export function describeAwsError(e: unknown, ctx: AwsErrorContext = {}): DynafeastError {
  if (isDynafeastError(e)) return e;
  if (e instanceof ProxyError) return describeProxyError(e, ctx);
  const err = (typeof e === 'object' && e !== null ? e : {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const code = awsErrorCode(e);
  const kind = classifyAwsError(e);
  const serverMessage = typeof err.message === 'string' ? redactSecrets(err.message) : String(e);
  const iamAction = qualifiedAction(ctx.action);
  const call = ctx.action ? ctx.action.replace(/^dynamodb:/, '') : 'request';
  const where = ctx.table ? ` on table "${ctx.table}"` : '';
  const endpoint = ctx.endpoint ?? 'the DynamoDB endpoint';

  if (isAccessDenied(e)) {
    return new DynafeastError('dynamo.accessDenied', `Access denied: ${call}${where} (${serverMessage})`, {
      hint: `Allow ${iamAction ?? 'the action'}${ctx.table ? ` on the table's ARN` : ''} for the identity ` + `dynafeast runs as. ${IAM_POLICY_HINT}`,
      cause: e,
    });
  }
  const problem = credentialProblem(e);
  if (problem) {
    // The server's wording is left out on purpose: signature errors echo the signed request.
    // A provider's own wording is local (it names the profile or file it tried) and worth showing.
    const provider = PROVIDER_ERROR_NAMES.has(name) && !/from any providers/.test(serverMessage) ? ` ${serverMessage}` : '';
    return new DynafeastError('dynamo.credentials', `AWS credentials rejected for ${endpoint}: ${CREDENTIAL_PROBLEMS[problem]}${provider}`, {
      hint:
        'Set dynafeast.credentials.profile (or AWS_PROFILE), run `aws sso login` for SSO profiles, or ' +
        'export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; `aws sts get-caller-identity` shows who you are. ' +
        `The identity needs ${iamAction ?? 'the DynamoDB actions of the command'}; ${IAM_POLICY_HINT}`,
      cause: e,
    });
  }
  const tls = tlsFailureCode(e);
  if (tls !== undefined) {
    return new DynafeastError('dynamo.unreachable', `The TLS handshake with ${endpoint} failed (${tls}) during ${call}${where}.`, {
      hint:
        'A local server (dynalite, DynamoDB Local, moto) speaks plain HTTP: write online_store.endpoint_url with http://. ' +
        'For a proxy or private CA, point NODE_EXTRA_CA_CERTS at its certificate.',
      cause: e,
    });
  }
  const network = networkFailureOf(e);
  if (network !== undefined) {
    // NOTE: the first words are what a user greps for; a loopback endpoint is almost always a local
    // server that is not running (or was stopped mid-run). A dropped connection means the server was
    // reached: "nothing answers there" would mislead, so its hint says what dropped it.
    const tail = kind === 'endpoint-unreachable' && isLoopback(ctx.endpoint) ? ' — is `dynafeast local` running?' : '';
    return new DynafeastError('dynamo.unreachable', `cannot reach ${endpoint}: ${networkReason(e)} (${code ?? name}, during ${call}${where})${tail}`, {
      hint: network === 'timeout' ? timeoutHint(endpoint) : network === 'dropped' ? droppedHint(endpoint, ctx.endpoint) : unreachableHint(ctx.endpoint),
      cause: e,
    });
  }
  const status = err.$metadata?.httpStatusCode;
  if (status === 407) {
    // Only a proxy answers 407: one in HTTP_PROXY for an http endpoint answers in the server's place.
    return new DynafeastError(
      'dynamo.unreachable',
      `A proxy on the way to ${endpoint} asked for credentials (HTTP 407 Proxy Authentication Required) during ${call}${where}.`,
      {
        hint: PROXY_CREDENTIALS_HINT('HTTP_PROXY / HTTPS_PROXY'),
        cause: e,
      },
    );
  }
  if (name === 'SyntaxError' || /Deserialization error/.test(serverMessage)) {
    // The SDK could not parse the answer: whatever answered is not DynamoDB (a web server, a proxy page).
    return new DynafeastError(
      'dynamo.failed',
      `${endpoint} answered ${call}${where} with${status ? ` HTTP ${status} and` : ''} a body that is not a DynamoDB response.`,
      { hint: 'Check online_store.endpoint_url: it must point at DynamoDB or a DynamoDB-compatible server (dynalite, DynamoDB Local, moto).', cause: e },
    );
  }
  return new DynafeastError('dynamo.failed', `DynamoDB ${call}${where} failed: ${name}${status ? ` (HTTP ${status})` : ''}: ${serverMessage}`, {
    hint: failedHint(name, kind, status, call),
    cause: e,
  });
}

const PROXY_CREDENTIALS_HINT = (source: string): string =>
  `Put the proxy's user name and password in ${source} as http://user:password@host:port (percent-encode @ : / in them), ` +
  'or add the endpoint host to NO_PROXY if it can be reached without the proxy.';

/** The proxy named in HTTPS_PROXY / HTTP_PROXY failed: say which, from where, and never its credentials. */
function describeProxyError(e: ProxyError, ctx: AwsErrorContext): DynafeastError {
  const { label, source } = e.route;
  const call = ctx.action ? ctx.action.replace(/^dynamodb:/, '') : 'request';
  const during = ` during ${call}${ctx.table ? ` on table "${ctx.table}"` : ''}`;
  const proxy = `the proxy ${label} (from ${source})`;
  const status = e.status;
  let message: string;
  let hint: string;
  if (status === 407) {
    message = `${capital(proxy)} refused the connection to ${e.target}: it wants credentials (HTTP 407)${during}.`;
    hint = PROXY_CREDENTIALS_HINT(source);
  } else if (status !== undefined && status >= 500) {
    message = `${capital(proxy)} could not connect to ${e.target} (HTTP ${status})${during}.`;
    hint = `The proxy could not reach the endpoint: check online_store.region and endpoint_url, or add the host to NO_PROXY if it must be reached directly.`;
  } else if (status !== undefined) {
    message = `${capital(proxy)} refused the connection to ${e.target} (HTTP ${status})${during}.`;
    hint = `Ask the proxy's administrators to allow connections to ${e.target}, or add the host to NO_PROXY if it can be reached without the proxy.`;
  } else {
    const why = e.code === 'ETIMEDOUT' ? 'did not answer in time' : `could not be reached (${e.code ?? 'connection closed'})`;
    message = `${capital(proxy)} ${why} on the way to ${e.target}${during}.`;
    hint = `Check ${source} (http://host:port) and that the proxy is running, unset it to connect directly, or add the host to NO_PROXY.`;
  }
  return new DynafeastError('dynamo.unreachable', message, { hint, cause: e });
}

const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function qualifiedAction(action: string | undefined): string | undefined {
  if (!action) return undefined;
  return action.includes(':') ? action : `dynamodb:${action}`;
}

const CREDENTIAL_PROBLEMS: Record<CredentialProblem, string> = {
  missing: 'no credentials could be found (env, profile, SSO, web identity, ECS, EC2).',
  expired: 'the session token has expired.',
  'bad-key': 'the access key or security token is not recognised.',
  'bad-signature': 'the request signature was rejected (wrong secret key or clock skew).',
};

const isLoopback = (endpoint: string | undefined): boolean => endpoint !== undefined && /\/\/(localhost|127\.|\[::1\])/i.test(endpoint);

function unreachableHint(endpoint: string | undefined): string {
  if (isLoopback(endpoint)) {
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

function droppedHint(endpoint: string, configured: string | undefined): string {
  const local = isLoopback(configured);
  return (
    `${endpoint} closed the connection in the middle of the request (the server, a proxy or a load balancer ` +
    'dropped it). Run the command again; if it keeps happening, check the server and any proxy in between' +
    (local ? ', or start the local server again if it stopped (`dynafeast local`).' : '.')
  );
}

function timeoutHint(endpoint: string): string {
  return (
    `${endpoint} did not answer in time. Check online_store.endpoint_url and region, that the server is up and ` +
    'not overloaded, and your network; online_store.connect_timeout and read_timeout (seconds) set how long to wait.'
  );
}

const READ_CALLS = new Set(['BatchGetItem', 'GetItem', 'Query', 'Scan']);

function failedHint(name: string, kind: AwsErrorKind, status: number | undefined, call: string): string | undefined {
  if (name === 'ResourceNotFoundException') return 'The table does not exist: run `dynafeast apply` first.';
  if (kind === 'throttled') {
    // the knob that lowers the request rate depends on who was sending
    if (READ_CALLS.has(call))
      return 'Retries were exhausted: lower online_store.max_read_workers, raise online_store.total_max_retry_attempts, or raise the table read capacity.';
    if (call === 'BatchWriteItem' || call === 'PutItem')
      return 'Retries were exhausted: lower dynafeast.materialize.concurrency or raise the table write capacity.';
    return 'Retries were exhausted: raise online_store.total_max_retry_attempts, or retry later (AWS rate-limits control-plane calls).';
  }
  if (name === 'UnknownOperationException') return 'This endpoint does not support the operation.';
  if (status !== undefined && status >= 500) return 'A server-side error: retry later.';
  return undefined;
}

/** Moved to src/core/redact.ts (the one place that knows secret shapes); re-exported for callers here. */
export { redactSecrets };
