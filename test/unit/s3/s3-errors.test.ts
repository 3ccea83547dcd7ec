/**
 * Wording checked on the error shape the SDK throws (name and HTTP status, as aws-errors.ts classifies
 * them); test/s3/s3-iam.s3.ts gets the real answers from moto with IAM enforced.
 */
import { describeS3Error, s3ArnOf } from '../../../src/core/s3/s3-errors.js';

const sdkError = (name: string, status: number) => Object.assign(new Error(`${name} from the server`), { name, $metadata: { httpStatusCode: status } });
const ctx = { action: 's3:GetObject', uri: { bucket: 'team-data', key: 'stats/day=2024-01-01/a.parquet' }, endpoint: 'AWS S3 (us-east-1)', what: 'source "s"' };

describe('describeS3Error', () => {
  it('names the action and the exact ARN the policy lacks', () => {
    const e = describeS3Error(sdkError('AccessDenied', 403), ctx);
    expect(e.code).toBe('s3.accessDenied');
    expect(e.message).toContain('s3:GetObject on arn:aws:s3:::team-data/stats/day=2024-01-01/a.parquet');
    const list = describeS3Error(sdkError('AccessDenied', 403), { ...ctx, action: 's3:ListBucket', partition: 'aws-cn' });
    expect(list.message).toContain('arn:aws-cn:s3:::team-data');
    expect(s3ArnOf('s3:ListBucket', ctx.uri)).toBe('arn:aws:s3:::team-data');
  });

  it('an unknown key or a bad signature (403 from S3) is a credentials problem, not a missing permission', () => {
    for (const name of ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken']) {
      const e = describeS3Error(sdkError(name, 403), ctx);
      expect(e.code).toBe('s3.credentials');
      expect(e.message).not.toContain('access denied');
    }
    expect(describeS3Error(sdkError('SomethingElse', 403), ctx).code).toBe('s3.accessDenied');
  });

  it('tells a missing bucket from a missing key, and a refused connection from both', () => {
    expect(describeS3Error(sdkError('NoSuchBucket', 404), ctx).code).toBe('s3.noSuchBucket');
    expect(describeS3Error(sdkError('NoSuchKey', 404), ctx).code).toBe('s3.noSuchKey');
    expect(describeS3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), ctx).code).toBe('s3.unreachable');
  });
});
