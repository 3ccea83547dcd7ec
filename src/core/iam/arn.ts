/**
 * ARNs for policies: the partition a region belongs to, table ARNs, and escaping of the characters IAM
 * reads as wildcards or variables inside a Resource string.
 */
import { DynafeastError } from '../errors.js';

// Regions outside the `aws` partition, by prefix (longest first: us-isob- before us-iso-).
const PARTITIONS: readonly [prefix: string, partition: string][] = [
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-gov-', 'aws-us-gov'],
  ['eusc-', 'aws-eusc'],
  ['cn-', 'aws-cn'],
];

/** The partition of `region` (`aws`, `aws-cn`, `aws-us-gov`, …). */
export function partitionOf(region: string): string {
  return PARTITIONS.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

/** The partition an ARN names (`arn:<partition>:…`), or undefined when it is not an ARN. */
export function partitionOfArn(arn: string): string | undefined {
  const m = /^arn:([a-z-]+):/.exec(arn);
  return m?.[1];
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

export function checkAccountId(accountId: string, where: string): void {
  if (!ACCOUNT_ID.test(accountId)) {
    throw new DynafeastError('usage.badFlag', `${where}: expected a 12-digit AWS account id, found "${accountId}"`, {
      path: where,
      hint: '`aws sts get-caller-identity --query Account --output text` prints yours',
    });
  }
}

export function checkRegion(region: string, where: string): void {
  if (!REGION.test(region)) {
    throw new DynafeastError('usage.badFlag', `${where}: "${region}" is not an AWS region name`, {
      path: where,
      hint: 'for example us-east-1 or eu-west-1',
    });
  }
}

/**
 * IAM matches `*` and `?` in a Resource as wildcards and expands `${…}` as a policy variable; the
 * `${*}`, `${?}` and `${$}` forms are how a policy says those characters literally. Validation keeps
 * them out of table names today; escaping anyway means an odd name can only ever match itself.
 */
export function escapeIamResource(text: string): string {
  return text.replace(/[*?$]/g, (c) => `\${${c}}`);
}

export interface ArnParts {
  partition: string;
  region: string;
  accountId: string;
}

/** `arn:<partition>:dynamodb:<region>:<account>:table/<name>`, with the name escaped for IAM. */
export function tableArn(parts: ArnParts, table: string): string {
  return `arn:${parts.partition}:dynamodb:${parts.region}:${parts.accountId}:table/${escapeIamResource(table)}`;
}
