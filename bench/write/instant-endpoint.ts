/**
 * A DynamoDB-protocol endpoint that accepts every BatchWriteItem / PutItem at once (optionally after a
 * fixed delay): the client-side ceiling of the write path, and with `--delay-ms 8` a model of in-region
 * AWS latency. It does not parse or keep items; it counts `"PutRequest"` occurrences so the benchmark can
 * check that every item arrived. Run it in its own process so its CPU is not charged to the client:
 *
 *   node .bench/bench/write/instant-endpoint.js [--delay-ms 8]
 *
 * prints `{"port":N}` once listening; `GET /stats` answers `{"requests":R,"items":I}`.
 *
 * With `--capacity N` it holds a table's fixed write capacity: a token bucket of N write units per
 * second (each item counts 1: the benchmark's items are under 1 KB) holding `--burst-seconds` of them. A
 * BatchWriteItem the bucket cannot pay for whole is refused with ProvisionedThroughputExceededException,
 * as DynamoDB answers when a table's capacity is spent. `/stats` then adds `throttled` and a `timeline`
 * of accepted items and throttled requests per 100 ms.
 */
import http from 'node:http';
import { defined } from '../../test/helpers/defined.js';

export interface InstantEndpointOptions {
  delayMs?: number;
  port?: number;
  /** Write units per second the endpoint accepts; none = everything. */
  capacity?: number;
  burstSeconds?: number;
}

export interface EndpointStats {
  requests: number;
  items: number;
  throttled: number;
  /** Per 100 ms since the first request: [accepted items, accepted requests, throttled requests]. */
  timeline: Array<[number, number, number]>;
}

export interface InstantEndpoint {
  port: number;
  stats: EndpointStats;
  close(): Promise<void>;
}

const THROTTLED =
  '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}';

const MARK = Buffer.from('"PutRequest"');

function countMarks(chunks: Buffer[]): number {
  // A mark split across two chunks is counted by scanning the joined buffer; bodies are small (< 1 MB).
  const body = chunks.length === 1 ? defined(chunks[0]) : Buffer.concat(chunks);
  let n = 0;
  for (let i = body.indexOf(MARK); i >= 0; i = body.indexOf(MARK, i + MARK.length)) n++;
  return n;
}

export function startInstantEndpoint(options: InstantEndpointOptions = {}): Promise<InstantEndpoint> {
  const stats: EndpointStats = { requests: 0, items: 0, throttled: 0, timeline: [] };
  const delay = options.delayMs ?? 0;
  const capacity = options.capacity;
  const burst = (capacity ?? 0) * (options.burstSeconds ?? 1);
  let tokens = burst;
  let filledAt = performance.now();
  let firstAt: number | undefined;
  const slot = (now: number): [number, number, number] => {
    firstAt ??= now;
    const i = Math.floor((now - firstAt) / 100);
    while (stats.timeline.length <= i) stats.timeline.push([0, 0, 0]);
    return stats.timeline[i] as [number, number, number];
  };
  /** Takes `items` units from the bucket when it holds them all. */
  const pay = (items: number): boolean => {
    if (capacity === undefined) return true;
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - filledAt) / 1000) * capacity);
    filledAt = now;
    if (tokens < items) return false;
    tokens -= items;
    return true;
  };
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      stats.requests++;
      let body = '{}';
      let status = 200;
      const items = target.endsWith('.BatchWriteItem') ? countMarks(chunks) : target.endsWith('.PutItem') ? 1 : 0;
      const at = capacity === undefined ? undefined : slot(performance.now());
      if (pay(items)) {
        stats.items += items;
        if (at) {
          at[0] += items;
          at[1]++;
        }
        if (target.endsWith('.BatchWriteItem')) body = '{"UnprocessedItems":{}}';
      } else {
        stats.throttled++;
        if (at) at[2]++;
        status = 400;
        body = THROTTLED;
      }
      const answer = () => res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) }).end(body);
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  server.maxConnections = 1024;
  return new Promise((resolve) => {
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        port,
        stats,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const flag = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const capacity = flag('--capacity');
  const burstSeconds = flag('--burst-seconds');
  const endpoint = await startInstantEndpoint({
    delayMs: flag('--delay-ms') ?? 0,
    ...(capacity !== undefined ? { capacity } : {}),
    ...(burstSeconds !== undefined ? { burstSeconds } : {}),
  });
  process.stdout.write(`${JSON.stringify({ port: endpoint.port })}\n`);
  process.on('SIGTERM', () => void endpoint.close().then(() => process.exit(0)));
  process.stdin.on('end', () => process.exit(0)).resume();
}
