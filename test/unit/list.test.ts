/** `list` over the registry Feast 0.67 wrote for its starter repo (test/fixtures/feast/init-registry.db). */
import { readFileSync } from 'node:fs';
import { fromBinary } from '@bufbuild/protobuf';
import { RegistrySchema } from '../../src/gen/feast/core/Registry_pb.js';
import { listRegistry } from '../../src/core/list.js';

const registry = fromBinary(RegistrySchema, readFileSync(new URL('../fixtures/feast/init-registry.db', import.meta.url)));

describe('list', () => {
  it("feature views: every kind Feast lists, entities as a JSON array (on-demand views take their sources')", () => {
    const t = listRegistry(registry, 'demo', 'feature-views');
    expect(t.json).toEqual([
      { name: 'driver_hourly_stats', entities: ['driver'], type: 'FeatureView' },
      { name: 'driver_hourly_stats_fresh', entities: ['driver'], type: 'FeatureView' },
      { name: 'transformed_conv_rate', entities: ['driver'], type: 'OnDemandFeatureView' },
      { name: 'transformed_conv_rate_fresh', entities: ['driver'], type: 'OnDemandFeatureView' },
    ]);
    // the table keeps Feast's text form
    expect(t.rows[0]).toEqual({ NAME: 'driver_hourly_stats', ENTITIES: "{'driver'}", TYPE: 'FeatureView' });
  });

  it("entities: Feast's hidden __dummy left out, an entity without value type is UNKNOWN as Feast prints it", () => {
    expect(listRegistry(registry, 'demo', 'entities').json).toEqual([{ name: 'driver', description: '', type: 'ValueType.UNKNOWN' }]);
  });

  it("feature services: features as a JSON array in the service's order", () => {
    const v1 = listRegistry(registry, 'demo', 'feature-services').json.find((r) => r.name === 'driver_activity_v1');
    expect(v1).toEqual({
      name: 'driver_activity_v1',
      features: ['driver_hourly_stats:conv_rate', 'transformed_conv_rate:conv_rate_plus_val1', 'transformed_conv_rate:conv_rate_plus_val2'],
    });
  });

  it('another project lists nothing', () => {
    expect(listRegistry(registry, 'other', 'feature-views').json).toEqual([]);
  });
});
