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

export function createLeanClient(options: LeanClientOptions): LeanClient {
  const url = new URL(options.endpoint);
  const secure = url.protocol === 'https:';
  const request = secure ? https.request : http.request;
  const timeout = options.requestTimeoutMs ?? 10_000;
  const connectTimeout = options.connectTimeoutMs ?? timeout;
  const slowCalls = options.slowCalls ?? NO_WATCH;
  const now = options.nowMs ?? Date.now;
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

  const given = options.credentials;
  const credentials: () => Promise<AwsCredentials> = typeof given === 'function' ? memoizeCredentials(given, now) : async () => given;

  const post = (agent: http.Agent, body: string, headers: Record<string, string>, signal: AbortSignal | undefined) =>
    new Promise<{ status: number; text: string; retryAfter?: string }>((resolve, reject) => {
      const req = request(
        {
          agent,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port || undefined,
          method: 'POST',
          path: '/',
          headers: { ...headers, host: url.host, 'content-length': Buffer.byteLength(body) },
          ...(signal ? { signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ...(retryAfter !== undefined ? { retryAfter } : {}) });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(timeout, () => req.destroy(noAnswerInTime(url.host, timeout, 'answer')));
      // a new socket that does not connect in connect_timeout fails the attempt (a pooled one is connected)
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => req.destroy(noAnswerInTime(url.host, connectTimeout, 'connection')), connectTimeout);
        timer.unref();
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      req.on('error', reject);
      req.end(body);
    });

  return {
    async call<T>(operation: string, body: string, signal?: AbortSignal): Promise<T> {
      const target = `DynamoDB_20120810.${operation}`;
      const headers = signRequest({
        host: url.host,
        region: options.region,
        service: 'dynamodb',
        target,
        body,
        credentials: await credentials(),
        nowMs: now(),
      });
      const done = slowCalls.start(operation);
      let answer: { status: number; text: string; retryAfter?: string };
      try {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- agent is only undefined when a proxy was configured
        answer = await post(agent ?? (await throughProxy(proxy!)), body, headers, signal);
      } finally {
        done();
      }
      const { status, text, retryAfter } = answer;
      if (status !== 200) {
        // an http endpoint's proxy answers in place of the server
        if (status === 407 && proxy) throw new ProxyError(proxy, url.host, { status, statusText: 'Proxy Authentication Required' });
        throw serviceError(status, text, parseRetryAfter(retryAfter));
      }
      return JSON.parse(text) as T;
    },
    close: () => {
      closed = true;
      agent?.destroy();
    },
  };
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
