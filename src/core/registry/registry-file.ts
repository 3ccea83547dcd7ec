/**
 * Reading and writing `registry.db`, the serialized `feast.core.Registry` Feast's file registry uses.
 * Writes replace the file atomically (temp file in the same folder + rename) so a reader — Feast,
 * another dynafeast — never sees half a registry.
 */
import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { clone, create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { RegistrySchema, type Registry } from '../../gen/feast/core/Registry_pb.js';
import type { RepoConfig } from '../config/types.js';
import { DynafeastError, isDynafeastError } from '../errors.js';
import { describeFsError } from '../fs-error.js';
import { removeLitter } from '../lock/file-lock.js';
import { pidExists } from '../lock/liveness.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { checkRegularOrAbsent, readRegularFile, readRegularFileSync, type FileRole } from '../util/checked-file.js';
import { timestampFromMicros } from './time.js';

/** What Feast writes in `registry_schema_version`. */
export const REGISTRY_SCHEMA_VERSION = '1';

/**
 * Absolute path of the repo's registry file, for a local registry. An `s3://` registry has no path: use
 * `registryStoreOf` (registry-store.ts), which serves both.
 */
export function registryPathOf(config: Pick<RepoConfig, 'registry' | 'repoPath'>): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(config.registry) && !config.registry.startsWith('file://')) {
    throw new DynafeastError(
      'config.badValue',
      `registry "${config.registry}" is neither a local file nor an s3:// object; dynafeast reads and writes those two`,
      {
        path: 'registry',
        hint: 'use a path relative to the repo such as data/registry.db, or s3://BUCKET/KEY',
      },
    );
  }
  const p = config.registry.startsWith('file://') ? config.registry.slice('file://'.length) : config.registry;
  return isAbsolute(p) ? p : resolve(config.repoPath, p);
}

const REGISTRY_FILE: FileRole = { what: 'the registry', path: 'registry' };

export function emptyRegistry(): Registry {
  return create(RegistrySchema, { registrySchemaVersion: REGISTRY_SCHEMA_VERSION });
}

/** The registry at `path`, or undefined when no file exists yet (nothing was applied). */
export async function readRegistryIfExists(path: string): Promise<Registry | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path, REGISTRY_FILE);
  } catch (e) {
    return notReadable(path, e);
  }
  return decodeRegistry(path, bytes);
}

/** {@link readRegistryIfExists} for loaders that are synchronous (the definitions loader). */
export function readRegistryIfExistsSync(path: string): Registry | undefined {
  let bytes: Uint8Array;
  try {
    bytes = readRegularFileSync(path, REGISTRY_FILE);
  } catch (e) {
    return notReadable(path, e);
  }
  return decodeRegistry(path, bytes);
}

function notReadable(path: string, e: unknown): undefined {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  if (isDynafeastError(e)) throw e;
  // the code stays registry.unreadable (nothing was written yet); the words say what is wrong with the path
  const fs = describeFsError(e, { doing: 'read the registry', path, done: 'nothing was changed' });
  throw new DynafeastError('registry.unreadable', fs?.message ?? `cannot read the registry ${path}: ${(e as Error).message}`, {
    hint: fs
      ? `${fs.hint} Or point \`registry:\` in feature_store.yaml at another file.`
      : 'check the file permissions and the `registry:` path in feature_store.yaml',
    cause: e,
  });
}

/** Decodes registry bytes read from `path` (a file or an s3:// address). */
export function decodeRegistry(path: string, bytes: Uint8Array): Registry {
  try {
    // unknown fields (objects only newer Feast versions know) are kept and written back unchanged
    const registry = fromBinary(RegistrySchema, bytes);
    if (bytes.length > 0 && registry.registrySchemaVersion === '' && registry.versionId === '' && !registry.lastUpdated && !hasObjects(registry)) {
      // protobuf decodes many byte strings (a text file, an image) as nothing but unknown fields
      throw new Error('none of the fields every Feast registry has (version, objects) is there');
    }
    return registry;
  } catch (e) {
    throw new DynafeastError('registry.corrupt', `${path} is not a Feast registry (protobuf decoding failed: ${(e as Error).message})`, {
      hint: 'restore the file from a backup, or delete it and run `dynafeast apply` to write a fresh one',
      cause: e,
    });
  }
}

function hasObjects(r: Registry): boolean {
  return [r.entities, r.featureViews, r.featureServices, r.dataSources, r.onDemandFeatureViews, r.streamFeatureViews, r.projects, r.projectMetadata].some(
    (list) => list.length > 0,
  );
}

/** The registry at `path`; a missing file is an error telling the user to apply first. */
export async function readRegistry(path: string): Promise<Registry> {
  const registry = await readRegistryIfExists(path);
  if (!registry) {
    throw new DynafeastError('registry.notApplied', `no registry at ${path}: nothing has been applied yet`, {
      hint: 'run `dynafeast apply` first',
    });
  }
  return registry;
}

/**
 * Writes `registry` with a fresh `version_id` and `last_updated` (Feast does the same on every write).
 * The caller should hold the registry lock. Returns what was written.
 */
export async function writeRegistryAtomic(path: string, registry: Registry, nowMicros: bigint): Promise<Registry> {
  const { next, bytes } = stampForWrite(registry, nowMicros);
  // the rename below would replace a device or FIFO named as the registry
  checkRegularOrAbsent(path, REGISTRY_FILE);
  try {
    await writeFileAtomic(path, bytes, { keepMode: true });
    await removeStaleTempFiles(path);
    await removeLitter(`${path}.lock`);
  } catch (e) {
    throw (
      describeFsError(e, { doing: 'write the registry', path, done: `the registry file is unchanged (it is replaced whole or not at all)` }) ??
      new DynafeastError('registry.unreadable', `cannot write the registry ${path}: ${(e as Error).message}`, {
        hint: 'check that the folder exists and is writable',
        cause: e,
      })
    );
  }
  return next;
}

/** `registry` as every write stores it (a local file or an S3 object): a fresh version id and time. */
export function stampForWrite(registry: Registry, nowMicros: bigint): { next: Registry; bytes: Uint8Array } {
  const next = clone(RegistrySchema, registry);
  next.versionId = randomUUID();
  next.lastUpdated = timestampFromMicros(nowMicros);
  if (next.registrySchemaVersion === '') next.registrySchemaVersion = REGISTRY_SCHEMA_VERSION;
  return { next, bytes: toBinary(RegistrySchema, next) };
}

/**
 * A writer killed between creating its temp file and the rename leaves `registry.db.<pid>.<id>.tmp`
 * behind. Under the registry lock no other writer is mid-write, so such files of dead processes are
 * litter: remove them (best effort; a failure here never fails the write). The lock's own litter (a waiter
 * killed while taking it) is cleared by the lock module.
 */
async function removeStaleTempFiles(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  try {
    for (const name of await readdir(dirname(path))) {
      const m = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length)) : null;
      if (!m) continue;
      const pid = Number(m[1]);
      // this process writes under the lock, so its own temp files are litter too
      if (pid !== process.pid && pidExists(pid)) continue;
      await rm(join(dirname(path), name), { force: true });
    }
  } catch {
    // listing or removing failed: the litter stays, the registry is fine
  }
}
