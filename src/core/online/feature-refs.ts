/**
 * Which features a read asks for: `view:feature` references or a feature service, resolved against the
 * repo model into views and features, with Feast's name-collision rule.
 */
import { DynafeastError } from '../errors.js';
import type { Feature, FeatureView, RepoModel } from '../repo/model.js';
import { didYouMean } from '../util/suggest.js';

export interface ResolvedFeature {
  view: FeatureView;
  feature: Feature;
  /** Output column: `feature`, or `view__feature` with full feature names. */
  column: string;
}

export interface FeatureSelection {
  features?: readonly string[];
  featureService?: string;
  fullFeatureNames?: boolean;
}

const REF_HINT = 'write features as `view:feature`, e.g. `driver_hourly_stats:conv_rate`';

function badRef(message: string, path: string, hint = REF_HINT): DynafeastError {
  return new DynafeastError('usage.badArgument', message, { path, hint });
}

/** The feature refs of a request, in order: the given list, or the service's projections. */
function refsOf(repo: RepoModel, sel: FeatureSelection): { refs: string[]; origin: string } {
  const hasList = sel.features !== undefined;
  const hasService = sel.featureService !== undefined;
  if (hasList === hasService) {
    throw new DynafeastError('usage.badArgument', hasList ? 'both feature references and a feature service were given' : 'no features were asked for', {
      hint: 'give either `view:feature` references (-f) or one feature service (--feature-service), not both',
    });
  }
  if (hasService) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- hasService means featureService is set
    const name = sel.featureService!;
    const service = repo.featureServices.find((s) => s.name === name);
    if (service === undefined) {
      const names = repo.featureServices.map((s) => s.name);
      throw new DynafeastError('repo.unknownFeatureService', `feature service \`${name}\` is not defined in the repo.${didYouMean(name, names)}`, {
        path: 'featureService',
        hint: names.length === 0 ? 'the repo defines no feature services; use `view:feature` references' : `defined: ${names.join(', ')}`,
      });
    }
    return {
      refs: service.projections.flatMap((p) => p.features.map((f) => `${p.featureView}:${f}`)),
      origin: `feature service \`${name}\``,
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- neither a service nor an empty selection reaches here: hasList is true
  if (sel.features!.length === 0) {
    throw badRef('the feature list is empty', 'features');
  }
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- neither a service nor an empty selection reaches here: hasList is true
  return { refs: [...sel.features!], origin: 'features' };
}

function resolveRef(repo: RepoModel, ref: string, path: string): { view: FeatureView; feature: Feature } {
  const colon = ref.indexOf(':');
  if (colon < 0) {
    const owners = repo.featureViews.filter((v) => v.features.some((f) => f.name === ref)).map((v) => `${v.name}:${ref}`);
    throw badRef(
      `feature reference \`${ref}\` has no view name`,
      path,
      owners.length > 0 ? `did you mean ${owners.map((o) => `\`${o}\``).join(' or ')}?` : REF_HINT,
    );
  }
  const viewName = ref.slice(0, colon);
  const featureName = ref.slice(colon + 1);
  if (viewName === '' || featureName === '' || featureName.includes(':')) {
    throw badRef(`feature reference \`${ref}\` is not of the form view:feature`, path);
  }
  const view = repo.featureViews.find((v) => v.name === viewName);
  if (view === undefined) {
    const names = repo.featureViews.map((v) => v.name);
    throw new DynafeastError('repo.unknownFeatureView', `feature reference \`${ref}\`: no feature view \`${viewName}\`.${didYouMean(viewName, names)}`, {
      path,
      hint: `feature views: ${names.join(', ')}`,
    });
  }
  const feature = view.features.find((f) => f.name === featureName);
  if (feature === undefined) {
    const names = view.features.map((f) => f.name);
    throw new DynafeastError(
      'repo.unknownFeature',
      `feature reference \`${ref}\`: feature view \`${viewName}\` has no feature \`${featureName}\`.${didYouMean(featureName, names)}`,
      { path, hint: `features of ${viewName}: ${names.join(', ')}` },
    );
  }
  if (!view.online) {
    throw new DynafeastError('usage.badArgument', `feature view \`${viewName}\` is not online (online: false), so it has no table to read`, {
      path,
      hint: `set \`online: true\` on ${viewName}, run \`dynafeast apply\` and materialize it`,
    });
  }
  return { view, feature };
}

/**
 * Resolves the requested features in order. Like Feast, two columns may not get the same name: the
 * same reference twice, or one feature name in two views without full feature names.
 */
export function resolveFeatures(repo: RepoModel, sel: FeatureSelection): ResolvedFeature[] {
  const { refs, origin } = refsOf(repo, sel);
  const full = sel.fullFeatureNames ?? false;
  const seen = new Map<string, string>();
  const out: ResolvedFeature[] = [];
  refs.forEach((ref, i) => {
    const path = origin === 'features' ? `features[${i}]` : 'featureService';
    const { view, feature } = resolveRef(repo, ref, path);
    const column = full ? `${view.name}__${feature.name}` : feature.name;
    const earlier = seen.get(column);
    if (earlier !== undefined) {
      throw new DynafeastError('usage.badArgument', `${origin}: \`${ref}\` and \`${earlier}\` would both be returned as column \`${column}\``, {
        path,
        hint: earlier === ref ? 'ask for each feature once' : 'pass --full-feature-names (fullFeatureNames: true) to name columns view__feature',
      });
    }
    seen.set(column, ref);
    out.push({ view, feature, column });
  });
  return out;
}
