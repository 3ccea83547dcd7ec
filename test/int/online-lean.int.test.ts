/**
 * The lean BatchGetItem sender against a fault-injecting local HTTP server: what it signs and sends,
 * and which failures it retries (throttling, 5xx, timeouts, refused connections) or reports at once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeAwsError } from '../../src/core/aws/errors.js';
import { createLeanBatchGet, type LeanBatchGetOptions } from '../../src/core/online/lean-batch-get.js';
import { DEFAULT_RETRY_POLICY } from '../../src/core/util/retry.js';
import { defined } from '../helpers/defined.js';

type Reply = { status: number; body: string } | 'hang';
interface Seen {
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function faultServer(replies: Reply[]) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      const reply = defined(replies[Math.min(seen.length - 1, replies.length - 1)]);
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' }).end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    seen,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const OK = {
  status: 200,
  body: JSON.stringify({
    Responses: { 'p.v': [{ entity_id: { S: 'a' }, event_ts: { S: '2021-04-12 07:00:00+00:00' }, values: { M: { f: { B: 'NQAAAD8=' } } }, n: { N: '5' } }] },
    UnprocessedKeys: { 'p.v': { Keys: [{ entity_id: { S: 'b' } }] } },
  }),
};
const error = (status: number, type: string) => ({
  status,
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `${type} happened` }),
});
const INPUT = {
  RequestItems: {
    'p.v': { Keys: [{ entity_id: { S: 'a' } }, { entity_id: { S: 'b' } }], ProjectionExpression: '#i', ExpressionAttributeNames: { '#i': 'entity_id' } },
  },
};

function sender(endpoint: string, over: Partial<LeanBatchGetOptions> = {}) {
  const delays: number[] = [];
  const s = createLeanBatchGet({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
    maxSockets: 2,
    readTimeoutMs: 2000,
    retry: { ...DEFAULT_RETRY_POLICY, baseMs: 50, capMs: 2000, maxAttempts: 3 },
    nowMs: () => Date.UTC(2024, 4, 1, 12, 0, 0),
    sleep: async (ms) => void delays.push(ms),
    random: () => 1,
    ...over,
  });
  return { ...s, delays };
}

describe('createLeanBatchGet', () => {
  it("signs the request and returns the answer in the SDK's shapes", async () => {
    const server = await faultServer([OK]);
    const s = sender(server.endpoint);
    try {
      const out = await s.send(INPUT);
      expect(defined(out.Responses?.['p.v'])[0]).toEqual({
        entity_id: { S: 'a' },
        event_ts: { S: '2021-04-12 07:00:00+00:00' },
        values: { M: { f: { B: Buffer.from([0x35, 0, 0, 0, 0x3f]) } } },
        n: { N: '5' },
      });
      expect(out.UnprocessedKeys).toEqual({ 'p.v': { Keys: [{ entity_id: { S: 'b' } }] } });
      const { headers, body } = defined(server.seen[0]);
      expect(JSON.parse(body)).toEqual(INPUT);
      expect(headers['x-amz-target']).toBe('DynamoDB_20120810.BatchGetItem');
      expect(headers['x-amz-date']).toBe('20240501T120000Z');
      expect(headers['x-amz-security-token']).toBe('token');
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240501\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
      );
    } finally {
      s.close();
      await server.close();
    }
  });

  it('retries throttling and 5xx with backoff, then succeeds', async () => {
    const server = await faultServer([error(400, 'ProvisionedThroughputExceededException'), error(503, 'ServiceUnavailable'), OK]);
    const s = sender(server.endpoint);
    try {
      await expect(s.send(INPUT)).resolves.toMatchObject({ Responses: { 'p.v': [expect.anything()] } });
      expect(server.seen).toHaveLength(3);
      expect(s.delays).toEqual([50, 100]);
    } finally {
      s.close();
      await server.close();
    }
  });

  it("gives up after max attempts with the service error, described like the SDK's", async () => {
    const server = await faultServer([error(500, 'InternalServerError')]);
    const s = sender(server.endpoint);
    try {
      const e = await s.send(INPUT).catch((x: unknown) => x);
      expect(server.seen).toHaveLength(3);
      expect(e).toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
      expect(describeAwsError(e, { action: 'BatchGetItem', table: 'p.v' })).toMatchObject({ code: 'dynamo.failed', hint: 'A server-side error: retry later.' });
    } finally {
      s.close();
      await server.close();
    }
  });

  it('does not retry a request DynamoDB refuses', async () => {
    const server = await faultServer([error(400, 'ResourceNotFoundException')]);
    const s = sender(server.endpoint);
    try {
      const e = await s.send(INPUT).catch((x: unknown) => x);
      expect(server.seen).toHaveLength(1);
      expect(describeAwsError(e, { action: 'BatchGetItem', table: 'p.v' })).toMatchObject({
        code: 'dynamo.failed',
        hint: expect.stringContaining('dynafeast apply'),
      });
    } finally {
      s.close();
      await server.close();
    }
  });

  it('times out a request that gets no answer, and retries it', async () => {
    const server = await faultServer(['hang', OK]);
    const s = sender(server.endpoint, { readTimeoutMs: 150 });
    try {
      await expect(s.send(INPUT)).resolves.toMatchObject({ Responses: { 'p.v': [expect.anything()] } });
      expect(server.seen).toHaveLength(2);
    } finally {
      s.close();
      await server.close();
    }
  });

  it('reports an endpoint that refuses connections as unreachable after retrying', async () => {
    const server = await faultServer([OK]);
    const endpoint = server.endpoint;
    await server.close();
    const s = sender(endpoint);
    try {
      const e = await s.send(INPUT).catch((x: unknown) => x);
      expect(s.delays).toHaveLength(2);
      expect(describeAwsError(e, { action: 'BatchGetItem', endpoint })).toMatchObject({ code: 'dynamo.unreachable' });
    } finally {
      s.close();
    }
  });

  it('asks the credentials provider once while its credentials are fresh', async () => {
    const server = await faultServer([OK]);
    let calls = 0;
    const s = sender(server.endpoint, {
      credentials: async () => (calls++, { accessKeyId: 'A', secretAccessKey: 'S', expiration: new Date(Date.UTC(2024, 4, 1, 13)) }),
    });
    try {
      await s.send(INPUT);
      await s.send(INPUT);
      expect(calls).toBe(1);
      expect(defined(server.seen[0]).headers['x-amz-security-token']).toBeUndefined();
    } finally {
      s.close();
      await server.close();
    }
  });
});
