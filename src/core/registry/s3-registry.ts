/**
 * The registry as an S3 object (Feast's `registry: s3://bucket/key`), architecture.md §2.3. Every write is
 * conditional: `If-Match` on the ETag that was read, `If-None-Match: *` when there was none, so two
 * writers never silently lose each other's update. The loser of a race re-reads, re-applies its change
 * and tries again under the one retry policy (util/retry.ts); a conflict that outlasts it is an error and
 * the registry keeps the other writer's version. PutObject replaces an object whole, so a reader never
 * sees half a registry.
 */
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import type { RepoConfig } from '../config/types.js';
import { createS3Client, type S3Handle } from '../aws/clients.js';
import { s3Sdk } from '../aws/sdk.js';
import { systemClock, type Logger } from '../context.js';
import { DynafeastError } from '../errors.js';
import { partitionOf } from '../iam/arn.js';
import { describeS3Error, isNoSuchKey, isWriteConflict } from '../s3/s3-errors.js';
import { formatS3Uri, parseS3Uri, s3EndpointOf } from '../s3/s3-uri.js';
import { retryPolicyOf, withRetry } from '../util/retry.js';
import { decodeRegistry, stampForWrite } from './registry-file.js';
import type { RegistryStore } from './registry-store.js';

/** Thrown inside the retry loop when the conditional write lost; nothing else is retried as a conflict. */
class LostRace extends Error {
  override readonly name = 'LostRace';
}

interface Stored {
  registry: Registry;
  etag: string;
}

// PutObject parameters Feast users set through s3_additional_kwargs (boto3's names); those of SSE-C go
// on reads as well, or S3 refuses to return the object.
const PUT_KWARGS = [
  'ServerSideEncryption',
  'SSEKMSKeyId',
  'SSEKMSEncryptionContext',
  'BucketKeyEnabled',
  'SSECustomerAlgorithm',
  'SSECustomerKey',
  'SSECustomerKeyMD5',
  'StorageClass',
  'ACL',
  'ExpectedBucketOwner',
] as const;
const GET_KWARGS = new Set(['SSECustomerAlgorithm', 'SSECustomerKey', 'SSECustomerKeyMD5', 'ExpectedBucketOwner']);

/** The write parameters `s3_additional_kwargs` asks for; an unknown key is an error naming those known. */
export function s3WriteParams(kwargs: Record<string, unknown> | undefined): { put: Record<string, unknown>; get: Record<string, unknown> } {
  const put: Record<string, unknown> = {};
  const get: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs ?? {})) {
    if (!(PUT_KWARGS as readonly string[]).includes(k)) {
      throw new DynafeastError('config.badValue', `registry.s3_additional_kwargs: "${k}" is not a PutObject parameter dynafeast applies`, {
        path: `registry.s3_additional_kwargs.${k}`,
        hint: `use boto3's names: ${PUT_KWARGS.join(', ')}`,
      });
    }
    const ok = k === 'BucketKeyEnabled' ? typeof v === 'boolean' : typeof v === 'string';
    if (!ok) {
      throw new DynafeastError('config.badType', `registry.s3_additional_kwargs.${k} must be ${k === 'BucketKeyEnabled' ? 'true or false' : 'a string'}`, {
        path: `registry.s3_additional_kwargs.${k}`,
      });
    }
    put[k] = v;
    if (GET_KWARGS.has(k)) get[k] = v;
  }
  return { put, get };
}

export function s3RegistryStore(config: RepoConfig, opts: { logger: Logger; env: NodeJS.ProcessEnv }): RegistryStore {
  const uri = parseS3Uri(config.registry, { what: 'registry', field: 'registry' });
  if (uri.key === '' || uri.key.endsWith('/')) {
    throw new DynafeastError('config.badValue', `registry "${config.registry}" names a folder, not an object`, {
      path: 'registry',
      hint: 'name the object, e.g. s3://BUCKET/registry.pb',
    });
  }
  const params = s3WriteParams(config.registrySettings?.s3AdditionalKwargs);
  const where = formatS3Uri(uri);
  const endpoint = s3EndpointOf(opts.env);
  const partition = partitionOf(config.onlineStore.region);
  const open = (): S3Handle => createS3Client(config, { logger: opts.logger, env: opts.env, ...(endpoint !== undefined ? { endpoint } : {}) });
  const fail = (h: S3Handle, action: string, e: unknown) => describeS3Error(e, { action, uri, endpoint: h.endpoint, what: 'the registry', partition });

  async function get(h: S3Handle): Promise<Stored | undefined> {
    const sdk = s3Sdk();
    let bytes: Uint8Array;
    let etag: string | undefined;
    try {
      const res = await h.s3.send(new sdk.GetObjectCommand({ Bucket: uri.bucket, Key: uri.key, ...params.get }));
      etag = res.ETag;
      bytes = res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
    } catch (e) {
      if (isNoSuchKey(e)) return undefined;
      throw fail(h, 's3:GetObject', e);
    }
    if (etag === undefined) throw fail(h, 's3:GetObject', new Error('the response carries no ETag, so a write could not be made conditional'));
    return { registry: decodeRegistry(where, bytes), etag };
  }

  return {
    where,
    kind: 's3',
    async read() {
      const h = open();
      try {
        return (await get(h))?.registry;
      } finally {
        h.destroy();
      }
    },
    async update(change, o = {}) {
      const clock = o.clock ?? systemClock;
      const h = open();
      let races = 0;
      try {
        return await withRetry(
          async () => {
            const current = await get(h);
            const now = clock.nowMicros();
            const { write, result } = await change(current?.registry, now);
            if (write === undefined) return { result };
            const { next, bytes } = stampForWrite(write, now);
            const condition = current ? { IfMatch: current.etag } : { IfNoneMatch: '*' };
            try {
              await h.s3.send(new (s3Sdk().PutObjectCommand)({ Bucket: uri.bucket, Key: uri.key, Body: bytes, ...condition, ...params.put }));
            } catch (e) {
              // If-Match on an object deleted meanwhile answers NoSuchKey: another writer won that race too
              if (isWriteConflict(e) || (current !== undefined && isNoSuchKey(e))) throw new LostRace(`${where} changed since it was read`);
              throw fail(h, 's3:PutObject', e);
            }
            return { result, written: next };
          },
          {
            policy: retryPolicyOf(config),
            retryable: (e) => e instanceof LostRace,
            onRetry: () => {
              races++;
              opts.logger.debug(`the registry ${where} changed while it was being updated; reading it again (retry ${races})`);
            },
          },
        );
      } catch (e) {
        if (!(e instanceof LostRace)) throw e;
        throw new DynafeastError(
          'registry.conflict',
          `the registry ${where} kept changing under another writer: ${races + 1} conditional writes in a row lost the race`,
          {
            hint: 'another apply or materialize is writing it continuously; run the command again when it is done (nothing was written by this one)',
            cause: e,
          },
        );
      } finally {
        h.destroy();
      }
    },
  };
}
