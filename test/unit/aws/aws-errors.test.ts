import fc from 'fast-check';
import {
  classifyAwsError,
  endpointGaveNoAnswer,
  isRetryableKind,
  networkFailureOf,
  networkReason,
  noAnswerInTime,
  parseRetryAfter,
  retryAfterHintMs,
  type AwsErrorKind,
} from '../../../src/core/aws/aws-errors.js';
import { describeAwsError } from '../../../src/core/aws/errors.js';
import { LeanServiceError } from '../../../src/core/aws/lean/lean-client.js';
import { ProxyError } from '../../../src/core/aws/proxy.js';

const route = { label: 'proxy.local:3128', source: 'HTTPS_PROXY' };

describe('classifyAwsError', () => {
  it.each<[unknown, AwsErrorKind]>([
    [{ name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } }, 'throttled'],
    [{ name: 'ThrottlingException' }, 'throttled'],
    [{ name: 'RequestLimitExceeded' }, 'throttled'],
    [{ name: 'Whatever', $metadata: { httpStatusCode: 429 } }, 'throttled'],
    [{ name: 'Whatever', $retryable: { throttling: true } }, 'throttled'],
    [{ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }, 'transient-network'],
    [{ name: 'SomethingNew', $metadata: { httpStatusCode: 503 } }, 'transient-network'],
    [{ name: 'TimeoutError' }, 'transient-network'],
    [{ name: 'Error', code: 'ECONNRESET' }, 'transient-network'],
    [{ name: 'Error', code: 'EPIPE' }, 'transient-network'],
    [{ name: 'Error', code: 'ECONNREFUSED' }, 'endpoint-unreachable'],
    [{ name: 'Error', code: 'ENOTFOUND' }, 'endpoint-unreachable'],
    [{ name: 'Error', code: 'EHOSTUNREACH' }, 'endpoint-unreachable'],
    // the SDK's read timeout carries ETIMEDOUT too: a slow server is not an absent one
    [{ name: 'TimeoutError', code: 'ETIMEDOUT' }, 'transient-network'],
    [{ name: 'Error', code: 'ETIMEDOUT' }, 'transient-network'],
    [{ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }, 'auth'],
    [{ name: 'UnrecognizedClientException' }, 'auth'],
    [{ name: 'ExpiredTokenException' }, 'auth'],
    [{ name: 'CredentialsProviderError' }, 'auth'],
    [{ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }, 'not-found'],
    [{ name: 'ValidationException', $metadata: { httpStatusCode: 400 } }, 'validation'],
    [{ name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } }, 'conditional-failed'],
    [{ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } }, 'other'],
    [{ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } }, 'other'],
    ['a string', 'other'],
    [null, 'other'],
  ])('%j → %s', (e, kind) => {
    expect(classifyAwsError(e)).toBe(kind);
  });

  it('classifies a proxy by what went wrong: not reached, refused with credentials, failing upstream', () => {
    expect(classifyAwsError(new ProxyError(route, 'db:443', { code: 'ECONNREFUSED' }))).toBe('endpoint-unreachable');
    expect(classifyAwsError(new ProxyError(route, 'db:443', { status: 407 }))).toBe('auth');
    expect(classifyAwsError(new ProxyError(route, 'db:443', { status: 502 }))).toBe('transient-network');
  });

  it('never reads the message: any wording gives the same kind', () => {
    const shapes = [
      { name: 'ThrottlingException' },
      { name: 'Error', code: 'ECONNREFUSED' },
      { name: 'Error', code: 'ECONNRESET' },
      { name: 'ValidationException', $metadata: { httpStatusCode: 400 } },
      { name: 'Whatever', $metadata: { httpStatusCode: 400 } },
      { name: 'Error' },
    ];
    fc.assert(
      fc.property(fc.constantFrom(...shapes), fc.string(), (shape, message) => {
        expect(classifyAwsError({ ...shape, message })).toBe(classifyAwsError(shape));
      }),
    );
  });

  it("the lean client's errors classify like the SDK's of the same name and status", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          'ThrottlingException',
          'InternalServerError',
          'ValidationException',
          'ResourceNotFoundException',
          'AccessDeniedException',
          'ConditionalCheckFailedException',
          'Odd',
        ),
        fc.constantFrom(400, 429, 500, 503),
        (name, status) => {
          const sdkLike = Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: status } });
          expect(classifyAwsError(new LeanServiceError(name, 'y', status))).toBe(classifyAwsError(sdkLike));
        },
      ),
    );
  });

  it('retries throttled, transient and (briefly) unreachable; nothing else', () => {
    const kinds: AwsErrorKind[] = ['throttled', 'transient-network', 'endpoint-unreachable', 'auth', 'not-found', 'validation', 'conditional-failed', 'other'];
    expect(kinds.filter(isRetryableKind)).toEqual(['throttled', 'transient-network', 'endpoint-unreachable']);
  });
});

describe('Retry-After hints', () => {
  it("reads seconds or an HTTP date, from the lean client or the SDK's $response", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(retryAfterHintMs(new LeanServiceError('ThrottlingException', 'x', 429, 1500))).toBe(1500);
    expect(retryAfterHintMs({ $response: { headers: { 'retry-after': '3' } } })).toBe(3000);
    expect(retryAfterHintMs({ name: 'ThrottlingException' })).toBeUndefined();
  });
});

describe('unreachable endpoints, as the user reads them', () => {
  it('"cannot reach <endpoint>: <reason>" for every way of not reaching it; loopback asks about `dynafeast local`', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT'),
        fc.constantFrom('http://127.0.0.1:8000', 'http://localhost:4566', 'https://dynamodb.eu-west-1.amazonaws.com'),
        fc.constantFrom('BatchWriteItem', 'BatchGetItem', 'DescribeTable'),
        (code, endpoint, action) => {
          const err = describeAwsError(Object.assign(new Error(`connect ${code}`), { code }), { endpoint, action, table: 'p.v' });
          expect(err.code).toBe('dynamo.unreachable');
          expect(err.message.startsWith(`cannot reach ${endpoint}: ${networkReason({ code })}`)).toBe(true);
          expect(err.message).toContain(action);
          // only an endpoint nobody answers on (not a slow one) suggests the local server is down
          expect(err.message.includes('is `dynafeast local` running?')).toBe(!endpoint.startsWith('https://') && code !== 'ETIMEDOUT');
          expect(err.hint).toBeTruthy();
        },
      ),
    );
  });

  it('words the common codes plainly', () => {
    expect(networkReason({ code: 'ECONNREFUSED' })).toBe('connection refused');
    expect(networkReason({ code: 'ENOTFOUND' })).toBe('no such host');
    expect(networkReason({ name: 'TimeoutError' })).toBe('no answer in time');
  });
});

describe('an endpoint that does not answer in time: one decision, one error', () => {
  it('the lean timers raise errors the one classification reads as timeouts, worded as every other "cannot reach"', () => {
    for (const [waited, id, reason] of [
      ['answer', 'TimeoutError', 'no answer in time'],
      ['connection', 'ETIMEDOUT', 'connection timed out'],
    ] as const) {
      const e = noAnswerInTime('127.0.0.1:9', 250, waited);
      expect(e.message).toBe(`no ${waited} ${waited === 'answer' ? 'from' : 'to'} 127.0.0.1:9 within 250 ms`);
      expect({ kind: classifyAwsError(e), failure: networkFailureOf(e), silent: endpointGaveNoAnswer(e) }).toEqual({
        kind: 'transient-network',
        failure: 'timeout',
        silent: true,
      });
      const err = describeAwsError(e, { endpoint: 'http://127.0.0.1:9', action: 'BatchGetItem' });
      expect(err.code).toBe('dynamo.unreachable');
      expect(err.message).toBe(`cannot reach http://127.0.0.1:9: ${reason} (${id}, during BatchGetItem)`);
      expect(err.hint).toContain('did not answer in time');
    }
  });

  it('"gave no answer" is exactly a timeout or an unreachable endpoint, never a dropped connection or a server error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          'ECONNREFUSED',
          'ENOTFOUND',
          'EAI_AGAIN',
          'EHOSTUNREACH',
          'ENETUNREACH',
          'EADDRNOTAVAIL',
          'ETIMEDOUT',
          'ECONNRESET',
          'EPIPE',
          'ECONNABORTED',
          'UND_ERR_SOCKET',
          'EPROTO',
          'X',
        ),
        fc.constantFrom('Error', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'InternalServerError', 'ThrottlingException'),
        fc.boolean(),
        (code, name, withCode) => {
          const e = withCode ? { name, code } : { name };
          const failure = networkFailureOf(e);
          expect(endpointGaveNoAnswer(e)).toBe(failure === 'timeout' || failure === 'unreachable');
          if (failure === 'dropped') expect(endpointGaveNoAnswer(e)).toBe(false);
        },
      ),
    );
  });
});
