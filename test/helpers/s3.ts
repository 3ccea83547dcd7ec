/**
 * The S3 tier's server (moto, started by scripts/test-server-tier.sh and named in
 * DYNAFEAST_TEST_S3_ENDPOINT): a fresh bucket per suite, emptied and removed after it, and a RepoConfig
 * whose S3 requests go there through the production client (aws/clients.ts createS3Client).
 */
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import type { RepoConfig } from '../../src/core/config/types.js';
import { createS3Client, type S3Handle } from '../../src/core/aws/clients.js';
import { testConfig } from './config.js';
import { tempRepoDir } from './temp-dir.js';

export function s3TestEndpoint(): string {
  const endpoint = process.env.DYNAFEAST_TEST_S3_ENDPOINT;
  if (!endpoint) throw new Error('DYNAFEAST_TEST_S3_ENDPOINT is not set: run the S3 suites through `npm run test:moto`');
  return endpoint;
}

/** The environment S3 commands see: Feast's variable naming the endpoint, and moto's dummy keys. */
export function s3TestEnv(): NodeJS.ProcessEnv {
  return { FEAST_S3_ENDPOINT_URL: s3TestEndpoint(), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };
}

export interface TestBucket {
  name: string;
  s3: S3Client;
  put(key: string, body: Uint8Array | string): Promise<void>;
  /** Empties and deletes the bucket, closes the client. */
  remove(): Promise<void>;
}

/** A new, empty bucket on the test server. */
export async function makeBucket(prefix = 'dynafeast-test'): Promise<TestBucket> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const handle: S3Handle = createS3Client(testConfig({ repoPath: tempRepoDir('dynafeast-s3-') }), { endpoint: s3TestEndpoint(), env: s3TestEnv() });
  const s3 = handle.s3;
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return {
    name,
    s3,
    put: async (key, body) => {
      await s3.send(new PutObjectCommand({ Bucket: name, Key: key, Body: body }));
    },
    async remove() {
      for (;;) {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: name }));
        const keys = (listed.Contents ?? []).map((o) => ({ Key: o.Key }));
        if (keys.length === 0) break;
        await s3.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: keys } }));
      }
      await s3.send(new DeleteBucketCommand({ Bucket: name }));
      handle.destroy();
    },
  };
}

/** A RepoConfig (defaults from the schema) whose registry is `registry`. */
export function s3RepoConfig(registry: string, over: Partial<RepoConfig> = {}): RepoConfig {
  return { ...testConfig({ repoPath: tempRepoDir('dynafeast-s3-repo-') }), registry, ...over };
}
