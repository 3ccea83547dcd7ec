/**
 * The account (and partition) a policy's ARNs name: `--account-id`, or whoever the credentials are,
 * asked of STS GetCallerIdentity — a call IAM never denies, so it fails only without usable credentials.
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { awsErrorName } from '../aws/aws-errors.js';
import { redactSecrets } from '../aws/errors.js';
import { DynafeastError } from '../errors.js';
import { checkAccountId, partitionOfArn } from './arn.js';

export interface ResolvedAccount {
  accountId: string;
  /** From the caller's ARN when STS answered; undefined for --account-id (derived from the region). */
  partition?: string;
  /** The caller's ARN, to tell the user whose account was used. */
  callerArn?: string;
}

export async function resolveAccount(opts: { accountId?: string; sts: () => STSClient }): Promise<ResolvedAccount> {
  if (opts.accountId !== undefined) {
    checkAccountId(opts.accountId, '--account-id');
    return { accountId: opts.accountId };
  }
  let out;
  try {
    out = await opts.sts().send(new GetCallerIdentityCommand({}));
  } catch (e) {
    const name = awsErrorName(e) || 'Error';
    const message = e instanceof Error ? redactSecrets(e.message) : String(e);
    throw new DynafeastError('iam.accountUnknown', `could not find the AWS account for the policy's ARNs: STS GetCallerIdentity failed (${name}: ${message})`, {
      hint: 'pass --account-id <12 digits>, or make AWS credentials available (AWS_PROFILE, `aws sso login`, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)',
      cause: e,
    });
  }
  if (!out.Account || !/^\d{12}$/.test(out.Account)) {
    throw new DynafeastError('iam.accountUnknown', `STS GetCallerIdentity answered without an account id (found ${JSON.stringify(out.Account ?? null)})`, {
      hint: 'pass --account-id <12 digits>',
    });
  }
  const partition = out.Arn ? partitionOfArn(out.Arn) : undefined;
  return { accountId: out.Account, ...(partition ? { partition } : {}), ...(out.Arn ? { callerArn: out.Arn } : {}) };
}
