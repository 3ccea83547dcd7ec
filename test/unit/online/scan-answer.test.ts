/**
 * scanTable through the lean client against a loopback server: an answer that is not JSON is the
 * server's fault and told as a failed Scan, while an error the page's consumer throws is its own.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { scanTable } from '../../../src/core/online/scan-table.js';
import { DynafeastError } from '../../../src/core/errors.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/core/util/retry.js';

let server: http.Server;
let endpoint: string;
let answer = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const scan = (onPage: () => void) =>
  scanTable(
    {
      dynamo: { send: () => Promise.reject(new Error('the SDK client is not used here')) },
      table: 'p.t',
      endpoint,
      lean: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
      retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 },
    },
    onPage,
  );

it('tells a Scan answer that is not JSON as a failed dynamodb:Scan of the table', async () => {
  answer = '{"Items":[{"entity_id":{"S":"a"},"event_ts":{"S":"2021-04-12 07:00:00+00:00"}},';
  const e = await scan(() => undefined).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(DynafeastError);
  expect(String((e as Error).message)).toContain('p.t');
});

it('leaves an error the consumer throws as it is, even a SyntaxError', async () => {
  answer = '{"Items":[{"entity_id":{"S":"a"},"event_ts":{"S":"2021-04-12 07:00:00+00:00"}}]}';
  const own = new SyntaxError('the consumer’s own');
  await expect(
    scan(() => {
      throw own;
    }),
  ).rejects.toBe(own);
});
