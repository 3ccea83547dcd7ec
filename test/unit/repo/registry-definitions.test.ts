/**
 * Registry-driven mode: a Feast registry → the RepoModel the YAML loader would build. Checked on the
 * registry Feast 0.67 itself writes for its starter repo (test/fixtures/feast/init-registry.db, from
 * scripts/interop/feast_init_registry.sh) and by a round trip through dynafeast's registry builder.
 */
import { readFileSync } from 'node:fs';
import { create, fromBinary } from '@bufbuild/protobuf';
import { RegistrySchema, type Registry } from '../../../src/gen/feast/core/Registry_pb.js';
import { DataSource_SourceType } from '../../../src/gen/feast/core/DataSource_pb.js';
import { buildRegistryObjects } from '../../../src/core/registry/build.js';
import { definitionsFromRegistry } from '../../../src/core/repo/registry-definitions.js';
import { yamlPartOf } from '../../../src/core/repo/import-definitions.js';
import { reconcileRegistry } from '../../../src/core/registry/reconcile.js';
import { writeDefinitions } from '../../../src/core/repo/write-definitions.js';
import { buildRepoModel } from '../../../src/core/repo/load-repo.js';
import { compareWithRegistry } from '../../../src/core/repo/compare-registry.js';
import { StreamFeatureViewSchema } from '../../../src/gen/feast/core/StreamFeatureView_pb.js';
import { formatDtype, type RepoModel } from '../../../src/core/repo/model.js';
import { STRUCT_SCHEMA_TAG } from '../../../src/core/layout/feast-types.js';
import { testRepo } from '../../helpers/online-repo.js';
import { defined } from '../../helpers/defined.js';

const feastInit = (): Registry => fromBinary(RegistrySchema, readFileSync(new URL('../../fixtures/feast/init-registry.db', import.meta.url)));

/** The model without what only YAML has (file locations, the file list), objects sorted by name. */
function comparable(repo: RepoModel) {
  const strip = <T extends object>(o: T) => {
    const { location: _l, ...rest } = o as T & { location?: unknown };
    return rest;
  };
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  return {
    entities: repo.entities.map(strip).sort(byName),
    sources: repo.sources.map(strip).sort(byName),
    featureViews: repo.featureViews.map(strip).sort(byName),
    featureServices: repo.featureServices.map(strip).sort(byName),
  };
}

function registryOf(repo: RepoModel, project: string): Registry {
  const objects = buildRegistryObjects(project, repo);
  return create(RegistrySchema, {
    entities: objects.entities,
    dataSources: objects.dataSources,
    featureViews: objects.featureViews,
    featureServices: objects.featureServices,
  });
}

describe('definitions from a registry dynafeast wrote', () => {
  it('give back the model the YAML defined', () => {
    const repo = testRepo();
    const { repo: back, notServed } = definitionsFromRegistry(registryOf(repo, 'p'), 'p', repo.root);
    expect(notServed).toEqual([]);
    expect(comparable(back)).toEqual(comparable(repo));
  });

  it('only the named project', () => {
    const repo = testRepo();
    const registry = registryOf(repo, 'p');
    const other = registryOf(repo, 'other');
    registry.entities.push(...other.entities);
    registry.featureViews.push(...other.featureViews);
    const { repo: mine } = definitionsFromRegistry(registry, 'p', repo.root);
    expect(mine.featureViews.map((v) => v.name).sort()).toEqual(repo.featureViews.map((v) => v.name).sort());
    expect(definitionsFromRegistry(registry, 'nobody', repo.root).repo.featureViews).toEqual([]);
  });

  it('a view whose batch source is not a file is readable, not materializable, and says why', () => {
    const repo = testRepo();
    const registry = registryOf(repo, 'p');
    const view = defined(defined(registry.featureViews[0]).spec);
    view.batchSource = { ...defined(view.batchSource), type: DataSource_SourceType.BATCH_REDSHIFT, options: { case: undefined }, name: 'warehouse' };
    const { repo: back } = definitionsFromRegistry(registry, 'p', repo.root);
    const got = defined(back.featureViews.find((v) => v.name === view.name));
    expect(got.source).toBe('');
    expect(got.notMaterializable).toMatch(/`warehouse` is a Redshift source/);
  });
});

describe("definitions from the registry of Feast's own starter repo (feast init, Feast 0.67)", () => {
  const { repo, notServed } = definitionsFromRegistry(feastInit(), 'demo', '/repo');
  const named = (kind: string) =>
    notServed
      .filter((n) => n.kind === kind)
      .map((n) => n.name)
      .sort();

  it('names both on-demand views and the feature services that use them', () => {
    expect(named('on-demand feature view')).toEqual(['transformed_conv_rate', 'transformed_conv_rate_fresh']);
    const odfv = defined(notServed.find((n) => n.name === 'transformed_conv_rate'));
    expect(odfv.reason).toMatch(/Python/);
    expect(odfv.usedBy.sort()).toEqual(['feature service driver_activity_v1', 'feature service driver_activity_v2']);
    expect(named('feature service')).toEqual(['driver_activity_v1', 'driver_activity_v2', 'driver_activity_v3']);
  });

  it("serves both feature views, with the starter's Map, Json and Struct (its schema from Feast's tag)", () => {
    for (const name of ['driver_hourly_stats', 'driver_hourly_stats_fresh']) {
      const view = defined(repo.featureViews.find((v) => v.name === name));
      expect(view.features.map((f) => `${f.name}: ${formatDtype(f.dtype)}`)).toEqual([
        'conv_rate: Float32',
        'acc_rate: Float32',
        'avg_daily_trips: Int64',
        'driver_metadata: Map',
        'driver_config: Json',
        'driver_profile: Struct({name: String, age: String})',
      ]);
      // Feast's internal tag is not a user tag
      expect(Object.keys(defined(view.features.find((f) => f.name === 'driver_profile')).tags)).toEqual([]);
    }
    expect(notServed.filter((n) => n.kind === 'feature view')).toEqual([]);
    expect(named('label view')).toEqual(['driver_quality_labels']);
  });

  it('a Struct whose schema tag is missing is named, with why, and not served', () => {
    const registry = feastInit();
    for (const v of registry.featureViews) {
      for (const f of v.spec?.features ?? []) delete f.tags[STRUCT_SCHEMA_TAG];
    }
    const { notServed: missing } = definitionsFromRegistry(registry, 'demo', '/repo');
    const view = defined(missing.find((n) => n.name === 'driver_hourly_stats'));
    expect(view.reason).toMatch(/driver_profile.*STRUCT.*field schema \(tag feast:struct_schema\) is missing/);
  });

  it("takes the entity's key type from the views when Feast recorded none", () => {
    const driver = defined(repo.entities.find((e) => e.name === 'driver'));
    expect(driver.joinKeys).toEqual(['driver_id']);
    // Feast 0.67 writes no value type for `Entity(name="driver", join_keys=["driver_id"])`; the views'
    // entity columns say INT64 — but only once a view of the repo is served.
    expect([undefined, 'Int64']).toContain(driver.valueType);
  });

  it("reads the push source's batch source and the file source as written", () => {
    const source = defined(repo.sources.find((s) => s.name === 'driver_hourly_stats_source'));
    expect(source).toMatchObject({
      type: 'file',
      path: 'data/driver_stats.parquet',
      format: 'parquet',
      timestampField: 'event_timestamp',
      createdTimestampColumn: 'created',
    });
  });
});

describe('a stream feature view as Feast 0.67 registers it', () => {
  // What `apply` wrote, with one view turned into a stream feature view as Feast 0.67 registers it:
  // StreamFeatureView.to_proto writes spec.features from its whole schema, the entity columns and the
  // features (a Python set, so in any order), and its batch source lives only inside its spec.
  const feastLike = (name: string) => {
    const repo = testRepo();
    const registry = reconcileRegistry(undefined, 'p', buildRegistryObjects('p', repo), 0n).registry;
    const at = registry.featureViews.findIndex((v) => v.spec?.name === name);
    const fv = defined(defined(registry.featureViews.splice(at, 1)[0]).spec);
    const features = [...fv.features.slice(1), ...fv.entityColumns, ...fv.features.slice(0, 1)];
    const batchSource = { ...defined(fv.batchSource), name: 'pushed_source' };
    registry.streamFeatureViews.push(
      create(StreamFeatureViewSchema, { spec: { ...fv, $typeName: 'feast.core.StreamFeatureViewSpec', features, batchSource } }),
    );
    return { repo, registry, keys: fv.entityColumns.map((c) => c.name) };
  };

  it('registry-driven mode keeps the join keys among its features, as Feast materializes them', () => {
    const { repo, registry, keys } = feastLike('driver_customer');
    const { repo: back, notServed } = definitionsFromRegistry(registry, 'p', repo.root);
    expect(notServed).toEqual([]);
    const view = defined(back.featureViews.find((v) => v.name === 'driver_customer'));
    expect(keys).toEqual(['driver_id', 'customer_id']);
    expect(view.entityColumns.map((c) => c.name)).toEqual(keys);
    expect(view.features.map((f) => f.name).sort()).toEqual(['customer_id', 'driver_id', 'spend']);
  });

  it('import keeps it in the registry: the YAML loads, and plan finds nothing to change', () => {
    const { repo, registry } = feastLike('driver_customer');
    const fromRegistry = definitionsFromRegistry(registry, 'p', repo.root).repo;
    const part = yamlPartOf(registry, 'p', fromRegistry);
    expect(part.lost).toEqual([]);
    expect(part.kept.map((k) => `${k.kind} ${k.name}`)).toEqual(['stream feature view driver_customer']);
    const back = buildRepoModel(repo.root, [{ file: 'features.yaml', text: writeDefinitions(part.repo, ' h') }]);
    // every plain view of the repo comes back; the stream view stays in the registry
    const plain = repo.featureViews.map((v) => v.name).filter((n) => n !== 'driver_customer');
    expect(back.featureViews.map((v) => v.name).sort()).toEqual(plain.sort());
    expect(plain.length).toBeGreaterThan(0);
    expect(back.sources.map((d) => d.name)).toEqual(['src']);
    expect(compareWithRegistry(back, fromRegistry)).toEqual([]);
    expect(reconcileRegistry(registry, 'p', buildRegistryObjects('p', back), 1n).changes).toEqual([]);
  });

  it('import stops, naming the feature service that uses it', () => {
    const { repo, registry } = feastLike('user_profile');
    const part = yamlPartOf(registry, 'p', definitionsFromRegistry(registry, 'p', repo.root).repo);
    expect(part.kept.map((k) => [k.name, k.usedBy])).toEqual([['user_profile', ['everything']]]);
    expect(part.lost.map((n) => `${n.kind} ${n.name} (${n.reason})`)).toEqual(['feature service everything (it uses stream feature view user_profile)']);
  });
});
