/**
 * `verify` on a real server: after materialize the example repo's store matches; each kind of injected
 * difference (deleted item, stale item, changed value, extra item) is found and counted where it
 * belongs, by the full scan and by --sample; a table that is not Feast's is refused.
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import { fixedClock } from '../../src/core/context.js';
import { materialize } from '../../src/core/materialize/run-materialize.js';
import { verify, type VerifyReport } from '../../src/core/verify/verify.js';
import { defined } from '../helpers/defined.js';
import { eventTsOf, exampleRepo, int64EntityId, NOW, scanTable, valueBytes, HOUR, type ExampleRepo } from '../helpers/materialize-fixture.js';
import { startTestServer, type TestServer } from '../helpers/plan-apply-server.js';

const VIEW = 'driver_hourly_stats';
const WINDOW = { start: '2025-12-01', end: '2026-01-01T00:00:00' };

let server: TestServer;
let r: ExampleRepo;
let aws: AwsClients;
let table: string;

beforeAll(async () => {
  server = await startTestServer();
  r = await exampleRepo(server.client, server.endpoint);
  aws = createAwsClients(r.config);
  table = `${r.config.project}.${VIEW}`;
  await materialize(r.ctx(), { ...WINDOW, views: [] });
});
afterAll(async () => {
  aws.destroy();
  await r.cleanup();
  await server.stop();
});

const run = (args: { sample?: number } = {}): Promise<VerifyReport> =>
  verify({ config: r.config, repo: r.repo, aws, clock: fixedClock(NOW), random: () => 0.5 }, { ...WINDOW, views: [], ...args });

it('passes on the store materialize just wrote', async () => {
  const report = await run();
  expect(report.ok).toBe(true);
  const v = defined(report.views[0]);
  expect(v).toMatchObject({ view: VIEW, missing: 0, stale: 0, different: 0, extra: 0, newer: 0 });
  expect(v.checked).toBe(v.offlineEntities);
  expect(v.checked).toBeGreaterThan(3);
});

it('finds a deleted, a stale, a changed and an extra item, and a sample finds the first three', async () => {
  const items = await scanTable(server.client, table);
  const ids = [1001n, 1002n, 1003n].map((d) => int64EntityId('driver_id', d));
  const [deleted, stale, changed] = ids.map((id) => defined(items.get(id)));
  await server.client.send(new DeleteItemCommand({ TableName: table, Key: { entity_id: defined(defined(deleted).entity_id) } }));
  await server.client.send(new PutItemCommand({ TableName: table, Item: { ...defined(stale), event_ts: { S: eventTsOf(NOW - 400n * HOUR) } } }));
  const values = { ...defined(defined(changed).values?.M), conv_rate: { B: valueBytes({ case: 'floatVal', value: 12.5 }) } };
  await server.client.send(new PutItemCommand({ TableName: table, Item: { ...defined(changed), values: { M: values } } }));
  await server.client.send(new PutItemCommand({ TableName: table, Item: { ...defined(changed), entity_id: { S: '0'.repeat(32) } } }));

  const report = await run();
  expect(report.ok).toBe(false);
  const v = defined(report.views[0]);
  expect(v).toMatchObject({ missing: 1, stale: 1, different: 1, extra: 1, newer: 0 });
  expect(v.differentByFeature).toEqual({ conv_rate: 1, acc_rate: 0, avg_daily_trips: 0 });
  expect(v.examples.missing).toEqual(['driver_id=1001']);
  expect(v.examples.stale[0]).toMatch(/^driver_id=1002 /);
  expect(v.examples.different).toEqual(['driver_id=1003: conv_rate']);
  expect(v.examples.extra).toEqual([`entity_id ${'0'.repeat(32)}`]);

  // a sample as large as the window checks every entity, by BatchGetItem; extra items are not looked for
  const sampled = defined((await run({ sample: 1000 })).views[0]);
  expect(sampled).toMatchObject({ sampled: true, checked: v.checked, missing: 1, stale: 1, different: 1, extra: null });
  const small = defined((await run({ sample: 2 })).views[0]);
  expect(small.checked).toBe(2);
});

it('refuses a table that is not in Feast layout', async () => {
  const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
  const name = `${r.config.project}.not_feast`;
  await server.client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const view = { ...defined(r.repo.featureViews.find((f) => f.name === VIEW)), name: 'not_feast' };
  const repo = { ...r.repo, featureViews: [view] };
  await expect(verify({ config: r.config, repo, aws, clock: fixedClock(NOW) }, { ...WINDOW, views: [] })).rejects.toMatchObject({
    code: 'online.notFeastTable',
  });
});
