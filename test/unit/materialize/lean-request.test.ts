import http from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { itemJson } from '../../../src/core/materialize/lean/attribute-json.js';
import { createLeanBatchSender, createLeanConditionalPutSender } from '../../../src/core/materialize/lean/lean-sender.js';
import { signRequest } from '../../../src/core/aws/lean/sigv4.js';
import { classifyAwsError } from '../../../src/core/aws/aws-errors.js';
import type { WriteUnit } from '../../../src/core/materialize/batch-writer.js';
import { Sha256 } from '../../helpers/node-sha256.js';
import { defined } from '../../helpers/defined.js';

describe('signRequest (SigV4)', () => {
  it.each([
    ['long-term keys', { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }],
    ['session credentials', { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token/with+chars==' }],
  ])('matches the AWS SDK signer byte for byte (%s)', async (_name, credentials) => {
    const body = '{"RequestItems":{"p.v":[{"PutRequest":{"Item":{"entity_id":{"S":"é"}}}}]}}';
    const nowMs = Date.UTC(2024, 4, 1, 12, 34, 56, 789);
    const ours = signRequest({
      host: 'dynamodb.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      service: 'dynamodb',
      target: 'DynamoDB_20120810.BatchWriteItem',
      body,
      credentials,
      nowMs,
    });
    const sdk = new SignatureV4({ credentials, region: 'eu-west-1', service: 'dynamodb', sha256: Sha256 as never, applyChecksum: false });
    const signed = await sdk.sign(
      {
        method: 'POST',
        protocol: 'https:',
        hostname: 'dynamodb.eu-west-1.amazonaws.com',
        path: '/',
        headers: {
          host: 'dynamodb.eu-west-1.amazonaws.com',
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
        },
        body,
      },
      { signingDate: new Date(nowMs) },
    );
    expect(ours.authorization).toBe(signed.headers.authorization);
    expect(ours['x-amz-date']).toBe(signed.headers['x-amz-date']);
    expect(ours['x-amz-security-token']).toBe(signed.headers['x-amz-security-token']);
  });
});

describe('itemJson', () => {
  it('writes DynamoDB JSON with binary as base64 and escaped names and strings', () => {
    const text = itemJson({
      entity_id: { S: 'f3cf"\\' },
      event_ts: { S: '2021-04-12 07:00:00+00:00' },
      values: { M: { conv_rate: { B: new Uint8Array([0x35, 0, 0, 0, 0x3f]) }, 'naïve "x"': { B: new Uint8Array() } } },
      expires: { N: '1618297200' },
      flags: { L: [{ BOOL: true }, { NULL: true }, { SS: ['a'] }, { NS: ['1'] }, { BS: [new Uint8Array([1])] }] },
    });
    expect(JSON.parse(text)).toEqual({
      entity_id: { S: 'f3cf"\\' },
      event_ts: { S: '2021-04-12 07:00:00+00:00' },
      values: { M: { conv_rate: { B: 'NQAAAD8=' }, 'naïve "x"': { B: '' } } },
      expires: { N: '1618297200' },
      flags: { L: [{ BOOL: true }, { NULL: true }, { SS: ['a'] }, { NS: ['1'] }, { BS: ['AQ=='] }] },
    });
  });
});

describe('createLeanBatchSender', () => {
  type Answer = { status: number; body: string } | 'drop';
  async function withServer(answers: Answer[], fn: (endpoint: string, seen: Array<{ headers: http.IncomingHttpHeaders; body: string }>) => Promise<void>) {
    const seen: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        const a = answers.shift() ?? { status: 200, body: '{}' };
        if (a === 'drop') return void req.socket.destroy();
        res.writeHead(a.status, { 'content-type': 'application/x-amz-json-1.0' }).end(a.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await fn(`http://127.0.0.1:${(server.address() as { port: number }).port}`, seen);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }
  const items = ['a', 'b', 'c'].map((k) => ({ entity_id: { S: k }, event_ts: { S: 't' }, values: { M: {} } }));
  const batch: WriteUnit[] = items.map((item) => ({ key: item.entity_id.S, json: itemJson(item), eventTs: item.event_ts.S, bytes: 0 }));

  it('posts a signed BatchWriteItem and maps UnprocessedItems back to the units sent', async () => {
    const answer = {
      UnprocessedItems: { 'p.v': [{ PutRequest: { Item: { entity_id: { S: 'b' } } } }] },
      ConsumedCapacity: [{ TableName: 'p.v', CapacityUnits: 2 }],
    };
    await withServer([{ status: 200, body: JSON.stringify(answer) }], async (endpoint, seen) => {
      const sender = createLeanBatchSender({
        endpoint,
        region: 'us-east-1',
        credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 's' }),
        maxSockets: 2,
      });
      const out = await sender.send('p.v', batch);
      sender.close();
      expect(out.unprocessed.map((u) => u.key)).toEqual(['b']);
      expect(out.consumedCapacity).toBe(2);
      expect(defined(seen[0]).headers['x-amz-target']).toBe('DynamoDB_20120810.BatchWriteItem');
      expect(defined(seen[0]).headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=a\/\d{8}\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
      );
      expect(JSON.parse(defined(seen[0]).body)).toEqual({
        RequestItems: { 'p.v': items.map((item) => ({ PutRequest: { Item: item } })) },
        ReturnConsumedCapacity: 'TOTAL',
      });
    });
  });

  it('raises errors named like the SDK does, so the writer classifies them alike', async () => {
    const throttled = { status: 400, body: '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}' };
    const missing = { status: 400, body: '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table"}' };
    await withServer([throttled, { status: 503, body: '<html>' }, missing, 'drop'], async (endpoint) => {
      const sender = createLeanBatchSender({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 's' }, maxSockets: 1 });
      const errors = [];
      for (let i = 0; i < 4; i++) errors.push(await sender.send('p.v', batch).catch((e: unknown) => e));
      sender.close();
      expect(errors.map((e) => (e as Error).name)).toEqual([
        'ProvisionedThroughputExceededException',
        'InternalServerError',
        'ResourceNotFoundException',
        'Error',
      ]);
      expect(errors.map(classifyAwsError)).toEqual(['throttled', 'transient-network', 'not-found', 'transient-network']);
    });
  });

  it('refuses an answer naming an item that was not sent', async () => {
    const answer = { UnprocessedItems: { 'p.v': [{ PutRequest: { Item: { entity_id: { S: 'zzz' } } } }] } };
    await withServer([{ status: 200, body: JSON.stringify(answer) }], async (endpoint) => {
      const sender = createLeanBatchSender({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 's' }, maxSockets: 1 });
      await expect(sender.send('p.v', batch)).rejects.toMatchObject({ code: 'dynamo.failed' });
      sender.close();
    });
  });

  it('sends conditional puts that count a newer stored item as skipped, not failed', async () => {
    const failed = {
      status: 400,
      body: '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}',
    };
    await withServer([{ status: 200, body: '{"ConsumedCapacity":{"CapacityUnits":1}}' }, failed], async (endpoint, seen) => {
      const sender = createLeanConditionalPutSender({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 's' }, maxSockets: 1 });
      const unit: WriteUnit = {
        key: 'a',
        json: '{"entity_id":{"S":"a"},"event_ts":{"S":"2021-04-12 07:00:00+00:00"}}',
        eventTs: '2021-04-12 07:00:00+00:00',
        bytes: 0,
      };
      expect(await sender.send('p.v', [unit])).toEqual({ unprocessed: [], consumedCapacity: 1 });
      expect(await sender.send('p.v', [unit])).toEqual({ unprocessed: [], skipped: 1 });
      sender.close();
      expect(defined(seen[0]).headers['x-amz-target']).toBe('DynamoDB_20120810.PutItem');
      expect(JSON.parse(defined(seen[0]).body)).toEqual({
        TableName: 'p.v',
        Item: { entity_id: { S: 'a' }, event_ts: { S: '2021-04-12 07:00:00+00:00' } },
        ConditionExpression: 'attribute_not_exists(entity_id) OR event_ts < :ts',
        ExpressionAttributeValues: { ':ts': { S: '2021-04-12 07:00:00+00:00' } },
        ReturnConsumedCapacity: 'TOTAL',
      });
    });
  });
});
