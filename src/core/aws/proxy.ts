/**
 * The standard proxy variables, read the way the AWS CLI and boto3 read them (botocore, through Python's
 * urllib): an https endpoint goes through https_proxy / HTTPS_PROXY, an http one through http_proxy /
 * HTTP_PROXY, unless no_proxy / NO_PROXY exempts its host. Loopback endpoints never use a proxy, so the
 * embedded store and local servers keep working in a shell that exports a corporate proxy.
 *
 * Both the SDK clients and the lean HTTP client take their agents from here. The proxy library (CONNECT
 * tunnels, absolute-URI requests) loads only when a proxy applies: otherwise nothing changes.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { HttpProxyAgent } from 'http-proxy-agent';
import type { HttpsProxyAgent } from 'https-proxy-agent';
import { DynafeastError } from '../errors.js';

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

export interface ProxyRoute {
  /** The proxy, credentials included: never print it, print `label`. */
  url: URL;
  /** `host:port` of the proxy, for messages. */
  label: string;
  /** The variable it came from, e.g. `HTTPS_PROXY`. */
  source: string;
}

/**
 * Tests that put a proxy in front of a local server turn this on (test/int/proxy.int.test.ts); nothing
 * else may: loopback endpoints otherwise never go through a proxy.
 */
export const proxyTesting = { proxyLoopback: false };

/** The proxy requests to `endpointUrl` go through, or undefined when they go directly. */
export function proxyFor(endpointUrl: string, env: ProxyEnv = process.env): ProxyRoute | undefined {
  let target: URL;
  try {
    target = new URL(endpointUrl);
  } catch {
    return undefined;
  }
  const setting = schemeSetting(target.protocol, env);
  if (!setting) return undefined;
  if (!proxyTesting.proxyLoopback && isLoopbackHost(target.hostname)) return undefined;
  return exempted(target, env) ? undefined : parseProxy(setting);
}

/** The proxy `env` names for `protocol` (`https:`, `http:`) endpoints, before any host is exempted. */
export function proxyForScheme(protocol: string, env: ProxyEnv = process.env): ProxyRoute | undefined {
  const setting = schemeSetting(protocol, env);
  return setting && parseProxy(setting);
}

const schemeSetting = (protocol: string, env: ProxyEnv): Setting | undefined =>
  protocol === 'https:' || protocol === 'http:' ? readVar(env, protocol.slice(0, -1)) : undefined;

interface Setting {
  name: string;
  value: string;
}

// NOTE: urllib's order: the lowercase variable wins, and an empty one turns the uppercase one off.
function readVar(env: ProxyEnv, scheme: string): Setting | undefined {
  const lower = `${scheme}_proxy`;
  const lowerValue = env[lower];
  if (lowerValue !== undefined) return lowerValue ? { name: lower, value: lowerValue } : undefined;
  const upper = lower.toUpperCase();
  // A CGI script gets HTTP_PROXY from a client's `Proxy:` header (httpoxy); urllib ignores it there.
  if (upper === 'HTTP_PROXY' && env.REQUEST_METHOD !== undefined) return undefined;
  const value = env[upper];
  return value ? { name: upper, value } : undefined;
}

/**
 * NO_PROXY as urllib reads it: `*` alone exempts everything; otherwise comma-separated hosts, each also
 * exempting its subdomains (`internal` and `.internal` both cover `db.internal`), optionally with a port.
 * Unlike urllib, `host:443` also matches an endpoint that leaves the default port out.
 */
function exempted(target: URL, env: ProxyEnv): boolean {
  const setting = readVar(env, 'no');
  if (!setting) return false;
  if (setting.value.trim() === '*') return true;
  const host = unbracket(target.hostname.toLowerCase());
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of setting.value.split(',')) {
    const entry = splitPort(raw.trim().toLowerCase().replace(/^\.+/, ''));
    if (!entry.name || (entry.port !== undefined && entry.port !== port)) continue;
    if (host === entry.name || host.endsWith(`.${entry.name}`)) return true;
  }
  return false;
}

function splitPort(entry: string): { name: string; port?: string } {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry);
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- group 1 is not optional, so it matched
  if (bracketed) return { name: bracketed[1]!, ...(bracketed[2] ? { port: bracketed[2] } : {}) };
  const hostPort = /^([^:]*):(\d+)$/.exec(entry);
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- both groups are not optional, so they matched
  return hostPort ? { name: hostPort[1]!, port: hostPort[2]! } : { name: entry };
}

const unbracket = (host: string): string => host.replace(/^\[|\]$/g, '');

/** Hosts that reach this machine: localhost, *.localhost, 127.0.0.0/8, ::1, the unspecified addresses. */
export function isLoopbackHost(hostname: string): boolean {
  const host = unbracket(hostname.toLowerCase());
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    host === '::1' ||
    /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host) ||
    host === '0.0.0.0' ||
    host === '::'
  );
}

// botocore's fix-up: a value without a scheme is an http:// proxy.
function parseProxy(setting: Setting): ProxyRoute {
  let text = setting.value.trim();
  if (!/^https?:/i.test(text)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw badProxy(setting.name, 'only http:// and https:// proxies are supported');
    text = text.startsWith('//') ? `http:${text}` : `http://${text}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // NOTE: the value is never quoted: it may hold the proxy's password.
    throw badProxy(setting.name, 'it is not a URL');
  }
  if (!url.hostname) throw badProxy(setting.name, 'it names no host');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return { url, label: `${url.hostname}:${port}`, source: setting.name };
}

function badProxy(name: string, reason: string): DynafeastError {
  return new DynafeastError('config.badValue', `${name} does not hold a proxy URL dynafeast can use: ${reason}.`, {
    hint:
      `Write it as http://host:port, or http://user:password@host:port when the proxy asks for credentials ` +
      `(percent-encode @ : / in them); unset ${name} to connect directly.`,
  });
}

/** A proxy that could not be reached, did not answer in time, or refused the tunnel. Never names its credentials. */
export class ProxyError extends Error {
  override name = 'ProxyError';
  /** The socket error (ECONNREFUSED, ETIMEDOUT…) when the proxy was not reached: retried like a direct one. */
  readonly code?: string;
  /** The proxy's answer to CONNECT when it refused; 5xx ones are retried like a server's. */
  readonly $metadata?: { httpStatusCode: number };

  /** The proxy's `host:port` and variable; only those, so printing the error shows no credentials. */
  readonly route: Pick<ProxyRoute, 'label' | 'source'>;

  constructor(
    route: Pick<ProxyRoute, 'label' | 'source'>,
    /** `host:port` the tunnel was for. */
    readonly target: string,
    failure: { code?: string; status?: number; statusText?: string; timeoutMs?: number; cause?: unknown },
  ) {
    const what = `the proxy ${route.label} (from ${route.source})`;
    super(
      failure.status !== undefined
        ? `${what} answered HTTP ${failure.status}${failure.statusText ? ` ${failure.statusText}` : ''} to CONNECT ${target}`
        : failure.timeoutMs !== undefined
          ? `${what} did not answer within ${failure.timeoutMs} ms`
          : `could not connect to ${what} (${failure.code ?? 'connection closed'})`,
      failure.cause === undefined ? undefined : { cause: failure.cause },
    );
    this.route = { label: route.label, source: route.source };
    if (failure.code !== undefined) this.code = failure.code;
    if (failure.status !== undefined) this.$metadata = { httpStatusCode: failure.status };
  }

  get status(): number | undefined {
    return this.$metadata?.httpStatusCode;
  }
}

export interface ProxyAgentOptions extends http.AgentOptions {
  /** The proxy must connect (and answer CONNECT) within this long, or the request fails naming it. */
  connectTimeoutMs: number;
}

type ConnectOpts = { host?: string | null; port?: number | string | null };
type Pooling = { addRequest(req: http.ClientRequest, opts: ConnectOpts): void };
type TunnelArgs = Parameters<HttpsProxyAgent<string>['connect']>;
type ForwardArgs = Parameters<HttpProxyAgent<string>['connect']>;

/**
 * The agent for `protocol` endpoints when `route` is their proxy: requests go through it (a CONNECT
 * tunnel for https, absolute-URI requests for http), with keep-alive and maxSockets as given; a host
 * `env` exempts (NO_PROXY, loopback) goes through a plain agent with the same options instead. The
 * proxy's credentials travel only in Proxy-Authorization, never in the URL the library holds (and logs).
 */
export async function createProxyAgent(
  protocol: 'http:' | 'https:',
  route: ProxyRoute,
  options: ProxyAgentOptions,
  env: ProxyEnv = process.env,
): Promise<http.Agent> {
  const { connectTimeoutMs, ...agentOptions } = options;
  const proxyUrl = new URL(route.url.href);
  proxyUrl.username = '';
  proxyUrl.password = '';
  const credentials = `${decodeURIComponent(route.url.username)}:${decodeURIComponent(route.url.password)}`;
  const headers = route.url.username || route.url.password ? { 'Proxy-Authorization': `Basic ${Buffer.from(credentials).toString('base64')}` } : {};
  const libraryOptions = { ...agentOptions, headers };
  const direct = protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);

  const viaProxy = new Map<string, boolean>();
  const targetOf = (opts: ConnectOpts): string => {
    const host = opts.host ?? 'localhost';
    return `${host.includes(':') ? `[${host}]` : host}:${opts.port ?? (protocol === 'https:' ? 443 : 80)}`;
  };
  const proxied = (target: string): boolean => {
    let yes = viaProxy.get(target);
    if (yes === undefined) viaProxy.set(target, (yes = proxyFor(`${protocol}//${target}`, env) !== undefined));
    return yes;
  };

  if (protocol === 'https:') {
    const { HttpsProxyAgent: Tunnel } = await import('https-proxy-agent');
    class TunnelAgent extends Tunnel<string> {
      override isSecureEndpoint(): boolean {
        return true;
      }
      override async connect(req: TunnelArgs[0], opts: TunnelArgs[1]): Promise<Socket> {
        const target = targetOf(opts);
        if (!proxied(target)) return direct as unknown as Socket; // agent-base hands the request to a returned agent
        return guarded(route, target, connectTimeoutMs, req, (signal) => withSignal(this, signal, () => super.connect(req, opts)));
      }
      override destroy(): void {
        direct.destroy();
        super.destroy();
      }
    }
    return new TunnelAgent(proxyUrl.href, libraryOptions);
  }

  const { HttpProxyAgent: Forward } = await import('http-proxy-agent');
  class ForwardAgent extends Forward<string> {
    override isSecureEndpoint(): boolean {
      return false;
    }
    // NOTE: decided before the library rewrites the request for the proxy (absolute path, Proxy-Authorization).
    override addRequest(req: ForwardArgs[0], opts: ForwardArgs[1]): void {
      if (proxied(targetOf(opts))) super.addRequest(req, opts);
      else (direct as unknown as Pooling).addRequest(req, opts);
    }
    override connect(req: ForwardArgs[0], opts: ForwardArgs[1]): Promise<Socket> {
      return guarded(route, targetOf(opts), connectTimeoutMs, req, (signal) => withSignal(this, signal, () => super.connect(req, opts)));
    }
    override destroy(): void {
      direct.destroy();
      super.destroy();
    }
  }
  return new ForwardAgent(proxyUrl.href, libraryOptions);
}

// The library opens its socket to the proxy synchronously from `connectOpts`: a signal placed there for
// that one call lets a timeout destroy the socket of a proxy that never answers.
function withSignal<T>(agent: { connectOpts: object }, signal: AbortSignal, open: () => T): T {
  const saved = agent.connectOpts;
  agent.connectOpts = { ...saved, signal };
  try {
    return open();
  } finally {
    agent.connectOpts = saved;
  }
}

/** Runs one connect through the proxy, turning each way it can fail into a ProxyError that names the proxy. */
async function guarded(
  route: ProxyRoute,
  target: string,
  timeoutMs: number,
  req: http.ClientRequest,
  open: (signal: AbortSignal) => Promise<Socket>,
): Promise<Socket> {
  let answer: { statusCode?: number; statusText?: string } | undefined;
  req.once('proxyConnect', (connect: typeof answer) => (answer = connect));
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new ProxyError(route, target, { code: 'ETIMEDOUT', timeoutMs }));
    }, timeoutMs);
  });
  const pending = open(abort.signal);
  try {
    const socket = await Promise.race([pending, timedOut]);
    if (answer?.statusCode !== undefined && answer.statusCode !== 200) {
      socket.destroy();
      throw new ProxyError(route, target, { status: answer.statusCode, ...(answer.statusText ? { statusText: answer.statusText } : {}) });
    }
    return socket;
  } catch (e) {
    if (e instanceof ProxyError) {
      // a socket that arrives after the timeout (a TLS proxy ignores the signal) is not used
      pending.then(
        (late) => late.destroy(),
        () => {},
      );
      throw e;
    }
    const code = (e as { code?: unknown }).code;
    throw new ProxyError(route, target, { code: typeof code === 'string' ? code : 'ECONNRESET', cause: e });
  } finally {
    clearTimeout(timer);
  }
}
