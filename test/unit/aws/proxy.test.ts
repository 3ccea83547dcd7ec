import type http from 'node:http';
import { describeAwsError, redactSecrets } from '../../../src/core/aws/errors.js';
import { createProxyAgent, isLoopbackHost, proxyFor, proxyForScheme, ProxyError, proxyTesting, type ProxyEnv } from '../../../src/core/aws/proxy.js';
import { isDynafeastError } from '../../../src/core/errors.js';
import { failure } from '../../helpers/error-code.js';
import { defined } from '../../helpers/defined.js';

const AWS = 'https://dynamodb.eu-west-1.amazonaws.com';
const via = (endpoint: string, env: ProxyEnv) => {
  const route = proxyFor(endpoint, env);
  return route && { href: route.url.href, label: route.label, source: route.source };
};

describe('proxyFor: which variable applies', () => {
  test.each<[string, string, ProxyEnv, { label: string; source: string } | undefined]>([
    ['https endpoint, HTTPS_PROXY', AWS, { HTTPS_PROXY: 'http://proxy:3128' }, { label: 'proxy:3128', source: 'HTTPS_PROXY' }],
    ['http endpoint, HTTP_PROXY', 'http://db.internal:8000', { HTTP_PROXY: 'http://proxy:3128' }, { label: 'proxy:3128', source: 'HTTP_PROXY' }],
    // botocore looks up the proxy by the endpoint's scheme only: HTTP_PROXY never carries https traffic
    ['https endpoint ignores HTTP_PROXY', AWS, { HTTP_PROXY: 'http://proxy:3128' }, undefined],
    ['http endpoint ignores HTTPS_PROXY', 'http://db.internal:8000', { HTTPS_PROXY: 'http://proxy:3128' }, undefined],
    ['lowercase wins', AWS, { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' }, { label: 'lower:2', source: 'https_proxy' }],
    ['empty lowercase turns the uppercase off', AWS, { HTTPS_PROXY: 'http://upper:1', https_proxy: '' }, undefined],
    ['empty uppercase is no proxy', AWS, { HTTPS_PROXY: '' }, undefined],
    ['no variables', AWS, {}, undefined],
    ['no scheme means http://', AWS, { HTTPS_PROXY: 'proxy.corp:8080' }, { label: 'proxy.corp:8080', source: 'HTTPS_PROXY' }],
    ['scheme-relative', AWS, { HTTPS_PROXY: '//proxy.corp:8080' }, { label: 'proxy.corp:8080', source: 'HTTPS_PROXY' }],
    ['http proxy default port', AWS, { HTTPS_PROXY: 'http://proxy.corp' }, { label: 'proxy.corp:80', source: 'HTTPS_PROXY' }],
    ['https proxy default port', AWS, { HTTPS_PROXY: 'https://proxy.corp' }, { label: 'proxy.corp:443', source: 'HTTPS_PROXY' }],
    // httpoxy: a CGI script's HTTP_PROXY may come from a client's Proxy: header
    ['CGI ignores HTTP_PROXY', 'http://db.internal:8000', { HTTP_PROXY: 'http://evil:1', REQUEST_METHOD: 'GET' }, undefined],
    [
      'CGI keeps http_proxy',
      'http://db.internal:8000',
      { http_proxy: 'http://proxy:3128', REQUEST_METHOD: 'GET' },
      { label: 'proxy:3128', source: 'http_proxy' },
    ],
  ])('%s', (_name, endpoint, env, expected) => {
    const route = via(endpoint, env);
    expect(route && { label: route.label, source: route.source }).toEqual(expected);
  });

  test('keeps the credentials in the URL it returns, and only there', () => {
    const route = defined(proxyFor(AWS, { HTTPS_PROXY: 'http://alice:s%40cret@proxy:3128' }));
    expect(route.url.username).toBe('alice');
    expect(route.url.password).toBe('s%40cret');
    expect(route.label).toBe('proxy:3128');
    expect(JSON.stringify({ label: route.label, source: route.source })).not.toContain('cret');
  });

  test.each([
    ['socks5://proxy:1080', 'only http:// and https://'],
    ['http://alice:hunter22@[bad', 'not a URL'],
  ])('%s is refused without quoting the value', (value, reason) => {
    const err = failure(() => proxyFor(AWS, { HTTPS_PROXY: value }));
    expect(err.code).toBe('config.badValue');
    expect(err.message).toContain('HTTPS_PROXY');
    expect(err.message).toContain(reason);
    expect(`${err.message} ${err.hint}`).not.toContain('hunter22');
  });

  test('a bad value does not matter to an endpoint that is exempt', () => {
    expect(proxyFor('http://127.0.0.1:8000', { HTTP_PROXY: 'socks5://proxy:1080' })).toBeUndefined();
  });

  test('proxyForScheme names the proxy before any host is considered', () => {
    expect(proxyForScheme('https:', { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '*' })?.label).toBe('proxy:3128');
    expect(proxyForScheme('http:', { HTTPS_PROXY: 'http://proxy:3128' })).toBeUndefined();
    expect(proxyForScheme('ftp:', { HTTPS_PROXY: 'http://proxy:3128' })).toBeUndefined();
  });
});

describe('proxyFor: NO_PROXY', () => {
  const PROXY = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:3128' };
  test.each<[string, string, boolean]>([
    ['*', AWS, true],
    [' * ', AWS, true],
    // urllib: `*` only counts as the whole value
    ['example.com,*', AWS, false],
    ['amazonaws.com', AWS, true],
    ['.amazonaws.com', AWS, true],
    ['..amazonaws.com', AWS, true],
    ['dynamodb.eu-west-1.amazonaws.com', AWS, true],
    ['eu-west-1.amazonaws.com', 'https://dynamodb.us-east-1.amazonaws.com', false],
    // a suffix matches at a dot, not inside a label
    ['zonaws.com', AWS, false],
    ['internal', 'http://internal:8000', true],
    ['internal', 'http://db.internal:8000', true],
    ['.internal', 'http://db.internal:8000', true],
    ['internal', 'http://dbinternal:8000', false],
    ['  other.host , db.internal ', 'http://db.internal:8000', true],
    ['DB.Internal', 'http://db.INTERNAL:8000', true],
    ['other.host,,', 'http://db.internal:8000', false],
    // ports
    ['db.internal:8000', 'http://db.internal:8000', true],
    ['db.internal:9000', 'http://db.internal:8000', false],
    ['.internal:8000', 'http://db.internal:8000', true],
    ['dynamodb.eu-west-1.amazonaws.com:443', AWS, true],
    ['dynamodb.eu-west-1.amazonaws.com:8443', AWS, false],
    // addresses
    ['10.0.0.5', 'http://10.0.0.5:8000', true],
    ['10.0.0.5:8000', 'http://10.0.0.5:8000', true],
    ['0.0.5', 'http://10.0.0.5:8000', true], // urllib's suffix rule applies to addresses too
    ['10.0.0.6', 'http://10.0.0.5:8000', false],
    ['fd00::1', 'http://[fd00::1]:8000', true],
    ['[fd00::1]', 'http://[fd00::1]:8000', true],
    ['[fd00::1]:8000', 'http://[fd00::1]:8000', true],
    ['[fd00::1]:9000', 'http://[fd00::1]:8000', false],
  ])('NO_PROXY=%j, %s exempt: %s', (noProxy, endpoint, exempt) => {
    expect(proxyFor(endpoint, { ...PROXY, NO_PROXY: noProxy }) === undefined).toBe(exempt);
  });

  test('no_proxy wins over NO_PROXY, and an empty one turns it off', () => {
    expect(proxyFor(AWS, { ...PROXY, NO_PROXY: 'amazonaws.com', no_proxy: 'other.host' })).toBeDefined();
    expect(proxyFor(AWS, { ...PROXY, NO_PROXY: 'other.host', no_proxy: 'amazonaws.com' })).toBeUndefined();
    expect(proxyFor(AWS, { ...PROXY, NO_PROXY: 'amazonaws.com', no_proxy: '' })).toBeDefined();
  });
});

describe('proxyFor: loopback', () => {
  const PROXY = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:3128' };
  test.each([
    'http://localhost:8000',
    'http://LOCALHOST:8000',
    'https://localhost',
    'http://dynamo.localhost:8000',
    'http://127.0.0.1:8000',
    'http://127.4.5.6:8000',
    'http://[::1]:8000',
    'http://[::ffff:127.0.0.1]:8000',
    'http://0.0.0.0:8000',
  ])('%s never goes through a proxy', (endpoint) => {
    expect(proxyFor(endpoint, PROXY)).toBeUndefined();
  });

  test.each(['http://128.0.0.1:8000', 'http://localhost.example.com:8000', 'http://[::2]:8000', 'http://10.0.0.1:8000'])('%s is not loopback', (endpoint) => {
    expect(proxyFor(endpoint, PROXY)?.label).toBe('proxy:3128');
  });

  test('isLoopbackHost takes bracketed and bare IPv6', () => {
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('::2')).toBe(false);
  });

  test('the test switch lets a test proxy sit in front of a local server', () => {
    proxyTesting.proxyLoopback = true;
    try {
      expect(proxyFor('http://127.0.0.1:8000', PROXY)?.label).toBe('proxy:3128');
      expect(proxyFor('http://127.0.0.1:8000', { ...PROXY, NO_PROXY: '127.0.0.1' })).toBeUndefined();
    } finally {
      proxyTesting.proxyLoopback = false;
    }
  });
});

describe('proxy errors and credentials', () => {
  const route = { label: '10.1.2.3:3128', source: 'HTTPS_PROXY' };

  test.each<[string, ConstructorParameters<typeof ProxyError>[2], RegExp]>([
    ['unreachable', { code: 'ECONNREFUSED' }, /could not be reached \(ECONNREFUSED\)/],
    ['timed out', { code: 'ETIMEDOUT', timeoutMs: 5000 }, /did not answer in time/],
    ['wants credentials', { status: 407, statusText: 'Proxy Authentication Required' }, /HTTP 407/],
    ['forbids the host', { status: 403, statusText: 'Forbidden' }, /refused the connection .*HTTP 403/],
    ['cannot reach the host', { status: 502 }, /could not connect to .*HTTP 502/],
  ])('%s: named with its host:port and variable, code dynamo.unreachable', (_name, failure, wording) => {
    const e = describeAwsError(new ProxyError(route, 'dynamodb.eu-west-1.amazonaws.com:443', failure), { action: 'BatchWriteItem', table: 't1' });
    expect(e.code).toBe('dynamo.unreachable');
    expect(e.message).toContain('10.1.2.3:3128');
    expect(e.message).toContain('HTTPS_PROXY');
    expect(e.message).toContain('dynamodb.eu-west-1.amazonaws.com:443');
    expect(e.message).toContain('BatchWriteItem on table "t1"');
    expect(e.message).toMatch(wording);
    expect(e.hint).toBeTruthy();
  });

  test('ProxyError keeps the retry signals of a direct failure', () => {
    expect(new ProxyError(route, 'h:443', { code: 'ECONNREFUSED' }).code).toBe('ECONNREFUSED');
    expect(new ProxyError(route, 'h:443', { status: 503 }).$metadata).toEqual({ httpStatusCode: 503 });
    expect(new ProxyError(route, 'h:443', { status: 407 }).code).toBeUndefined();
  });

  test('a 407 from an http endpoint (a proxy answering for the server) is a proxy problem', () => {
    const sdkLike = Object.assign(new Error('UnknownError'), { name: 'Unknown', $metadata: { httpStatusCode: 407 } });
    const e = describeAwsError(sdkLike, { endpoint: 'http://db.internal:8000', action: 'GetItem' });
    expect(isDynafeastError(e) && e.code).toBe('dynamo.unreachable');
    expect(e.message).toMatch(/proxy.*407/i);
  });

  test('redactSecrets removes URL credentials and Basic authorization values', () => {
    const text = [
      'proxy http://alice:s3cr3t@proxy:3128 failed',
      'HTTPS_PROXY=https://bob:p@ss@proxy.corp:8080/',
      'Proxy-Authorization: Basic YWxpY2U6czNjcjN0',
      'authorization: basic Ym9iOnBAc3M=',
    ].join('\n');
    const clean = redactSecrets(text);
    for (const secret of ['alice', 's3cr3t', 'bob', 'p@ss', 'YWxpY2U6czNjcjN0', 'Ym9iOnBAc3M=']) expect(clean).not.toContain(secret);
    expect(clean).toContain('http://…@proxy:3128');
    expect(clean).toContain('https://…@proxy.corp:8080/');
    expect(redactSecrets('see https://docs.example.com/a@b and user@example.com')).toBe('see https://docs.example.com/a@b and user@example.com');
  });
});

describe('createProxyAgent', () => {
  const agents: http.Agent[] = [];
  afterEach(() => {
    for (const a of agents.splice(0)) a.destroy();
  });

  test.each(['https:', 'http:'] as const)('%s: keep-alive and maxSockets kept, credentials only in Proxy-Authorization', async (protocol) => {
    const route = defined(
      proxyFor(`${protocol}//db.internal`, { HTTPS_PROXY: 'http://alice:s%40cret@proxy:3128', HTTP_PROXY: 'http://alice:s%40cret@proxy:3128' }),
    );
    const agent = await createProxyAgent(protocol, route, { keepAlive: true, maxSockets: 7, connectTimeoutMs: 1000 }, {});
    agents.push(agent);
    const seen = agent as http.Agent & { keepAlive: boolean; proxy: URL; proxyHeaders: Record<string, string> };
    expect(seen.keepAlive).toBe(true);
    expect(seen.maxSockets).toBe(7);
    // what the library holds (and prints under DEBUG=*) has no credentials
    expect(seen.proxy.href).toBe('http://proxy:3128/');
    expect(seen.proxyHeaders['Proxy-Authorization']).toBe(`Basic ${Buffer.from('alice:s@cret').toString('base64')}`);
  });
});
