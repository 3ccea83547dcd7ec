/**
 * A minimal DynamoDB JSON-protocol client for the lean write and read paths (materialize, online): keep-alive
 * HTTP(S), a SigV4-signed `POST /` per call, the parsed answer back. It never retries (its callers own their
 * retry loops), and its errors carry the same `name` / `code` / `$metadata.httpStatusCode` the SDK's do, so
 * classification and messages are shared. Measured against the SDK it spends a third or less of the CPU per
 * request (docs/materialize.md, docs/read.md).
 */
import http from 'node:http';
import https from 'node:https';
import { noAnswerInTime, parseRetryAfter } from '../aws-errors.js';
import type { AwsCredentials, AwsCredentialsProvider } from '../identity.js';
import { memoizeCredentials } from '../memoize-credentials.js';
import { createProxyAgent, proxyFor, ProxyError, type ProxyEnv, type ProxyRoute } from '../proxy.js';
import { NO_WATCH, type SlowCallWatch } from '../slow-call.js';
import { signRequest } from './sigv4.js';

export interface LeanClientOptions {
  /** e.g. `https://dynamodb.eu-west-1.amazonaws.com` or `http://127.0.0.1:8000`. */
  endpoint: string;
  region: string;
  credentials: AwsCredentials | AwsCredentialsProvider;
  /** Sockets kept open: the writer's concurrency. */
  maxSockets: number;
  /** No answer within this long fails the request (retried by the writer). Default 10 s. */
  requestTimeoutMs?: number;
  /** No connection within this long fails the request (online_store.connect_timeout). Default: requestTimeoutMs. */
  connectTimeoutMs?: number;
  /** Says what a call waits for when the endpoint is slow (AwsClients.slowCalls). */
  slowCalls?: SlowCallWatch;
  /** Signing time, for tests. */
  nowMs?: () => number;
  /** Where the proxy settings (HTTPS_PROXY, NO_PROXY…) are read; default process.env. */
  env?: ProxyEnv;
}

export interface LeanClient {
  /**
   * Sends `body` to the `DynamoDB_20120810.<operation>` API; resolves with the parsed answer of a 200.
   * An aborted `signal` closes the request's connection (the call is abandoned) and rejects.
   */
  call<T>(operation: string, body: string, signal?: AbortSignal): Promise<T>;
  /**
   * {@link call}, resolving with the 200 answer's bytes unparsed (for a reader of its own,
   * online/scan-page.ts), in `into` when given.
   */
  callRaw(operation: string, body: string, signal?: AbortSignal, into?: AnswerBuffer): Promise<Buffer>;
  close(): void;
}

/** An error shaped like the SDK's service exceptions. */
export class LeanServiceError extends Error {
  readonly $metadata: { httpStatusCode: number };
  /** The answer's Retry-After, in ms, when it had one (read by retryAfterHintMs). */
  readonly retryAfterMs?: number;
  constructor(name: string, message: string, status: number, retryAfterMs?: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

/** One request of a lean transport; `path` is already URI-encoded, as signed. */
export interface LeanRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** What the slow-call watch names while it waits (e.g. `BatchWriteItem`, `GetObject`). */
  operation: string;
  /** Aborting it closes the request's connection and rejects. */
  signal?: AbortSignal;
  /** Where the answer's bytes go when its length is known (else a buffer of its own). */
  answerInto?: AnswerBuffer;
}

/**
 * A buffer reused for one caller's answers, each read to the end before the caller's next request (a
 * scan segment's pages: online/scan-page.ts copies out what it keeps). Node collects an answer in pieces
 * and joins them into a new buffer: for a table-wide scan those 1 MB buffers waited for the collector
 * and made the process's memory grow with the table (architecture.md §4.9).
 */
export class AnswerBuffer {
  private buffer = Buffer.alloc(0);

  /** `length` bytes of the buffer, grown when it is smaller; valid until the next take. */
  take(length: number): Buffer {
    if (this.buffer.length < length) this.buffer = Buffer.allocUnsafeSlow(Math.max(length, Math.ceil(this.buffer.length * 1.5)));
    return this.buffer.subarray(0, length);
  }
}

export interface LeanAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Keep-alive HTTP(S) to one endpoint, through the proxy the environment names: what every lean client sends with. */
export interface LeanTransport {
  /** The endpoint (its host is what requests sign). */
  readonly url: URL;
  send(req: LeanRequest): Promise<LeanAnswer>;
  close(): void;
}

export type LeanTransportOptions = Pick<LeanClientOptions, 'endpoint' | 'maxSockets' | 'requestTimeoutMs' | 'connectTimeoutMs' | 'slowCalls' | 'env'>;

export function createLeanTransport(options: LeanTransportOptions): LeanTransport {
  const url = new URL(options.endpoint);
  const secure = url.protocol === 'https:';
  const request = secure ? https.request : http.request;
  const timeout = options.requestTimeoutMs ?? 10_000;
  const connectTimeout = options.connectTimeoutMs ?? timeout;
  const slowCalls = options.slowCalls ?? NO_WATCH;
  // Without a proxy the agent is the plain keep-alive one, built here as always; with one, the proxy
  // library loads on the first call.
  const proxy = proxyFor(options.endpoint, options.env);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  let agent: http.Agent | undefined = proxy ? undefined : new (secure ? https : http).Agent(agentOptions);
  let proxyAgent: Promise<http.Agent> | undefined;
  let closed = false;
  const throughProxy = (route: ProxyRoute): Promise<http.Agent> =>
    (proxyAgent ??= createProxyAgent(secure ? 'https:' : 'http:', route, { ...agentOptions, connectTimeoutMs: connectTimeout }, options.env).then((made) => {
      if (closed) made.destroy();
      return (agent = made);
    }));

  const exchange = (agent: http.Agent, req: LeanRequest) =>
    new Promise<LeanAnswer>((resolve, reject) => {
      const r = request(
        {
          agent,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port || undefined,
          method: req.method,
          path: req.path,
          headers: { ...req.headers, host: url.host, ...(req.body !== undefined ? { 'content-length': Buffer.byteLength(req.body) } : {}) },
          ...(req.signal ? { signal: req.signal } : {}),
        },
        (res) => {
          const length = Number(res.headers['content-length']);
          if (req.answerInto && Number.isSafeInteger(length) && length > 0) {
            // node's parser never hands on more than content-length
            const body = req.answerInto.take(length);
            let at = 0;
            res.on('data', (c: Buffer) => {
              at += c.copy(body, at);
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.subarray(0, at) }));
          } else {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          }
          res.on('error', reject);
        },
      );
      r.setTimeout(timeout, () => r.destroy(noAnswerInTime(url.host, timeout, 'answer')));
      // a new socket that does not connect in connect_timeout fails the attempt (a pooled one is connected)
      r.on('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => r.destroy(noAnswerInTime(url.host, connectTimeout, 'connection')), connectTimeout);
        timer.unref();
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      r.on('error', reject);
      r.end(req.body);
    });

  return {
    url,
    async send(req) {
      const done = slowCalls.start(req.operation);
      let answer: LeanAnswer;
      try {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- agent is only undefined when a proxy was configured
        answer = await exchange(agent ?? (await throughProxy(proxy!)), req);
      } finally {
        done();
      }
      // an http endpoint's proxy answers in place of the server
      if (answer.status === 407 && proxy) throw new ProxyError(proxy, url.host, { status: 407, statusText: 'Proxy Authentication Required' });
      return answer;
    },
    close: () => {
      closed = true;
      agent?.destroy();
    },
  };
}

/** The credentials a lean client signs with: a provider memoized (refreshed before it expires), or fixed keys. */
export function leanCredentials(given: AwsCredentials | AwsCredentialsProvider, now: () => number = Date.now): () => Promise<AwsCredentials> {
  return typeof given === 'function' ? memoizeCredentials(given, now) : async () => given;
}

export function createLeanClient(options: LeanClientOptions): LeanClient {
  const transport = createLeanTransport(options);
  const now = options.nowMs ?? Date.now;
  const credentials = leanCredentials(options.credentials, now);
  const client: LeanClient = {
    async call<T>(operation: string, body: string, signal?: AbortSignal): Promise<T> {
      return JSON.parse((await client.callRaw(operation, body, signal)).toString('utf8')) as T;
    },
    async callRaw(operation: string, body: string, signal?: AbortSignal, into?: AnswerBuffer): Promise<Buffer> {
      const target = `DynamoDB_20120810.${operation}`;
      const headers = signRequest({
        host: transport.url.host,
        region: options.region,
        service: 'dynamodb',
        target,
        body,
        credentials: await credentials(),
        nowMs: now(),
      });
      const {
        status,
        body: answer,
        headers: got,
      } = await transport.send({ method: 'POST', path: '/', headers, body, operation, ...(signal ? { signal } : {}), ...(into ? { answerInto: into } : {}) });
      if (status !== 200) {
        const retryAfter = got['retry-after'];
        throw serviceError(status, answer.toString('utf8'), parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined));
      }
      return answer;
    },
    close: () => transport.close(),
  };
  return client;
}

/** DynamoDB errors are `{"__type":"com.amazonaws.dynamodb.v20120810#Name","message":"…"}`. */
export function serviceError(status: number, text: string, retryAfterMs?: number): LeanServiceError {
  let name = status >= 500 ? 'InternalServerError' : 'UnknownError';
  let message = text.slice(0, 500);
  try {
    const parsed = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    if (parsed.__type) name = parsed.__type.slice(parsed.__type.lastIndexOf('#') + 1);
    message = parsed.message ?? parsed.Message ?? message;
  } catch {
    // not JSON (a proxy's HTML page, an empty 503): keep the status-derived name
  }
  return new LeanServiceError(name, message, status, retryAfterMs);
}
