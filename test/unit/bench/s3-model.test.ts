/**
 * The S3 stand-in of `bench:s3` (bench/s3/s3-model.ts) answers what the S3 source sends the way S3 does,
 * as the AWS SDK reads it: ListObjectsV2 pages, ranged GETs with If-Match, HEAD, S3's XML errors, and it
 * refuses unsigned requests. Its latency and bandwidth cap are lower bounds on a request's time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { startS3Model, type S3Model } from '../../../bench/s3/s3-model.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

const dir = tempRepoDir('dynafeast-s3-model-');
const files: Record<string, Buffer> = {
  'daily/day=2025-01-01/data_0.parquet': Buffer.from('PAR1 first day PAR1'),
  'daily/day=2025-01-02/data_0.parquet': Buffer.from('PAR1 second day, a little longer PAR1'),
  'daily/day=2025-01-03/data_0.parquet': Buffer.alloc(1_000_000, 7),
  'other/readme.txt': Buffer.from('not in the prefix'),
};
for (const [key, bytes] of Object.entries(files)) {
  mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
  writeFileSync(path.join(dir, key), bytes);
}
const etagOf = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

let model: S3Model;
let s3: S3Client;
beforeAll(async () => {
  model = await startS3Model({ buckets: { data: dir }, latencyMs: 20, bytesPerSecond: 10e6 });
  s3 = new S3Client({
    endpoint: model.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
});
afterAll(async () => {
  s3.destroy();
  await model.close();
});

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected an error');
    },
    (e: { name: string; $metadata: { httpStatusCode?: number } }) => ({ name: e.name, status: e.$metadata.httpStatusCode }),
  );

it('lists a prefix in pages joined by continuation tokens, with S3 ETags and sizes', async () => {
  const seen: { key: string; etag: string | undefined; size: number | undefined }[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page: ListObjectsV2CommandOutput = await s3.send(
      new ListObjectsV2Command({ Bucket: 'data', Prefix: 'daily/', MaxKeys: 2, ...(token ? { ContinuationToken: token } : {}) }),
    );
    pages++;
    for (const o of page.Contents ?? []) seen.push({ key: o.Key ?? '', etag: o.ETag, size: o.Size });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  expect(pages).toBe(2);
  expect(seen).toEqual(
    Object.entries(files)
      .filter(([k]) => k.startsWith('daily/'))
      .map(([key, b]) => ({ key, etag: etagOf(b), size: b.length })),
  );
});

it('serves byte ranges (a-b, a-, -n) with If-Match on the ETag, and HEAD', async () => {
  const key = 'daily/day=2025-01-02/data_0.parquet';
  const bytes = files[key] as Buffer;
  const get = async (Range: string, IfMatch?: string) => {
    const res = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: key, Range, ...(IfMatch ? { IfMatch } : {}) }));
    return { body: Buffer.from(await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()), range: res.ContentRange };
  };
  expect(await get('bytes=5-10', etagOf(bytes))).toEqual({ body: bytes.subarray(5, 11), range: `bytes 5-10/${bytes.length}` });
  expect((await get('bytes=30-')).body).toEqual(bytes.subarray(30));
  expect((await get('bytes=-4')).body).toEqual(Buffer.from('PAR1'));
  expect(await errorOf(get('bytes=0-3', '"0123456789abcdef0123456789abcdef"'))).toEqual({ name: 'PreconditionFailed', status: 412 });
  expect(await errorOf(get(`bytes=${bytes.length}-`))).toEqual({ name: 'InvalidRange', status: 416 });
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'data', Key: key }));
  expect({ etag: head.ETag, length: head.ContentLength }).toEqual({ etag: etagOf(bytes), length: bytes.length });
});

it("answers S3's errors for a missing key or bucket", async () => {
  expect(await errorOf(s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'daily/nope.parquet' })))).toEqual({ name: 'NoSuchKey', status: 404 });
  expect(await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'data', Key: 'daily/nope.parquet' })))).toEqual({ name: 'NotFound', status: 404 });
  expect(await errorOf(s3.send(new ListObjectsV2Command({ Bucket: 'nope' })))).toEqual({ name: 'NoSuchBucket', status: 404 });
});

it('refuses a request without SigV4 headers', async () => {
  const res = await fetch(`${model.endpoint}/data/other/readme.txt`);
  expect(res.status).toBe(403);
  expect(await res.text()).toMatch(/<Code>AccessDenied<\/Code><Message>[^<]*no Authorization header/);
});

it('adds its first-byte latency to every request and caps each connection at its bandwidth', async () => {
  let t = performance.now();
  await s3.send(new HeadObjectCommand({ Bucket: 'data', Key: 'other/readme.txt' }));
  expect(performance.now() - t).toBeGreaterThanOrEqual(19);
  t = performance.now();
  const res = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'daily/day=2025-01-03/data_0.parquet' }));
  expect((await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).length).toBe(1_000_000);
  // 1 MB at 10 MB/s: at least 100 ms (the last 64 KiB chunk is written without a wait), plus the latency
  expect(performance.now() - t).toBeGreaterThanOrEqual(20 + 90);
});
