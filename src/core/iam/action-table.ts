/**
 * THE table of what each command calls: one row per (commands, action, tables), with the condition
 * under which the code path can make the call. Policies are built from it and nothing else, and
 * test/int/iam-policy.int.test.ts records the calls the real code paths send to a local server and checks
 * them against it in both directions — so a new call without a row, or a row nothing calls, fails a test.
 */
import type { RepoConfig } from '../config/types.js';
import type { DesiredTable } from '../plan/desired.js';
import type { IamCommand } from './commands.js';
import { PROJECT_TAG } from '../plan/ownership.js';

/**
 * Which tables a row is about:
 * - `repo`: the table of every online feature view of the repo (what apply creates);
 * - `removed`: online views the registry holds for the project but the repo no longer defines (apply
 *   deletes their tables);
 * - `owned`: both, which is what teardown deletes;
 * - `sources`: the DynamoDB tables online views are materialized from (`type: dynamodb` sources);
 * - `viewSources`: the DynamoDB tables of the sources of any view, online or offline only (sql reads
 *   each as `offline.<source>`).
 */
export type TableScope = 'repo' | 'removed' | 'owned' | 'sources' | 'viewSources';

export interface ActionRow {
  commands: readonly IamCommand[];
  /** IAM action, service prefix included. */
  action: `dynamodb:${string}`;
  tables: TableScope;
  /**
   * When the call is possible for a `repo` table; absent = always. Evaluated per table, so a tag action
   * covers exactly the tables that have tags.
   */
  when?: (table: DesiredTable, config: RepoConfig) => boolean;
  /** `when` in words, for docs/iam.md. */
  condition?: string;
  /** Which code makes the call, shown by `iam-policy --json` and in docs/iam.md. */
  why: string;
}

/** Tags the config asks for beyond the project tag every table gets. */
const hasTags = (t: DesiredTable) => Object.keys(t.tags).some((k) => k !== PROJECT_TAG);

/** A setting only UpdateTable can bring an existing table to (billing and capacity, class, SSE, stream, protection). */
const hasUpdatableSetting = (t: DesiredTable) =>
  t.billing.mode === 'PROVISIONED' || t.tableClass !== 'STANDARD' || t.sseKmsKeyId !== undefined || t.streamViewType !== undefined || t.deletionProtection;

export const ACTION_TABLE: readonly ActionRow[] = [
  // plan/introspect.ts reads every existing table of the repo; apply runs the same plan first
  { commands: ['plan', 'apply'], action: 'dynamodb:DescribeTable', tables: 'repo', why: 'introspect reads each table; apply waits for ACTIVE' },
  { commands: ['plan', 'apply'], action: 'dynamodb:ListTagsOfResource', tables: 'repo', why: 'introspect reads the tags of each existing table' },
  { commands: ['plan', 'apply'], action: 'dynamodb:DescribeTimeToLive', tables: 'repo', why: 'introspect reads the TTL status of each existing table' },
  { commands: ['plan', 'apply'], action: 'dynamodb:DescribeContinuousBackups', tables: 'repo', why: 'introspect reads the PITR status of each existing table' },
  { commands: ['plan', 'apply'], action: 'dynamodb:DescribeTable', tables: 'removed', why: 'introspect: does the table of a removed view still exist' },
  { commands: ['plan', 'apply'], action: 'dynamodb:Scan', tables: 'removed', why: 'a one-item COUNT scan: does a table about to be deleted hold data' },
  // plan/ownership.ts: whose table is it, before adopting, changing or deleting it
  {
    commands: ['plan', 'apply'],
    action: 'dynamodb:ListTagsOfResource',
    tables: 'removed',
    why: "the project tag of a table about to be deleted: is it this project's",
  },
  // plan/execute-step.ts
  { commands: ['apply'], action: 'dynamodb:CreateTable', tables: 'repo', why: 'create_table' },
  { commands: ['apply'], action: 'dynamodb:TagResource', tables: 'repo', why: `set_tags (the ${PROJECT_TAG} tag, online_store.tags and the view tags)` },
  {
    commands: ['apply'],
    action: 'dynamodb:UntagResource',
    tables: 'repo',
    when: hasTags,
    condition: 'the config gives the table tags',
    why: 'remove_tags (a tag key dropped from the config)',
  },
  {
    commands: ['apply'],
    action: 'dynamodb:UpdateTimeToLive',
    tables: 'repo',
    when: (t) => t.ttlAttribute !== undefined,
    condition: 'ttl_expiry is on and the view has a ttl',
    why: 'enable_ttl / disable_ttl (dynafeast.tables.ttl_expiry on a view with a ttl)',
  },
  {
    commands: ['apply'],
    action: 'dynamodb:UpdateContinuousBackups',
    tables: 'repo',
    when: (t) => t.pointInTimeRecovery,
    condition: 'point_in_time_recovery is on',
    why: 'enable_pitr / disable_pitr (dynafeast.tables.point_in_time_recovery)',
  },
  {
    commands: ['apply'],
    action: 'dynamodb:UpdateTable',
    tables: 'repo',
    when: hasUpdatableSetting,
    condition: 'PROVISIONED billing, a non-STANDARD table_class, sse_kms_key_id, stream_view_type or deletion_protection',
    why: 'update_billing, update_table_class, update_sse, update_stream, set_deletion_protection',
  },
  { commands: ['apply'], action: 'dynamodb:DeleteTable', tables: 'removed', why: 'delete_table of a view removed from the repo' },
  // materialize/lean/lean-sender.ts
  {
    commands: ['materialize'],
    action: 'dynamodb:BatchWriteItem',
    tables: 'repo',
    when: (_t, c) => !c.dynafeast.materialize.monotonicWrites,
    condition: 'monotonic_writes is off',
    why: 'writes items 25 at a time',
  },
  {
    commands: ['materialize'],
    action: 'dynamodb:PutItem',
    tables: 'repo',
    when: (_t, c) => c.dynafeast.materialize.monotonicWrites,
    condition: 'monotonic_writes is on',
    why: 'conditional puts (dynafeast.materialize.monotonic_writes)',
  },
  // offline/dynamodb/dynamodb-source.ts: materialize, and inspect (export and verify read a view's source, sql offline.<source>)
  { commands: ['materialize'], action: 'dynamodb:DescribeTable', tables: 'sources', why: 'a DynamoDB source: checks the table and sizes the parallel scan' },
  { commands: ['materialize'], action: 'dynamodb:Scan', tables: 'sources', why: 'a DynamoDB source: reads its items by parallel Scan' },
  {
    commands: ['inspect'],
    action: 'dynamodb:DescribeTable',
    tables: 'viewSources',
    why: 'a DynamoDB source: checks the table and sizes the parallel scan',
  },
  { commands: ['inspect'], action: 'dynamodb:Scan', tables: 'viewSources', why: 'a DynamoDB source: reads its items by parallel Scan' },
  // get-online-features
  { commands: ['read'], action: 'dynamodb:BatchGetItem', tables: 'repo', why: 'reads items in chunks of online_store.batch_size' },
  // export, verify, sql: online/scan-table.ts
  { commands: ['inspect'], action: 'dynamodb:DescribeTable', tables: 'repo', why: "checks Feast's key schema and sizes the parallel scan" },
  { commands: ['inspect'], action: 'dynamodb:Scan', tables: 'repo', why: 'reads every item by parallel Scan (export, sql, verify)' },
  { commands: ['inspect'], action: 'dynamodb:BatchGetItem', tables: 'repo', why: 'verify --sample reads the sampled entities' },
  // teardown.ts
  { commands: ['teardown'], action: 'dynamodb:DescribeTable', tables: 'owned', why: 'introspect, then waits for the deletion' },
  { commands: ['teardown'], action: 'dynamodb:Scan', tables: 'owned', why: 'a one-item COUNT scan to say which tables hold data' },
  { commands: ['teardown'], action: 'dynamodb:ListTagsOfResource', tables: 'owned', why: "the project tag: teardown deletes only this project's tables" },
  { commands: ['teardown'], action: 'dynamodb:DeleteTable', tables: 'owned', why: 'deletes the table' },
];

const SCOPE_TEXT: Record<TableScope, string> = {
  repo: 'each online view of the repo',
  removed: 'views the registry has but the repo dropped',
  owned: 'repo and registry views',
  sources: 'DynamoDB tables of `type: dynamodb` sources of online views',
  viewSources: 'DynamoDB tables of `type: dynamodb` sources of any view',
};

/** The table as markdown, for docs/iam.md (a unit test keeps the two equal). */
export function renderActionTableMarkdown(): string {
  const lines = ['| action | commands | tables | only when | why |', '| --- | --- | --- | --- | --- |'];
  for (const row of ACTION_TABLE) {
    lines.push(`| \`${row.action}\` | ${row.commands.join(', ')} | ${SCOPE_TEXT[row.tables]} | ${row.condition ?? 'always'} | ${row.why} |`);
  }
  return lines.join('\n');
}
