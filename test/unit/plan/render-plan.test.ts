import { createOutput } from '../../../src/cli/output.js';
import { renderPlan } from '../../../src/cli/render-plan.js';
import { planToJson } from '../../../src/core/plan/plan-json.js';
import type { Plan } from '../../../src/core/plan/steps.js';
import { buildRegistryObjects } from '../../../src/core/registry/build.js';
import { makeRepo } from '../../helpers/plan-fixtures.js';

const out = createOutput({ json: false, color: false }, { stdout: { write: () => true }, stderr: { write: () => true } });

const plan: Plan = {
  project: 'driver_stats',
  registryPath: 'data/registry.db',
  steps: [
    {
      kind: 'create_table',
      table: 'driver_stats.driver_trips',
      view: 'driver_trips',
      billing: { mode: 'PAY_PER_REQUEST' },
      tableClass: 'STANDARD',
      deletionProtection: false,
    },
    {
      kind: 'set_tags',
      table: 'driver_stats.driver_hourly_stats',
      view: 'driver_hourly_stats',
      tags: { team: 'ranking', tier: 'gold' },
      previous: { team: 'drivers' },
    },
    { kind: 'delete_table', table: 'driver_stats.driver_profile', view: 'driver_profile', holdsItems: true, deletionProtected: false },
    { kind: 'registry', objectType: 'feature_view', name: 'driver_trips', action: 'create', changes: [] },
    {
      kind: 'registry',
      objectType: 'feature_view',
      name: 'driver_hourly_stats',
      action: 'update',
      changes: [{ path: 'ttl', before: '86400s', after: '172800s' }],
    },
    { kind: 'registry', objectType: 'feature_view', name: 'driver_profile', action: 'delete', changes: [] },
  ],
  notes: ['a', 'b', 'c', 'd'].map((v) => ({
    level: 'warning' as const,
    table: `t.${v}`,
    message: 'TTL expiry: not supported by this endpoint (UpdateTimeToLive); not applied',
  })),
  registry: { baseVersionId: undefined, desired: buildRegistryObjects('driver_stats', makeRepo([])) },
};

describe('renderPlan', () => {
  it('shows table steps, registry changes with property diffs, grouped notes and a summary', () => {
    expect(renderPlan(plan, out).split('\n')).toEqual([
      'Plan for project driver_stats:',
      '',
      'DynamoDB tables',
      '  + create table driver_stats.driver_trips (on-demand)',
      '  ~ tag driver_stats.driver_hourly_stats: team="drivers" → "ranking", tier="gold"',
      '  - delete table driver_stats.driver_profile of removed view driver_profile (holds items)',
      '',
      'Registry (data/registry.db)',
      '  + create feature view driver_trips',
      '  ~ update feature view driver_hourly_stats',
      '      ttl: "86400s" → "172800s"',
      '  - delete feature view driver_profile',
      '',
      'Notes',
      '  ⚠ 4 tables: TTL expiry: not supported by this endpoint (UpdateTimeToLive); not applied',
      '',
      'Plan: 1 table(s) to create, 1 to update, 1 to delete; 3 registry change(s) (1 create, 1 update, 1 delete).',
    ]);
  });

  it('says so when nothing changes', () => {
    expect(renderPlan({ ...plan, steps: [], notes: [] }, out)).toBe('✔ No changes: the tables and the registry of project driver_stats match the repo.');
  });
});

describe('planToJson', () => {
  it('is the documented, versioned shape', () => {
    const json = planToJson(plan);
    expect(Object.keys(json)).toEqual(['version', 'project', 'registryPath', 'changes', 'summary', 'steps', 'notes']);
    expect(json).toMatchObject({
      version: 1,
      changes: true,
      summary: { tables: { create: 1, update: 1, delete: 1 }, registry: { create: 1, update: 1, delete: 1 } },
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
