/**
 * Ranged GetObject without the SDK, for the S3 source's hot path (a footer read per file and the fetches:
 * a hundred small requests for a hundred files): a SigV4-signed GET (sigv4.ts) over the lean transport
 * (lean-client.ts). On moto it spends about a third of the SDK's CPU per request (docs/architecture.md §7).
 * Where a bucket's objects are and how they are signed comes from the SDK client's own endpoint rules
 * (S3Handle.bucketEndpoint: partitions, path or virtual-host style, FIPS); a bucket in another region
 * answers with its region (`x-amz-bucket-region`) and is asked again there. It never retries (the caller
 * owns the retry loop), and its errors carry the SDK's `name` / `$metadata.httpStatusCode`, so the one
 * classification and the S3 messages apply (aws-errors.ts, s3/s3-errors.ts).
 */
import type { AwsCredentials, AwsCredentialsProvider } from '../identity.js';
import type { SlowCallWatch } from '../slow-call.js';
import { createLeanTransport, leanCredentials, LeanServiceError, type LeanTransport } from './lean-client.js';
import { signS3Get } from './sigv4.js';

/** Where a bucket's objects are for a region: the base URL (path-style ones end in the bucket) and the region to sign for. */
export interface BucketEndpoint {
  url: string;
  signingRegion: string;
}

export interface LeanS3Options {
  bucket: string;
  region: string;
  /** The bucket's endpoint in a region; undefined when the endpoint rules ask for other than SigV4. */
  endpointFor(bucket: string, region: string): Promise<BucketEndpoint | undefined>;
  credentials: AwsCredentials | AwsCredentialsProvider;
  maxSockets: number;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  slowCalls?: SlowCallWatch;
  env?: NodeJS.ProcessEnv;
}

export interface LeanS3Reader {
  /**
   * Bytes [start, end) of `key`; with `ifMatch`, only of that version of the object (412 otherwise).
   * Aborting `signal` closes the request's connection and rejects (a held GET is abandoned, not waited out).
   */
  getRange(key: string, start: number, end: number, ifMatch?: string, signal?: AbortSignal): Promise<Uint8Array>;
  close(): void;
}

/** A key as S3 signs and serves it: each segment percent-encoded by RFC 3986, the slashes kept. */
export function encodeS3Key(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/**
 * A reader for one bucket, or undefined when its endpoint is not signed with plain SigV4 (S3 Express
 * directory buckets, multi-region access points): the caller then uses the SDK.
 */
export async function createLeanS3Reader(o: LeanS3Options): Promise<LeanS3Reader | undefined> {
  const credentials = leanCredentials(o.credentials);
  let at = await connect(o.region);
  if (!at) return undefined;
  async function connect(region: string): Promise<{ transport: LeanTransport; base: string; signingRegion: string } | undefined> {
    const endpoint = await o.endpointFor(o.bucket, region);
    if (!endpoint) return undefined;
    const url = new URL(endpoint.url);
    const transport = createLeanTransport({
      endpoint: url.origin,
      maxSockets: o.maxSockets,
      requestTimeoutMs: o.requestTimeoutMs,
      connectTimeoutMs: o.connectTimeoutMs,
      ...(o.slowCalls ? { slowCalls: o.slowCalls } : {}),
      ...(o.env ? { env: o.env } : {}),
    });
    return { transport, base: url.pathname.replace(/\/$/, ''), signingRegion: endpoint.signingRegion };
  }
  const get = async (
    key: string,
    start: number,
    end: number,
    ifMatch: string | undefined,
    signal: AbortSignal | undefined,
    redirected: boolean,
  ): Promise<Uint8Array> => {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- set before the reader is returned
    const { transport, base, signingRegion } = at!;
    const path = `${base}/${encodeS3Key(key)}`;
    const headers = {
      ...signS3Get({ host: transport.url.host, path, region: signingRegion, credentials: await credentials(), nowMs: Date.now() }),
      range: `bytes=${start}-${end - 1}`,
      ...(ifMatch ? { 'if-match': ifMatch } : {}),
    };
    const answer = await transport.send({ method: 'GET', path, headers, operation: 'GetObject', ...(signal ? { signal } : {}) });
    if (answer.status === 206 || answer.status === 200) {
      // a 200 is the whole object (a server that ignores Range): only the bytes asked for count
      const body = answer.status === 200 ? answer.body.subarray(start, end) : answer.body;
      return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    }
    const bucketRegion = answer.headers['x-amz-bucket-region'];
    if (!redirected && typeof bucketRegion === 'string' && bucketRegion !== signingRegion && (answer.status === 301 || answer.status === 400)) {
      const moved = await connect(bucketRegion);
      if (moved) {
        transport.close();
        at = moved;
        return get(key, start, end, ifMatch, signal, true);
      }
    }
    throw s3ServiceError(answer.status, answer.body.toString('utf8'));
  };
  return {
    getRange: (key, start, end, ifMatch, signal) => get(key, start, end, ifMatch, signal, false),
    close: () => at?.transport.close(),
  };
}

/** S3 errors are `<Error><Code>NoSuchKey</Code><Message>…</Message>…</Error>`; a body-less answer is named by its status. */
export function s3ServiceError(status: number, xml: string): LeanServiceError {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  const byStatus: Record<number, string> = { 403: 'AccessDenied', 404: 'NotFound', 412: 'PreconditionFailed', 503: 'SlowDown' };
  const name = code ?? byStatus[status] ?? (status >= 500 ? 'InternalError' : 'UnknownError');
  return new LeanServiceError(name, message ?? `HTTP ${status}${xml ? `: ${xml.slice(0, 300)}` : ''}`, status);
}
