/**
 * `list entities|feature-views|feature-services`: what the registry holds for the project, in the
 * shape of Feast's `feast entities list` etc. (NAME/DESCRIPTION/TYPE, NAME/ENTITIES/TYPE, NAME/FEATURES).
 */
import type { OnDemandFeatureViewSpec } from '../gen/feast/core/OnDemandFeatureView_pb.js';
import type { Registry } from '../gen/feast/core/Registry_pb.js';
import { ValueType_Enum } from '../gen/feast/types/Value_pb.js';
import { DUMMY_ENTITY_NAME } from './repo/model.js';

export type ListKind = 'entities' | 'feature-views' | 'feature-services';

export interface ListTable {
  /** Column headers, upper case as Feast prints them. */
  columns: string[];
  rows: Record<string, string>[];
  /** The same rows for `--json`: lower-case keys, lists as JSON arrays. */
  json: Record<string, unknown>[];
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

interface Row {
  name: string;
  cells: Record<string, string>;
  json: Record<string, unknown>;
}

function table(columns: string[], rows: Row[]): ListTable {
  const sorted = rows.sort(byName);
  return { columns, rows: sorted.map((r) => r.cells), json: sorted.map((r) => r.json) };
}

/** Python's repr of a set of names, as `feast feature-views list` prints entities. */
const pySet = (names: string[]) => (names.length === 0 ? 'set()' : `{${names.map((e) => `'${e}'`).join(', ')}}`);

/** An on-demand view's entities, as Feast derives them: those of the feature views it reads. */
function odfvEntities(registry: Registry, spec: OnDemandFeatureViewSpec): string[] {
  const entitiesOf = (view: string) =>
    [...registry.featureViews, ...registry.streamFeatureViews].find((v) => v.spec?.project === spec.project && v.spec.name === view)?.spec?.entities ?? [];
  const out = new Set<string>();
  for (const source of Object.values(spec.sources)) {
    const s = source.source;
    const names = s.case === 'featureView' ? (s.value.spec?.entities ?? []) : s.case === 'featureViewProjection' ? entitiesOf(s.value.featureViewName) : [];
    for (const n of names) out.add(n);
  }
  return [...out];
}

/**
 * Rows of `kind` for `project`; Feast's hidden `__dummy` entity is left out, as Feast does. Feature
 * views include stream and on-demand views, typed as Feast types them.
 */
export function listRegistry(registry: Registry, project: string, kind: ListKind): ListTable {
  switch (kind) {
    case 'entities':
      return table(
        ['NAME', 'DESCRIPTION', 'TYPE'],
        registry.entities.flatMap((e) => {
          const spec = e.spec;
          if (spec?.project !== project || spec.name === DUMMY_ENTITY_NAME) return [];
          // Python's ValueType calls 0 UNKNOWN where the protobuf enum says INVALID.
          const type = `ValueType.${spec.valueType === ValueType_Enum.INVALID ? 'UNKNOWN' : (ValueType_Enum[spec.valueType] ?? spec.valueType)}`;
          return [
            {
              name: spec.name,
              cells: { NAME: spec.name, DESCRIPTION: spec.description, TYPE: type },
              json: { name: spec.name, description: spec.description, type },
            },
          ];
        }),
      );
    case 'feature-views': {
      const row = (name: string, entities: string[], type: string): Row => {
        const real = entities.filter((e) => e !== DUMMY_ENTITY_NAME);
        return { name, cells: { NAME: name, ENTITIES: pySet(real), TYPE: type }, json: { name, entities: real, type } };
      };
      return table(
        ['NAME', 'ENTITIES', 'TYPE'],
        [
          ...registry.featureViews.flatMap((v) => (v.spec?.project === project ? [row(v.spec.name, v.spec.entities, 'FeatureView')] : [])),
          ...registry.streamFeatureViews.flatMap((v) => (v.spec?.project === project ? [row(v.spec.name, v.spec.entities, 'StreamFeatureView')] : [])),
          ...registry.onDemandFeatureViews.flatMap((v) =>
            v.spec?.project === project ? [row(v.spec.name, odfvEntities(registry, v.spec), 'OnDemandFeatureView')] : [],
          ),
        ],
      );
    }
    case 'feature-services':
      return table(
        ['NAME', 'FEATURES'],
        registry.featureServices.flatMap((s) => {
          const spec = s.spec;
          if (spec?.project !== project) return [];
          const features = spec.features.flatMap((p) => p.featureColumns.map((f) => `${p.featureViewNameAlias || p.featureViewName}:${f.name}`));
          return [{ name: spec.name, cells: { NAME: spec.name, FEATURES: features.join(', ') }, json: { name: spec.name, features } }];
        }),
      );
  }
}
