/**
 * A neutral S3 stand-in for `bench:s3` (architecture.md §7), as bench/read/latency-endpoint.ts is for
 * DynamoDB: moto is one Python process whose own CPU bounds what a client can reach on this machine, so
 * the benchmark also runs against this model, which serves requests in parallel with a fixed cost.
 *
 * It serves exactly what the S3 source sends, path-style, from local folders (`--bucket NAME=DIR`, the
 * keys are the files' paths under DIR, symlinks followed):
 *   - ListObjectsV2 (`?list-type=2`, prefix, max-keys, continuation-token, start-after)
 *   - HeadObject / GetObject, with Range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) and If-Match on the ETag
 *     (the MD5 of the file in quotes, as S3 gives a single-part upload)
 * and answers S3's XML errors (NoSuchBucket, NoSuchKey, PreconditionFailed, InvalidRange; a HEAD gets
 * the status only, as from S3). It checks that each request carries SigV4 headers (Authorization
 * `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`, x-amz-date, x-amz-content-sha256) but
 * does not verify the signature: the signer is tested against moto and dynalite, not here.
 *
 * Costs it models (both configurable):
 *   - first-byte latency per request, default 15 ms: AWS gives "median latencies … in the tens of
 *     milliseconds range" for requests under 512 KB, in-region
 *     (https://docs.aws.amazon.com/whitepapers/latest/s3-optimizing-performance-best-practices/timeouts-and-retries-for-latency-sensitive-applications.html);
 *     15 ms is the low end of that range.
 *   - a bandwidth cap per connection, default 90 MB/s (an assumption, the order of one S3 connection's
 *     throughput from EC2; S3 scales by connections, which the model does too).
 *
 *   node .bench/bench/s3/s3-model.js --bucket bench-data=DIR [--latency-ms 15] [--mbps 90]
 * prints `{"port":N}` once listening on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface S3ModelOptions {
  /** bucket name → folder whose files are its objects */
  buckets: Record<string, string>;
  /** first-byte latency added to every request (ms) */
  latencyMs: number;
  /** bandwidth cap per connection (bytes/s); 0: none */
  bytesPerSecond: number;
}

export interface S3Model {
  endpoint: string;
  port: number;
  /** requests served, by operation */
  requests: Record<string, number>;
  close(): Promise<void>;
}

interface S3Object {
  file: string;
  size: number;
  etag: string;
  lastModified: Date;
}

/** Every file under `dir` (symlinks followed), keyed by its path under `dir` with `/` separators. */
function indexFolder(dir: string): Map<string, S3Object> {
  const objects = new Map<string, S3Object>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const file = path.join(at, name);
      const st = statSync(file);
      if (st.isDirectory()) walk(file);
      else if (st.isFile()) {
        const etag = `"${createHash('md5').update(readFileSync(file)).digest('hex')}"`;
        objects.set(path.relative(dir, file).split(path.sep).join('/'), { file, size: st.size, etag, lastModified: st.mtime });
      }
    }
  };
  walk(dir);
  return objects;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The SigV4 parts a signed request carries; the reason it is not one, or undefined. */
export function sigV4Missing(headers: http.IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (!auth) return 'no Authorization header';
  if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/s3\/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$/.test(auth)) {
    return 'Authorization is not AWS4-HMAC-SHA256 with Credential, SignedHeaders and Signature';
  }
  if (!headers['x-amz-date']) return 'no x-amz-date header';
  if (!headers['x-amz-content-sha256']) return 'no x-amz-content-sha256 header';
  return undefined;
}

/** [start, end) of a Range header against an object of `size` bytes; 'invalid' when unsatisfiable; undefined: the whole object. */
function parseRange(header: string | undefined, size: number): [number, number] | 'invalid' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // S3 ignores a Range it cannot parse
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 ? 'invalid' : [Math.max(0, size - n), size];
  }
  const start = Number(m[1]);
  if (start >= size) return 'invalid';
  const end = m[2] === '' ? size : Math.min(size, Number(m[2]) + 1);
  return end <= start ? undefined : [start, end];
}

export async function startS3Model(o: S3ModelOptions): Promise<S3Model> {
  const buckets = new Map(Object.entries(o.buckets).map(([name, dir]) => [name, indexFolder(dir)]));
  const requests: Record<string, number> = {};
  // per connection: when its link is free again (the bandwidth cap is per connection, as in S3)
  const linkFreeAt = new WeakMap<Socket, number>();

  const send = async (req: http.IncomingMessage, res: http.ServerResponse, status: number, headers: Record<string, string | number>, body: Buffer) => {
    await sleep(o.latencyMs);
    res.writeHead(status, { 'x-amz-request-id': 'S3MODEL', 'content-length': body.length, ...headers });
    if (req.method === 'HEAD' || body.length === 0) return void res.end();
    if (o.bytesPerSecond <= 0) return void res.end(body);
    const chunk = 64 * 1024;
    const socket = req.socket;
    for (let at = 0; at < body.length; at += chunk) {
      const part = body.subarray(at, at + chunk);
      const free = Math.max(performance.now(), linkFreeAt.get(socket) ?? 0) + (part.length / o.bytesPerSecond) * 1000;
      linkFreeAt.set(socket, free);
      const wait = free - performance.now();
      if (wait > 1) await sleep(wait);
      if (res.destroyed) return;
      res.write(part);
    }
    res.end();
  };
  const error = (req: http.IncomingMessage, res: http.ServerResponse, status: number, code: string, message: string, resource: string) =>
    send(
      req,
      res,
      status,
      { 'content-type': 'application/xml' },
      Buffer.from(
        `${XML_HEAD}<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><Resource>${xmlEscape(resource)}</Resource><RequestId>S3MODEL</RequestId></Error>`,
      ),
    );

  const list = (req: http.IncomingMessage, res: http.ServerResponse, bucket: string, objects: Map<string, S3Object>, q: URLSearchParams) => {
    const prefix = q.get('prefix') ?? '';
    const maxKeys = Math.min(1000, Number(q.get('max-keys') ?? 1000));
    const token = q.get('continuation-token');
    const after = token !== null ? Buffer.from(token, 'base64url').toString('utf8') : (q.get('start-after') ?? '');
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page
      .map((k) => {
        const obj = objects.get(k) as S3Object;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${obj.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(obj.etag)}</ETag><Size>${obj.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const body =
      `${XML_HEAD}<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix>` +
      `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (token !== null ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : '') +
      (truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1] as string).toString('base64url')}</NextContinuationToken>` : '') +
      `${contents}</ListBucketResult>`;
    return send(req, res, 200, { 'content-type': 'application/xml' }, Buffer.from(body));
  };

  const object = async (req: http.IncomingMessage, res: http.ServerResponse, key: string, obj: S3Object | undefined, resource: string) => {
    if (!obj) {
      return req.method === 'HEAD'
        ? send(req, res, 404, {}, Buffer.alloc(0))
        : error(req, res, 404, 'NoSuchKey', 'The specified key does not exist.', resource);
    }
    const ifMatch = req.headers['if-match'];
    if (ifMatch !== undefined && ifMatch !== '*' && !ifMatch.split(',').some((e) => e.trim() === obj.etag)) {
      return error(req, res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', resource);
    }
    const range = parseRange(req.headers.range, obj.size);
    if (range === 'invalid') return error(req, res, 416, 'InvalidRange', 'The requested range is not satisfiable', resource);
    const [start, end] = range ?? [0, obj.size];
    const headers: Record<string, string | number> = {
      etag: obj.etag,
      'last-modified': obj.lastModified.toUTCString(),
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      ...(range ? { 'content-range': `bytes ${start}-${end - 1}/${obj.size}` } : {}),
    };
    if (req.method === 'HEAD') return send(req, res, 200, { ...headers, 'content-length': obj.size }, Buffer.alloc(0));
    const body = Buffer.alloc(end - start);
    const fh = await open(obj.file, 'r');
    try {
      await fh.read(body, 0, body.length, start);
    } finally {
      await fh.close();
    }
    return send(req, res, range ? 206 : 200, headers, body);
  };

  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://s3-model');
      const [bucketName = '', ...rest] = url.pathname.slice(1).split('/');
      const key = decodeURIComponent(rest.join('/'));
      const op = req.method === 'HEAD' ? 'HeadObject' : key ? 'GetObject' : url.searchParams.get('list-type') === '2' ? 'ListObjectsV2' : 'other';
      requests[op] = (requests[op] ?? 0) + 1;
      const served = (async () => {
        const unsigned = sigV4Missing(req.headers);
        if (unsigned) return error(req, res, 403, 'AccessDenied', `Anonymous request refused by the S3 model: ${unsigned}`, url.pathname);
        const objects = buckets.get(bucketName);
        if (!objects) return error(req, res, 404, 'NoSuchBucket', 'The specified bucket does not exist', `/${bucketName}`);
        if (req.method === 'GET' && !key && op === 'ListObjectsV2') return list(req, res, bucketName, objects, url.searchParams);
        if ((req.method === 'GET' || req.method === 'HEAD') && key) return object(req, res, key, objects.get(key), url.pathname);
        return error(req, res, 501, 'NotImplemented', `${req.method} ${url.pathname}${url.search} is not served by the S3 model`, url.pathname);
      })();
      served.catch((e: unknown) => res.destroy(e instanceof Error ? e : new Error(String(e))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// run as a process of its own (the benchmark reads its CPU from /proc, as moto's)
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const value = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
  };
  const buckets: Record<string, string> = {};
  args.forEach((a, i) => {
    if (a === '--bucket') {
      const [name, dir] = (args[i + 1] ?? '').split('=');
      if (!name || !dir) throw new Error(`--bucket takes NAME=DIR, got ${args[i + 1]}`);
      buckets[name] = path.resolve(dir);
    }
  });
  const model = await startS3Model({ buckets, latencyMs: Number(value('latency-ms', '15')), bytesPerSecond: Number(value('mbps', '90')) * 1e6 });
  process.stdout.write(`${JSON.stringify({ port: model.port })}\n`);
  process.on('SIGTERM', () => void model.close().then(() => process.exit(0)));
  // stdin is the benchmark's lifeline (bench/child-process.ts): a crashed benchmark leaves no server
  process.stdin.on('end', () => process.exit(0)).resume();
}
