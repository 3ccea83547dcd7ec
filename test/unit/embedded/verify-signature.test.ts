import fc from 'fast-check';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../helpers/node-sha256.js';
import { signRequest } from '../../../src/core/aws/lean/sigv4.js';
import { isOwnHost } from '../../../src/core/embedded/dynalite-server.js';
import { MAX_CLOCK_SKEW_MS, verifySignature, type SignedRequest } from '../../../src/core/embedded/verify-signature.js';

const KEY = { accessKeyId: 'DFLOCAL0123456789ABCDEF', secretAccessKey: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA' };
const HOST = '127.0.0.1:4567';
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

function signed(body: string, opts: { key?: typeof KEY; nowMs?: number; target?: string } = {}): SignedRequest {
  const headers = signRequest({
    host: HOST,
    region: 'us-east-1',
    service: 'dynamodb',
    target: opts.target ?? 'DynamoDB_20120810.ListTables',
    body,
    credentials: opts.key ?? KEY,
    nowMs: opts.nowMs ?? NOW,
  });
  return { method: 'POST', url: '/', headers: { host: HOST, ...headers }, body: Buffer.from(body) };
}

describe('verifySignature', () => {
  it('accepts what the lean signer signs with the key', () => {
    fc.assert(fc.property(fc.string(), (body) => expect(verifySignature(signed(body), KEY, NOW)).toBeUndefined()));
  });

  it("accepts the AWS SDK's own signature (extra signed headers, another region)", async () => {
    const signer = new SignatureV4({ credentials: KEY, region: 'eu-west-1', service: 'dynamodb', sha256: Sha256 as never, applyChecksum: false });
    const body = '{"Limit":1}';
    const req = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 4567,
        path: '/',
        headers: {
          host: HOST,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          'amz-sdk-invocation-id': 'abc',
          'x-amz-user-agent': 'aws-sdk-js/3  test',
        },
        body,
      },
      { signingDate: new Date(NOW) },
    );
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verifySignature({ method: 'POST', url: '/', headers, body: Buffer.from(body) }, KEY, NOW)).toBeUndefined();
  });

  it('refuses any change to the body, a signed header, the method or the path after signing', () => {
    const base = signed('{"TableName":"t"}');
    const arb = fc.oneof(
      fc.string({ minLength: 1 }).map((s) => ({ ...base, body: Buffer.concat([base.body, Buffer.from(s)]) })),
      fc.constantFrom('DynamoDB_20120810.DeleteTable', 'DynamoDB_20120810.PutItem').map((t) => ({ ...base, headers: { ...base.headers, 'x-amz-target': t } })),
      fc.constantFrom('evil.example:4567', '127.0.0.1:4568').map((h) => ({ ...base, headers: { ...base.headers, host: h } })),
      fc.constantFrom('PUT', 'GET').map((m) => ({ ...base, method: m })),
      fc.constantFrom('/x', '/?a=b').map((u) => ({ ...base, url: u })),
    );
    fc.assert(fc.property(arb, (req) => expect(verifySignature(req, KEY, NOW)?.type).toBe('InvalidSignatureException')));
  });

  it('refuses another key, a wrong secret, no signature, a stale signature and garbage', () => {
    expect(verifySignature(signed('{}', { key: { accessKeyId: 'local', secretAccessKey: 'local' } }), KEY, NOW)?.type).toBe('UnrecognizedClientException');
    expect(verifySignature(signed('{}', { key: { ...KEY, secretAccessKey: 'guess' } }), KEY, NOW)?.type).toBe('InvalidSignatureException');
    const { authorization: _a, ...unsigned } = signed('{}').headers;
    expect(verifySignature({ ...signed('{}'), headers: unsigned }, KEY, NOW)?.type).toBe('MissingAuthenticationTokenException');
    expect(verifySignature(signed('{}', { nowMs: NOW - MAX_CLOCK_SKEW_MS - 1000 }), KEY, NOW)?.message).toMatch(/expired/);
    expect(verifySignature(signed('{}', { nowMs: NOW + MAX_CLOCK_SKEW_MS + 1000 }), KEY, NOW)?.message).toMatch(/expired/);
    fc.assert(
      fc.property(fc.string(), (auth) => {
        expect(verifySignature({ ...signed('{}'), headers: { ...signed('{}').headers, authorization: auth } }, KEY, NOW)).toBeDefined();
      }),
    );
  });
});

describe('isOwnHost', () => {
  it('accepts loopback names and addresses with the served port only', () => {
    for (const h of ['127.0.0.1:4567', 'localhost:4567', 'LOCALHOST:4567', '127.1.2.3:4567', '[::1]:4567']) expect(isOwnHost(h, 4567)).toBe(true);
  });

  it('refuses every other Host (DNS rebinding), and a missing one', () => {
    const other = fc.oneof(
      fc
        .domain()
        .filter((d) => d !== 'localhost')
        .map((d) => `${d}:4567`),
      fc
        .ipV4()
        .filter((ip) => !ip.startsWith('127.'))
        .map((ip) => `${ip}:4567`),
      fc
        .integer({ min: 1, max: 65535 })
        .filter((p) => p !== 4567)
        .map((p) => `127.0.0.1:${p}`),
      fc.constantFrom('127.0.0.1', 'localhost', 'user@127.0.0.1:4567', '127.0.0.1:4567/x', '127.0.0.1.evil.example:4567', ''),
    );
    fc.assert(fc.property(other, (h) => expect(isOwnHost(h, 4567)).toBe(false)));
    expect(isOwnHost(undefined, 4567)).toBe(false);
  });
});
