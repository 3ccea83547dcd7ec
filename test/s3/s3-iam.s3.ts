/**
 * S3 access checked by a real evaluator: a moto server of this suite's own with IAM enforced
 * (helpers/moto-iam.ts). DynamoDB goes to an in-process dynalite, which checks no IAM (moto's DynamoDB
 * authorizes every call against the resource "*", so exact table ARNs can never match there —
 * docs/architecture.md §4.6); the S3 registry and the S3 sources go to moto.
 * - the library's `credentials` override signs the S3 registry read and the S3 source reads;
 * - each command, run as a user holding exactly the policy `dynafeast iam-policy --for <command>` prints,
 *   succeeds; with one S3 action or ARN taken out it fails with s3.accessDenied naming both.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/core/aws/clients.js';
import { FeatureStore } from '../../src/core/feature-store.js';
import { DynafeastError } from '../../src/core/errors.js';
import { exitCodeOf } from '../../src/cli/render-error.js';
import { runCli } from '../helpers/cli.js';
import { testConfig } from '../helpers/config.js';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { startIamMoto, type AccessKey, type IamMoto } from '../helpers/moto-iam.js';
import { makeRepo, tempRepoDir } from '../helpers/temp-repo.js';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: unknown;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

let moto: IamMoto;
let dynalite: TestDynalite;
let repo: string;
const bucket = `dynafeast-iam-${randomUUID().slice(0, 8)}`;
const registryArn = `arn:aws:s3:::${bucket}/feast/registry.pb`;
const statsArn = `arn:aws:s3:::${bucket}/stats/driver_stats.parquet`;
const policies: Record<'apply' | 'materialize' | 'read', Policy> = {} as never;
const signedBy = (key: AccessKey) => ({
  FEAST_S3_ENDPOINT_URL: moto.endpoint,
  AWS_ACCESS_KEY_ID: key.accessKeyId,
  AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
  AWS_REGION: 'us-east-1',
  DYNAFEAST_NO_UPDATE_CHECK: '1',
});
const cli = (args: string[], key: AccessKey) => runCli(args, { cwd: repo, env: signedBy(key), timeoutMs: 120_000 });
const TESTING = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const ACCESS_DENIED = exitCodeOf(new DynafeastError('s3.accessDenied', 'x'));

/** The policy with `action` taken out of every S3 statement (or only `arn` out of its resources). */
function without(policy: Policy, action: string, arn?: string): Policy {
  const statements = policy.Statement.flatMap((s) => {
    if (!s.Action.includes(action)) return [s];
    if (arn === undefined) return s.Action.length > 1 ? [{ ...s, Action: s.Action.filter((a) => a !== action) }] : [];
    const Resource = s.Resource.filter((r) => r !== arn);
    return Resource.length > 0 ? [{ ...s, Resource }] : [];
  });
  return { ...policy, Statement: statements };
}

beforeAll(async () => {
  [moto, dynalite] = await Promise.all([startIamMoto(), startDynalite()]);
  const handle = createS3Client(testConfig({ repoPath: tempRepoDir('dynafeast-s3-') }), { endpoint: moto.endpoint, credentials: TESTING });
  await handle.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  repo = makeRepo(
    { project: `s3iam_${randomUUID().slice(0, 6)}`, endpoint: dynalite.endpoint, registry: `s3://${bucket}/feast/registry.pb` },
    'dynafeast-s3-iam-',
  );
  // single objects: reading one is HeadObject + GetObject, no ListBucket — moto cannot evaluate the
  // ListBucket statement's s3:prefix condition (docs/architecture.md §4.6)
  for (const [file, key, yaml] of [
    ['driver_stats.parquet', 'stats/driver_stats.parquet', 'features.yaml'],
    ['driver_profile.parquet', 'profile/driver_profile.parquet', 'profiles.yaml'],
  ] as const) {
    await handle.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(path.join(repo, 'data', file)) }));
    const f = path.join(repo, yaml);
    writeFileSync(f, readFileSync(f, 'utf8').replace(`path: data/${file}`, `path: s3://${bucket}/${key}`));
  }
  handle.destroy();
  for (const command of ['apply', 'materialize', 'read'] as const) {
    const printed = await cli(['iam-policy', '--for', command, '--account-id', moto.accountId], TESTING);
    if (printed.code !== 0) throw new Error(`iam-policy --for ${command} failed: ${printed.stderr}`);
    policies[command] = JSON.parse(printed.stdout) as Policy;
  }
  await moto.enforce();
}, 180_000);
afterAll(async () => {
  await Promise.all([moto?.stop(), dynalite?.stop()]);
});

describe('S3 against an IAM evaluator (moto)', () => {
  it('each command succeeds with exactly the policy iam-policy prints for it, and names the action and ARN one policy lacks', async () => {
    // the printed policies name the registry object and the source object exactly
    expect(JSON.stringify(policies.apply)).toContain(registryArn);
    expect(JSON.stringify(policies.materialize)).toContain(statsArn);

    const applier = moto.createUser('applier', without(policies.apply, 's3:PutObject'));
    const refused = await cli(['apply', '--yes'], applier);
    expect(refused.stderr).toContain(`access denied: s3:PutObject on ${registryArn}`);
    expect(refused.code).toBe(ACCESS_DENIED);
    moto.setPolicy('applier', policies.apply);
    const applied = await cli(['apply', '--yes'], applier);
    expect(applied.stderr).not.toMatch(/error|denied/i);
    expect(applied.code).toBe(0);

    const materializer = moto.createUser('materializer', without(policies.materialize, 's3:GetObject', statsArn));
    const window = ['2021-03-28T00:00:00', '2021-04-13T00:00:00'];
    const noSource = await cli(['materialize', ...window], materializer);
    expect(noSource.stderr).toContain(`access denied: s3:GetObject on ${statsArn}`);
    expect(noSource.code).toBe(ACCESS_DENIED);
    moto.setPolicy('materializer', policies.materialize);
    const materialized = await cli(['--json', 'materialize', ...window], materializer);
    expect(materialized.code).toBe(0);
    expect(
      JSON.parse(materialized.stdout)
        .views.map((v: { items: number }) => v.items)
        .every((n: number) => n > 0),
    ).toBe(true);

    const reader = moto.createUser('reader', without(policies.read, 's3:GetObject'));
    const args = ['--json', 'get-online-features', '-f', 'driver_hourly_stats:conv_rate', '-e', 'driver_id=1001'];
    const unread = await cli(args, reader);
    expect(unread.stderr).toContain(`access denied: s3:GetObject on ${registryArn}`);
    expect(unread.code).toBe(ACCESS_DENIED);
    moto.setPolicy('reader', policies.read);
    const read = await cli(args, reader);
    expect(read.code).toBe(0);
    expect(read.stdout).toContain('conv_rate');
  }, 300_000);

  it('the library credentials override signs the S3 registry read and the S3 source reads, whatever the environment holds', async () => {
    const key = moto.createUser('library', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    const saved = { ...process.env };
    try {
      // the environment's keys are moto's user's: an override with unknown keys must still fail
      Object.assign(process.env, signedBy(key));
      await expect(FeatureStore.open({ repoPath: repo, credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'nope' } })).rejects.toMatchObject({
        code: 's3.credentials',
      });
      // and the other way round: unknown keys in the environment, the user's keys as the override
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000', AWS_SECRET_ACCESS_KEY: 'nope' });
      const store = await FeatureStore.open({ repoPath: repo, credentials: key });
      try {
        const report = await store.materialize({ start: '2021-03-28T00:00:00', end: '2021-04-13T00:00:00', views: ['driver_profile'] });
        expect(report.views[0]?.s3?.filesFetched).toBe(1);
      } finally {
        await store.close();
      }
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  }, 120_000);
});
