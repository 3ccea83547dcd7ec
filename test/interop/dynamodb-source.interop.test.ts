/**
 * A `type: dynamodb` source in Feast 0.67 (architecture.md §4.11): the registry dynafeast apply writes
 * loads in Feast, `feast feature-views list` lists the view, Feast's get_online_features returns the values
 * dynafeast materialized from the application table (a Map from an M too), Feast re-applying the source and view keeps the
 * source's uri and settings, and `feast materialize` of the view fails instead of reading wrong data.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { waitForActive } from '../../src/core/plan/wait.js';
import { expectOk, runDynafeast, runPython } from '../helpers/interop.js';
import { feastCli, feastRead, startPeers, type Peers } from '../helpers/interop-peers.js';
import { featureStoreYaml } from '../helpers/config.js';
import { putItems } from '../helpers/dynamodb-source-fixture.js';
import { defined } from '../helpers/defined.js';

let peers: Peers;
afterAll(async () => peers?.stop());

it('Feast 0.67 loads, lists and serves a view whose batch source is a DynamoDB table', async () => {
  peers = await startPeers('dynafeast-interop-ddbsrc-');
  const server = peers.dyna;
  const repo = path.join(peers.root, 'repo');
  mkdirSync(repo);
  writeFileSync(path.join(repo, 'feature_store.yaml'), featureStoreYaml({ project: 'ddb_source', endpoint: server.endpoint }));
  writeFileSync(
    path.join(repo, 'features.yaml'),
    [
      'entities:',
      '  - {name: user, join_keys: [user_id], value_type: String}',
      'sources:',
      '  - name: profiles_table',
      '    type: dynamodb',
      '    table: app_user_profiles',
      '    timestamp_field: updated_at',
      '    timestamp_format: iso8601',
      '    segments: 2',
      '    tags: {team: growth}',
      'feature_views:',
      '  - name: profiles',
      '    entities: [user]',
      '    ttl: 0',
      '    source: profiles_table',
      '    schema:',
      '      - {name: age, dtype: Int32}',
      '      - {name: visits, dtype: Int64}',
      '      - {name: score, dtype: Float64}',
      '      - {name: name, dtype: String}',
      '      - {name: active, dtype: Bool}',
      '      - {name: tags, dtype: Array(String)}',
      '      - {name: lucky, dtype: Set(Int64)}',
      '      - {name: prefs, dtype: Map}',
      '',
    ].join('\n'),
  );
  const env = server.credentialsEnv;
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: defined(env.AWS_ACCESS_KEY_ID), secretAccessKey: defined(env.AWS_SECRET_ACCESS_KEY) },
  });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: 'app_user_profiles',
        KeySchema: [{ AttributeName: 'user_id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'user_id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitForActive(client, 'app_user_profiles');
    await putItems(client, 'app_user_profiles', [
      {
        user_id: { S: 'u1' },
        updated_at: { S: '2025-06-01T12:00:00.250+00:00' },
        age: { N: '41' },
        visits: { N: '9007199254740993' },
        score: { N: '0.1' },
        name: { S: 'Ada' },
        active: { BOOL: true },
        tags: { L: [{ S: 'a' }, { S: 'b' }] },
        lucky: { NS: ['7', '-3'] },
        prefs: {
          M: {
            plan: { S: 'pro' },
            seats: { N: '9007199254740993' },
            ratio: { N: '0.25' },
            tier: { M: { level: { N: '2' }, beta: { BOOL: true } } },
            codes: { SS: ['y', 'x'] },
            steps: { L: [{ N: '1' }, { N: '2.5' }] },
            logins: { L: [{ M: { at: { S: 'web' } } }] },
            blob: { B: Uint8Array.from([1, 2]) },
            note: { NULL: true },
          },
        },
      },
      { user_id: { S: 'u2' }, updated_at: { S: '2025-06-02 08:00:00' }, name: { S: 'Bo' }, active: { BOOL: false } },
    ]);
  } finally {
    client.destroy();
  }

  expectOk('dynafeast apply', await runDynafeast(['-c', repo, 'apply', '--yes'], { env }));
  expectOk('dynafeast materialize', await runDynafeast(['-c', repo, 'materialize', '2025-01-01', '2026-01-01'], { env }));

  const listed = expectOk('feast feature-views list', await feastCli(['feature-views', 'list'], repo, server));
  expect(listed.stdout).toContain('profiles');

  const read = await feastRead(peers.root, repo, server, {
    features: ['profiles:age', 'profiles:visits', 'profiles:score', 'profiles:name', 'profiles:active', 'profiles:tags', 'profiles:lucky', 'profiles:prefs'],
    entity_rows: [{ user_id: 'u1' }, { user_id: 'u2' }, { user_id: 'nobody' }],
  });
  expect(read.values).toEqual({
    user_id: ['u1', 'u2', 'nobody'],
    age: [41, null, null],
    visits: ['9007199254740993', null, null],
    score: [0.1, null, null],
    name: ['Ada', 'Bo', null],
    active: [true, false, null],
    tags: [['a', 'b'], null, null],
    lucky: [[-3, 7], null, null],
    // an M as Feast's Python reads the Map dynafeast wrote: each value of the type Feast infers for it
    prefs: [
      {
        plan: 'pro',
        seats: '9007199254740993',
        ratio: 0.25,
        tier: { level: 2, beta: true },
        codes: ['x', 'y'],
        steps: [1, 2.5],
        logins: [{ at: 'web' }],
        blob: 'AQI=',
        note: null,
      },
      null,
      null,
    ],
  });
  expect(read.event_timestamps.name).toEqual([1748779200, 1748851200, 0]);

  const out = path.join(peers.root, 'feast-source.json');
  expectOk('feast_dynamodb_source.py', await runPython('feast_dynamodb_source.py', [repo, 'profiles_table', 'profiles', out], { env }));
  const feast = JSON.parse(readFileSync(out, 'utf8')) as {
    views: string[];
    source: { class: string; path: string; tags: Record<string, string> };
    materialize_error: string | null;
  };
  expect(feast.views).toEqual(['profiles']);
  // after Feast wrote the source back: still the table, with its settings
  expect(feast.source).toEqual({
    class: 'FileSource',
    path: 'dynamodb://app_user_profiles',
    tags: { team: 'growth', 'dynafeast.timestamp_format': 'iso8601', 'dynafeast.segments': '2' },
  });
  expect(feast.materialize_error).not.toBeNull();
  // and dynafeast reads the registry Feast rewrote as the same DynamoDB source
  const dump = expectOk('dynafeast registry-dump', await runDynafeast(['-c', repo, 'registry-dump'], { env }));
  expect(dump.stdout).toContain('dynamodb://app_user_profiles');
  expectOk('dynafeast materialize again', await runDynafeast(['-c', repo, 'materialize', '2025-01-01', '2026-01-01'], { env }));
});
