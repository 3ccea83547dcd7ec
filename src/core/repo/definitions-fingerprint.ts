/**
 * What the definitions were loaded from, as one string that changes when any of it does: the
 * definition files and the registry, each with its size and modification time. A long-running reader
 * (the feature server) reloads only when this changes, so a refresh every few seconds costs a few stats.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { RepoConfig } from '../config/types.js';
import { registryPathOf } from '../registry/registry-file.js';
import { isS3Uri } from '../s3/s3-uri.js';
import { repoDefinitionFiles } from './load-repo.js';

function stamp(file: string): string {
  try {
    const st = statSync(file);
    return `${file}:${st.size}:${st.mtimeMs}`;
  } catch {
    return `${file}:absent`;
  }
}

export function definitionsFingerprint(config: RepoConfig): string {
  // A repo read from its registry switches to YAML when definition files appear, so they are listed either way.
  const root = path.resolve(config.repoPath);
  // The files are named relative to the repo root: stamped there, not in the working folder.
  const files = repoDefinitionFiles(root, config).map((f) => path.resolve(root, f));
  // An s3:// registry has no cheap stamp (it would take a request): it counts as changed at every refresh,
  // so the server re-reads it once per registry_ttl_sec, as Feast's registry cache does.
  const registry = isS3Uri(config.registry) ? `${config.registry}:${process.hrtime.bigint()}` : stamp(registryPathOf(config));
  return [...files.map(stamp), registry].join('\n');
}
