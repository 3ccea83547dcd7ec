/**
 * A DynamoDB-protocol endpoint that answers BatchGetItem from memory after a fixed delay (default 8 ms):
 * a model of in-region DynamoDB, whose requests are served in parallel, unlike single-threaded dynalite.
 * It holds the benchmark's items for `drivers` drivers in every table of the bench repo and ignores
 * projections (the items hold exactly the requested features). The delay can be changed while it runs
 * (the serve load test slows it to keep requests in flight).
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { benchItemFactory, PROJECT, VIEWS } from './bench-repo.js';
import { defined } from '../../test/helpers/defined.js';

export interface LatencyModel {
  port: number;
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** Milliseconds before each answer; may be changed at any time. */
  delayMs: number;
  close(): Promise<void>;
}

/** DynamoDB JSON of an item: B values as base64. */
function itemJson(item: Record<string, AttributeValue>): string {
  return JSON.stringify(item, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
}

export async function startLatencyModel(opts: { delayMs?: number; drivers?: number } = {}): Promise<LatencyModel> {
  const itemOf = benchItemFactory();
  const byId = new Map<string, string>();
  for (let d = 0; d < (opts.drivers ?? 1000); d++) {
    const item = itemOf(d);
    byId.set(defined(item.entity_id?.S), itemJson(item));
  }
  const tables = new Set(VIEWS.map((v) => `${PROJECT}.${v}`));
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { RequestItems: Record<string, { Keys: { entity_id: { S: string } }[] }> };
      const parts: string[] = [];
      for (const [table, request] of Object.entries(input.RequestItems)) {
        const found = tables.has(table) ? request.Keys.map((k) => byId.get(k.entity_id.S)).filter((x) => x !== undefined) : [];
        parts.push(`${JSON.stringify(table)}:[${found.join(',')}]`);
      }
      const body = `{"Responses":{${parts.join(',')}},"UnprocessedKeys":{}}`;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) }).end(body);
      }, model.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const model: LatencyModel = {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    delayMs: opts.delayMs ?? 8,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return model;
}
