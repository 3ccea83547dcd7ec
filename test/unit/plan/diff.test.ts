import { buildDesiredState } from '../../../src/core/plan/desired.js';
import { diff, diffTables, removedViews, type ActualState } from '../../../src/core/plan/diff.js';
import { FULL_SUPPORT, type ActualTable, type EndpointSupport } from '../../../src/core/plan/introspect.js';
import { PROJECT_TAG } from '../../../src/core/plan/ownership.js';
import type { PlanStep } from '../../../src/core/plan/steps.js';
import { buildRegistryObjects } from '../../../src/core/registry/build.js';
import { reconcileRegistry } from '../../../src/core/registry/reconcile.js';
import { makeConfig, makeRepo, makeView } from '../../helpers/plan-fixtures.js';
import { defined } from '../../helpers/defined.js';

const TABLE = 'demo.driver_hourly_stats';

function existing(over: Partial<ActualTable> = {}): ActualTable {
  return {
    table: TABLE,
    exists: true,
    status: 'ACTIVE',
    arn: `arn:aws:dynamodb:us-east-1:1:table/${TABLE}`,
    billing: { mode: 'PAY_PER_REQUEST' },
    tableClass: 'STANDARD',
    deletionProtection: false,
    settingsSupported: true,
    tags: { state: 'known', value: { [PROJECT_TAG]: 'demo' } },
    ttl: { state: 'known', value: { enabled: false } },
    pitr: { state: 'known', value: false },
    ...over,
  };
}

function actualOf(tables: ActualTable[], over: Partial<ActualState> = {}): ActualState {
  return { tables: new Map(tables.map((t) => [t.table, t])), registry: undefined, support: FULL_SUPPORT, removed: [], ...over };
}

const kinds = (steps: PlanStep[]) => steps.map((s) => (s.kind === 'registry' ? `registry:${s.action}:${s.objectType}:${s.name}` : `${s.kind}:${s.table}`));

describe('diffTables', () => {
  it('creates a missing table, then tags it through TagResource (view tags win over store tags)', () => {
    const config = makeConfig({ tags: { team: 'platform', env: 'dev' } });
    const repo = makeRepo([makeView('driver_hourly_stats', { tags: { team: 'drivers' } })]);
    const { steps, notes } = diffTables(buildDesiredState(config, repo), actualOf([]));
    expect(steps).toEqual([
      {
        kind: 'create_table',
        table: TABLE,
        view: 'driver_hourly_stats',
        billing: { mode: 'PAY_PER_REQUEST' },
        tableClass: 'STANDARD',
        deletionProtection: false,
      },
      { kind: 'set_tags', table: TABLE, view: 'driver_hourly_stats', tags: { team: 'drivers', env: 'dev', [PROJECT_TAG]: 'demo' }, previous: {} },
    ]);
    expect(notes).toEqual([]);
  });

  it('plans nothing when the table matches', () => {
    const desired = buildDesiredState(makeConfig({ tags: { env: 'dev' } }), makeRepo());
    expect(diffTables(desired, actualOf([existing({ tags: { state: 'known', value: { env: 'dev', [PROJECT_TAG]: 'demo' } } })])).steps).toEqual([]);
  });

  it('changes only the tag that changed and removes dropped keys, leaving aws: tags alone', () => {
    const desired = buildDesiredState(makeConfig({ tags: { env: 'prod', owner: 'ml' } }), makeRepo());
    const actual = actualOf([
      existing({ tags: { state: 'known', value: { env: 'dev', owner: 'ml', old: 'x', 'aws:cloudformation:stack-name': 's', [PROJECT_TAG]: 'demo' } } }),
    ]);
    expect(diffTables(desired, actual).steps).toEqual([
      { kind: 'set_tags', table: TABLE, view: 'driver_hourly_stats', tags: { env: 'prod' }, previous: { env: 'dev' } },
      { kind: 'remove_tags', table: TABLE, view: 'driver_hourly_stats', keys: ['old'] },
    ]);
  });

  it('updates billing to the configured provisioned capacity', () => {
    const desired = buildDesiredState(makeConfig({ tables: { billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 2 } }), makeRepo());
    expect(diffTables(desired, actualOf([existing()])).steps).toEqual([
      {
        kind: 'update_billing',
        table: TABLE,
        view: 'driver_hourly_stats',
        from: { mode: 'PAY_PER_REQUEST' },
        to: { mode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 2 },
      },
    ]);
  });

  it('turns table settings on an existing AWS table into UpdateTable steps', () => {
    const config = makeConfig({
      tables: { tableClass: 'STANDARD_INFREQUENT_ACCESS', deletionProtection: true, streamViewType: 'NEW_IMAGE', sseKmsKeyId: 'k-1' },
    });
    const actual = actualOf([existing({ streamViewType: 'KEYS_ONLY' })]);
    expect(kinds(diffTables(buildDesiredState(config, makeRepo()), actual).steps)).toEqual([
      `update_table_class:${TABLE}`,
      `update_sse:${TABLE}`,
      `update_stream:${TABLE}`,
      `set_deletion_protection:${TABLE}`,
    ]);
    // an alias cannot be resolved offline and a key id matches its ARN: both count as the same key
    const same = actualOf([existing({ sseKmsKeyArn: 'arn:aws:kms:us-east-1:1:key/k-1' })]);
    const steps = diffTables(buildDesiredState(makeConfig({ tables: { sseKmsKeyId: 'k-1' } }), makeRepo()), same).steps;
    expect(steps).toEqual([]);
    const alias = diffTables(buildDesiredState(makeConfig({ tables: { sseKmsKeyId: 'alias/feast' } }), makeRepo()), same).steps;
    expect(alias).toEqual([]);
  });

  it('reports settings an emulator ignores as notes instead of planning them forever', () => {
    const config = makeConfig({ tables: { deletionProtection: true, tableClass: 'STANDARD_INFREQUENT_ACCESS' } });
    const { steps, notes } = diffTables(buildDesiredState(config, makeRepo()), actualOf([existing({ settingsSupported: false })]));
    expect(steps).toEqual([]);
    expect(notes.map((n) => n.message)).toEqual([
      expect.stringContaining('table class STANDARD_INFREQUENT_ACCESS: not supported by this endpoint'),
      expect.stringContaining('deletion protection: not supported by this endpoint'),
    ]);
  });

  it('notes a table class an emulator does not report instead of planning it forever', () => {
    const config = makeConfig({ tables: { tableClass: 'STANDARD_INFREQUENT_ACCESS' } });
    const { steps, notes } = diffTables(buildDesiredState(config, makeRepo()), actualOf([existing({ tableClass: undefined })]));
    expect(steps).toEqual([]);
    expect(defined(notes[0]).message).toBe(
      'table class STANDARD_INFREQUENT_ACCESS: not supported by this endpoint (DescribeTable does not report a table class); not applied',
    );
  });

  describe('TTL and PITR', () => {
    const config = makeConfig({ tables: { ttlExpiry: true, pointInTimeRecovery: true } });

    it('enables both on a new table when the endpoint supports them', () => {
      const { steps } = diffTables(buildDesiredState(config, makeRepo()), actualOf([]));
      expect(steps.map((s) => s.kind)).toEqual(['create_table', 'set_tags', 'enable_ttl', 'enable_pitr']);
      expect(steps[2]).toMatchObject({ attribute: 'dynafeast_expires_at' });
    });

    it('notes them as not supported by this endpoint, never as steps, when it lacks the operations', () => {
      const none: EndpointSupport = { updateTimeToLive: false, continuousBackups: false, tagging: true, emulator: true };
      const fresh = diffTables(buildDesiredState(config, makeRepo()), actualOf([], { support: none }));
      expect(fresh.steps.map((s) => s.kind)).toEqual(['create_table', 'set_tags']);
      expect(fresh.notes.map((n) => n.message)).toEqual([
        'TTL expiry: not supported by this endpoint (UpdateTimeToLive); not applied',
        'point-in-time recovery: not supported by this endpoint (UpdateContinuousBackups); not applied',
      ]);
      const old = diffTables(
        buildDesiredState(config, makeRepo()),
        actualOf(
          [existing({ ttl: { state: 'unsupported', operation: 'UpdateTimeToLive' }, pitr: { state: 'unsupported', operation: 'DescribeContinuousBackups' } })],
          { support: none },
        ),
      );
      expect(old.steps).toEqual([]);
      expect(old.notes).toHaveLength(2);
    });

    it('notes tags on a new table as not supported, rather than planning a step, when the endpoint cannot tag', () => {
      const noTags: EndpointSupport = { ...FULL_SUPPORT, tagging: false, emulator: true };
      const tagged = makeConfig({ tags: { team: 'drivers' } });
      const fresh = diffTables(buildDesiredState(tagged, makeRepo()), actualOf([], { support: noTags }));
      expect(fresh.steps.map((s) => s.kind)).toEqual(['create_table']);
      expect(fresh.notes.map((n) => n.message)).toEqual(['tags: not supported by this endpoint (TagResource); not applied']);
      const withTags = diffTables(buildDesiredState(tagged, makeRepo()), actualOf([]));
      expect(withTags.steps.map((s) => s.kind)).toEqual(['create_table', 'set_tags']);
    });

    it('moves TTL to a new attribute by disabling the old one first', () => {
      const actual = actualOf([existing({ ttl: { state: 'known', value: { enabled: true, attribute: 'expires' } }, pitr: { state: 'known', value: true } })]);
      expect(diffTables(buildDesiredState(config, makeRepo()), actual).steps).toEqual([
        { kind: 'disable_ttl', table: TABLE, view: 'driver_hourly_stats', attribute: 'expires' },
        { kind: 'enable_ttl', table: TABLE, view: 'driver_hourly_stats', attribute: 'dynafeast_expires_at' },
      ]);
    });

    it('disables what the config no longer asks for', () => {
      const actual = actualOf([
        existing({ ttl: { state: 'known', value: { enabled: true, attribute: 'dynafeast_expires_at' } }, pitr: { state: 'known', value: true } }),
      ]);
      expect(diffTables(buildDesiredState(makeConfig(), makeRepo()), actual).steps.map((s) => s.kind)).toEqual(['disable_ttl', 'disable_pitr']);
    });

    it('does not expire items of a view whose ttl is 0, and says so', () => {
      const { steps, notes } = diffTables(buildDesiredState(config, makeRepo([makeView('driver_hourly_stats', { ttlMicros: 0n })])), actualOf([]));
      expect(steps.map((s) => s.kind)).toEqual(['create_table', 'set_tags', 'enable_pitr']);
      expect(notes).toEqual([expect.objectContaining({ level: 'info', view: 'driver_hourly_stats' })]);
    });

    it('notes what cannot be read instead of guessing', () => {
      const actual = actualOf([
        existing({ tags: { state: 'denied', action: 'dynamodb:ListTagsOfResource' }, pitr: { state: 'denied', action: 'dynamodb:DescribeContinuousBackups' } }),
      ]);
      const { steps, notes } = diffTables(buildDesiredState(config, makeRepo()), actual);
      expect(steps.map((s) => s.kind)).toEqual(['enable_ttl']);
      expect(notes.map((n) => n.message)).toEqual([
        expect.stringContaining('dynamodb:ListTagsOfResource denied'),
        expect.stringContaining('dynamodb:DescribeContinuousBackups denied'),
      ]);
    });
  });

  it('deletes the table of a removed view, flagging contents and protection', () => {
    const removed = [{ view: 'old_view', table: 'demo.old_view' }];
    const actual = actualOf([existing(), existing({ table: 'demo.old_view', holdsItems: true, deletionProtection: true })], { removed });
    const { steps, notes } = diffTables(buildDesiredState(makeConfig(), makeRepo()), actual);
    expect(steps).toEqual([{ kind: 'delete_table', table: 'demo.old_view', view: 'old_view', holdsItems: true, deletionProtected: true }]);
    expect(notes[0]).toMatchObject({ level: 'warning', table: 'demo.old_view' });
    // already gone: nothing to do
    expect(diffTables(buildDesiredState(makeConfig(), makeRepo()), actualOf([existing()], { removed })).steps).toEqual([]);
  });
});

describe('removedViews', () => {
  it('lists online views of the project that the repo no longer defines', () => {
    const config = makeConfig();
    const repo = makeRepo([makeView('a'), makeView('b'), makeView('c', { online: false })]);
    const other = reconcileRegistry(undefined, 'other', buildRegistryObjects('other', makeRepo([makeView('a')])), 1n).registry;
    const registry = reconcileRegistry(other, 'demo', buildRegistryObjects('demo', repo), 1n).registry;
    const names = removedViews(registry, 'demo', new Set(['a']), (v) => `${config.project}.${v}`);
    expect(names).toEqual([{ view: 'b', table: 'demo.b' }]);
  });
});

describe('diff', () => {
  it('puts table steps first and registry changes last; a second diff after applying is empty', () => {
    const config = makeConfig();
    const repo = makeRepo();
    const desired = buildDesiredState(config, repo);
    const first = diff(desired, actualOf([]));
    expect(kinds(first.steps)).toEqual([
      `create_table:${TABLE}`,
      `set_tags:${TABLE}`,
      'registry:create:project:demo',
      'registry:create:entity:__dummy',
      'registry:create:entity:driver',
      'registry:create:data_source:driver_stats_source',
      'registry:create:feature_view:driver_hourly_stats',
    ]);
    const registry = reconcileRegistry(undefined, 'demo', desired.registry, 5n).registry;
    expect(diff(desired, actualOf([existing()], { registry })).steps).toEqual([]);
  });
});
