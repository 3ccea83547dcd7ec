/**
 * Pure: project tables × the action table → an IAM policy document. Every statement allows exactly the
 * actions a command can call on exactly the tables it can call them on; tables that need the same
 * actions share a statement.
 */
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import type { RepoConfig } from '../config/types.js';
import { DynafeastError } from '../errors.js';
import type { RepoModel } from '../repo/model.js';
import { ACTION_TABLE } from './action-table.js';
import { partitionOf, tableArn, type ArnParts } from './arn.js';
import type { IamCommand } from './commands.js';
import { projectTables, type NamedTable } from './project-tables.js';
import { s3StatementsOf } from './s3-statements.js';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  /** Only on S3 ListBucket statements: the prefixes a listing may ask for. */
  Condition?: Record<string, Record<string, string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** What one command may call on one table, and why (for --json and tests). */
export interface Grant {
  command: IamCommand;
  view: string;
  table: string;
  /** The table's region when it is not the policy's (a DynamoDB source's own `region`). */
  region?: string;
  actions: { action: string; why: string }[];
}

export interface IamPolicy {
  document: PolicyDocument;
  commands: IamCommand[];
  arn: ArnParts;
  grants: Grant[];
  warnings: string[];
}

export interface PolicyInput {
  config: RepoConfig;
  repo: RepoModel;
  registry: Registry | undefined;
  commands: readonly IamCommand[];
  arn: ArnParts;
}

/** IAM's limit for a managed policy, counted without whitespace. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/** Every (command, table) pair and the actions the table says it needs, in table order. */
export function grantsOf(input: PolicyInput): Grant[] {
  const tables = projectTables(input.config, input.repo, input.registry);
  const grants = new Map<string, Grant>();
  const add = (command: IamCommand, t: NamedTable, action: string, why: string) => {
    const key = `${command}\u0000${t.region ?? ''}\u0000${t.table}`;
    let g = grants.get(key);
    if (!g) grants.set(key, (g = { command, view: t.view, table: t.table, ...(t.region !== undefined ? { region: t.region } : {}), actions: [] }));
    if (!g.actions.some((a) => a.action === action)) g.actions.push({ action, why });
  };
  for (const command of input.commands) {
    for (const row of ACTION_TABLE) {
      if (!row.commands.includes(command)) continue;
      if (row.tables === 'repo') {
        for (const t of tables.repo) if (!row.when || row.when(t, input.config)) add(command, t, row.action, row.why);
      } else {
        for (const t of tables[row.tables]) add(command, t, row.action, row.why);
      }
    }
  }
  return [...grants.values()];
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Tables of one command grouped by identical action sets: one statement per group. */
function statementsOf(command: IamCommand, grants: Grant[], arn: ArnParts): PolicyStatement[] {
  const groups = new Map<string, { actions: string[]; resources: string[] }>();
  for (const g of grants) {
    const actions = g.actions.map((a) => a.action).sort();
    const key = actions.join(',');
    const group = groups.get(key) ?? { actions, resources: [] };
    group.resources.push(tableArn(g.region === undefined ? arn : { ...arn, region: g.region, partition: partitionOf(g.region) }, g.table));
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort((a, b) => b.actions.length - a.actions.length || a.actions.join().localeCompare(b.actions.join()));
  return ordered.map((g, i) => ({
    Sid: `${pascal(command)}${i === 0 ? '' : i + 1}`,
    Effect: 'Allow',
    Action: g.actions,
    Resource: [...new Set(g.resources)].sort(),
  }));
}

// a condition is part of what a pair allows: statements with different conditions never cover each other
const pairsOf = (s: PolicyStatement) => s.Action.flatMap((a) => s.Resource.map((r) => `${a} ${r}${s.Condition ? ` ${JSON.stringify(s.Condition)}` : ''}`));

/**
 * Drops statements whose every action × resource other kept statements already allow (`--for all`
 * repeats plan's reads inside apply's). Smallest first, so the smaller duplicate is the one dropped.
 */
function withoutRedundant(statements: PolicyStatement[]): PolicyStatement[] {
  const pairs = statements.map(pairsOf);
  const holders = new Map<string, number>();
  for (const ps of pairs) for (const p of ps) holders.set(p, (holders.get(p) ?? 0) + 1);
  const dropped = new Set<number>();
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- pairs has one entry per statement
  const bySize = statements.map((_s, i) => i).sort((a, b) => pairs[a]!.length - pairs[b]!.length || b - a);
  for (const i of bySize) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- pairs has one entry per statement, and holders counts every pair in it
    if (!pairs[i]!.every((p) => holders.get(p)! >= 2)) continue;
    dropped.add(i);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- pairs has one entry per statement, and holders counts every pair in it
    for (const p of pairs[i]!) holders.set(p, holders.get(p)! - 1);
  }
  return statements.filter((_s, i) => !dropped.has(i));
}

/** The characters IAM counts against its size limits (whitespace outside strings is free). */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).length;
}

export function buildIamPolicy(input: PolicyInput): IamPolicy {
  const grants = grantsOf(input);
  const statements = withoutRedundant(
    input.commands.flatMap((command) => [
      ...statementsOf(
        command,
        grants.filter((g) => g.command === command),
        input.arn,
      ),
      ...s3StatementsOf(command, input.config, input.repo, input.arn.partition),
    ]),
  );
  if (statements.length === 0) {
    throw new DynafeastError(
      'usage.badArgument',
      `--for ${input.commands.join(',')}: the repo has no online feature view, so these commands call no DynamoDB table`,
      {
        path: '--for',
        hint: 'IAM rejects a policy without statements; add a feature view with online: true, or leave these commands out',
      },
    );
  }
  const document: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  return { document, commands: [...input.commands], arn: input.arn, grants, warnings: warningsOf(input, document) };
}

function warningsOf(input: PolicyInput, document: PolicyDocument): string[] {
  const warnings: string[] = [];
  const size = policySize(document);
  if (size > MANAGED_POLICY_MAX_CHARS) {
    warnings.push(
      `the policy has ${size} characters; IAM allows ${MANAGED_POLICY_MAX_CHARS} in a managed policy: generate one policy per command (--for apply, --for materialize, …) and attach them all`,
    );
  }
  const key = input.config.dynafeast.tables.sseKmsKeyId;
  if (key && input.commands.some((c) => c !== 'teardown')) {
    warnings.push(
      `dynafeast.tables.sse_kms_key_id is set: this policy covers DynamoDB only; the KMS key ${key} must also let this identity use it through DynamoDB (see docs/iam.md, "Customer managed KMS keys")`,
    );
  }
  if (input.config.onlineStore.endpointUrl !== undefined) {
    warnings.push(`online_store.endpoint_url is set (${input.config.onlineStore.endpointUrl}): IAM policies only matter when that endpoint is AWS`);
  }
  return warnings;
}
