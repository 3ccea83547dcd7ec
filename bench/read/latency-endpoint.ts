/**
 * A DynamoDB-protocol endpoint that answers BatchGetItem from memory after a fixed delay (default 8 ms):
 * a model of in-region DynamoDB, whose requests are served in parallel, unlike single-threaded dynalite.
 * It holds the benchmark's items for `--drivers` drivers in every table and ignores projections (the
 * items hold exactly the requested features). Prints `{"port":N}` once listening.
 *
 *   node .bench/bench/read/latency-endpoint.js [--delay-ms 8] [--drivers 1000]
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { benchItemFactory, PROJECT, VIEWS } from './bench-repo.js';
import { defined } from '../../test/helpers/defined.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const delayMs = arg('delay-ms', 8);
const drivers = arg('drivers', 1000);

/** DynamoDB JSON of an item: B values as base64. */
function itemJson(item: Record<string, AttributeValue>): string {
  return JSON.stringify(item, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
}

const itemOf = benchItemFactory();
const byId = new Map<string, string>();
for (let d = 0; d < drivers; d++) {
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
    }, delayMs);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
