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
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
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

  const fromRegistry = definitionsFromRegistry(registry, config.project, root);
  const yaml = yamlPartOf(registry, config.project, fromRegistry.repo);
  const repo = yaml.repo;
  const notServed = fromRegistry.notServed;
  const lost = [
    ...yaml.lost,
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
  writeFileSync(target, writeDefinitions(repo, header), { flag: options.force ? 'w' : 'wx' });
  return {
    file: rel.split(path.sep).join('/'),
    entities: repo.entities.filter((e) => e.name !== '__dummy').length,
    sources: repo.sources.length,
    featureViews: repo.featureViews.length,
    featureServices: repo.featureServices.length,
    kept: [...notServed.filter((n) => !LOST_ON_APPLY.includes(n.kind)), ...yaml.kept],
  };
}

/**
 * The part of the registry's model that YAML can carry. A stream feature view is not a YAML object
 * (its stream or push source has no YAML form), and `apply` leaves the registry's stream feature views
 * alone, so the import keeps them in the registry rather than writing them as plain feature views: a
 * plain view of the same name would be a new registry object beside the stream one (`plan` would create
 * it), and Feast 0.67 lists the view's join key among a stream view's features (`StreamFeatureView.to_proto`
 * writes its whole schema), which the YAML loader rejects. A feature service that uses one cannot be
 * written without it (the import then stops and names it).
 */
export function yamlPartOf(registry: Registry, project: string, repo: RepoModel): { repo: RepoModel; kept: NotServed[]; lost: NotServed[] } {
  const stream = new Set(registry.streamFeatureViews.flatMap((v) => (v.spec?.project === project ? [v.spec.name] : [])));
  const kept: NotServed[] = repo.featureViews
    .filter((v) => stream.has(v.name))
    .map((v) => ({
      kind: 'stream feature view',
      name: v.name,
      reason: 'YAML has no stream feature views; `apply` leaves it as it is',
      usedBy: repo.featureServices.filter((s) => s.projections.some((p) => p.featureView === v.name)).map((s) => s.name),
    }));
  const lost: NotServed[] = kept.flatMap((k) =>
    k.usedBy.map((s) => ({ kind: 'feature service' as const, name: s, reason: `it uses stream feature view ${k.name}`, usedBy: [] })),
  );
  const featureViews = repo.featureViews.filter((v) => !stream.has(v.name));
  // a source the registry holds only inside a stream view's spec is not a registry object of its own
  const registered = new Set(registry.dataSources.flatMap((d) => (d.project === project ? [d.name] : [])));
  const used = new Set(featureViews.map((v) => v.source));
  const sources = repo.sources.filter((d) => registered.has(d.name) || used.has(d.name));
  return { repo: { ...repo, featureViews, sources }, kept, lost };
}
