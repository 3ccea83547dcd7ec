/**
 * Where a repo's definitions come from (architecture.md §2.2): dynafeast's YAML files, or — in a Feast
 * repo whose definitions are Python — the registry `feast apply` wrote. Both give the same RepoModel,
 * so no command needs to know which it got.
 */
import path from 'node:path';
import type { RepoConfig } from '../config/types.js';
import { registryStoreOf } from '../registry/registry-store.js';
import { loadRepo, repoDefinitionFiles } from './load-repo.js';
import type { RepoModel } from './model.js';
import { compareWithRegistry, type DefinitionMismatch } from './compare-registry.js';
import { definitionsFromRegistry, type NotServed } from './registry-definitions.js';

export type DefinitionOrigin =
  /** `mismatches`: where the YAML disagrees with the registry on what decides stored bytes. */
  { kind: 'yaml'; files: string[]; mismatches: DefinitionMismatch[] } | { kind: 'registry'; registryPath: string; notServed: NotServed[] };

export interface LoadedDefinitions {
  repo: RepoModel;
  origin: DefinitionOrigin;
}

/**
 * The repo's definitions: its YAML definition files when it has any; otherwise the objects of
 * `config.project` in the registry, when the registry exists. With neither, the YAML loader's
 * "no definition files" error.
 */
export async function loadDefinitions(config: RepoConfig): Promise<LoadedDefinitions> {
  const root = path.resolve(config.repoPath);
  const files = repoDefinitionFiles(root, config);
  const store = registryStoreOf(config);
  const registryPath = store.where;
  if (files.length === 0) {
    const registry = await store.read();
    if (registry !== undefined) {
      const { repo, notServed } = definitionsFromRegistry(registry, config.project, root);
      return { repo, origin: { kind: 'registry', registryPath, notServed } };
    }
  }
  const repo = loadRepo(root, config, files);
  const registry = await store.read();
  const mismatches = registry === undefined ? [] : compareWithRegistry(repo, definitionsFromRegistry(registry, config.project, root).repo);
  return { repo, origin: { kind: 'yaml', files, mismatches } };
}

/** The one message that says where definitions came from and what is not served, or undefined. */
export function describeOrigin(origin: DefinitionOrigin, repoRoot: string): string | undefined {
  if (origin.kind === 'yaml') {
    if (origin.mismatches.length === 0) return undefined;
    return [
      "The definitions differ from the registry in what decides the stored bytes (data written under the registry's definitions would not be found or would be misread):",
      ...origin.mismatches.map((m) => `  ${m.object}: ${m.field}: YAML ${m.yaml}, registry ${m.registry}`),
      '  `dynafeast apply` makes the registry follow the YAML; re-materialize the views affected.',
    ].join('\n');
  }
  const where = /^s3a?:\/\//i.test(origin.registryPath) ? origin.registryPath : path.relative(repoRoot, origin.registryPath) || origin.registryPath;
  const lines = [`Definitions come from the Feast registry ${where} (this repo has no dynafeast definition files; Python files are not run).`];
  if (origin.notServed.length > 0) {
    lines.push('Not served by dynafeast:');
    for (const n of origin.notServed) {
      const used = n.usedBy.length > 0 ? ` (used by ${n.usedBy.join(', ')})` : '';
      lines.push(`  ${n.kind} ${n.name}: ${n.reason}${used}`);
    }
  }
  return lines.join('\n');
}
