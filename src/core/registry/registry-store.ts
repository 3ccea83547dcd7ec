/**
 * Where the registry lives (architecture.md §2.3, §8): a local file under a lock, or an S3 object written
 * with conditional requests. Both give the same two operations, so apply, materialize, teardown and the
 * readers never ask which: `read`, and `update`, the one read-modify-write every writer goes through.
 */
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import type { RepoConfig } from '../config/types.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../context.js';
import { DynafeastError } from '../errors.js';
import { isS3Uri } from '../s3/s3-uri.js';
import { withRegistryLock, type LockOptions } from './lock.js';
import { readRegistryIfExists, registryPathOf, writeRegistryAtomic } from './registry-file.js';
import { s3RegistryStore } from './s3-registry.js';

/** What a change decided: the registry to write (undefined: nothing to write) and what to return. */
export interface RegistryChangeResult<T> {
  write?: Registry;
  result: T;
}

/**
 * Computes a change from the registry as stored (undefined: none yet). It may run more than once — an
 * S3 writer that lost a race re-reads and runs it again — so it must depend on its arguments only.
 */
export type RegistryChangeFn<T> = (current: Registry | undefined, nowMicros: bigint) => RegistryChangeResult<T> | Promise<RegistryChangeResult<T>>;

export interface RegistryUpdateResult<T> {
  result: T;
  /** What was written (with its new version id), when something was. */
  written?: Registry;
}

export interface RegistryStore {
  /** How messages name it: the file path or the s3:// address. */
  readonly where: string;
  readonly kind: 'file' | 's3';
  /** The registry, or undefined when none was written yet. */
  read(): Promise<Registry | undefined>;
  /** Reads, applies `change` and writes the result so no concurrent writer's update is lost. */
  update<T>(change: RegistryChangeFn<T>, opts?: { clock?: Clock }): Promise<RegistryUpdateResult<T>>;
}

/** A store, or a local registry file's path (tests and helpers name files directly). */
export type RegistryTarget = string | RegistryStore;

/** The local registry file at `path`, its writes under the registry lock. */
export function fileRegistryStore(path: string, lock: LockOptions = {}): RegistryStore {
  return {
    where: path,
    kind: 'file',
    read: () => readRegistryIfExists(path),
    update: (change, opts = {}) =>
      withRegistryLock(
        path,
        async () => {
          const current = await readRegistryIfExists(path);
          const now = (opts.clock ?? systemClock).nowMicros();
          const { write, result } = await change(current, now);
          if (write === undefined) return { result };
          return { result, written: await writeRegistryAtomic(path, write, now) };
        },
        lock,
      ),
  };
}

export function toRegistryStore(target: RegistryTarget, lock: LockOptions = {}): RegistryStore {
  return typeof target === 'string' ? fileRegistryStore(target, lock) : target;
}

/** The repo's registry as `feature_store.yaml` names it: a local file or an `s3://` object. */
export function registryStoreOf(config: RepoConfig, opts: { logger?: Logger; env?: NodeJS.ProcessEnv } = {}): RegistryStore {
  if (isS3Uri(config.registry)) return s3RegistryStore(config, { logger: opts.logger ?? silentLogger, env: opts.env ?? process.env });
  return fileRegistryStore(registryPathOf(config));
}

/** The stored registry; none is an error telling the user to apply first. */
export async function readStoredRegistry(store: RegistryStore): Promise<Registry> {
  const registry = await store.read();
  if (!registry) {
    throw new DynafeastError('registry.notApplied', `no registry at ${store.where}: nothing has been applied yet`, { hint: 'run `dynafeast apply` first' });
  }
  return registry;
}
