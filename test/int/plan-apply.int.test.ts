/**
 * plan → apply → plan against a real DynamoDB-compatible server (dynalite, or DYNAFEAST_TEST_ENDPOINT).
 */
import { jest } from '@jest/globals';
import { DescribeContinuousBackupsCommand, DescribeTableCommand, DescribeTimeToLiveCommand, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { applyPlan } from '../../src/core/plan/apply-plan.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import type { PlanStep } from '../../src/core/plan/steps.js';
import { readRegistry, registryPathOf } from '../../src/core/registry/registry-file.js';
import type { RepoModel } from '../../src/core/repo/model.js';
import { makeRepo, makeView } from '../helpers/plan-fixtures.js';
import { putItem, tablesWithPrefix, useTestRepo, useTestServer } from '../helpers/plan-apply-server.js';
import { defined } from '../helpers/defined.js';

jest.setTimeout(30000);

const server = useTestServer();
const repo = useTestRepo(server, { tags: { env: 'dev', owner: 'ml' } });

const twoViews = () => makeRepo([makeView('driver_hourly_stats', { tags: { team: 'drivers' } }), makeView('driver_profile')]);

async function tagsOf(table: string): Promise<Record<string, string>> {
  const arn = defined((await server.client.send(new DescribeTableCommand({ TableName: table }))).Table?.TableArn);
  const out = await server.client.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
  return Object.fromEntries((out.Tags ?? []).map((t) => [defined(t.Key), defined(t.Value)]));
}

async function planAndApply(model: RepoModel, confirm?: () => Promise<boolean>) {
  const plan = await buildPlan(repo.ctx, repo.config, model);
  const result = await applyPlan(plan, { dynamo: server.client, endpoint: server.endpoint, ...(confirm ? { confirm } : {}) });
  return { plan, result };
}

const tableSteps = (steps: PlanStep[]) => steps.filter((s) => s.kind !== 'registry');

// DynamoDB Local has no tagging API at all: every tagging call is an UnknownOperationException.
const noTagging = () => server.kind === 'dynamodb-local';
const notSupported = (what: string, operation: string) => `${what}: not supported by this endpoint (${operation}); not applied`;

describe(`plan and apply (${process.env.DYNAFEAST_TEST_ENDPOINT ?? 'dynalite'})`, () => {
  it('first apply creates every table with its tags and writes the registry; a second apply plans nothing', async () => {
    const p = repo.config.project;
    const { plan, result } = await planAndApply(twoViews());
    if (noTagging()) {
      // the endpoint probe finds no tagging API: no tag step is planned, and the plan says why per table
      expect(tableSteps(plan.steps).map((s) => s.kind)).toEqual(['create_table', 'create_table']);
      expect(plan.notes.map((n) => [n.table, n.message])).toEqual([
        [`${p}.driver_hourly_stats`, notSupported('tags', 'TagResource')],
        [`${p}.driver_profile`, notSupported('tags', 'TagResource')],
      ]);
    } else {
      expect(tableSteps(plan.steps).map((s) => s.kind)).toEqual(['create_table', 'set_tags', 'create_table', 'set_tags']);
    }
    expect(result.results.every((r) => r.status === 'done')).toBe(true);
    expect(await tablesWithPrefix(server.client, `${p}.`)).toEqual([`${p}.driver_hourly_stats`, `${p}.driver_profile`]);
    const table = defined((await server.client.send(new DescribeTableCommand({ TableName: `${p}.driver_hourly_stats` }))).Table);
    expect(table.KeySchema).toEqual([{ AttributeName: 'entity_id', KeyType: 'HASH' }]);
    expect(table.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    if (!noTagging()) {
      // the project tag says whose table it is (plan/ownership.ts)
      expect(await tagsOf(`${p}.driver_hourly_stats`)).toEqual({ env: 'dev', owner: 'ml', team: 'drivers', 'dynafeast:project': p });
      expect(await tagsOf(`${p}.driver_profile`)).toEqual({ env: 'dev', owner: 'ml', 'dynafeast:project': p });
    }

    const registry = await readRegistry(registryPathOf(repo.config));
    expect(registry.featureViews.map((v) => defined(v.spec).name).sort()).toEqual(['driver_hourly_stats', 'driver_profile']);
    expect(result.registry?.versionId).toBe(registry.versionId);

    const again = await buildPlan(repo.ctx, repo.config, twoViews());
    expect(again.steps).toEqual([]);
    expect(again.notes.map((n) => [n.table, n.message])).toEqual(
      noTagging()
        ? [
            [`${p}.driver_hourly_stats`, notSupported('tags', 'ListTagsOfResource')],
            [`${p}.driver_profile`, notSupported('tags', 'ListTagsOfResource')],
          ]
        : [],
    );
    const noop = await applyPlan(again, { dynamo: server.client });
    expect(noop.results).toEqual([]);
    expect((await readRegistry(registryPathOf(repo.config))).versionId).toBe(registry.versionId);
  });

  it('changing a tag updates only that tag', async () => {
    const p = repo.config.project;
    await planAndApply(twoViews());
    repo.config.onlineStore.tags = { env: 'prod', owner: 'ml' };
    const { plan } = await planAndApply(twoViews());
    if (noTagging()) {
      // nothing can be read or changed: no step, and a note per table saying why
      expect(plan.steps).toEqual([]);
      expect(plan.notes.map((n) => [n.table, n.message])).toEqual([
        [`${p}.driver_hourly_stats`, notSupported('tags', 'ListTagsOfResource')],
        [`${p}.driver_profile`, notSupported('tags', 'ListTagsOfResource')],
      ]);
      return;
    }
    expect(plan.steps).toEqual([
      { kind: 'set_tags', table: `${p}.driver_hourly_stats`, view: 'driver_hourly_stats', tags: { env: 'prod' }, previous: { env: 'dev' } },
      { kind: 'set_tags', table: `${p}.driver_profile`, view: 'driver_profile', tags: { env: 'prod' }, previous: { env: 'dev' } },
    ]);
    expect(await tagsOf(`${p}.driver_hourly_stats`)).toEqual({ env: 'prod', owner: 'ml', team: 'drivers', 'dynafeast:project': p });
    // a tag dropped from the config is removed, the others stay
    repo.config.onlineStore.tags = { env: 'prod' };
    const { plan: removal } = await planAndApply(twoViews());
    expect(tableSteps(removal.steps).map((s) => s.kind)).toEqual(['remove_tags', 'remove_tags']);
    expect(await tagsOf(`${p}.driver_profile`)).toEqual({ env: 'prod', 'dynafeast:project': p });
    expect((await buildPlan(repo.ctx, repo.config, twoViews())).steps).toEqual([]);
  });

  it('removing a view plans and applies the deletion of its table, asking first when it holds items', async () => {
    const p = repo.config.project;
    await planAndApply(twoViews());
    await putItem(server.client, `${p}.driver_profile`);
    const oneView = makeRepo([makeView('driver_hourly_stats', { tags: { team: 'drivers' } })]);
    const plan = await buildPlan(repo.ctx, repo.config, oneView);
    expect(plan.steps).toEqual([
      { kind: 'delete_table', table: `${p}.driver_profile`, view: 'driver_profile', holdsItems: true, deletionProtected: false },
      { kind: 'registry', objectType: 'feature_view', name: 'driver_profile', action: 'delete', changes: [] },
    ]);
    await expect(applyPlan(plan, { dynamo: server.client })).rejects.toMatchObject({ code: 'usage.confirmationRequired' });
    await expect(applyPlan(plan, { dynamo: server.client, confirm: async () => false })).rejects.toMatchObject({ code: 'aborted' });
    expect(await tablesWithPrefix(server.client, `${p}.`)).toHaveLength(2);
    const asked: string[] = [];
    await applyPlan(plan, { dynamo: server.client, confirm: async (r) => (asked.push(...r.tables.map((t) => t.table)), true) });
    expect(asked).toEqual([`${p}.driver_profile`]);
    expect(await tablesWithPrefix(server.client, `${p}.`)).toEqual([`${p}.driver_hourly_stats`]);
    expect((await readRegistry(registryPathOf(repo.config))).featureViews.map((v) => defined(v.spec).name)).toEqual(['driver_hourly_stats']);
    expect((await buildPlan(repo.ctx, repo.config, oneView)).steps).toEqual([]);
  });

  it('switches billing to provisioned capacity and back', async () => {
    const p = repo.config.project;
    const model = makeRepo([makeView('v')]);
    await planAndApply(model);
    repo.config.dynafeast.tables = { ...repo.config.dynafeast.tables, billingMode: 'PROVISIONED', readCapacityUnits: 3, writeCapacityUnits: 2 };
    const { plan } = await planAndApply(model);
    expect(plan.steps.map((s) => s.kind)).toEqual(['update_billing']);
    const t = defined((await server.client.send(new DescribeTableCommand({ TableName: `${p}.v` }))).Table);
    expect([t.ProvisionedThroughput?.ReadCapacityUnits, t.ProvisionedThroughput?.WriteCapacityUnits]).toEqual([3, 2]);
    expect((await buildPlan(repo.ctx, repo.config, model)).steps).toEqual([]);
  });

  it('turns a stream on, changes its view type (off, then on) and turns it off; or says the endpoint ignores it', async () => {
    const p = repo.config.project;
    const model = makeRepo([makeView('v')]);
    const streamOf = async () => defined((await server.client.send(new DescribeTableCommand({ TableName: `${p}.v` }))).Table).StreamSpecification;
    const withStream = (streamViewType?: 'NEW_IMAGE' | 'KEYS_ONLY') => {
      const { streamViewType: _, ...rest } = repo.config.dynafeast.tables;
      repo.config.dynafeast.tables = streamViewType ? { ...rest, streamViewType } : rest;
    };
    withStream('NEW_IMAGE');
    const first = await planAndApply(model);
    if (server.kind === 'dynalite') {
      // dynalite accepts StreamSpecification and drops it: the plan says so once the table exists
      const again = await buildPlan(repo.ctx, repo.config, model);
      expect(again.steps).toEqual([]);
      expect(again.notes.map((n) => n.message)).toContain(notSupported('stream NEW_IMAGE', 'CreateTable and UpdateTable ignore it'));
      return;
    }
    expect(first.result.results.every((r) => r.status === 'done')).toBe(true);
    expect(await streamOf()).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect((await buildPlan(repo.ctx, repo.config, model)).steps).toEqual([]);

    // NOTE: moto refuses to enable a stream on a table that ever had one (ResourceInUseException), where
    // DynamoDB and DynamoDB Local start a new stream; the change of view type is checked on the others.
    let last = 'NEW_IMAGE';
    if (server.kind !== 'moto') {
      withStream('KEYS_ONLY');
      const change = await planAndApply(model);
      expect(tableSteps(change.plan.steps)).toEqual([{ kind: 'update_stream', table: `${p}.v`, view: 'v', from: 'NEW_IMAGE', to: 'KEYS_ONLY' }]);
      expect(change.result.results.map((r) => r.status)).toEqual(['done']);
      expect(await streamOf()).toEqual({ StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });
      expect((await buildPlan(repo.ctx, repo.config, model)).steps).toEqual([]);
      last = 'KEYS_ONLY';
    }

    withStream(undefined);
    const off = await planAndApply(model);
    expect(tableSteps(off.plan.steps)).toEqual([{ kind: 'update_stream', table: `${p}.v`, view: 'v', from: last }]);
    expect((await streamOf())?.StreamEnabled ?? false).toBe(false);
    expect((await buildPlan(repo.ctx, repo.config, model)).steps).toEqual([]);
  });

  it('enables TTL and PITR where the endpoint supports them and otherwise says so, never claiming it', async () => {
    const p = repo.config.project;
    repo.config.dynafeast.tables = { ...repo.config.dynafeast.tables, ttlExpiry: true, pointInTimeRecovery: true };
    const model = makeRepo([makeView('v')]);
    const { plan, result } = await planAndApply(model);
    const planned = plan.steps.map((s) => s.kind);
    const ttlSupported = planned.includes('enable_ttl');
    const pitrSupported = planned.includes('enable_pitr');
    if (server.kind === 'dynalite') {
      expect(planned).toEqual(['create_table', 'set_tags', 'registry', 'registry', 'registry', 'registry', 'registry']);
      expect(plan.notes.map((n) => n.message)).toEqual([
        'TTL expiry: not supported by this endpoint (UpdateTimeToLive); not applied',
        'point-in-time recovery: not supported by this endpoint (UpdateContinuousBackups); not applied',
      ]);
    }
    if (server.kind === 'dynamodb-local') {
      // TTL yes; no continuous-backups API at all
      expect(planned).toEqual(['create_table', 'enable_ttl', 'registry', 'registry', 'registry', 'registry', 'registry']);
      expect(plan.notes.map((n) => n.message)).toEqual([
        notSupported('tags', 'TagResource'),
        notSupported('point-in-time recovery', 'UpdateContinuousBackups'),
      ]);
    }
    // moto supports both, like AWS
    if (server.kind === 'moto') expect([ttlSupported, pitrSupported]).toEqual([true, true]);
    if (ttlSupported) {
      const ttl = (await server.client.send(new DescribeTimeToLiveCommand({ TableName: `${p}.v` }))).TimeToLiveDescription;
      expect(ttl).toMatchObject({ AttributeName: 'dynafeast_expires_at' });
      expect(result.results.find((r) => r.step.kind === 'enable_ttl')?.status).toBe('done');
    }
    if (pitrSupported) {
      const pitr = (await server.client.send(new DescribeContinuousBackupsCommand({ TableName: `${p}.v` }))).ContinuousBackupsDescription;
      expect(pitr?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe('ENABLED');
    }
    const again = await buildPlan(repo.ctx, repo.config, model);
    expect(again.steps).toEqual([]);
    // once the table exists the tag note names the read that is missing (ListTagsOfResource)
    const tagNote = { level: 'warning', table: `${p}.v`, view: 'v', message: notSupported('tags', 'ListTagsOfResource') };
    expect(again.notes).toEqual(noTagging() ? [tagNote, ...plan.notes.slice(1)] : plan.notes);
  });
});
