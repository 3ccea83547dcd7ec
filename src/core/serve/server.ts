/**
 * `dynafeast serve` (architecture.md §4.10): Feast's feature server HTTP contract on node:http, for the
 * CLI and for services that embed it (`createServer(store)`). Around the routes: who may call (a
 * loopback Host when bound to loopback, no browsers, optionally a bearer token), limits (body size,
 * entities, time), metrics, access logs, definitions refreshed every `registryTtlSec` off the request
 * path, and a graceful close that drains requests in flight.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../context.js';
import { DynafeastError } from '../errors.js';
import type { FeatureStore } from '../feature-store.js';
import { isLoopbackHost } from '../embedded/target.js';
import { isOwnHost } from '../util/own-host.js';
import { httpErrorOf } from './http-error.js';
import { ServeMetrics } from './metrics.js';
import { DEFAULT_REGISTRY_TTL_SEC, refreshIntervalSec, startDefinitionsRefresh, type DefinitionsRefresh } from './definitions-refresh.js';
import { parseJsonObject, readBody } from './read-body.js';
import { getOnlineFeatures, materialize, materializeIncremental, push, writeToOnlineStore, type RouteAnswer, type RouteContext } from './routes.js';

export interface AccessLogEntry {
  time: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  /** The caller's address. */
  remote: string | undefined;
  /** The error code, for answers that are errors. */
  code?: string;
}

export interface ServeOptions {
  /** Default 127.0.0.1; `0.0.0.0` to serve other hosts (then use a token, see authToken). */
  host?: string;
  /** Default 6566, Feast's. 0 picks a free port. */
  port?: number;
  /** PEM key and certificate: serve HTTPS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Larger bodies are refused with 413. Default 16 MiB. */
  maxBodyBytes?: number;
  /** More entity rows (or rows to write) in one request are refused with 413. Default 10,000. */
  maxEntities?: number;
  /** A request not answered within this long gets 504. Default 30 s. */
  requestTimeoutMs?: number;
  /** When set, every request but /health needs `Authorization: Bearer <token>`. */
  authToken?: string;
  /**
   * Definitions are reloaded (when their files changed) this often, or after the registry's
   * `cache_ttl_seconds` when that is sooner (definitions-refresh.ts). Default 60 s, `feast serve`'s.
   */
  registryTtlSec?: number;
  /** Metrics to count into; pass the same object's `dynamo` to FeatureStore.open to count DynamoDB calls. */
  metrics?: ServeMetrics;
  /** One entry per request answered. */
  accessLog?: (entry: AccessLogEntry) => void;
  logger?: Logger;
}

export interface FeatureServer {
  /** Starts listening; resolves with the URL served. */
  listen(): Promise<string>;
  /** Stops accepting, waits up to `graceMs` (default 30 s) for requests in flight, then closes. Idempotent. */
  close(graceMs?: number): Promise<void>;
  readonly metrics: ServeMetrics;
  /** Requests being handled now. */
  readonly inFlight: number;
}

type Route = (ctx: RouteContext, doc: Record<string, unknown>) => Promise<RouteAnswer>;
const POST_ROUTES: Record<string, Route> = {
  '/get-online-features': getOnlineFeatures,
  '/write-to-online-store': writeToOnlineStore,
  '/push': push,
  '/materialize': materialize,
  '/materialize-incremental': materializeIncremental,
};
const GET_ROUTES = new Set(['/health', '/metrics']);

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function createServer(store: FeatureStore, options: ServeOptions = {}): FeatureServer {
  const host = options.host ?? '127.0.0.1';
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const metrics = options.metrics ?? new ServeMetrics();
  const logger = options.logger ?? silentLogger;
  const tokenDigest = options.authToken !== undefined ? digest(options.authToken) : undefined;
  const checkHost = isLoopbackHost(host);
  const maxEntities = options.maxEntities ?? 10_000;
  /** One per request being handled: aborted at its timeout, or for all when the grace period ends. */
  const abandon = new Set<AbortController>();
  let port: number | undefined;
  let draining = false;
  let refresh: DefinitionsRefresh | undefined;
  let drained: (() => void) | undefined;

  const authorized = (req: IncomingMessage): boolean => {
    if (tokenDigest === undefined) return true;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/i.exec(header);
    // Compare digests: equal lengths, and the time taken says nothing about the token.
    return m !== null && timingSafeEqual(digest((m[1] as string).trim()), tokenDigest);
  };

  const gate = (req: IncomingMessage, path: string): void => {
    if (checkHost && !isOwnHost(req.headers.host, port)) {
      throw new DynafeastError('serve.forbidden', `Host "${req.headers.host ?? ''}" is not this server's loopback address and port`, {
        hint: 'call the server by its loopback address, e.g. http://127.0.0.1:6566',
      });
    }
    if (req.headers.origin !== undefined) {
      throw new DynafeastError('serve.forbidden', `requests from browsers (Origin ${req.headers.origin}) are refused`, {
        hint: 'call the feature server from a backend service, not from a web page',
      });
    }
    if (path !== '/health' && !authorized(req)) {
      throw new DynafeastError('serve.unauthorized', 'missing or wrong bearer token', {
        hint: 'send `Authorization: Bearer <token>` with the token the server was started with',
      });
    }
  };

  const handle = async (req: IncomingMessage, path: string, signal: AbortSignal): Promise<RouteAnswer & { type?: string }> => {
    gate(req, path);
    if (req.method === 'GET' && GET_ROUTES.has(path)) {
      // Draining: readiness fails so load balancers stop sending; requests already on a connection are still served.
      if (path === '/health' && draining) throw new DynafeastError('serve.unavailable', 'the server is shutting down', { hint: 'retry on another replica' });
      if (path === '/health') return { status: 200, body: '' };
      return { status: 200, body: metrics.render(), type: 'text/plain; version=0.0.4; charset=utf-8' };
    }
    const route = POST_ROUTES[path];
    if (route === undefined || req.method !== 'POST') {
      const known = route !== undefined || GET_ROUTES.has(path);
      throw new DynafeastError('serve.notFound', known ? `${req.method ?? ''} ${path} is not served (use ${route ? 'POST' : 'GET'})` : `no endpoint ${path}`, {
        hint: `endpoints: POST ${Object.keys(POST_ROUTES).join(', ')}; GET /health, /metrics`,
      });
    }
    const doc = parseJsonObject(await readBody(req, maxBody));
    return route({ store, maxEntities, signal }, doc);
  };

  /** The request's work, answered 504 after `timeoutMs`; then its DynamoDB calls are abandoned, not left running. */
  const withTimeout = <T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const ctl = new AbortController();
    abandon.add(ctl);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new DynafeastError('serve.timeout', `the request took longer than ${timeoutMs} ms`, { hint: 'ask for fewer entities, or raise --request-timeout' }),
        );
        ctl.abort();
      }, timeoutMs);
    });
    return Promise.race([work(ctl.signal), late]).finally(() => {
      clearTimeout(timer);
      abandon.delete(ctl);
    });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    metrics.inFlight++;
    const finish = (status: number, body: string, type: string, code?: string) => {
      if (draining) res.setHeader('Connection', 'close');
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      const seconds = (performance.now() - started) / 1000;
      const endpoint = POST_ROUTES[path] !== undefined || GET_ROUTES.has(path) ? path : 'other';
      metrics.observe(endpoint, status, seconds);
      metrics.inFlight--;
      options.accessLog?.({
        time: new Date().toISOString(),
        method: req.method ?? '',
        path: endpoint === 'other' ? path.slice(0, 200) : path,
        status,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        remote: req.socket.remoteAddress,
        ...(code !== undefined ? { code } : {}),
      });
      if (metrics.inFlight === 0) drained?.();
    };
    withTimeout((signal) => handle(req, path, signal)).then(
      (a) => finish(a.status, a.body, a.type ?? 'application/json'),
      (e: unknown) => {
        const err = httpErrorOf(e);
        if (err.status >= 500 && err.code === 'internal') logger.warn(`${req.method ?? ''} ${path}: ${(e as Error).stack ?? String(e)}`);
        // An unread body would be taken for the next request on this connection.
        if (!req.complete) res.setHeader('Connection', 'close');
        finish(err.status, err.body, 'application/json', err.code);
      },
    );
  };

  const server: Server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : http.createServer(onRequest);
  server.requestTimeout = timeoutMs + 5_000;
  server.headersTimeout = Math.min(60_000, timeoutMs + 5_000);
  server.keepAliveTimeout = 65_000;

  let closing: Promise<void> | undefined;
  return {
    metrics,
    get inFlight() {
      return metrics.inFlight;
    },
    listen: () =>
      new Promise<string>((resolve, reject) => {
        server.once('error', (e: NodeJS.ErrnoException) =>
          reject(
            new DynafeastError('serve.listenFailed', `cannot listen on ${host}:${options.port ?? 6566}: ${e.code ?? e.message}`, {
              hint: e.code === 'EADDRINUSE' ? 'another process uses the port: pick another with --port' : 'check --host and --port',
              cause: e,
            }),
          ),
        );
        server.listen(options.port ?? 6566, host, () => {
          port = (server.address() as AddressInfo).port;
          refresh = startDefinitionsRefresh(
            store,
            refreshIntervalSec(options.registryTtlSec ?? DEFAULT_REGISTRY_TTL_SEC, store.config.registrySettings?.cacheTtlSeconds),
            metrics,
            logger,
          );
          const shown = host.includes(':') ? `[${host}]` : host;
          resolve(`${options.tls ? 'https' : 'http'}://${shown}:${port}`);
        });
      }),
    close: (graceMs = 30_000) =>
      (closing ??= new Promise<void>((resolve) => {
        draining = true;
        refresh?.stop();
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        const idle = new Promise<void>((r) => {
          drained = r;
          if (metrics.inFlight === 0) r();
        });
        const deadline = new Promise<void>((r) => setTimeout(r, graceMs).unref());
        void Promise.race([idle, deadline]).then(async () => {
          for (const ctl of abandon) ctl.abort();
          server.closeAllConnections();
          await closed;
          resolve();
        });
      })),
  };
}
