/**
 * `s3://bucket/key` addresses and which S3 endpoint a request goes to (architecture.md §8): pure, so the
 * registry, the sources and `iam-policy` read one parser.
 */
import { DynafeastError } from '../errors.js';

export interface S3Uri {
  bucket: string;
  /** The object key or prefix, without a leading slash ('' for the whole bucket). */
  key: string;
}

const S3_SCHEME = /^s3a?:\/\//i;

/** True for `s3://…` (and Hadoop's `s3a://`, which Feast's file sources also accept). */
export function isS3Uri(path: string): boolean {
  return S3_SCHEME.test(path);
}

// S3's bucket naming rules: 3-63 characters, lowercase letters, digits, dots and hyphens.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Splits `s3://bucket/key`; `what` and `field` say where the address was written, for the error. */
export function parseS3Uri(uri: string, where: { what: string; field: string }): S3Uri {
  const rest = uri.replace(S3_SCHEME, '');
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (!S3_SCHEME.test(uri) || !BUCKET.test(bucket)) {
    throw new DynafeastError('config.badValue', `${where.what} "${uri}" is not an S3 address s3://BUCKET/KEY with a valid bucket name`, {
      path: where.field,
      hint: 'bucket names are 3-63 lowercase letters, digits, dots and hyphens, e.g. s3://my-feast-bucket/registry.pb',
    });
  }
  return { bucket, key };
}

export function formatS3Uri(u: S3Uri): string {
  return `s3://${u.bucket}/${u.key}`;
}

/**
 * The endpoint S3 requests go to, as Feast and the AWS tools choose it: an explicit override (a file
 * source's `s3_endpoint_override`), then Feast's `FEAST_S3_ENDPOINT_URL`, then the AWS SDKs'
 * `AWS_ENDPOINT_URL_S3` and `AWS_ENDPOINT_URL`; undefined means AWS itself.
 */
export function s3EndpointOf(env: NodeJS.ProcessEnv, override?: string): string | undefined {
  for (const v of [override, env.FEAST_S3_ENDPOINT_URL, env.AWS_ENDPOINT_URL_S3, env.AWS_ENDPOINT_URL]) {
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return undefined;
}
