/**
 * A fault-injecting HTTP proxy in front of a real local DynamoDB-compatible server (architecture.md §6): the
 * failures a local server never produces — throttling, 5xx, partial batches, dropped connections, answers
 * slower than the client's timeout, denied actions — at configurable rates from a seeded RNG, so a run
 * can be repeated. Loopback only: it listens on 127.0.0.1 and refuses a target elsewhere.
 *
 * Partial batches forward only the part of a BatchWriteItem/BatchGetItem that is kept and answer the rest
 * as Unprocessed*: a deferred write really is not written, so a client that drops UnprocessedItems loses
 * rows and a test can see it.
 *
 * `hold(action)` keeps requests of one operation at the door until the test releases them: while one is
 * held the client is provably waiting for it, so a test can signal, kill or inspect the client at a known
 * point instead of guessing one from counters and sleeps.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { crc32 } from 'node:zlib';
import { defined } from './defined.js';

export type FaultKind = 'throttle' | 'throughput' | 'error500' | 'error503' | 'partial' | 'drop' | 'slow';

/** Probability per request of each fault, checked in this order; the sum must not exceed 1. */
export type FaultRates = Partial<Record<FaultKind, number>>;

export interface FaultProxyOptions {
  /** The real server, e.g. `http://127.0.0.1:41234`. Must be loopback. */
  target: string;
  seed?: number;
  rates?: FaultRates;
  /** Operations faults apply to (`BatchWriteItem`, …); default every operation. */
  actions?: readonly string[];
  /** Operations always answered with AccessDeniedException (a missing IAM permission). */
  deny?: readonly string[];
  /** A custom answer for some requests (checked first): an error DynamoDB would send, or undefined to go on. */
  respond?: (request: { action: string; headers: http.IncomingHttpHeaders; body: string }) => ProxyErrorAnswer | undefined;
  /** How long a `slow` answer is held back; make it longer than the client's read timeout. */
  slowMs?: number;
  /** Added before every forwarded request (a model of network latency; slows a command down). */
  latencyMs?: number;
  /** No more faults after this many (bounded chaos: every run ends). */
  maxFaults?: number;
  /** Larger request bodies are refused with 413 instead of being buffered. */
  maxBodyBytes?: number;
}

export interface FaultProxyStats {
  requests: number;
  forwarded: number;
  byAction: Record<string, number>;
  faults: Record<FaultKind | 'denied', number>;
  /** Drops that happened after the server had processed the request (the answer was cut). */
  droppedAfterForward: number;
  /** Write requests / read keys moved into UnprocessedItems / UnprocessedKeys. */
  deferredItems: number;
  deferredKeys: number;
}

/** A request kept at the door by `hold()`. */
export interface HeldRequest {
  action: string;
  /** Its number among this operation's requests since the proxy started (1-based), as counted in `stats().byAction`. */
  n: number;
  body: string;
}

export interface RequestHold {
  /** Resolves with the first request held: from then on its client is waiting for an answer that has not come. */
  arrived: Promise<HeldRequest>;
  /** Every request held so far (a client may have several of the operation in flight). */
  held(): HeldRequest[];
  /** How many held requests their client gave up on (closed the connection before an answer). */
  abandoned(): number;
  /**
   * Stops holding. `forward` (the default): each held request goes on as if it had just arrived (latency,
   * faults, the server) even when its client is gone by then, as a real service may still execute it.
   * `drop`: none reaches the server and their connections are cut. Resolves once every held request has
   * been dealt with, so the server's state no longer changes because of them.
   */
  release(how?: 'forward' | 'drop'): Promise<void>;
}

export interface HoldOptions {
  /** Let this many requests of the operation through first (counted from the call to `hold`); default 0. */
  skip?: number;
  /** Hold only requests whose body this accepts (others pass and do not count toward `skip`), e.g. one Scan segment's. */
  match?: (body: string) => boolean;
}

export interface FaultProxy {
  endpoint: string;
  stats(): FaultProxyStats;
  setRates(rates: FaultRates): void;
  setDeny(actions: readonly string[]): void;
  /** Holds every request of `action` that arrives from now on (after `skip`) until `release()`. */
  hold(action: string, opts?: HoldOptions): RequestHold;
  /** Resolves when the proxy is handling no request (a held one counts until it is released). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const KINDS: readonly FaultKind[] = ['throttle', 'throughput', 'error500', 'error503', 'partial', 'drop', 'slow'];
const JSON_TYPE = 'application/x-amz-json-1.0';

/** mulberry32: small, fast, good enough to spread faults; the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function assertLoopback(url: string): URL {
  const u = new URL(url);
  if (!/^(127(\.\d{1,3}){3}|localhost|\[::1\])$/i.test(u.hostname) || u.protocol !== 'http:') {
    throw new Error(`fault proxy: target must be an http loopback URL, got ${url}`);
  }
  return u;
}

function checkRates(rates: FaultRates): FaultRates {
  let sum = 0;
  for (const [k, v] of Object.entries(rates)) {
    if (!KINDS.includes(k as FaultKind) || typeof v !== 'number' || v < 0 || v > 1) throw new Error(`fault proxy: bad rate ${k}=${String(v)}`);
    sum += v;
  }
  if (sum > 1 + 1e-9) throw new Error(`fault proxy: rates add up to ${sum} > 1`);
  return { ...rates };
}

/** An error answer: HTTP status, the `__type` (e.g. `com.amazonaws.dynamodb.v20120810#ValidationException`), message. */
export interface ProxyErrorAnswer {
  status: number;
  type: string;
  message: string;
}
type ErrorSpec = ProxyErrorAnswer;

const ERRORS: Record<'throttle' | 'throughput' | 'error500' | 'error503', ErrorSpec> = {
  throttle: { status: 400, type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  throughput: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  error500: { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
  error503: { status: 503, type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: 'Service unavailable' },
};

function denied(action: string): ErrorSpec {
  return {
    status: 400,
    type: 'com.amazon.coral.service#AccessDeniedException',
    message: `User: arn:aws:iam::123456789012:user/fault-proxy is not authorized to perform: dynamodb:${action} because no identity-based policy allows the dynamodb:${action} action`,
  };
}

let requestIds = 0;

/** Headers like DynamoDB's: the SDK checks x-amz-crc32 when present, so every rewritten body gets a fresh one. */
function answerHeaders(body: Buffer, extra: Record<string, string> = {}): Record<string, string | number> {
  return {
    'content-type': JSON_TYPE,
    'content-length': body.length,
    'x-amz-crc32': String(crc32(body)),
    'x-amzn-requestid': `FAULTPROXY${(++requestIds).toString().padStart(10, '0')}`,
    ...extra,
  };
}

function errorAnswer(spec: ErrorSpec): { status: number; headers: Record<string, string | number>; body: Buffer } {
  const body = Buffer.from(JSON.stringify({ __type: spec.type, message: spec.message }));
  const name = spec.type.slice(spec.type.indexOf('#') + 1);
  return { status: spec.status, headers: answerHeaders(body, { 'x-amzn-errortype': `${name}:` }), body };
}

type Json = Record<string, unknown>;

/** Picks `count` distinct indexes out of `n`. */
function pick(n: number, count: number, rnd: () => number): Set<number> {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rnd() * (n - i));
    [idx[i], idx[j]] = [defined(idx[j]), defined(idx[i])];
  }
  return new Set(idx.slice(0, count));
}

interface Split {
  /** The request body to forward. */
  forward: Json;
  /** Merges the deferred part into the server's answer. */
  merge(answer: Json): Json;
  deferred: number;
}

/** Defers between 1 and n-1 of a batch's entries; undefined when the batch has fewer than 2. */
export function splitBatch(action: string, request: Json, rnd: () => number): Split | undefined {
  const items = (request.RequestItems ?? {}) as Record<string, unknown>;
  const isWrite = action === 'BatchWriteItem';
  const entries: Array<{ table: string; value: unknown }> = [];
  for (const [table, v] of Object.entries(items)) {
    const list = isWrite ? (v as unknown[]) : ((v as Json).Keys as unknown[]);
    for (const value of list ?? []) entries.push({ table, value });
  }
  if (entries.length < 2) return undefined;
  const deferredIdx = pick(entries.length, 1 + Math.floor(rnd() * (entries.length - 1)), rnd);
  const kept: Record<string, unknown[]> = {};
  const later: Record<string, unknown[]> = {};
  entries.forEach((e, i) => ((deferredIdx.has(i) ? later : kept)[e.table] ??= []).push(e.value));
  const forwardItems: Json = {};
  for (const [table, list] of Object.entries(kept)) forwardItems[table] = isWrite ? list : { ...(items[table] as Json), Keys: list };
  const merge = (answer: Json): Json => {
    const field = isWrite ? 'UnprocessedItems' : 'UnprocessedKeys';
    const out = { ...((answer[field] ?? {}) as Json) };
    for (const [table, list] of Object.entries(later)) {
      if (isWrite) out[table] = [...((out[table] as unknown[]) ?? []), ...list];
      else {
        const prior = out[table] as Json | undefined;
        out[table] = { ...(items[table] as Json), Keys: [...((prior?.Keys as unknown[]) ?? []), ...list] };
      }
    }
    return { ...answer, [field]: out };
  };
  return { forward: { ...request, RequestItems: forwardItems }, merge, deferred: deferredIdx.size };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

interface HoldState {
  action: string;
  skip: number;
  match?: (body: string) => boolean;
  active: boolean;
  arrived: Deferred<HeldRequest>;
  entries: Array<{ request: HeldRequest; go: Deferred<'forward' | 'drop'>; finished: Promise<void>; gone: () => boolean }>;
}

const sleep = (ms: number, timers: Set<NodeJS.Timeout>) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(() => (timers.delete(t), resolve()), ms);
    timers.add(t);
  });

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = assertLoopback(options.target);
  const rnd = seededRandom(options.seed ?? 1);
  let rates = checkRates(options.rates ?? {});
  let deny = new Set(options.deny ?? []);
  const actions = options.actions ? new Set(options.actions) : undefined;
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const upstream = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const stats: FaultProxyStats = {
    requests: 0,
    forwarded: 0,
    byAction: {},
    faults: { throttle: 0, throughput: 0, error500: 0, error503: 0, partial: 0, drop: 0, slow: 0, denied: 0 },
    droppedAfterForward: 0,
    deferredItems: 0,
    deferredKeys: 0,
  };
  let injected = 0;
  const holds: HoldState[] = [];
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];
  const checkIdle = () => {
    if (inFlight > 0 || idleWaiters.length === 0) return;
    // a turn later: data a client sent just before this may still be waiting to be read
    setImmediate(() => {
      if (inFlight > 0) return;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    });
  };

  /** The hold this request is kept by, if any (each active hold of its operation counts it once). */
  const holdOf = (action: string, body: string): HoldState | undefined => {
    for (const h of holds) {
      if (!h.active || h.action !== action || (h.match && !h.match(body))) continue;
      if (h.skip > 0) {
        h.skip--;
        continue;
      }
      return h;
    }
    return undefined;
  };

  const chooseFault = (action: string): FaultKind | undefined => {
    if ((actions && !actions.has(action)) || injected >= (options.maxFaults ?? Infinity)) return undefined;
    const r = rnd();
    let acc = 0;
    for (const k of KINDS) {
      acc += rates[k] ?? 0;
      if (r < acc) return k;
    }
    return undefined;
  };

  const forward = (req: http.IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
      delete headers.connection;
      const up = http.request({ agent: upstream, host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      up.on('error', reject);
      up.end(body);
      stats.forwarded++;
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, finished: Promise<void>): Promise<void> => {
    const action =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() || 'unknown';
    stats.requests++;
    stats.byAction[action] = (stats.byAction[action] ?? 0) + 1;
    const hold = holdOf(action, body.toString('utf8'));
    if (hold) {
      const request: HeldRequest = { action, n: defined(stats.byAction[action]), body: body.toString('utf8') };
      const go = deferred<'forward' | 'drop'>();
      let gone = false;
      res.once('close', () => (gone ||= !res.writableEnded));
      hold.entries.push({ request, go, finished, gone: () => gone });
      hold.arrived.resolve(request);
      if ((await go.promise) === 'drop') {
        req.socket.destroy();
        return;
      }
    }
    const send = (a: { status: number; headers: Record<string, string | number> | http.IncomingHttpHeaders; body: Buffer }) => {
      if (res.destroyed) return;
      res.writeHead(a.status, a.headers as http.OutgoingHttpHeaders);
      res.end(a.body);
    };
    const custom = options.respond?.({ action, headers: req.headers, body: body.toString('utf8') });
    if (custom) return send(errorAnswer(custom));
    if (deny.has(action)) {
      stats.faults.denied++;
      return send(errorAnswer(denied(action)));
    }
    let fault = chooseFault(action);
    let split: Split | undefined;
    if (fault === 'partial') {
      split = action === 'BatchWriteItem' || action === 'BatchGetItem' ? splitBatch(action, JSON.parse(body.toString('utf8')) as Json, rnd) : undefined;
      if (!split) fault = undefined;
    }
    if (fault) {
      injected++;
      stats.faults[fault]++;
    }
    if (fault === 'throttle' || fault === 'throughput' || fault === 'error500' || fault === 'error503') return send(errorAnswer(ERRORS[fault]));
    const dropAfter = fault === 'drop' && rnd() < 0.5;
    if (fault === 'drop' && !dropAfter) {
      // the request never reaches the server: the client sees a reset before any answer
      req.socket.destroy();
      return;
    }
    if (options.latencyMs) await sleep(options.latencyMs, timers);
    const answer = await forward(req, split ? Buffer.from(JSON.stringify(split.forward)) : body);
    if (dropAfter) {
      // the server did the work; the answer is cut in the middle, so the client must retry an idempotent write
      stats.droppedAfterForward++;
      res.writeHead(answer.status, answer.headers);
      res.write(answer.body.subarray(0, answer.body.length >> 1));
      setImmediate(() => req.socket.destroy());
      return;
    }
    if (split && answer.status === 200) {
      const merged = Buffer.from(JSON.stringify(split.merge(JSON.parse(answer.body.toString('utf8')) as Json)));
      if (action === 'BatchWriteItem') stats.deferredItems += split.deferred;
      else stats.deferredKeys += split.deferred;
      return send({ status: 200, headers: answerHeaders(merged), body: merged });
    }
    if (fault === 'slow') await sleep(options.slowMs ?? 15_000, timers);
    send(answer);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBody) chunks.push(c);
    });
    req.on('end', () => {
      if (size > maxBody) {
        res.writeHead(413, { 'content-type': 'text/plain' }).end(`fault proxy: request body over ${maxBody} bytes`);
        return;
      }
      const finished = deferred<void>();
      inFlight++;
      handle(req, res, Buffer.concat(chunks), finished.promise)
        .catch((e: unknown) => {
          if (!res.headersSent && !res.destroyed) res.writeHead(502, { 'content-type': 'text/plain' }).end(`fault proxy: upstream failed: ${String(e)}`);
          else res.destroy();
        })
        .finally(() => {
          inFlight--;
          finished.resolve();
          checkIdle();
        });
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => structuredClone(stats),
    setRates(next) {
      rates = checkRates(next);
    },
    setDeny(list) {
      deny = new Set(list);
    },
    hold(action, opts = {}) {
      const h: HoldState = { action, skip: opts.skip ?? 0, ...(opts.match ? { match: opts.match } : {}), active: true, arrived: deferred(), entries: [] };
      holds.push(h);
      return {
        arrived: h.arrived.promise,
        held: () => h.entries.map((e) => ({ ...e.request })),
        abandoned: () => h.entries.filter((e) => e.gone()).length,
        async release(how = 'forward') {
          h.active = false;
          if (holds.includes(h)) holds.splice(holds.indexOf(h), 1);
          for (const e of h.entries) e.go.resolve(how);
          await Promise.all(h.entries.map((e) => e.finished));
        },
      };
    },
    settled() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    async close() {
      for (const h of holds.splice(0)) for (const e of h.entries) e.go.resolve('drop');
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      upstream.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
