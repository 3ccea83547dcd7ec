/**
 * `dynafeast iam-policy`: prints the least-privilege policy of the chosen commands. The policy goes to
 * stdout (pipe it to a file); warnings and whose account was used go to stderr.
 */
import { createAwsClients, type AwsClients } from '../../core/aws/clients.js';
import { generateIamPolicy } from '../../core/iam/generate.js';
import { policySize, MANAGED_POLICY_MAX_CHARS } from '../../core/iam/build-policy.js';
import { renderPolicy } from '../../core/iam/render.js';
import type { GlobalFlags, IamPolicyFlags } from '../program.js';
import { openRepo } from '../session.js';

export async function runIamPolicy(o: IamPolicyFlags, g: GlobalFlags): Promise<number> {
  const s = await openRepo(g);
  const region = o.region ?? s.config.onlineStore.region;
  // STS is asked in the policy's region, so credentials of another partition (aws-cn) resolve there
  const config = { ...s.config, onlineStore: { ...s.config.onlineStore, region } };
  let clients: AwsClients | undefined;
  try {
    const policy = await generateIamPolicy({
      config: s.config,
      repo: s.repo,
      commands: o.for,
      region,
      ...(o.accountId !== undefined ? { accountId: o.accountId } : {}),
      sts: () => (clients ??= createAwsClients(config, { logger: s.logger })).sts,
    });
    const text = renderPolicy(policy.document, o.format, { project: s.config.project, commands: policy.commands });
    for (const w of policy.warnings) s.out.warn(w);
    if (policy.account.callerArn) s.out.note(`account ${policy.account.accountId} (from STS: ${policy.account.callerArn})`);
    if (g.json) {
      s.out.printJson({
        ok: true,
        project: s.config.project,
        commands: policy.commands,
        accountId: policy.arn.accountId,
        partition: policy.arn.partition,
        region: policy.arn.region,
        format: o.format,
        policy: policy.document,
        ...(o.format === 'json' ? {} : { rendered: text }),
        size: { characters: policySize(policy.document), managedPolicyLimit: MANAGED_POLICY_MAX_CHARS },
        grants: policy.grants,
        warnings: policy.warnings,
      });
    } else {
      s.out.say(text);
    }
    return 0;
  } finally {
    clients?.destroy();
  }
}
