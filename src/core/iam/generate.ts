/**
 * `iam-policy`: the registry (for tables apply and teardown delete), the account, then the pure builder.
 * Touches no DynamoDB table: it can run with no access to the project's tables at all.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { RepoConfig } from '../config/types.js';
import { registryStoreOf } from '../registry/registry-store.js';
import type { RepoModel } from '../repo/model.js';
import { resolveAccount, type ResolvedAccount } from './account.js';
import { checkRegion, partitionOf } from './arn.js';
import { buildIamPolicy, type IamPolicy } from './build-policy.js';
import type { IamCommand } from './commands.js';

export interface GenerateIamPolicyOptions {
  config: RepoConfig;
  repo: RepoModel;
  commands: readonly IamCommand[];
  /** Default: online_store.region. */
  region?: string;
  /** Default: asked of STS. */
  accountId?: string;
  /** Called only when no accountId is given. */
  sts: () => STSClient;
}

export interface GeneratedIamPolicy extends IamPolicy {
  account: ResolvedAccount;
}

export async function generateIamPolicy(opts: GenerateIamPolicyOptions): Promise<GeneratedIamPolicy> {
  const region = opts.region ?? opts.config.onlineStore.region;
  checkRegion(region, opts.region !== undefined ? '--region' : 'online_store.region');
  // read before asking STS: a registry problem is worth reporting even when credentials are missing
  const registry = await registryStoreOf(opts.config).read();
  const account = await resolveAccount({ ...(opts.accountId !== undefined ? { accountId: opts.accountId } : {}), sts: opts.sts });
  const arn = { partition: account.partition ?? partitionOf(region), region, accountId: account.accountId };
  const policy = buildIamPolicy({ config: opts.config, repo: opts.repo, registry, commands: opts.commands, arn });
  return { ...policy, account };
}
