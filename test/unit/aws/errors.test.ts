import { describeAwsError, redactSecrets } from '../../../src/core/aws/errors.js';
import { DynafeastError } from '../../../src/core/errors.js';

function awsError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 }, ...extra });
}

describe('describeAwsError', () => {
  it.each([
    ['AccessDeniedException', 'dynamo.accessDenied'],
    ['AccessDenied', 'dynamo.accessDenied'],
    ['UnrecognizedClientException', 'dynamo.credentials'],
    ['InvalidClientTokenId', 'dynamo.credentials'],
    ['ExpiredTokenException', 'dynamo.credentials'],
    ['ExpiredToken', 'dynamo.credentials'],
    ['InvalidSignatureException', 'dynamo.credentials'],
    ['CredentialsProviderError', 'dynamo.credentials'],
    ['TimeoutError', 'dynamo.unreachable'],
    ['ResourceNotFoundException', 'dynamo.failed'],
    ['ValidationException', 'dynamo.failed'],
    ['InternalServerError', 'dynamo.failed'],
  ])('%s → %s', (name, code) => {
    expect(describeAwsError(awsError(name, 'anything')).code).toBe(code);
  });

  it('classifies socket errors by their code, whatever the message says', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET']) {
      const e = Object.assign(new Error('connect failed somewhere'), { code });
      const out = describeAwsError(e, { endpoint: 'http://127.0.0.1:8000', action: 'ListTables' });
      expect(out.code).toBe('dynamo.unreachable');
      expect(out.message).toContain('http://127.0.0.1:8000');
      expect(out.hint).toContain('dynafeast local');
    }
  });

  it('ignores the message: a local server wording an access error differently is still access denied', () => {
    const e = awsError('AccessDeniedException', 'Not authorized, mate');
    expect(describeAwsError(e).code).toBe('dynamo.accessDenied');
    expect(describeAwsError(awsError('ValidationException', 'Access denied')).code).toBe('dynamo.failed');
  });

  it('names the missing IAM action and the table, and points at iam-policy', () => {
    const out = describeAwsError(awsError('AccessDeniedException', 'no'), { table: 'proj.driver', action: 'BatchWriteItem' });
    expect(out.message).toContain('proj.driver');
    expect(out.hint).toContain('dynamodb:BatchWriteItem');
    expect(out.hint).toContain('dynafeast iam-policy');
    const sts = describeAwsError(awsError('AccessDenied', 'no'), { action: 'sts:AssumeRole' });
    expect(sts.hint).toContain('sts:AssumeRole');
  });

  it('never repeats credential material a server echoes back', () => {
    const secretish =
      'The request signature we calculated does not match. Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1, ' +
      'Signature=0123456789abcdef0123456789abcdef, x-amz-security-token:FQoGZXIvYXdzEPT//////////wEaDEXAMPLE';
    for (const name of ['InvalidSignatureException', 'ValidationException', 'AccessDeniedException']) {
      const out = describeAwsError(awsError(name, secretish));
      const text = `${out.message} ${out.hint ?? ''}`;
      expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
      expect(text).not.toContain('0123456789abcdef0123456789abcdef');
      expect(text).not.toContain('FQoGZXIvYXdzEPT');
    }
  });

  it('gives a next step for common failures', () => {
    expect(describeAwsError(awsError('ResourceNotFoundException', 'x'), { table: 't' }).hint).toContain('dynafeast apply');
    const server = describeAwsError(Object.assign(awsError('InternalFailure', 'x'), { $metadata: { httpStatusCode: 500 } }));
    expect(server.message).toContain('HTTP 500');
  });

  it('passes DynafeastErrors through and copes with non-errors', () => {
    const mine = new DynafeastError('embedded.locked', 'x');
    expect(describeAwsError(mine)).toBe(mine);
    expect(describeAwsError('boom').code).toBe('dynamo.failed');
    expect(describeAwsError(undefined).code).toBe('dynamo.failed');
  });

  it('keeps the original error as the cause', () => {
    const e = awsError('ThrottlingException', 'slow down');
    expect(describeAwsError(e).cause).toBe(e);
  });
});

describe('redactSecrets', () => {
  it('masks access key ids, tokens and signatures but keeps the rest', () => {
    const out = redactSecrets('key ASIAXXXXXXXXXXXXXXXX said Signature=abc123 on table t');
    expect(out).toBe('key ASIA… said Signature=… on table t');
  });
});
