/** `iam-policy`: the least-privilege IAM policy of each command, from one action table. */
export { IAM_COMMANDS, IAM_FORMATS, parseIamCommands, type IamCommand, type IamFormat } from './commands.js';
export { ACTION_TABLE, renderActionTableMarkdown, type ActionRow, type TableScope } from './action-table.js';
export { escapeIamResource, partitionOf, tableArn, type ArnParts } from './arn.js';
export { projectTables, type ProjectTables, type NamedTable } from './project-tables.js';
export { buildIamPolicy, grantsOf, policySize, MANAGED_POLICY_MAX_CHARS, type Grant, type IamPolicy, type PolicyDocument, type PolicyInput, type PolicyStatement } from './build-policy.js';
export { resolveAccount, type ResolvedAccount } from './account.js';
export { generateIamPolicy, type GenerateIamPolicyOptions, type GeneratedIamPolicy } from './generate.js';
export { renderPolicy, policyName, terraformLabel, logicalId, hclString, type RenderContext } from './render.js';
