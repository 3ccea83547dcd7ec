import fs from 'node:fs';
import { join } from 'node:path';
import type { Agent } from 'node:http';
import { createAwsClients, isLoopbackEndpoint, type AwsClients } from '../../../src/core/aws/clients.js';
import { buildCredentialProvider, LOCAL_DUMMY_CREDENTIALS, memoizeCredentials } from '../../../src/core/aws/credentials.js';
import { silentLogger } from '../../../src/core/context.js';
import { localRepoConfig } from '../../helpers/dynalite.js';
import { defined } from '../../helpers/defined.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

// Credential resolution reads the environment and ~/.aws; each test gets a clean, known one.
const AWS_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'];
let savedEnv: Record<string, string | undefined>;
let tmp: string;
const built: AwsClients[] = [];

beforeEach(() => {
  savedEnv = Object.fromEntries(AWS_ENV.map((k) => [k, process.env[k]]));
  for (const k of AWS_ENV) delete process.env[k];
  tmp = tempRepoDir('dynafeast-aws-');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(tmp, 'credentials');
  process.env.AWS_CONFIG_FILE = join(tmp, 'config');
});

afterEach(() => {
  for (const c of built.splice(0)) c.destroy();
  for (const k of AWS_ENV) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

function build(...args: Parameters<typeof createAwsClients>): AwsClients {
  const clients = createAwsClients(...args);
  built.push(clients);
  return clients;
}

interface HandlerConfig {
  connectionTimeout?: number;
  requestTimeout?: number;
  socketTimeout?: number;
  throwOnRequestTimeout?: boolean;
  httpAgentProvider: () => Promise<Agent>;
  httpsAgent: Agent;
}

// The handler resolves its options lazily; this is the object it will use for every request.
async function handlerConfig(clients: AwsClients): Promise<HandlerConfig> {
  const handler = clients.dynamo.config.requestHandler as unknown as { configProvider: Promise<HandlerConfig> };
  return handler.configProvider;
}

describe('createAwsClients', () => {
  it('takes region, endpoint and retry settings from the config', async () => {
    const config = localRepoConfig('/repo', 'http://127.0.0.1:8123', {
      onlineStore: { region: 'eu-west-3', totalMaxRetryAttempts: 7, retryMode: 'adaptive' },
    });
    const clients = build(config);
    expect(await clients.dynamo.config.region()).toBe('eu-west-3');
    expect(await clients.dynamo.config.maxAttempts()).toBe(7);
    expect(clients.dynamo.config.retryMode).toBe('adaptive');
    const endpoint = await defined(clients.dynamo.config.endpoint)();
    expect(endpoint).toMatchObject({ protocol: 'http:', hostname: '127.0.0.1', port: 8123 });
    expect(clients.endpoint).toBe('http://127.0.0.1:8123');
    expect(clients.local).toBe(true);
    expect(await clients.sts.config.region()).toBe('eu-west-3');
  });

  it('maps botocore legacy retries to the SDK standard mode', () => {
    const clients = build(localRepoConfig('/repo', undefined, { onlineStore: { retryMode: 'legacy' } }));
    expect(clients.dynamo.config.retryMode).toBe('standard');
  });

  it('uses the regional AWS endpoint without endpoint_url', () => {
    const clients = build(localRepoConfig('/repo', undefined, { onlineStore: { region: 'ap-south-1' } }));
    expect(clients.dynamo.config.isCustomEndpoint).toBe(false);
    expect(clients.endpoint).toBe('https://dynamodb.ap-south-1.amazonaws.com');
    expect(clients.local).toBe(false);
  });

  it('lets the caller override the endpoint (an embedded store served on another port)', async () => {
    const clients = build(localRepoConfig('/repo', 'http://127.0.0.1:8000'), { endpointUrl: 'http://127.0.0.1:9999' });
    expect(await defined(clients.dynamo.config.endpoint)()).toMatchObject({ port: 9999 });
  });

  it('sizes the keep-alive pool for max_read_workers reads in flight and converts timeouts to ms', async () => {
    const config = localRepoConfig('/repo', undefined, {
      onlineStore: { maxPoolConnections: 50, maxReadWorkers: 200, connectTimeout: 2, readTimeout: 7, keepaliveTimeout: 12 },
    });
    const big = await handlerConfig(build(config));
    expect(big).toMatchObject({ connectionTimeout: 2000, requestTimeout: 7000, socketTimeout: 7000, throwOnRequestTimeout: true });
    expect(big.httpsAgent.maxSockets).toBe(200);
    const httpAgent = await big.httpAgentProvider();
    expect(httpAgent.maxSockets).toBe(200);
    expect((httpAgent as unknown as { keepAlive: boolean }).keepAlive).toBe(true);
    expect((httpAgent as unknown as { options: { timeout?: number } }).options.timeout).toBe(12000);

    const small = await handlerConfig(build(localRepoConfig('/repo', undefined, { onlineStore: { maxPoolConnections: 50, maxReadWorkers: 4 } })));
    expect(small.httpsAgent.maxSockets).toBe(50);
  });

  it('signs requests to a local endpoint with dummy keys when the machine has no credentials', async () => {
    const clients = build(localRepoConfig('/repo', 'http://localhost:8000'));
    const creds = await clients.dynamo.config.credentials();
    expect(creds).toMatchObject(LOCAL_DUMMY_CREDENTIALS);
  });

  it('prefers the environment keys for a local endpoint (DynamoDB Local keeps one database per key)', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCALTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'local-secret';
    const clients = build(localRepoConfig('/repo', 'http://127.0.0.1:8000'));
    expect(await clients.dynamo.config.credentials()).toMatchObject({ accessKeyId: 'AKIDLOCALTEST' });
  });

  it('reads the configured profile', async () => {
    fs.writeFileSync(
      join(tmp, 'credentials'),
      '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n\n' +
        '[analytics]\naws_access_key_id = AKIDANALYTICS\naws_secret_access_key = a\n',
    );
    const config = localRepoConfig('/repo', undefined, { dynafeast: { credentials: { profile: 'analytics' } } });
    const clients = build(config);
    expect(await clients.dynamo.config.credentials()).toMatchObject({ accessKeyId: 'AKIDANALYTICS' });
  });

  it('fails, rather than falling back, when the configured profile is missing for AWS', async () => {
    const config = localRepoConfig('/repo', undefined, { dynafeast: { credentials: { profile: 'nope' } } });
    const clients = build(config);
    await expect(clients.dynamo.config.credentials()).rejects.toMatchObject({ name: 'CredentialsProviderError' });
  });

  it('uses credentials the caller passes', async () => {
    const clients = build(localRepoConfig('/repo', undefined), {
      credentials: { accessKeyId: 'AKIDGIVEN', secretAccessKey: 's' },
    });
    expect(await clients.dynamo.config.credentials()).toMatchObject({ accessKeyId: 'AKIDGIVEN' });
  });

  it('resolves a provider once for the SDK clients and the lean client together', async () => {
    let calls = 0;
    const clients = build(localRepoConfig('/repo', undefined), {
      credentials: async () => ({ accessKeyId: `AKID${++calls}`, secretAccessKey: 's' }),
    });
    const seen = await Promise.all([clients.dynamo.config.credentials(), clients.sts.config.credentials(), resolve(clients.credentials)]);
    expect(seen.map((c) => c.accessKeyId)).toEqual(['AKID1', 'AKID1', 'AKID1']);
    expect(calls).toBe(1);
  });

  it('builds the SDK clients only when used', () => {
    const clients = build(localRepoConfig('/repo', 'http://127.0.0.1:8000'));
    expect(clients.endpoint).toBe('http://127.0.0.1:8000');
    expect(Object.getOwnPropertyDescriptor(clients, 'dynamo')?.get).toBeDefined();
    expect(clients.dynamo).toBe(clients.dynamo);
  });
});

const resolve = (c: AwsClients['credentials']) => (typeof c === 'function' ? c() : Promise.resolve(c));

describe('buildCredentialProvider', () => {
  it('gives the chain its HTTP handler (proxy, timeouts) for AWS, and builds none for a local endpoint', () => {
    let built = 0;
    const requestHandler = () => ({ built: ++built });
    buildCredentialProvider({}, { region: 'eu-west-1', local: true, logger: silentLogger, requestHandler });
    expect(built).toBe(0);
    buildCredentialProvider({ roleArn: 'arn:aws:iam::123456789012:role/feast' }, { region: 'eu-west-1', local: false, logger: silentLogger, requestHandler });
    expect(built).toBe(1);
  });
});

describe('memoizeCredentials', () => {
  const HOUR = 3_600_000;
  function counting(expiresInMs?: number, fail = 0) {
    const state = { calls: 0, now: 1_000_000 };
    const provider = async () => {
      state.calls += 1;
      if (state.calls <= fail) throw new Error('sso token expired');
      return {
        accessKeyId: `AKID${state.calls}`,
        secretAccessKey: 's',
        ...(expiresInMs === undefined ? {} : { expiration: new Date(state.now + expiresInMs) }),
      };
    };
    return { state, memo: memoizeCredentials(provider, () => state.now) };
  }

  it('shares one resolution between concurrent callers and keeps credentials without an expiry', async () => {
    const { state, memo } = counting();
    const all = await Promise.all([memo(), memo(), memo()]);
    state.now += 10 * HOUR;
    all.push(await memo());
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['AKID1']));
    expect(state.calls).toBe(1);
  });

  it('resolves again within five minutes of the expiry', async () => {
    const { state, memo } = counting(HOUR);
    expect((await memo()).accessKeyId).toBe('AKID1');
    state.now += HOUR - 6 * 60_000;
    expect((await memo()).accessKeyId).toBe('AKID1');
    state.now += 2 * 60_000;
    expect((await memo()).accessKeyId).toBe('AKID2');
  });

  it('does not keep a failure: the next call tries again', async () => {
    const { state, memo } = counting(undefined, 1);
    await expect(memo()).rejects.toThrow('sso token expired');
    expect((await memo()).accessKeyId).toBe('AKID2');
    expect(state.calls).toBe(2);
  });
});

describe('isLoopbackEndpoint', () => {
  it.each([
    ['http://127.0.0.1:8000', true],
    ['http://127.1.2.3:8000', true],
    ['http://localhost:4566', true],
    ['http://dynamo.localhost:80', true],
    ['http://[::1]:8000', true],
    ['https://dynamodb.us-east-1.amazonaws.com', false],
    ['http://10.0.0.5:8000', false],
    ['http://dynamodb-local:8000', false],
    ['not a url', false],
  ])('%s → %s', (url, expected) => {
    expect(isLoopbackEndpoint(url)).toBe(expected);
  });
});

describe('regional endpoint', () => {
  it.each([
    ['eu-west-1', 'https://dynamodb.eu-west-1.amazonaws.com'],
    ['cn-north-1', 'https://dynamodb.cn-north-1.amazonaws.com.cn'],
    ['us-gov-west-1', 'https://dynamodb.us-gov-west-1.amazonaws.com'],
  ])('%s → %s (the SDK partition rules, for the lean HTTP paths)', async (region, expected) => {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { regionalEndpoint } = await import('../../../src/core/aws/clients.js');
    const client = new DynamoDBClient({ region });
    try {
      expect(regionalEndpoint(client, region)).toBe(expected);
    } finally {
      client.destroy();
    }
  });
});
