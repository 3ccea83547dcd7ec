/**
 * The registry as an S3 object on a real S3 server (moto): every write conditional, concurrent writers
 * lose nothing, a conflict that persists fails cleanly, and bad objects and buckets are named.
 */
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { fixedClock } from '../../src/core/context.js';
import { buildRegistryObjects } from '../../src/core/registry/build.js';
import { commitRegistryChanges, findFeatureView, recordMaterialization, removeProject } from '../../src/core/registry/commit.js';
import { reconcileRegistry } from '../../src/core/registry/reconcile.js';
import { decodeRegistry } from '../../src/core/registry/registry-file.js';
import { registryStoreOf, type RegistryStore } from '../../src/core/registry/registry-store.js';
import { timestampToMicros } from '../../src/core/registry/time.js';
import { defined } from '../helpers/defined.js';
import { makeRepo } from '../helpers/plan-fixtures.js';
import { makeBucket, s3RepoConfig, s3TestEnv, type TestBucket } from '../helpers/s3.js';

let bucket: TestBucket;
beforeAll(async () => {
  bucket = await makeBucket('dynafeast-registry');
});
afterAll(async () => {
  await bucket.remove();
});

const clock = fixedClock(1_700_000_000_000_000n);
let n = 0;
/** A fresh registry key per case, so cases do not see each other's registries. */
function store(extra: Parameters<typeof s3RepoConfig>[1] = {}): RegistryStore {
  return registryStoreOf(s3RepoConfig(`s3://${bucket.name}/case-${++n}/registry.pb`, extra), { env: s3TestEnv() });
}

async function applied(s: RegistryStore): Promise<void> {
  const desired = buildRegistryObjects('demo', makeRepo());
  await commitRegistryChanges(s, 'demo', desired, reconcileRegistry(undefined, 'demo', desired, 0n).changes, clock);
}

async function storedBytes(key: string): Promise<Uint8Array> {
  const res = await bucket.s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
  return defined(await res.Body?.transformToByteArray());
}

describe('S3 registry', () => {
  it('writes a registry a plain GetObject reads back as the same Feast registry', async () => {
    const s = store();
    expect(await s.read()).toBeUndefined();
    await applied(s);
    const read = defined(await s.read());
    const raw = decodeRegistry(s.where, await storedBytes(s.where.replace(`s3://${bucket.name}/`, '')));
    expect(raw.versionId).toBe(read.versionId);
    expect(findFeatureView(read, 'demo', 'driver_hourly_stats')).toBeDefined();
  });

  it('loses no update when many writers record materializations at once', async () => {
    const s = store();
    await applied(s);
    const writers = 8;
    // separate stores (separate clients): each reads, appends its own interval and writes conditionally
    const twin = () => registryStoreOf(s3RepoConfig(s.where), { env: s3TestEnv() });
    await Promise.all(
      Array.from({ length: writers }, (_, i) => recordMaterialization(twin(), 'demo', 'driver_hourly_stats', BigInt(i), BigInt(i + 100), { clock })),
    );
    const intervals = defined(findFeatureView(defined(await s.read()), 'demo', 'driver_hourly_stats')?.meta).materializationIntervals;
    const starts = intervals.map((i) => timestampToMicros(defined(i.startTime))).sort((a, b) => Number(a - b));
    expect(starts).toEqual(Array.from({ length: writers }, (_, i) => BigInt(i)));
  });

  it('fails with registry.conflict, writing nothing, when every write loses the race', async () => {
    const s = store({
      dynafeast: { ...s3RepoConfig('s3://x/y').dynafeast, retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3, maxElapsed: 30, unreachableGrace: 1 } },
    });
    await applied(s);
    const other = registryStoreOf(s3RepoConfig(s.where), { env: s3TestEnv() });
    let rivalWrites = 0;
    // a rival writes between each read and write of `s` (what a busy second writer does)
    const rival = async () => {
      await recordMaterialization(other, 'demo', 'driver_hourly_stats', 1n, 2n, { clock });
      rivalWrites++;
    };
    const err = await s
      .update(async (current) => {
        await rival();
        return { write: defined(current), result: undefined };
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: 'registry.conflict' });
    expect(rivalWrites).toBe(3);
    // what is stored is the rival's last version, not ours
    const final = defined(await s.read());
    expect(defined(findFeatureView(final, 'demo', 'driver_hourly_stats')?.meta).materializationIntervals).toHaveLength(3);
  });

  it('creates with If-None-Match: the first of two concurrent creators wins, the other re-reads and reconciles', async () => {
    const s = store();
    const desired = buildRegistryObjects('demo', makeRepo());
    const plan = reconcileRegistry(undefined, 'demo', desired, 0n).changes;
    const results = await Promise.allSettled([
      commitRegistryChanges(s, 'demo', desired, plan, clock),
      commitRegistryChanges(registryStoreOf(s3RepoConfig(s.where), { env: s3TestEnv() }), 'demo', desired, plan, clock),
    ]);
    // one writes; the other re-reads a registry that already has everything and finds its plan stale
    // (the same outcome as a local lock), so nothing is written twice
    const written = results.filter((r) => r.status === 'fulfilled' && r.value.written);
    expect(written).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const r of rejected) expect(r.reason).toMatchObject({ code: 'registry.conflict' });
  });

  it('applies s3_additional_kwargs server-side encryption to every write', async () => {
    const s = store({ registrySettings: { s3AdditionalKwargs: { ServerSideEncryption: 'AES256' } } });
    await applied(s);
    const head = await bucket.s3.send(new HeadObjectCommand({ Bucket: bucket.name, Key: s.where.replace(`s3://${bucket.name}/`, '') }));
    expect(head.ServerSideEncryption).toBe('AES256');
  });

  it('refuses an unknown s3_additional_kwargs key', () => {
    expect(() => store({ registrySettings: { s3AdditionalKwargs: { ServerSideEncrypton: 'AES256' } } })).toThrow(
      expect.objectContaining({ code: 'config.badValue' }),
    );
  });

  it('refuses an object that is not a Feast registry, and writes nothing over it', async () => {
    const s = store();
    const key = s.where.replace(`s3://${bucket.name}/`, '');
    await bucket.put(key, 'this is a text file, not a registry\n');
    await expect(s.read()).rejects.toMatchObject({ code: 'registry.corrupt' });
    await expect(removeProject(s, 'demo', clock)).rejects.toMatchObject({ code: 'registry.corrupt' });
    expect(Buffer.from(await storedBytes(key)).toString()).toBe('this is a text file, not a registry\n');
  });

  it('names a bucket that does not exist', async () => {
    const s = registryStoreOf(s3RepoConfig(`s3://no-such-bucket-${Date.now()}/registry.pb`), { env: s3TestEnv() });
    await expect(s.read()).rejects.toMatchObject({ code: 's3.noSuchBucket' });
  });
});
