import http from 'node:http';
import https from 'node:https';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { STSClient } from '@aws-sdk/client-sts';
import type { S3Client } from '@aws-sdk/client-s3';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentials, AwsCredentialsProvider } from './identity.js';
import type { BucketEndpoint } from './lean/lean-s3.js';
import type { RepoConfig } from '../config/types.js';
import { silentLogger, type Logger } from '../context.js';
import { buildCredentialProvider, memoizeCredentials } from './credentials.js';
import { createProxyAgent, isLoopbackHost, proxyFor, proxyForScheme, type ProxyEnv, type ProxyRoute } from './proxy.js';
import { dynamoSdk, httpHandlerSdk, s3Sdk, stsSdk } from './sdk.js';
import { createSlowCallWatch, type SlowCallWatch } from './slow-call.js';
import { ensureLocalCredentials } from '../embedded/local-credentials.js';
import { embeddedDataDir } from '../embedded/target.js';

/** The repo's embedded-store key, read (or made) when the first request is signed. */
function embeddedKeyProvider(config: RepoConfig, logger: Logger): AwsCredentialsProvider {
  return async () => ({ ...ensureLocalCredentials(embeddedDataDir(config), logger) });
}

export { describeAwsError, type AwsErrorContext } from './errors.js';

export interface AwsClientOptions {
  /** Overrides the configured identity (library users, tests). */
  credentials?: AwsCredentials | AwsCredentialsProvider;
  logger?: Logger;
  /** Overrides `online_store.endpoint_url`, e.g. with the endpoint an already running embedded store has. */
  endpointUrl?: string;
}

export interface AwsClients {
  /** Built on first use (the SDK loads then). */
  readonly dynamo: DynamoDBClient;
  /** Built on first use. */
  readonly sts: STSClient;
  /** The identity both SDK clients and the lean HTTP client sign with, resolved once and refreshed before it expires. */
  credentials: AwsCredentials | AwsCredentialsProvider;
  /** Where DynamoDB requests go: the endpoint URL or the regional AWS host. */
  readonly endpoint: string;
  /** True when the endpoint is on this machine (loopback). */
  local: boolean;
  /** Says what a call is waiting for when the endpoint is slow to answer; the lean clients use it too. */
  readonly slowCalls: SlowCallWatch;
  /** Closes pooled sockets so the process can exit. */
  destroy(): void;
}

/**
 * The one place SDK clients are built (architecture.md §5). Everything that talks to DynamoDB or STS receives
 * these clients instead of constructing its own, so tests can point them at a local server.
 */
export function createAwsClients(config: RepoConfig, opts: AwsClientOptions = {}): AwsClients {
  const store = config.onlineStore;
  const logger = opts.logger ?? silentLogger;
  const endpointUrl = opts.endpointUrl ?? store.endpointUrl;
  const local = endpointUrl !== undefined && isLoopbackEndpoint(endpointUrl);
  const region = store.region;

  const agents: http.Agent[] = [];
  // The STS, SSO and web-identity calls of the credential chain go through the same proxy settings.
  // One identity per config and kind of endpoint, shared with the S3 clients (createS3Client).
  const configured = opts.credentials ?? configuredIdentity(config, local, region, logger, agents);
  // the embedded store accepts only the repo's own key (embedded/local-credentials.ts); STS, which
  // always talks to AWS, keeps the configured identity
  const given = opts.credentials ?? (config.dynafeast.embedded ? embeddedKeyProvider(config, logger) : configured);
  const memo = (c: AwsCredentials | AwsCredentialsProvider) => (typeof c === 'function' ? memoizeCredentials(c) : c);
  const credentials = memo(given);
  const stsCredentials = given === configured ? credentials : memo(configured);
  // The SDK has no 'legacy' mode; botocore's legacy and standard both retry throttling and 5xx.
  const retryMode = store.retryMode === 'adaptive' ? 'adaptive' : 'standard';
  const maxAttempts = Math.max(1, store.totalMaxRetryAttempts);
  // The SDK client carries the control plane (plan, apply, teardown) and the library's `sdk` read
  // transport, which keeps max_read_workers requests in flight; the lean senders have their own pools.
  const maxSockets = Math.max(store.maxPoolConnections, store.maxReadWorkers);

  let dynamo: DynamoDBClient | undefined;
  let sts: STSClient | undefined;
  let endpoint = endpointUrl;
  const limits = `online_store.read_timeout ${store.readTimeout} s × ${maxAttempts} attempt(s) (total_max_retry_attempts)`;
  const clients: AwsClients = {
    get dynamo() {
      return (dynamo ??= watchCalls(
        new (dynamoSdk().DynamoDBClient)({
          region,
          ...(endpointUrl ? { endpoint: endpointUrl } : {}),
          credentials,
          maxAttempts,
          retryMode,
          requestHandler: buildHttpHandler(config, maxSockets, logger, agents, endpointUrl),
        }),
        clients.slowCalls,
      ));
    },
    // STS answers GetCallerIdentity for `iam-policy`; it always talks to AWS, never to endpoint_url.
    get sts() {
      return (sts ??= watchCalls(
        new (stsSdk().STSClient)({
          region,
          credentials: stsCredentials,
          maxAttempts,
          retryMode,
          requestHandler: buildHttpHandler(config, 2, logger, agents),
        }),
        stsCalls,
      ));
    },
    credentials,
    get endpoint() {
      return (endpoint ??= regionalEndpoint(this.dynamo, region));
    },
    local,
    slowCalls: createSlowCallWatch(logger, () => clients.endpoint, { limits }),
    destroy() {
      dynamo?.destroy();
      sts?.destroy();
      // The handler does not destroy an http (non-TLS) agent it was given; we own them all.
      for (const agent of agents) agent.destroy();
    },
  };
  const stsCalls = createSlowCallWatch(logger, `AWS STS in ${region}`, { limits });
  return clients;
}

/** Every call of `client` (retries included) is watched by `watch`. */
function watchCalls<C extends { middlewareStack: { add(...args: never[]): unknown } }>(client: C, watch: SlowCallWatch): C {
  const stack = client.middlewareStack as unknown as {
    add(
      mw: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      opts: { step: 'initialize'; name: string },
    ): void;
  };
  stack.add(
    (next, context) => async (args) => {
      const done = watch.start(String(context.commandName ?? 'request').replace(/Command$/, ''));
      try {
        return await next(args);
      } finally {
        done();
      }
    },
    { step: 'initialize', name: 'dynafeastSlowCallMiddleware' },
  );
  return client;
}

function buildHttpHandler(
  config: RepoConfig,
  maxSockets: number,
  logger: Logger,
  agents: http.Agent[],
  /** Where requests go, when known (endpoint_url); the regional AWS endpoints are https. */
  endpoint?: string,
  env: ProxyEnv = process.env,
): NodeHttpHandler {
  const store = config.onlineStore;
  const readMs = store.readTimeout * 1000;
  const connectMs = store.connectTimeout * 1000;
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    maxSockets,
    // Feast's keepalive_timeout is how long an idle pooled connection is kept; Node's agent timeout
    // closes free sockets after that much idleness (in-flight requests use the read timeout below).
    ...(store.keepaliveTimeout ? { timeout: store.keepaliveTimeout * 1000 } : {}),
  };
  const settings = {
    connectionTimeout: connectMs,
    // botocore's read_timeout is an inactivity timeout (socketTimeout); the request cap uses the same
    // figure and must throw, or smithy only logs a warning and waits forever.
    socketTimeout: readMs,
    requestTimeout: readMs,
    throwOnRequestTimeout: true,
    // Smithy warns through console by default; core code never prints.
    logger: {
      debug: (...parts: unknown[]) => logger.debug(parts.join(' ')),
      info: (...parts: unknown[]) => logger.debug(parts.join(' ')),
      warn: (...parts: unknown[]) => logger.debug(parts.join(' ')),
      error: (...parts: unknown[]) => logger.warn(parts.join(' ')),
    },
  };
  const plain = (protocol: 'http:' | 'https:'): http.Agent => {
    const agent = new (protocol === 'https:' ? https : http).Agent(agentOptions);
    agents.push(agent);
    return agent;
  };
  const routeFor = (protocol: 'http:' | 'https:'): ProxyRoute | undefined => {
    if (endpoint === undefined) return proxyForScheme(protocol, env);
    return endpoint.toLowerCase().startsWith(protocol) ? proxyFor(endpoint, env) : undefined;
  };
  const httpRoute = routeFor('http:');
  const httpsRoute = routeFor('https:');
  if (!httpRoute && !httpsRoute) {
    return new (httpHandlerSdk().NodeHttpHandler)({ httpAgent: plain('http:'), httpsAgent: plain('https:'), ...settings });
  }

  const to = endpoint ?? 'AWS';
  for (const route of [httpRoute, httpsRoute]) {
    if (route) logger.debug(`requests to ${to} go through the proxy ${route.label} (${route.source}) unless NO_PROXY exempts their host`);
  }
  // NOTE: a little under the handler's own connection timeout, so a proxy that never answers is named.
  const proxyOptions = { ...agentOptions, connectTimeoutMs: Math.max(1, connectMs - Math.min(100, connectMs / 10)) };
  const agentFor = async (protocol: 'http:' | 'https:', route: ProxyRoute | undefined): Promise<http.Agent> => {
    if (!route) return plain(protocol);
    const agent = await createProxyAgent(protocol, route, proxyOptions, env);
    agents.push(agent);
    return agent;
  };
  // The proxy library loads only here, when the handler first resolves its options.
  return new (httpHandlerSdk().NodeHttpHandler)(async () => ({
    httpAgent: await agentFor('http:', httpRoute),
    httpsAgent: await agentFor('https:', httpsRoute),
    ...settings,
  }));
}

/** True for URLs whose host is this machine: localhost, *.localhost, 127.0.0.0/8, ::1. */
export function isLoopbackEndpoint(endpointUrl: string): boolean {
  try {
    return isLoopbackHost(new URL(endpointUrl).hostname);
  } catch {
    return false;
  }
}

/**
 * The SDK's own endpoint for DynamoDB in `region` (its partition rules: amazonaws.com, amazonaws.com.cn,
 * the ISO partitions…), for the lean HTTP paths and for messages. No trailing slash.
 */
export function regionalEndpoint(dynamo: DynamoDBClient, region: string): string {
  const resolved = dynamo.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false });
  return resolved.url.href.replace(/\/$/, '');
}

/** An S3 client and how to name where it goes; `destroy()` closes its sockets. */
export interface S3Handle {
  readonly s3: S3Client;
  /** The endpoint URL, or "AWS S3" for the regional AWS endpoints. */
  readonly endpoint: string;
  /** True when the endpoint is on this machine (moto, a local MinIO). */
  readonly local: boolean;
  /** The identity its requests sign with (the lean ranged GET of sources signs with it too). */
  readonly credentials: AwsCredentials | AwsCredentialsProvider;
  readonly region: string;
  /** Where `bucket`'s objects are in `region`, by the SDK's own endpoint rules; undefined when those ask for other than SigV4. */
  bucketEndpoint(bucket: string, region: string): Promise<BucketEndpoint | undefined>;
  destroy(): void;
}

// The configured identity of a config, per kind of endpoint (local servers skip the AWS-only sources):
// built once and shared by the DynamoDB, STS and S3 clients, so the chain resolves once per run
// (architecture.md §2.1).
const identities = new WeakMap<RepoConfig, Map<boolean, AwsCredentialsProvider>>();

/**
 * The library's `credentials` override (FeatureStore.open): every client built from `config` from now on
 * signs with it — DynamoDB, STS, the S3 registry and S3 sources alike — in place of the configured chain.
 * (The embedded store still takes only its repo's key; FeatureStore hands the override to its DynamoDB
 * clients itself.)
 */
export function overrideIdentity(config: RepoConfig, credentials: AwsCredentials | AwsCredentialsProvider): void {
  const provider: AwsCredentialsProvider = typeof credentials === 'function' ? memoizeCredentials(credentials) : async () => credentials;
  identities.set(
    config,
    new Map([
      [true, provider],
      [false, provider],
    ]),
  );
}

function configuredIdentity(config: RepoConfig, local: boolean, region: string, logger: Logger, agents: http.Agent[]): AwsCredentialsProvider {
  let byLocal = identities.get(config);
  if (!byLocal) identities.set(config, (byLocal = new Map()));
  let provider = byLocal.get(local);
  if (!provider) {
    provider = memoizeCredentials(
      buildCredentialProvider(config.dynafeast.credentials, {
        region,
        local,
        logger,
        ...(local ? {} : { requestHandler: () => buildHttpHandler(config, 2, logger, agents) }),
      }),
    );
    byLocal.set(local, provider);
  }
  return provider;
}

/**
 * An S3 client for the registry or a source (architecture.md §5): the same credential chain, proxy
 * settings and timeouts as the DynamoDB clients. `endpoint` is from `s3EndpointOf` (undefined: AWS).
 * Region: AWS_REGION / AWS_DEFAULT_REGION, else `online_store.region`; a bucket in another region is
 * followed through S3's redirect.
 */
export function createS3Client(
  config: RepoConfig,
  opts: { endpoint?: string; logger?: Logger; env?: NodeJS.ProcessEnv; credentials?: AwsCredentials | AwsCredentialsProvider } = {},
): S3Handle {
  const logger = opts.logger ?? silentLogger;
  const env = opts.env ?? process.env;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || config.onlineStore.region;
  const local = opts.endpoint !== undefined && isLoopbackEndpoint(opts.endpoint);
  const agents: http.Agent[] = [];
  const credentials = opts.credentials ?? configuredIdentity(config, local, region, logger, agents);
  const store = config.onlineStore;
  const s3 = new (s3Sdk().S3Client)({
    region,
    credentials,
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
    followRegionRedirects: true,
    maxAttempts: Math.max(1, store.totalMaxRetryAttempts),
    retryMode: store.retryMode === 'adaptive' ? 'adaptive' : 'standard',
    requestHandler: buildHttpHandler(config, Math.max(store.maxPoolConnections, 16), logger, agents, opts.endpoint),
  });
  return {
    s3,
    endpoint: opts.endpoint ?? `AWS S3 (${region})`,
    local,
    credentials,
    region,
    async bucketEndpoint(bucket, at) {
      const c = s3.config;
      const resolved = c.endpointProvider({
        Bucket: bucket,
        Region: at,
        UseFIPS: await c.useFipsEndpoint(),
        UseDualStack: await c.useDualstackEndpoint(),
        ForcePathStyle: c.forcePathStyle ?? false,
        Accelerate: false,
        UseGlobalEndpoint: false,
        ...(opts.endpoint !== undefined ? { Endpoint: opts.endpoint } : {}),
      });
      const scheme = (resolved.properties?.authSchemes as { name?: string; signingRegion?: string }[] | undefined)?.[0];
      if (scheme && scheme.name !== 'sigv4') return undefined;
      return { url: resolved.url.href, signingRegion: scheme?.signingRegion ?? at };
    },
    destroy() {
      s3.destroy();
      for (const agent of agents) agent.destroy();
    },
  };
}
