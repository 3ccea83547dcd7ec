/**
 * A DynamoDB-protocol endpoint that answers from memory after a fixed delay per request (default 8 ms):
 * a model of in-region DynamoDB, whose requests are served in parallel, unlike single-threaded dynalite.
 * The delay can be changed while it runs (the serve load test slows it to keep requests in flight).
 *
 * - BatchGetItem: the read benchmark's items for `drivers` drivers in every table of the bench repo
 *   (projections are ignored: the items hold exactly the requested features).
 * - Scan and DescribeTable, with `scanItems` N: every table holds N items (driver d = FIRST_DRIVER + d,
 *   as bench-repo.ts builds them). A Scan is paged as DynamoDB pages it: each segment of TotalSegments
 *   holds a contiguous share of the items, a page ends before it would read more than 1 MB of items
 *   (DynamoDB's item size, layout/item.ts) or at `Limit` items, and LastEvaluatedKey is the last item's
 *   key, taken back as ExclusiveStartKey. Every request, whatever its size, waits the same delay; the
 *   page's bytes add `scanMsPerMb` (default 0) more, for a model with a per-segment read rate.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { itemSizeBytes } from '../../src/core/layout/item.js';
import { benchItemFactory, PROJECT, VIEWS } from './bench-repo.js';
import { defined } from '../../test/helpers/defined.js';

export interface LatencyModelOptions {
  delayMs?: number;
  /** Drivers BatchGetItem finds (default 1000). */
  drivers?: number;
  /** Items every table holds for Scan and DescribeTable (default 0). */
  scanItems?: number;
  /** Extra milliseconds per MB a Scan page reads (default 0). */
  scanMsPerMb?: number;
}

export interface LatencyModel {
  port: number;
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** Milliseconds before each answer; may be changed at any time. */
  delayMs: number;
  close(): Promise<void>;
}

/** DynamoDB's limit on the items one Scan page reads. */
const SCAN_PAGE_BYTES = 1024 * 1024;

/** DynamoDB JSON of an item: B values as base64. */
function itemJson(item: Record<string, AttributeValue>): string {
  return JSON.stringify(item, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
}

interface ScanInput {
  TableName: string;
  Segment?: number;
  TotalSegments?: number;
  Limit?: number;
  ExclusiveStartKey?: { entity_id?: { S?: string } };
}

interface Answer {
  status: number;
  body: string | Buffer;
  extraMs: number;
}

/** The scanned items, built once on first use (id, DynamoDB JSON, DynamoDB size), shared by every table. */
interface Stored {
  id: string;
  json: string;
  bytes: number;
}

export async function startLatencyModel(opts: LatencyModelOptions = {}): Promise<LatencyModel> {
  const scanItems = opts.scanItems ?? 0;
  const scanMsPerMb = opts.scanMsPerMb ?? 0;
  const itemOf = benchItemFactory();
  const byId = new Map<string, string>();
  for (let d = 0; d < (opts.drivers ?? 1000); d++) {
    const item = itemOf(d);
    byId.set(defined(item.entity_id?.S), itemJson(item));
  }
  const tables = new Set(VIEWS.map((v) => `${PROJECT}.${v}`));

  const scanned: Stored[] = [];
  const scannedItem = (d: number): Stored => {
    let s = scanned[d];
    if (s === undefined) {
      const item = itemOf(d);
      s = { id: defined(item.entity_id?.S), json: itemJson(item), bytes: itemSizeBytes(item) };
      scanned[d] = s;
    }
    return s;
  };
  const averageBytes = scanItems > 0 ? scannedItem(0).bytes : 0;
  /** Where each handed-out LastEvaluatedKey resumes: `table segment/total id` → next item. */
  const resumeAt = new Map<string, number>();
  /** Scan answers already built, by `total segment next limit` (every table holds the same items). */
  const pageCache = new Map<string, { body: Buffer; extraMs: number; resume: { id: string; next: number } | undefined }>();

  const scan = (input: ScanInput): Answer => {
    const total = input.TotalSegments ?? 1;
    const segment = input.Segment ?? 0;
    const end = Math.floor(((segment + 1) * scanItems) / total);
    let next = Math.floor((segment * scanItems) / total);
    const shard = `${input.TableName} ${segment}/${total}`;
    if (input.ExclusiveStartKey !== undefined) {
      const key = `${shard} ${input.ExclusiveStartKey.entity_id?.S ?? ''}`;
      const at = resumeAt.get(key);
      if (at === undefined) {
        return {
          status: 400,
          body: JSON.stringify({ __type: 'com.amazon.coral.validation#ValidationException', message: 'The provided starting key is invalid' }),
          extraMs: 0,
        };
      }
      resumeAt.delete(key);
      next = at;
    }
    const limit = input.Limit ?? Infinity;
    // A page's answer is built once and kept: DynamoDB's own work happens on other machines, and the
    // model's CPU would otherwise compete with the client it measures on this one
    const pageKey = `${total} ${segment} ${next} ${limit}`;
    const cached = pageCache.get(pageKey);
    if (cached !== undefined) {
      if (cached.resume !== undefined) resumeAt.set(`${shard} ${cached.resume.id}`, cached.resume.next);
      return { status: 200, body: cached.body, extraMs: cached.extraMs };
    }
    const parts: string[] = [];
    let bytes = 0;
    while (next < end && parts.length < limit) {
      const s = scannedItem(next);
      if (parts.length > 0 && bytes + s.bytes > SCAN_PAGE_BYTES) break;
      parts.push(s.json);
      bytes += s.bytes;
      next++;
    }
    let last = '';
    let resume: { id: string; next: number } | undefined;
    if (next < end) {
      resume = { id: scannedItem(next - 1).id, next };
      resumeAt.set(`${shard} ${resume.id}`, next);
      last = `,"LastEvaluatedKey":{"entity_id":{"S":${JSON.stringify(resume.id)}}}`;
    }
    const body = Buffer.from(`{"Items":[${parts.join(',')}],"Count":${parts.length},"ScannedCount":${parts.length}${last}}`);
    const extraMs = (bytes / SCAN_PAGE_BYTES) * scanMsPerMb;
    pageCache.set(pageKey, { body, extraMs, resume });
    return { status: 200, body, extraMs };
  };

  const describe = (table: string): Answer => ({
    status: 200,
    body: JSON.stringify({
      Table: {
        TableName: table,
        TableStatus: 'ACTIVE',
        KeySchema: [{ AttributeName: 'entity_id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'entity_id', AttributeType: 'S' }],
        ItemCount: scanItems,
        TableSizeBytes: scanItems * averageBytes,
      },
    }),
    extraMs: 0,
  });

  const batchGet = (input: { RequestItems: Record<string, { Keys: { entity_id: { S: string } }[] }> }): Answer => {
    const parts: string[] = [];
    for (const [table, request] of Object.entries(input.RequestItems)) {
      const found = tables.has(table) ? request.Keys.map((k) => byId.get(k.entity_id.S)).filter((x) => x !== undefined) : [];
      parts.push(`${JSON.stringify(table)}:[${found.join(',')}]`);
    }
    return { status: 200, body: `{"Responses":{${parts.join(',')}},"UnprocessedKeys":{}}`, extraMs: 0 };
  };

  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const target = String(req.headers['x-amz-target'] ?? '');
      let answer: Answer;
      if (target.endsWith('.Scan')) answer = scan(input as unknown as ScanInput);
      else if (target.endsWith('.DescribeTable')) answer = describe(String(input.TableName));
      else answer = batchGet(input as Parameters<typeof batchGet>[0]);
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(answer.body) }).end(answer.body);
      }, model.delayMs + answer.extraMs);
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
