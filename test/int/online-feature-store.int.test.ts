/**
 * The library API end to end: FeatureStore.open on a repo folder, reads through the default lean
 * transport and through the SDK, one connection reused across calls, the embedded store, close().
 */
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { fixedClock, silentLogger } from '../../src/core/context.js';
import { ensureEmbeddedDynamo } from '../../src/core/embedded/index.js';
import { FeatureStore } from '../../src/index.js';
import { createFeastTable, startDynalite } from '../helpers/dynalite.js';
import { DEFINITIONS } from '../helpers/online-definitions.js';
import { startTestServer, type TestServer } from '../helpers/plan-apply-server.js';
import { createOnlineFixture, HOUR, NOW, type OnlineFixture } from '../helpers/online-fixture.js';
import { featureStoreYaml } from '../helpers/config.js';
import { tempRepoDir } from '../helpers/temp-dir.js';

let server: TestServer;
let fx: OnlineFixture;
const dirs: string[] = [];

function writeRepo(project: string, endpoint: string, extra = ''): string {
  const dir = tempRepoDir('dynafeast-store-');
  dirs.push(dir);
  writeFileSync(path.join(dir, 'feature_store.yaml'), featureStoreYaml({ project, endpoint }) + extra);
  writeFileSync(path.join(dir, 'features.yaml'), DEFINITIONS);
  return dir;
}

/** A TCP relay in front of the server that counts the connections clients open. */
async function countingProxy(target: string) {
  const { hostname, port } = new URL(target);
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    connections++;
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => (client.destroy(), upstream.destroy());
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`,
    connections: () => connections,
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), proxy.close(() => r()))),
  };
}

beforeAll(async () => {
  server = await startTestServer();
  fx = await createOnlineFixture(server.client, server.endpoint);
  await fx.put('driver_hourly_stats', { driver_id: 1001 }, NOW - HOUR, { conv_rate: 0.5, acc_rate: 0.25, avg_daily_trips: 308 });
  await fx.put('user_profile', { user_id: 'alice' }, NOW, { score: 9.5 });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('FeatureStore', () => {
  it("reads in Feast's to_dict() shape and reuses one connection across calls", async () => {
    // dynalite keeps connections alive; moto closes each one, which would hide what the client does.
    const dynalite = await startDynalite();
    const own = await createOnlineFixture(dynalite.client, dynalite.endpoint);
    await own.put('driver_hourly_stats', { driver_id: 1001 }, NOW - HOUR, { conv_rate: 0.5, acc_rate: 0.25, avg_daily_trips: 308 });
    const proxy = await countingProxy(dynalite.endpoint);
    const store = await FeatureStore.open({ repoPath: writeRepo(own.config.project, proxy.endpoint), clock: fixedClock(NOW) });
    try {
      for (let i = 0; i < 5; i++) {
        expect(
          await store.getOnlineFeatures({
            features: ['driver_hourly_stats:conv_rate', 'driver_hourly_stats:avg_daily_trips'],
            entityRows: [{ driver_id: 1001 }, { driver_id: 1002 }],
            includeStatus: true,
          }),
        ).toEqual({
          driver_id: [1001, 1002],
          driver_id__status: ['PRESENT', 'PRESENT'],
          conv_rate: [0.5, null],
          conv_rate__status: ['PRESENT', 'NOT_FOUND'],
          avg_daily_trips: [308, null],
          avg_daily_trips__status: ['PRESENT', 'NOT_FOUND'],
        });
      }
      expect(proxy.connections()).toBe(1);
    } finally {
      await store.close();
      await proxy.close();
      await dynalite.stop();
    }
  });

  it("returns the same data through the SDK transport and through a caller's own client", async () => {
    const repoPath = writeRepo(fx.config.project, '${ONLINE_ENDPOINT}');
    const env = { ONLINE_ENDPOINT: server.endpoint };
    const request = { featureService: 'everything', entityRows: { driver_id: [1001], user_id: ['alice'] }, fullFeatureNames: true };
    const expected = { driver_id: [1001], user_id: ['alice'], driver_hourly_stats__conv_rate: [0.5], user_profile__score: [9.5] };
    const own = new DynamoDBClient({ region: 'us-east-1', endpoint: server.endpoint, credentials: localDummyCredentials() });
    for (const options of [{ transport: 'sdk' as const }, { clients: { dynamo: own } }]) {
      const store = await FeatureStore.open({ repoPath, env, clock: fixedClock(NOW), ...options });
      try {
        expect(await store.getOnlineFeatures(request)).toEqual(expected);
      } finally {
        await store.close();
      }
    }
    // close() left the caller's client alone
    await expect(own.send(new ListTablesCommand({}))).resolves.toBeDefined();
    own.destroy();
  });

  it('reports usage errors with stable codes and refuses reads after close', async () => {
    const store = await FeatureStore.open({ repoPath: writeRepo(fx.config.project, server.endpoint) });
    await expect(store.getOnlineFeatures({ features: ['driver_hourly_stats:conv'], entityRows: [{ driver_id: 1 }] })).rejects.toMatchObject({
      code: 'repo.unknownFeature',
    });
    await expect(store.getOnlineFeatures({ features: ['driver_hourly_stats:conv_rate'], entityRows: [{ driver_id: 'one' }] })).rejects.toMatchObject({
      code: 'usage.badArgument',
    });
    await store.close();
    await store.close();
    await expect(store.getOnlineFeatures({ features: ['driver_hourly_stats:conv_rate'], entityRows: [{ driver_id: 1 }] })).rejects.toMatchObject({
      code: 'usage.badArgument',
    });
  });

  it('starts (or reuses) the embedded store when the repo asks for one', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const repoPath = writeRepo('embedded_demo', `http://127.0.0.1:${port}`, 'dynafeast:\n  embedded:\n    path: data/online_store\n');
    const opened = await FeatureStore.open({ repoPath });
    // The store serves the embedded DynamoDB in this process: arrange a table through the same instance.
    const handle = await ensureEmbeddedDynamo(opened.config, silentLogger);
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: handle.endpoint, credentials: { ...handle.credentials } });
    try {
      await createFeastTable(client, 'embedded_demo.user_profile');
      expect(await opened.getOnlineFeatures({ features: ['user_profile:score'], entityRows: [{ user_id: 'nobody' }], includeStatus: true })).toEqual({
        user_id: ['nobody'],
        user_id__status: ['PRESENT'],
        score: [null],
        score__status: ['NOT_FOUND'],
      });
    } finally {
      client.destroy();
      await handle.close();
      await opened.close();
    }
  }, 30_000);
});
