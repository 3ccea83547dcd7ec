/**
 * The lean ranged GET of S3 objects: its signature against the SDK's own signer, key encoding, error
 * names, and the region redirect, against a loopback HTTP server (moto answers path-style requests in any
 * region, so it never redirects; test/s3 reads through this client against moto with IAM enforced).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { SignatureV4 } from '@smithy/signature-v4';
import { classifyAwsError } from '../../../src/core/aws/aws-errors.js';
import { createLeanS3Reader, encodeS3Key, s3ServiceError, type LeanS3Reader } from '../../../src/core/aws/lean/lean-s3.js';
import { signS3Get } from '../../../src/core/aws/lean/sigv4.js';
import { defined } from '../../helpers/defined.js';
import { Sha256 } from '../../helpers/node-sha256.js';

describe('signS3Get (SigV4)', () => {
  it.each([
    ['long-term keys', { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }],
    ['session credentials', { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token/with+chars==' }],
  ])('matches the AWS SDK signer byte for byte, for any key (%s)', async (_name, credentials) => {
    const nowMs = Date.UTC(2024, 4, 1, 12, 34, 56, 789);
    const sdk = new SignatureV4({ credentials, region: 'eu-west-1', service: 's3', sha256: Sha256 as never, applyChecksum: false, uriEscapePath: false });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }), async (segments) => {
        const path = `/team-data/${encodeS3Key(segments.join('/'))}`;
        const ours = signS3Get({ host: 's3.eu-west-1.amazonaws.com', path, region: 'eu-west-1', credentials, nowMs });
        const signed = await sdk.sign(
          {
            method: 'GET',
            protocol: 'https:',
            hostname: 's3.eu-west-1.amazonaws.com',
            path,
            headers: { host: 's3.eu-west-1.amazonaws.com', 'x-amz-content-sha256': ours['x-amz-content-sha256'] as string },
          },
          { signingDate: new Date(nowMs) },
        );
        expect(ours.authorization).toBe(signed.headers.authorization);
        expect(ours['x-amz-security-token']).toBe(signed.headers['x-amz-security-token']);
      }),
      { numRuns: 30 },
    );
  });

  it('encodes each key segment as S3 does, keeping the slashes', () => {
    expect(encodeS3Key("day=2024-01-01/a b+c(1)*!'.parquet")).toBe('day%3D2024-01-01/a%20b%2Bc%281%29%2A%21%27.parquet');
    fc.assert(fc.property(fc.string(), (key) => expect(decodeURIComponent(encodeS3Key(key))).toBe(key)));
  });
});

describe('s3ServiceError', () => {
  it('names errors as the SDK does, so the one classification applies', () => {
    const denied = s3ServiceError(403, '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    expect([denied.name, denied.message, denied.$metadata.httpStatusCode]).toEqual(['AccessDenied', 'Access Denied', 403]);
    expect(classifyAwsError(denied)).toBe('auth');
    expect(classifyAwsError(s3ServiceError(503, '<Error><Code>SlowDown</Code></Error>'))).toBe('throttled');
    expect(classifyAwsError(s3ServiceError(500, ''))).toBe('transient-network');
    expect(s3ServiceError(412, '').name).toBe('PreconditionFailed');
    expect(s3ServiceError(404, '<Error><Code>NoSuchKey</Code></Error>').name).toBe('NoSuchKey');
  });
});

/** A lean reader of bucket `b` (region us-east-1) on a loopback server that answers with `handler`. */
async function readerOn(handler: http.RequestListener, timeoutMs: number): Promise<{ reader: LeanS3Reader; close(): void }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const reader = await createLeanS3Reader({
    bucket: 'b',
    region: 'us-east-1',
    endpointFor: async (bucket, region) => ({ url: `${base}/${bucket}`, signingRegion: region }),
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    maxSockets: 2,
    requestTimeoutMs: timeoutMs,
    connectTimeoutMs: timeoutMs,
  });
  return {
    reader: defined(reader),
    close: () => {
      reader?.close();
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('createLeanS3Reader', () => {
  it('asks a bucket in another region again there, with the bytes asked for and the ETag pinned', async () => {
    const seen: { region: string; range?: string; ifMatch?: string }[] = [];
    const { reader, close } = await readerOn((req, res) => {
      const region = /\/\d+\/([^/]+)\/s3\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
      seen.push({ region, range: req.headers.range, ifMatch: req.headers['if-match'] });
      if (region !== 'eu-central-1') {
        res.writeHead(301, { 'x-amz-bucket-region': 'eu-central-1' });
        res.end('<Error><Code>PermanentRedirect</Code></Error>');
        return;
      }
      res.writeHead(206);
      res.end(Buffer.from('0123456789').subarray(2, 6));
    }, 5000);
    try {
      const bytes = await reader.getRange('k', 2, 6, '"etag"');
      expect(Buffer.from(bytes).toString()).toBe('2345');
      expect(seen).toEqual([
        { region: 'us-east-1', range: 'bytes=2-5', ifMatch: '"etag"' },
        { region: 'eu-central-1', range: 'bytes=2-5', ifMatch: '"etag"' },
      ]);
    } finally {
      close();
    }
  });

  it('abandons a held GET when its signal is aborted: the connection closes and the call rejects at once', async () => {
    let held = 0;
    let closedByClient = 0;
    // a server that takes the request and never answers (timeouts far beyond the test's): only the abort can end the call
    const { reader, close } = await readerOn((req) => {
      held++;
      req.socket.once('close', () => closedByClient++);
    }, 600_000);
    try {
      const controller = new AbortController();
      const outcome = reader.getRange('k', 0, 10, undefined, controller.signal).then(
        () => 'answered',
        (e: unknown) => (e as Error).name,
      );
      while (held === 0) await new Promise((r) => setTimeout(r, 5));
      const abortedAt = performance.now();
      controller.abort();
      expect(await outcome).toBe('AbortError');
      expect(performance.now() - abortedAt).toBeLessThan(1000);
      while (closedByClient === 0) await new Promise((r) => setTimeout(r, 5));
      expect(closedByClient).toBe(1);

      // an already aborted signal sends nothing
      await expect(reader.getRange('k', 0, 10, undefined, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
      expect(held).toBe(1);
    } finally {
      close();
    }
  });

  it('is not made for an endpoint the rules sign otherwise (the SDK reads those)', async () => {
    const reader = await createLeanS3Reader({
      bucket: 'b--usw2-az1--x-s3',
      region: 'us-west-2',
      endpointFor: async () => undefined,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      maxSockets: 2,
      requestTimeoutMs: 5000,
      connectTimeoutMs: 5000,
    });
    expect(reader).toBeUndefined();
  });
});
