import { create } from '@bufbuild/protobuf';
import { RegistrySchema, type Registry } from '../../../src/gen/feast/core/Registry_pb.js';
import { FeatureViewSchema } from '../../../src/gen/feast/core/FeatureView_pb.js';
import type { RepoConfig } from '../../../src/core/config/types.js';
import { buildIamPolicy, grantsOf, MANAGED_POLICY_MAX_CHARS, policySize, type PolicyInput } from '../../../src/core/iam/build-policy.js';
import { IAM_COMMANDS, parseIamCommands, type IamCommand } from '../../../src/core/iam/commands.js';
import { ACTION_TABLE } from '../../../src/core/iam/action-table.js';
import { makeConfig, makeRepo, makeView } from '../../helpers/plan-fixtures.js';
import { defined } from '../../helpers/defined.js';

const arn = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
const T = (name: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`;

function registryWith(project: string, views: { name: string; online?: boolean; project?: string }[]): Registry {
  return create(RegistrySchema, {
    featureViews: views.map((v) => create(FeatureViewSchema, { spec: { name: v.name, project: v.project ?? project, online: v.online ?? true } })),
  });
}

function input(over: Partial<PolicyInput> & { config?: RepoConfig } = {}): PolicyInput {
  return {
    config: over.config ?? makeConfig(),
    repo: over.repo ?? makeRepo([makeView('driver_hourly_stats'), makeView('driver_profile')]),
    registry: over.registry,
    commands: over.commands ?? ['apply'],
    arn: over.arn ?? arn,
  };
}

/** action -> sorted table names, for one command */
function actionsByTable(i: PolicyInput, command: IamCommand): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const g of grantsOf({ ...i, commands: [command] })) out[g.table] = g.actions.map((a) => a.action).sort();
  return out;
}

describe('the action table', () => {
  it('names only dynamodb actions of the commands iam-policy knows, each row with a reason', () => {
    for (const row of ACTION_TABLE) {
      expect(row.action).toMatch(/^dynamodb:[A-Z][A-Za-z]+$/);
      expect(row.commands.every((c) => (IAM_COMMANDS as readonly string[]).includes(c))).toBe(true);
      expect(row.why.length).toBeGreaterThan(3);
      if (row.when) expect(row.tables).toBe('repo');
      expect(row.when === undefined).toBe(row.condition === undefined);
    }
  });
});

describe('grants per command', () => {
  it('default settings: apply may create, introspect and tag with the project tag; no untag, TTL, PITR or UpdateTable action', () => {
    expect(actionsByTable(input(), 'apply')).toEqual({
      'demo.driver_hourly_stats': [
        'dynamodb:CreateTable',
        'dynamodb:DescribeContinuousBackups',
        'dynamodb:DescribeTable',
        'dynamodb:DescribeTimeToLive',
        'dynamodb:ListTagsOfResource',
        'dynamodb:TagResource',
      ],
      'demo.driver_profile': [
        'dynamodb:CreateTable',
        'dynamodb:DescribeContinuousBackups',
        'dynamodb:DescribeTable',
        'dynamodb:DescribeTimeToLive',
        'dynamodb:ListTagsOfResource',
        'dynamodb:TagResource',
      ],
    });
    expect(actionsByTable(input(), 'plan')).toEqual({
      'demo.driver_hourly_stats': [
        'dynamodb:DescribeContinuousBackups',
        'dynamodb:DescribeTable',
        'dynamodb:DescribeTimeToLive',
        'dynamodb:ListTagsOfResource',
      ],
      'demo.driver_profile': ['dynamodb:DescribeContinuousBackups', 'dynamodb:DescribeTable', 'dynamodb:DescribeTimeToLive', 'dynamodb:ListTagsOfResource'],
    });
  });

  it('untag only on the tables the config gives tags (every table gets the project tag)', () => {
    const repo = makeRepo([makeView('a_view', { tags: { team: 'x' } }), makeView('b_view')]);
    const got = actionsByTable(input({ repo }), 'apply');
    expect(got['demo.a_view']).toEqual(expect.arrayContaining(['dynamodb:TagResource', 'dynamodb:UntagResource']));
    expect(got['demo.b_view']).toContain('dynamodb:TagResource');
    expect(got['demo.b_view']).not.toContain('dynamodb:UntagResource');
    // store-wide tags reach every table
    const all = actionsByTable(input({ repo, config: makeConfig({ tags: { env: 'prod' } }) }), 'apply');
    expect(all['demo.b_view']).toEqual(expect.arrayContaining(['dynamodb:TagResource', 'dynamodb:UntagResource']));
  });

  it('UpdateTimeToLive only with ttl_expiry on, and only for views that have a ttl', () => {
    const repo = makeRepo([makeView('with_ttl'), makeView('no_ttl', { ttlMicros: 0n })]);
    expect(Object.values(actionsByTable(input({ repo }), 'apply')).flat()).not.toContain('dynamodb:UpdateTimeToLive');
    const got = actionsByTable(input({ repo, config: makeConfig({ tables: { ttlExpiry: true } }) }), 'apply');
    expect(got['demo.with_ttl']).toContain('dynamodb:UpdateTimeToLive');
    expect(got['demo.no_ttl']).not.toContain('dynamodb:UpdateTimeToLive');
  });

  it('UpdateContinuousBackups only with point_in_time_recovery on', () => {
    const got = actionsByTable(input({ config: makeConfig({ tables: { pointInTimeRecovery: true } }) }), 'apply');
    expect(got['demo.driver_profile']).toContain('dynamodb:UpdateContinuousBackups');
    expect(got['demo.driver_profile']).not.toContain('dynamodb:UpdateTable');
  });

  it.each<[string, Partial<RepoConfig['dynafeast']['tables']>]>([
    ['provisioned billing', { billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 5 }],
    ['infrequent-access class', { tableClass: 'STANDARD_INFREQUENT_ACCESS' }],
    ['a KMS key', { sseKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc' }],
    ['a stream', { streamViewType: 'NEW_IMAGE' }],
    ['deletion protection', { deletionProtection: true }],
  ])('UpdateTable when a setting only UpdateTable can change is configured: %s', (_name, tables) => {
    const got = actionsByTable(input({ config: makeConfig({ tables }) }), 'apply');
    expect(got['demo.driver_profile']).toContain('dynamodb:UpdateTable');
  });

  it('materialize: BatchWriteItem, or PutItem alone in monotonic mode; read: BatchGetItem', () => {
    expect(actionsByTable(input(), 'materialize')['demo.driver_profile']).toEqual(['dynamodb:BatchWriteItem']);
    const mono = makeConfig();
    mono.dynafeast.materialize.monotonicWrites = true;
    expect(actionsByTable(input({ config: mono }), 'materialize')['demo.driver_profile']).toEqual(['dynamodb:PutItem']);
    expect(actionsByTable(input(), 'read')['demo.driver_profile']).toEqual(['dynamodb:BatchGetItem']);
  });

  it('offline views have no table and get nothing', () => {
    const repo = makeRepo([makeView('online_view'), makeView('offline_view', { online: false })]);
    for (const c of IAM_COMMANDS) expect(Object.keys(actionsByTable(input({ repo }), c))).toEqual(['demo.online_view']);
  });

  it('tables of views removed from the repo (the registry still has them): plan scans, apply also deletes', () => {
    const registry = registryWith('demo', [
      { name: 'driver_hourly_stats' },
      { name: 'old_view' },
      { name: 'was_offline', online: false },
      { name: 'other_projects_view', project: 'other' },
    ]);
    const repo = makeRepo([makeView('driver_hourly_stats')]);
    expect(actionsByTable(input({ repo, registry }), 'apply')['demo.old_view']).toEqual([
      'dynamodb:DeleteTable',
      'dynamodb:DescribeTable',
      'dynamodb:ListTagsOfResource',
      'dynamodb:Scan',
    ]);
    expect(actionsByTable(input({ repo, registry }), 'plan')['demo.old_view']).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:ListTagsOfResource',
      'dynamodb:Scan',
    ]);
    expect(Object.keys(actionsByTable(input({ repo, registry }), 'apply')).sort()).toEqual(['demo.driver_hourly_stats', 'demo.old_view']);
    expect(actionsByTable(input({ repo, registry }), 'materialize')['demo.old_view']).toBeUndefined();
    // teardown deletes the tables of the repo and of the registry alike
    expect(actionsByTable(input({ repo, registry }), 'teardown')).toEqual({
      'demo.driver_hourly_stats': ['dynamodb:DeleteTable', 'dynamodb:DescribeTable', 'dynamodb:ListTagsOfResource', 'dynamodb:Scan'],
      'demo.old_view': ['dynamodb:DeleteTable', 'dynamodb:DescribeTable', 'dynamodb:ListTagsOfResource', 'dynamodb:Scan'],
    });
  });

  it('table names follow table_name_template', () => {
    const config = makeConfig({ template: 'fs-{project}-{table_name}-v2' });
    expect(Object.keys(actionsByTable(input({ config }), 'read')).sort()).toEqual(['fs-demo-driver_hourly_stats-v2', 'fs-demo-driver_profile-v2']);
  });
});

describe('buildIamPolicy', () => {
  it('groups tables needing the same actions into one statement, exact ARNs, no wildcard', () => {
    const repo = makeRepo([makeView('a_view', { tags: { team: 'x' } }), makeView('b_view'), makeView('c_view')]);
    const { document } = buildIamPolicy(input({ repo }));
    expect(document.Version).toBe('2012-10-17');
    expect(document.Statement).toEqual([
      {
        Sid: 'Apply',
        Effect: 'Allow',
        Action: [
          'dynamodb:CreateTable',
          'dynamodb:DescribeContinuousBackups',
          'dynamodb:DescribeTable',
          'dynamodb:DescribeTimeToLive',
          'dynamodb:ListTagsOfResource',
          'dynamodb:TagResource',
          'dynamodb:UntagResource',
        ],
        Resource: [T('demo.a_view')],
      },
      {
        Sid: 'Apply2',
        Effect: 'Allow',
        Action: [
          'dynamodb:CreateTable',
          'dynamodb:DescribeContinuousBackups',
          'dynamodb:DescribeTable',
          'dynamodb:DescribeTimeToLive',
          'dynamodb:ListTagsOfResource',
          'dynamodb:TagResource',
        ],
        Resource: [T('demo.b_view'), T('demo.c_view')],
      },
    ]);
    expect(JSON.stringify(document)).not.toContain('*');
  });

  it('--for all drops statements another one already covers (plan inside apply)', () => {
    const { document } = buildIamPolicy(input({ commands: [...IAM_COMMANDS] }));
    expect(document.Statement.map((s) => s.Sid)).toEqual(['Apply', 'Materialize', 'Inspect', 'Teardown']);
  });

  it('--for all drops plan also when apply splits the tables over several statements', () => {
    const repo = makeRepo([makeView('a_view', { tags: { team: 'x' } }), makeView('b_view')]);
    const { document } = buildIamPolicy(input({ repo, commands: ['plan', 'apply'] }));
    expect(document.Statement.map((s) => s.Sid)).toEqual(['Apply', 'Apply2']);
    // and nothing plan needs was lost
    const pairs = (d: typeof document) => new Set(d.Statement.flatMap((s) => s.Action.flatMap((a) => s.Resource.map((r) => `${a} ${r}`))));
    const all = pairs(document);
    for (const p of pairs(buildIamPolicy(input({ repo, commands: ['plan'] })).document)) expect(all).toContain(p);
  });

  it('uses the partition, region and account given', () => {
    const { document } = buildIamPolicy(input({ commands: ['read'], arn: { partition: 'aws-cn', region: 'cn-north-1', accountId: '000011112222' } }));
    expect(defined(document.Statement[0]).Resource).toEqual([
      'arn:aws-cn:dynamodb:cn-north-1:000011112222:table/demo.driver_hourly_stats',
      'arn:aws-cn:dynamodb:cn-north-1:000011112222:table/demo.driver_profile',
    ]);
  });

  it('escapes IAM wildcard characters in a table name instead of matching other tables', () => {
    // validation keeps such names out of repos; a Feast-written registry is not validated by dynafeast
    const registry = registryWith('demo', [{ name: 'odd*name?$' }]);
    const { document } = buildIamPolicy(input({ registry, commands: ['teardown'], repo: makeRepo([]) }));
    expect(defined(document.Statement[0]).Resource).toEqual([T('demo.odd${*}name${?}${$}')]);
  });

  it('refuses to build a policy with no statement', () => {
    expect(() => buildIamPolicy(input({ repo: makeRepo([makeView('x', { online: false })]), commands: ['read'] }))).toThrow(
      expect.objectContaining({ code: 'usage.badArgument', path: '--for' }),
    );
  });

  it('warns past the managed-policy size limit, about KMS keys and about custom endpoints', () => {
    const many = makeRepo(Array.from({ length: 120 }, (_, i) => makeView(`view_number_${i}`, { tags: i % 2 ? { a: 'b' } : {} })));
    const big = buildIamPolicy(input({ repo: many, commands: [...IAM_COMMANDS] }));
    expect(policySize(big.document)).toBeGreaterThan(MANAGED_POLICY_MAX_CHARS);
    expect(big.warnings.join('\n')).toMatch(/6144/);
    expect(buildIamPolicy(input()).warnings).toEqual([]);
    const kms = buildIamPolicy(input({ config: makeConfig({ tables: { sseKmsKeyId: 'alias/feast' } }) }));
    expect(kms.warnings.join('\n')).toMatch(/KMS key alias\/feast/);
    const local = makeConfig();
    local.onlineStore.endpointUrl = 'http://127.0.0.1:8000';
    expect(buildIamPolicy(input({ config: local })).warnings.join('\n')).toMatch(/endpoint_url/);
  });
});

describe('parseIamCommands', () => {
  it.each([
    ['apply', ['apply'], []],
    ['teardown,apply, apply', ['apply', 'teardown'], []],
    ['all', [...IAM_COMMANDS], []],
    ['get-online-features,materialize-incremental', ['materialize', 'read'], []],
    ['apply,deploy', ['apply'], ['deploy']],
    ['', [], ['(empty)']],
  ])('%s', (list, commands, unknown) => {
    expect(parseIamCommands(list)).toEqual({ commands, unknown });
  });
});
