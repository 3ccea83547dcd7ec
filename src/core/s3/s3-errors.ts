/**
 * S3 failures worded for the user: which object or bucket, which action the identity lacks and on which
 * ARN. Classified by the one AWS error classification (aws/aws-errors.ts, by name and status only);
 * network, proxy and credential failures keep the DynamoDB wording's next steps with S3's endpoint named.
 */
import { awsErrorName, credentialProblem, httpStatusOf, isAccessDenied } from '../aws/aws-errors.js';
import { describeAwsError } from '../aws/errors.js';
import { DynafeastError, isDynafeastError, type ErrorCode } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { formatS3Uri, type S3Uri } from './s3-uri.js';

export interface S3ErrorContext {
  /** The IAM action of the call, e.g. `s3:GetObject`. */
  action: string;
  /** The object, or the bucket and prefix listed. */
  uri: S3Uri;
  /** Where requests went (S3Handle.endpoint). */
  endpoint: string;
  /** What the object is to the user, e.g. "the registry" or `source "driver_stats"`. */
  what: string;
  /** The partition for the ARN (`aws`, `aws-cn`, …). */
  partition?: string;
}

/** The ARN an action is authorised on: the bucket for ListBucket, the object otherwise. */
export function s3ArnOf(action: string, uri: S3Uri, partition = 'aws'): string {
  return action === 's3:ListBucket' ? `arn:${partition}:s3:::${uri.bucket}` : `arn:${partition}:s3:::${uri.bucket}/${uri.key}`;
}

export const isNoSuchKey = (e: unknown): boolean => awsErrorName(e) === 'NoSuchKey' || (awsErrorName(e) === 'NotFound' && httpStatusOf(e) === 404);
export const isNoSuchBucket = (e: unknown): boolean => awsErrorName(e) === 'NoSuchBucket';
/** A conditional PutObject lost a race: the ETag moved (412), or a concurrent conditional write was in flight (409). */
export const isWriteConflict = (e: unknown): boolean => {
  const name = awsErrorName(e);
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || httpStatusOf(e) === 412;
};

export function describeS3Error(e: unknown, ctx: S3ErrorContext): DynafeastError {
  if (isDynafeastError(e)) return e;
  const where = formatS3Uri(ctx.uri);
  if (isNoSuchBucket(e)) {
    return new DynafeastError('s3.noSuchBucket', `${ctx.what}: the bucket "${ctx.uri.bucket}" does not exist (${where}, at ${ctx.endpoint})`, {
      hint: "check the bucket name, and for a local S3 the endpoint (FEAST_S3_ENDPOINT_URL, AWS_ENDPOINT_URL_S3 or the source's s3_endpoint_override)",
      cause: e,
    });
  }
  if (isNoSuchKey(e)) {
    return new DynafeastError('s3.noSuchKey', `${ctx.what}: no object ${where}`, { hint: 'check the key (S3 keys are case-sensitive)', cause: e });
  }
  // S3 answers an unknown key or a bad signature with 403 too: those are the credentials' fault, not the policy's
  if (isAccessDenied(e) || (httpStatusOf(e) === 403 && credentialProblem(e) === undefined)) {
    const arn = s3ArnOf(ctx.action, ctx.uri, ctx.partition);
    return new DynafeastError('s3.accessDenied', `${ctx.what}: access denied: ${ctx.action} on ${arn}`, {
      hint: `allow ${ctx.action} on ${arn} for the identity dynafeast runs as; \`dynafeast iam-policy\` prints the exact policy each command needs`,
      cause: e,
    });
  }
  const described = describeAwsError(e, { action: ctx.action, endpoint: ctx.endpoint });
  const code: ErrorCode = described.code === 'dynamo.unreachable' ? 's3.unreachable' : described.code === 'dynamo.credentials' ? 's3.credentials' : 's3.failed';
  const message =
    code === 's3.failed'
      ? `${ctx.what}: S3 ${ctx.action.replace(/^s3:/, '')} on ${where} failed: ${awsErrorName(e) || 'Error'}${httpStatusOf(e) ? ` (HTTP ${httpStatusOf(e)})` : ''}: ${redactSecrets(String((e as Error).message ?? e))}`
      : `${ctx.what}: ${described.message}`;
  return new DynafeastError(code, message, { ...(described.hint ? { hint: described.hint } : {}), cause: e });
}
