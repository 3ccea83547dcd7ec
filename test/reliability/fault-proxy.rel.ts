/**
 * The fault proxy itself: each fault reaches an AWS SDK client the way DynamoDB's would, partial batches
 * really leave the deferred part unwritten, and the same seed gives the same faults.
 */
import { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { describeAwsError } from '../../src/core/aws/errors.js';
import { classifyAwsError } from '../../src/core/aws/aws-errors.js';
import { createFeastTable, startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { seededRandom, splitBatch, startFaultProxy, type FaultProxy, type FaultProxyOptions } from '../helpers/fault-proxy.js';
import { defined } from '../helpers/defined.js';

let server: TestDynalite;
const open: FaultProxy[] = [];
const clients: DynamoDBClient[] = [];
const TABLE = 'proxy_test';

beforeAll(async () => {
  server = await startDynalite();
  await createFeastTable(server.client, TABLE);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const p of open) await p.close();
  await server.stop();
});

async function proxy(opts: Omit<FaultProxyOptions, 'target'>): Promise<FaultProxy> {
  const p = await startFaultProxy({ target: server.endpoint, ...opts });
  open.push(p);
  return p;
}

function clientFor(p: FaultProxy, opts: { maxAttempts?: number; requestTimeout?: number } = {}): DynamoDBClient {
  const c = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: p.endpoint,
    credentials: localDummyCredentials(),
    maxAttempts: opts.maxAttempts ?? 1,
    requestHandler: new NodeHttpHandler({ requestTimeout: opts.requestTimeout ?? 5000, throwOnRequestTimeout: true }),
  });
  clients.push(c);
  return c;
}

const key = (id: string) => ({ entity_id: { S: id } });
const put = (id: string) => ({ PutRequest: { Item: { ...key(id), v: { S: `value-${id}` } } } });

async function caught(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number }; code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

async function storedIds(prefix: string): Promise<Set<string>> {
  const out = await server.client.send(new ScanCommand({ TableName: TABLE }));
  return new Set((out.Items ?? []).map((i) => defined(i.entity_id?.S)).filter((s) => s.startsWith(prefix)));
}

describe('fault proxy', () => {
  it('passes requests through untouched when no fault is configured', async () => {
    const p = await proxy({});
    const c = clientFor(p);
    await c.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('pass-1'), v: { S: 'x' } } }));
    const got = await c.send(new GetItemCommand({ TableName: TABLE, Key: key('pass-1') }));
    expect(got.Item?.v?.S).toBe('x');
    expect(p.stats()).toMatchObject({ requests: 2, forwarded: 2, byAction: { PutItem: 1, GetItem: 1 } });
  });

  it.each([
    ['throttle', 'ThrottlingException', 400, 'throttled'],
    ['throughput', 'ProvisionedThroughputExceededException', 400, 'throttled'],
    ['error500', 'InternalServerError', 500, 'transient-network'],
    ['error503', 'ServiceUnavailable', 503, 'transient-network'],
  ] as const)('%s answers %s (HTTP %d) that the writer classifies as %s', async (kind, name, status, klass) => {
    const p = await proxy({ rates: { [kind]: 1 } });
    const e = await caught(clientFor(p).send(new GetItemCommand({ TableName: TABLE, Key: key('none') })));
    expect(e.name).toBe(name);
    expect(e.$metadata?.httpStatusCode).toBe(status);
    expect(classifyAwsError(e)).toBe(klass);
    expect(p.stats().faults[kind]).toBe(1);
    expect(p.stats().forwarded).toBe(0);
  });

  it('the SDK retries its way through 30% throttling', async () => {
    const p = await proxy({ rates: { throttle: 0.3 }, seed: 7 });
    const c = clientFor(p, { maxAttempts: 20 });
    for (let i = 0; i < 8; i++) await c.send(new PutItemCommand({ TableName: TABLE, Item: { ...key(`retry-${i}`), v: { N: String(i) } } }));
    expect((await storedIds('retry-')).size).toBe(8);
    const s = p.stats();
    expect(s.faults.throttle).toBeGreaterThan(1);
    expect(s.forwarded).toBe(8);
  });

  it('a partial BatchWriteItem writes only the kept part and reports the rest as UnprocessedItems', async () => {
    const p = await proxy({ rates: { partial: 1 }, seed: 3 });
    const batch = Array.from({ length: 25 }, (_, i) => put(`partial-${i}`));
    const out = await clientFor(p).send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: batch } }));
    const left = (out.UnprocessedItems?.[TABLE] ?? []).map((r) => defined(r.PutRequest?.Item?.entity_id?.S));
    expect(left.length).toBeGreaterThanOrEqual(1);
    expect(left.length).toBeLessThanOrEqual(24);
    const stored = await storedIds('partial-');
    expect(stored.size).toBe(25 - left.length);
    for (const id of left) expect(stored.has(id)).toBe(false);
    expect(p.stats()).toMatchObject({ deferredItems: left.length, faults: { partial: 1 } });
    // the unprocessed requests are whole requests: resending them completes the batch
    p.setRates({});
    await clientFor(p).send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: defined(out.UnprocessedItems?.[TABLE]) } }));
    expect((await storedIds('partial-')).size).toBe(25);
  });

  it('a partial BatchGetItem returns every key once, the rest as UnprocessedKeys with the projection kept', async () => {
    const p = await proxy({ rates: { partial: 1 }, seed: 5 });
    const ids = Array.from({ length: 10 }, (_, i) => `partial-${i}`);
    const out = await clientFor(p).send(
      new BatchGetItemCommand({
        RequestItems: {
          [TABLE]: { Keys: ids.map(key), ProjectionExpression: '#e, #v', ExpressionAttributeNames: { '#e': 'entity_id', '#v': 'v' }, ConsistentRead: true },
        },
      }),
    );
    const got = (out.Responses?.[TABLE] ?? []).map((i) => defined(i.entity_id?.S));
    const left = out.UnprocessedKeys?.[TABLE];
    expect(left?.ProjectionExpression).toBe('#e, #v');
    expect(left?.ConsistentRead).toBe(true);
    const deferred = (left?.Keys ?? []).map((k) => defined(k.entity_id?.S));
    expect(deferred.length).toBeGreaterThanOrEqual(1);
    expect([...got, ...deferred].sort()).toEqual([...ids].sort());
    expect(p.stats().deferredKeys).toBe(deferred.length);
  });

  it('a single-item batch is never split (DynamoDB would throttle it instead)', async () => {
    const p = await proxy({ rates: { partial: 1 } });
    const out = await clientFor(p).send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: [put('single-1')] } }));
    expect(out.UnprocessedItems?.[TABLE] ?? []).toHaveLength(0);
    expect(p.stats().faults.partial).toBe(0);
  });

  it('drops connections before or after the server did the work', async () => {
    const p = await proxy({ rates: { drop: 1 }, seed: 11 });
    const c = clientFor(p);
    const errors = [];
    for (let i = 0; i < 12; i++) errors.push(await caught(c.send(new PutItemCommand({ TableName: TABLE, Item: { ...key(`drop-${i}`), v: { S: 'd' } } }))));
    // NOTE: no classifyAwsError check here: under jest's VM realm the SDK wraps Node's socket errors
    // (instanceof Error fails across realms), which never happens in the real CLI process.
    for (const e of errors) expect(e.message).toMatch(/socket hang up|aborted|ECONNRESET/);
    const s = p.stats();
    expect(s.faults.drop).toBe(12);
    expect(s.droppedAfterForward).toBeGreaterThan(0);
    expect(s.droppedAfterForward).toBeLessThan(12);
    // exactly the requests cut after forwarding reached the table
    expect((await storedIds('drop-')).size).toBe(s.droppedAfterForward);
  });

  it('holds slow answers past the client timeout', async () => {
    const p = await proxy({ rates: { slow: 1 }, slowMs: 3000 });
    const started = Date.now();
    const e = await caught(clientFor(p, { requestTimeout: 300 }).send(new GetItemCommand({ TableName: TABLE, Key: key('none') })));
    expect(Date.now() - started).toBeLessThan(2500);
    expect(classifyAwsError(e)).toBe('transient-network');
    expect(p.stats().faults.slow).toBe(1);
  });

  it('denies chosen actions with AccessDeniedException, which names the action and iam-policy', async () => {
    const p = await proxy({ deny: ['PutItem'] });
    const c = clientFor(p);
    const e = await caught(c.send(new PutItemCommand({ TableName: TABLE, Item: key('denied') })));
    expect(e.name).toBe('AccessDeniedException');
    const described = describeAwsError(e, { action: 'PutItem', table: TABLE });
    expect(described.code).toBe('dynamo.accessDenied');
    expect(described.hint).toContain('dynamodb:PutItem');
    expect(described.hint).toContain('dynafeast iam-policy');
    await c.send(new GetItemCommand({ TableName: TABLE, Key: key('denied') }));
    expect(p.stats().faults.denied).toBe(1);
  });

  it('stops injecting after maxFaults', async () => {
    const p = await proxy({ rates: { throttle: 1 }, maxFaults: 3 });
    const c = clientFor(p);
    for (let i = 0; i < 3; i++) expect((await caught(c.send(new GetItemCommand({ TableName: TABLE, Key: key('x') })))).name).toBe('ThrottlingException');
    await c.send(new GetItemCommand({ TableName: TABLE, Key: key('x') }));
    expect(p.stats().faults.throttle).toBe(3);
  });

  it('the same seed gives the same faults', async () => {
    const run = async () => {
      const p = await proxy({ rates: { throttle: 0.3, error500: 0.2 }, seed: 42 });
      const c = clientFor(p);
      const seen: string[] = [];
      for (let i = 0; i < 30; i++) {
        try {
          await c.send(new GetItemCommand({ TableName: TABLE, Key: key('x') }));
          seen.push('ok');
        } catch (e) {
          seen.push((e as Error).name);
        }
      }
      return seen;
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(3);
  });

  it('refuses targets off loopback and rates that add up past 1', async () => {
    await expect(startFaultProxy({ target: 'http://example.com:8000' })).rejects.toThrow(/loopback/);
    await expect(startFaultProxy({ target: server.endpoint, rates: { throttle: 0.7, drop: 0.5 } })).rejects.toThrow(/add up/);
  });

  it('splitBatch keeps at least one entry and covers every entry exactly once', () => {
    const rnd = seededRandom(9);
    for (let n = 2; n <= 25; n++) {
      const req = { RequestItems: { a: Array.from({ length: n }, (_, i) => put(`k${i}`)) } };
      const split = defined(splitBatch('BatchWriteItem', req, rnd));
      const kept = defined((split.forward.RequestItems as Record<string, unknown[]>).a);
      const merged = split.merge({}) as { UnprocessedItems: Record<string, unknown[]> };
      expect(kept.length).toBeGreaterThanOrEqual(1);
      expect(kept.length + defined(merged.UnprocessedItems.a).length).toBe(n);
      expect(split.deferred).toBe(defined(merged.UnprocessedItems.a).length);
    }
  });
});
