/**
 * A `type: dynamodb` source through every form it takes: YAML → model, model → registry (a FileSource
 * with a dynamodb:// uri and `dynafeast.` tags) → model, and model → YAML (`import`) → model.
 */
import { create } from '@bufbuild/protobuf';
import { toJson } from '@bufbuild/protobuf';
import { DataSourceSchema } from '../../../src/gen/feast/core/DataSource_pb.js';
import { RegistrySchema } from '../../../src/gen/feast/core/Registry_pb.js';
import { buildRegistryObjects } from '../../../src/core/registry/build.js';
import { buildRepoModel } from '../../../src/core/repo/load-repo.js';
import { definitionsFromRegistry } from '../../../src/core/repo/registry-definitions.js';
import { writeDefinitions } from '../../../src/core/repo/write-definitions.js';
import type { RepoModel } from '../../../src/core/repo/model.js';
import { defined } from '../../helpers/defined.js';

const YAML = `entities:
  - {name: user, join_keys: [user_id], value_type: String}
sources:
  - name: profiles
    type: dynamodb
    table: user_profiles
    region: eu-west-1
    endpoint_url: http://localhost:8000
    timestamp_field: updated_at
    timestamp_format: epoch_millis
    created_timestamp_column: written_at
    created_timestamp_format: iso8601
    field_mapping: {uid: user_id}
    segments: 8
    max_read_units_per_second: 250.5
    consistent_read: true
    tags: {team: growth}
    description: the app's profiles
feature_views:
  - name: profile_view
    entities: [user]
    ttl: 0
    source: profiles
    schema:
      - {name: age, dtype: Int32}
`;

const plain = (repo: RepoModel) => JSON.parse(JSON.stringify(repo.sources, (k, v: unknown) => (k === 'location' ? undefined : v))) as unknown;

describe('a DynamoDB table source', () => {
  const repo = buildRepoModel('/repo', [{ file: 'features.yaml', text: YAML }]);

  it('loads from YAML with every setting', () => {
    expect(plain(repo)).toEqual([
      {
        name: 'profiles',
        type: 'dynamodb',
        table: 'user_profiles',
        region: 'eu-west-1',
        endpointUrl: 'http://localhost:8000',
        timestampField: 'updated_at',
        timestampFormat: 'epoch_millis',
        createdTimestampColumn: 'written_at',
        createdTimestampFormat: 'iso8601',
        fieldMapping: { uid: 'user_id' },
        segments: 8,
        maxReadUnitsPerSecond: 250.5,
        consistentRead: true,
        description: "the app's profiles",
        tags: { team: 'growth' },
        owner: '',
      },
    ]);
  });

  it('is a FileSource with a dynamodb:// uri and dynafeast. tags in the registry, and reads back the same', () => {
    const objects = buildRegistryObjects('p', repo);
    const source = toJson(DataSourceSchema, defined(objects.dataSources[0])) as Record<string, unknown>;
    expect(source).toMatchObject({
      type: 'BATCH_FILE',
      dataSourceClassType: 'feast.infra.offline_stores.file_source.FileSource',
      fileOptions: { uri: 'dynamodb://user_profiles' },
      tags: {
        team: 'growth',
        'dynafeast.region': 'eu-west-1',
        'dynafeast.endpoint_url': 'http://localhost:8000',
        'dynafeast.timestamp_format': 'epoch_millis',
        'dynafeast.created_timestamp_format': 'iso8601',
        'dynafeast.segments': '8',
        'dynafeast.max_read_units_per_second': '250.5',
        'dynafeast.consistent_read': 'true',
      },
    });
    const registry = create(RegistrySchema, { entities: objects.entities, dataSources: objects.dataSources, featureViews: objects.featureViews });
    const { repo: back, notServed } = definitionsFromRegistry(registry, 'p', '/repo');
    expect(notServed).toEqual([]);
    expect(plain(back)).toEqual(plain(repo));
    expect(back.featureViews[0]).toMatchObject({ source: 'profiles' });
  });

  it('a registry source whose settings are unreadable makes its view not materializable, with the reason', () => {
    const objects = buildRegistryObjects('p', repo);
    const view = defined(objects.featureViews[0]);
    const tags = defined(view.spec?.batchSource).tags;
    tags['dynafeast.timestamp_format'] = 'sometimes';
    const registry = create(RegistrySchema, { entities: objects.entities, featureViews: [view] });
    const { repo: back } = definitionsFromRegistry(registry, 'p', '/repo');
    expect(back.featureViews[0]?.notMaterializable).toMatch(/dynafeast\.timestamp_format="sometimes"/);
  });

  it('import writes it back as the YAML it came from', () => {
    const back = buildRepoModel('/repo', [{ file: 'features.yaml', text: writeDefinitions(repo, ' h') }]);
    expect(plain(back)).toEqual(plain(repo));
  });
});
