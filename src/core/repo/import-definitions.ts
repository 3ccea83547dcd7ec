/**
 * `dynafeast import`: the definitions a Feast registry holds, written as dynafeast YAML, so a team can
 * move from Python definitions to YAML. The YAML loads back into the same model, so `plan` right after
 * an import finds nothing to change. Nothing that apply would then drop is left out silently: an import
 * that cannot carry every feature view and feature service of the project stops and names them.
 */
import { lstatSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RepoConfig } from '../config/types.js';
import { DynafeastError } from '../errors.js';
import { registryStoreOf } from '../registry/registry-store.js';
import { repoDefinitionFiles } from './load-repo.js';
import { definitionsFromRegistry, type NotServed } from './registry-definitions.js';
import { writeDefinitions } from './write-definitions.js';
import type { RepoModel } from './model.js';

export interface ImportOptions {
  /** Where to write, relative to the repo root (default `features.yaml`). */
  out?: string;
  /** Replace `out` when it exists. */
  force?: boolean;
}

export interface ImportResult {
  file: string;
  entities: number;
  sources: number;
  featureViews: number;
  featureServices: number;
  /** Registry objects YAML cannot hold and `apply` leaves alone (on-demand and label views). */
  kept: NotServed[];
}

/** Objects the YAML cannot carry that plan/apply manage: importing without them would delete them. */
const LOST_ON_APPLY: NotServed['kind'][] = ['feature view', 'stream feature view', 'feature service'];

export async function importDefinitions(config: RepoConfig, options: ImportOptions = {}): Promise<ImportResult> {
  const root = path.resolve(config.repoPath);
  const out = options.out ?? 'features.yaml';
  const target = path.resolve(root, out);
  const rel = path.relative(root, target);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel) || !/\.ya?ml$/.test(target)) {
    throw new DynafeastError('usage.badArgument', `--out ${out}: the definitions file must be a .yaml or .yml file inside the repo ${root}`, {
      path: '--out',
      hint: 'pass a path such as features.yaml',
    });
  }
  const store = registryStoreOf(config);
  const registryPath = store.where;
  const registry = await store.read();
  if (registry === undefined) {
    throw new DynafeastError('registry.notApplied', `no registry at ${registryPath}: there is nothing to import`, {
      hint: 'run `feast apply` (or point `registry:` in feature_store.yaml at the registry) first',
    });
  }
  const existing = lstatSync(target, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) {
    throw new DynafeastError('usage.badArgument', `--out ${out} exists and is not a regular file`, { path: '--out' });
  }
  if (existing && !options.force) {
    throw new DynafeastError('usage.badArgument', `${out} already exists; import never overwrites a file`, {
      path: '--out',
      hint: 'pass --force to replace it, or --out to write another file',
    });
  }
  const others = repoDefinitionFiles(root, config).filter((f) => path.resolve(root, f) !== target);
  if (others.length > 0) {
    throw new DynafeastError(
      'usage.badArgument',
      `the repo already has definition files (${others.join(', ')}); import writes the definitions of a repo that has none`,
      {
        hint: 'move them out of the repo, or edit them by hand',
      },
    );
  }

  const { repo, notServed } = definitionsFromRegistry(registry, config.project, root);
  const lost = [
    ...notServed.filter((n) => LOST_ON_APPLY.includes(n.kind)),
    ...repo.featureViews.flatMap((v): NotServed[] =>
      v.notMaterializable === undefined ? [] : [{ kind: 'feature view', name: v.name, reason: v.notMaterializable, usedBy: [] }],
    ),
  ];
  if (lost.length > 0) {
    throw new DynafeastError(
      'usage.badArgument',
      `cannot import ${lost.map((n) => `${n.kind} ${n.name} (${n.reason})`).join('; ')}: \`dynafeast apply\` from YAML without them would remove them from the registry`,
      { hint: 'keep using registry-driven mode (no definition files: dynafeast reads the registry) until dynafeast supports them' },
    );
  }
  const untyped = repo.entities.filter((e) => e.valueType === undefined && e.name !== '__dummy');
  if (untyped.length > 0) {
    throw new DynafeastError(
      'usage.badArgument',
      `cannot import entit${untyped.length === 1 ? 'y' : 'ies'} ${untyped.map((e) => e.name).join(', ')}: the registry records no value type and no feature view uses ${untyped.length === 1 ? 'it' : 'them'}`,
      { hint: 'give the entity a value_type in Feast (Entity(..., value_type=ValueType.INT64)) and run `feast apply`, then import again' },
    );
  }

  const header = ` Imported from the Feast registry ${/^s3a?:\/\//i.test(registryPath) ? registryPath : path.relative(root, registryPath) || registryPath} (project ${config.project}) by \`dynafeast import\`.`;
  writeFileSync(target, writeDefinitions(withoutJoinKeyFeatures(repo), header), { flag: options.force ? 'w' : 'wx' });
  return {
    file: rel.split(path.sep).join('/'),
    entities: repo.entities.filter((e) => e.name !== '__dummy').length,
    sources: repo.sources.length,
    featureViews: repo.featureViews.length,
    featureServices: repo.featureServices.length,
    kept: notServed.filter((n) => !LOST_ON_APPLY.includes(n.kind)),
  };
}

/**
 * The model as YAML declares it: a view's join keys are its entity columns, never features. Feast 0.67
 * writes a stream feature view's `spec.features` from its whole schema (entity columns and features,
 * `StreamFeatureView.to_proto`), and reads them back as features (`from_proto`), so its own materialize
 * stores the join key as a feature value too; registry-driven mode keeps that for byte parity. The YAML
 * loader rejects a feature named like a join key, and `plan` compares only the YAML's features with the
 * registry, so the import leaves the join key out of the features.
 */
export function withoutJoinKeyFeatures(repo: RepoModel): RepoModel {
  return {
    ...repo,
    featureViews: repo.featureViews.map((v) => {
      const keys = new Set(v.entityColumns.map((c) => c.name));
      return { ...v, features: v.features.filter((f) => !keys.has(f.name)) };
    }),
  };
}
