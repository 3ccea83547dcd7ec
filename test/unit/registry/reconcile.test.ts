import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { RegistrySchema, type Registry } from '../../../src/gen/feast/core/Registry_pb.js';
import { FeatureViewSpecSchema } from '../../../src/gen/feast/core/FeatureView_pb.js';
import { DataSourceSchema, DataSource_SourceType } from '../../../src/gen/feast/core/DataSource_pb.js';
import { MaterializationIntervalSchema } from '../../../src/gen/feast/core/FeatureView_pb.js';
import { buildRegistryObjects } from '../../../src/core/registry/build.js';
import { reconcileRegistry, removeProjectFromRegistry } from '../../../src/core/registry/reconcile.js';
import { timestampFromMicros, timestampToMicros } from '../../../src/core/registry/time.js';
import { makeRepo, makeView } from '../../helpers/plan-fixtures.js';
import { defined } from '../../helpers/defined.js';

const T0 = 1_700_000_000_000_000n;
const T1 = T0 + 60_000_000n;

function applied(repo = makeRepo(), base?: Registry, project = 'demo', now = T0): Registry {
  return reconcileRegistry(base, project, buildRegistryObjects(project, repo), now).registry;
}

/** Appends raw protobuf fields to a message's bytes (what a newer Feast would have written). */
function withExtraFields(bytes: Uint8Array, extra: number[]): Uint8Array {
  return new Uint8Array([...bytes, ...extra]);
}

describe('reconcileRegistry', () => {
  it('creates the project in both `projects` and `project_metadata` and stamps created/updated', () => {
    const { registry, changes } = reconcileRegistry(undefined, 'demo', buildRegistryObjects('demo', makeRepo()), T0);
    expect(changes.map((c) => `${c.action} ${c.objectType} ${c.name}`)).toEqual([
      'create project demo',
      'create entity __dummy',
      'create entity driver',
      'create data_source driver_stats_source',
      'create feature_view driver_hourly_stats',
    ]);
    expect(defined(registry.projects[0]?.spec).name).toBe('demo');
    expect(defined(registry.projectMetadata[0]).project).toBe('demo');
    expect(defined(registry.projectMetadata[0]).projectUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(timestampToMicros(defined(registry.featureViews[0]?.meta?.createdTimestamp))).toBe(T0);
    expect(registry.registrySchemaVersion).toBe('1');
  });

  it('does not count a missing project_metadata (Feast 0.67 writes none) as a change, but adds it when writing', () => {
    const feastLike = applied();
    feastLike.projectMetadata = [];
    expect(reconcileRegistry(feastLike, 'demo', buildRegistryObjects('demo', makeRepo()), T1).changes).toEqual([]);
    const repo = makeRepo([makeView('driver_hourly_stats', { tags: { team: 'x' } })]);
    const { registry, changes } = reconcileRegistry(feastLike, 'demo', buildRegistryObjects('demo', repo), T1);
    expect(changes.map((c) => c.objectType)).toEqual(['feature_view']);
    expect(registry.projectMetadata.map((m) => m.project)).toEqual(['demo']);
    // The other way round (an older registry with only project_metadata) still needs `projects`.
    const older = applied();
    older.projects = [];
    expect(reconcileRegistry(older, 'demo', buildRegistryObjects('demo', makeRepo()), T1).changes).toEqual([
      { objectType: 'project', name: 'demo', action: 'update', changes: [{ path: 'projects', after: 'demo' }] },
    ]);
  });

  it('changes nothing, not even timestamps, when the repo is unchanged', () => {
    const first = applied();
    const again = reconcileRegistry(first, 'demo', buildRegistryObjects('demo', makeRepo()), T1);
    expect(again.changes).toEqual([]);
    expect(toBinary(RegistrySchema, again.registry)).toEqual(toBinary(RegistrySchema, first));
  });

  it('reports property diffs of an update, keeps created_timestamp and the materialization history', () => {
    const first = applied();
    defined(first.featureViews[0]?.meta).materializationIntervals.push(
      create(MaterializationIntervalSchema, { startTime: timestampFromMicros(T0), endTime: timestampFromMicros(T1) }),
    );
    const repo = makeRepo([makeView('driver_hourly_stats', { tags: { team: 'drivers' }, ttlMicros: 3_600_000_000n })]);
    const { registry, changes } = reconcileRegistry(first, 'demo', buildRegistryObjects('demo', repo), T1);
    expect(changes).toEqual([
      {
        objectType: 'feature_view',
        name: 'driver_hourly_stats',
        action: 'update',
        changes: [
          { path: 'tags.team', after: 'drivers' },
          { path: 'ttl', before: '86400s', after: '3600s' },
        ],
      },
    ]);
    const meta = defined(registry.featureViews[0]?.meta);
    expect(timestampToMicros(defined(meta.createdTimestamp))).toBe(T0);
    expect(timestampToMicros(defined(meta.lastUpdatedTimestamp))).toBe(T1);
    expect(meta.materializationIntervals).toHaveLength(1);
  });

  it('clears the materialization history when the stored rows no longer match the features', () => {
    const first = applied();
    defined(first.featureViews[0]?.meta).materializationIntervals.push(create(MaterializationIntervalSchema, { endTime: timestampFromMicros(T1) }));
    const view = makeView('driver_hourly_stats');
    view.features.push({ name: 'acc_rate', dtype: { kind: 'scalar', scalar: 'Float32' }, description: '', tags: {} });
    const { registry, changes } = reconcileRegistry(first, 'demo', buildRegistryObjects('demo', makeRepo([view])), T1);
    expect(defined(changes[0]).changes).toEqual([{ path: 'features[acc_rate]', after: { name: 'acc_rate', valueType: 'FLOAT' } }]);
    expect(defined(changes[0]).note).toMatch(/materialization history cleared/);
    expect(defined(registry.featureViews[0]?.meta).materializationIntervals).toEqual([]);
  });

  it('deletes objects the repo dropped and leaves other projects alone', () => {
    const both = applied(makeRepo([makeView('a'), makeView('b')]), applied(makeRepo([makeView('a')]), undefined, 'other'));
    const { registry, changes } = reconcileRegistry(both, 'demo', buildRegistryObjects('demo', makeRepo([makeView('a')])), T1);
    expect(changes).toEqual([{ objectType: 'feature_view', name: 'b', action: 'delete', changes: [] }]);
    expect(registry.featureViews.map((v) => `${defined(v.spec).project}/${defined(v.spec).name}`)).toEqual(['other/a', 'demo/a']);
    expect(registry.projects.map((p) => defined(p.spec).name)).toEqual(['other', 'demo']);
  });

  it("leaves Feast's push, request and stream sources alone (YAML cannot define them; Feast's stream and on-demand views use them), but deletes a dropped file source", () => {
    const base = applied();
    const file = defined(base.dataSources[0]);
    const feastOnly = [
      { name: 'pushed_push', type: DataSource_SourceType.PUSH_SOURCE },
      { name: 'factor', type: DataSource_SourceType.REQUEST_SOURCE },
      { name: 'clicks', type: DataSource_SourceType.STREAM_KAFKA },
    ].map((d) => create(DataSourceSchema, { ...d, project: 'demo' }));
    base.dataSources.push(...feastOnly, create(DataSourceSchema, { ...file, name: 'old_file' }));
    const { registry, changes } = reconcileRegistry(base, 'demo', buildRegistryObjects('demo', makeRepo()), T1);
    expect(changes).toEqual([{ objectType: 'data_source', name: 'old_file', action: 'delete', changes: [] }]);
    expect(registry.dataSources.map((d) => d.name)).toEqual([file.name, 'pushed_push', 'factor', 'clicks']);
    // teardown removes them with the project
    expect(removeProjectFromRegistry(base, 'demo').registry.dataSources).toEqual([]);
  });

  it('keeps fields and lists it does not know through an update (a registry from a newer Feast)', () => {
    const first = applied();
    // FeatureViewSpec.offline = true (field 13, varint) inside the stored view
    const spec = fromBinary(
      FeatureViewSpecSchema,
      withExtraFields(toBinary(FeatureViewSpecSchema, defined(defined(first.featureViews[0]).spec)), [13 << 3, 1]),
    );
    defined(first.featureViews[0]).spec = spec;
    // Registry.saved_datasets (field 11): one opaque 3-byte message
    const bytes = withExtraFields(toBinary(RegistrySchema, first), [(11 << 3) | 2, 3, 0x0a, 0x01, 0x78]);
    const stored = fromBinary(RegistrySchema, bytes);
    const repo = makeRepo([makeView('driver_hourly_stats', { tags: { team: 'x' } })]);
    const { registry, changes } = reconcileRegistry(stored, 'demo', buildRegistryObjects('demo', repo), T1);
    expect(changes).toHaveLength(1);
    const out = toBinary(RegistrySchema, registry);
    const reread = fromBinary(RegistrySchema, out);
    expect(reread.$unknown?.map((f) => f.no)).toEqual([11]);
    expect(defined(defined(reread.featureViews[0]).spec).$unknown?.map((f) => f.no)).toEqual([13]);
    expect(defined(defined(reread.featureViews[0]).spec).tags).toEqual({ team: 'x' });
  });
});

describe('removeProjectFromRegistry', () => {
  it("removes every object of the project and nothing of the others'", () => {
    const both = applied(makeRepo(), applied(makeRepo(), undefined, 'other'));
    const { registry, changes } = removeProjectFromRegistry(both, 'demo');
    expect(changes[0]).toEqual({ objectType: 'project', name: 'demo', action: 'delete', changes: [] });
    expect(changes.filter((c) => c.action !== 'delete')).toEqual([]);
    expect(registry.featureViews.map((v) => defined(v.spec).project)).toEqual(['other']);
    expect(registry.entities.every((e) => defined(e.spec).project === 'other')).toBe(true);
    expect(registry.projects.map((p) => defined(p.spec).name)).toEqual(['other']);
    expect(registry.projectMetadata.map((p) => p.project)).toEqual(['other']);
    expect(removeProjectFromRegistry(registry, 'demo').changes).toEqual([]);
  });
});
