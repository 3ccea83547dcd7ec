/**
 * A DynamoDB-protocol endpoint that accepts every BatchWriteItem / PutItem at once (optionally after a
 * fixed delay): the client-side ceiling of the write path, and with `--delay-ms 8` a model of in-region
 * AWS latency. It does not parse or keep items; it counts `"PutRequest"` occurrences so the benchmark can
 * check that every item arrived. Run it in its own process so its CPU is not charged to the client:
 *
 *   node .bench/bench/write/instant-endpoint.js [--delay-ms 8]
 *
 * prints `{"port":N}` once listening; `GET /stats` answers `{"requests":R,"items":I}`.
 */
import http from 'node:http';
import { defined } from '../../test/helpers/defined.js';

export interface InstantEndpointOptions {
  delayMs?: number;
  port?: number;
}

export interface InstantEndpoint {
  port: number;
  stats: { requests: number; items: number };
  close(): Promise<void>;
}

const MARK = Buffer.from('"PutRequest"');

function countMarks(chunks: Buffer[]): number {
  // A mark split across two chunks is counted by scanning the joined buffer; bodies are small (< 1 MB).
  const body = chunks.length === 1 ? defined(chunks[0]) : Buffer.concat(chunks);
  let n = 0;
  for (let i = body.indexOf(MARK); i >= 0; i = body.indexOf(MARK, i + MARK.length)) n++;
  return n;
}

export function startInstantEndpoint(options: InstantEndpointOptions = {}): Promise<InstantEndpoint> {
  const stats = { requests: 0, items: 0 };
  const delay = options.delayMs ?? 0;
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
      if (target.endsWith('.BatchWriteItem')) {
        stats.items += countMarks(chunks);
        body = '{"UnprocessedItems":{}}';
      } else if (target.endsWith('.PutItem')) {
        stats.items++;
      }
      const answer = () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) }).end(body);
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
  const i = process.argv.indexOf('--delay-ms');
  const delayMs = i > 0 ? Number(process.argv[i + 1]) : 0;
  const endpoint = await startInstantEndpoint({ delayMs });
  process.stdout.write(`${JSON.stringify({ port: endpoint.port })}\n`);
  process.on('SIGTERM', () => void endpoint.close().then(() => process.exit(0)));
  process.stdin.on('end', () => process.exit(0)).resume();
}
