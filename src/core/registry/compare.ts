/**
 * What the plan compares of a stored registry object against the repo's. Some fields are copies Feast
 * fills in its own way and no reader uses, so a registry Feast wrote (or rewrote) from the same
 * definitions would otherwise show as changed:
 * - `project` on a data source embedded in a feature view: Feast never sets it (only on the top-level
 *   `data_sources`); dynafeast up to this version did.
 * - a feature service projection's copy of its view's source (`batch_source`, `stream_source`,
 *   `timestamp_field`, `created_timestamp_column`, `date_partition_column`): Feast 0.67 strips the
 *   source and puts the created column in `timestamp_field`; Feast reads none of them back (the view's
 *   own source is the one used). A change of the source itself shows on the feature view.
 * The ignored fields still follow the repo when the registry is written for another change.
 */
import type { JsonValue } from '@bufbuild/protobuf';

type JsonObject = { [k: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields of a FeatureViewProjection that decide what a feature service serves. */
const PROJECTION_FIELDS = ['featureViewName', 'featureViewNameAlias', 'featureColumns', 'joinKeyMap', 'versionTag'];

function withoutProject(source: JsonValue | undefined): JsonValue | undefined {
  if (!isObject(source)) return source;
  const { project: _ignored, ...rest } = source;
  return rest;
}

/** A FeatureViewSpec (JSON) without the `project` of its embedded sources. */
export function comparableFeatureViewSpec(spec: JsonValue): JsonValue {
  if (!isObject(spec)) return spec;
  const out: JsonObject = { ...spec };
  for (const key of ['batchSource', 'streamSource']) {
    const v = withoutProject(spec[key]);
    if (v === undefined) delete out[key];
    else out[key] = v;
  }
  return out;
}

/** A FeatureServiceSpec (JSON) whose projections keep only the fields that decide what is served. */
export function comparableFeatureServiceSpec(spec: JsonValue): JsonValue {
  if (!isObject(spec) || !Array.isArray(spec['features'])) return spec;
  const features = spec['features'].map((p) =>
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the filter keeps only fields that are defined
    isObject(p) ? Object.fromEntries(PROJECTION_FIELDS.filter((k) => p[k] !== undefined).map((k) => [k, p[k]!])) : p,
  );
  return { ...spec, features };
}

/** `v` without empty objects, recursively: proto3 JSON's reading of an empty message as an absent one. */
function pruneEmpty(v: JsonValue): JsonValue | undefined {
  if (Array.isArray(v)) return v.map((x) => pruneEmpty(x) ?? {});
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    const p = pruneEmpty(x);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * Whether two stored definitions are the same, reading an empty message as absent as the plan does
 * (a Feast FileSource with no format and dynafeast's ParquetFormat, an empty message, are the same).
 */
export function sameDefinition(a: JsonValue, b: JsonValue): boolean {
  return JSON.stringify(pruneEmpty(a)) === JSON.stringify(pruneEmpty(b));
}
