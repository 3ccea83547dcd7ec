/**
 * `list entities|feature-views|feature-services`: what the registry holds for the project, in the
 * shape of Feast's `feast entities list` etc. (NAME/DESCRIPTION/TYPE, NAME/ENTITIES/TYPE, NAME/FEATURES).
 */
import type { Registry } from '../gen/feast/core/Registry_pb.js';
import { ValueType_Enum } from '../gen/feast/types/Value_pb.js';
import { DUMMY_ENTITY_NAME } from './repo/model.js';

export type ListKind = 'entities' | 'feature-views' | 'feature-services';

export interface ListTable {
  /** Column headers, upper case as Feast prints them. */
  columns: string[];
  rows: Record<string, string>[];
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Rows of `kind` for `project`; Feast's hidden `__dummy` entity is left out, as Feast does. */
export function listRegistry(registry: Registry, project: string, kind: ListKind): ListTable {
  switch (kind) {
    case 'entities':
      return {
        columns: ['NAME', 'DESCRIPTION', 'TYPE'],
        rows: registry.entities
          .filter((e) => e.spec?.project === project && e.spec.name !== DUMMY_ENTITY_NAME)
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the filter above only lets entities with a spec through
          .map((e) => ({ NAME: e.spec!.name, DESCRIPTION: e.spec!.description, TYPE: `ValueType.${ValueType_Enum[e.spec!.valueType] ?? e.spec!.valueType}`, name: e.spec!.name }))
          .sort(byName)
          .map(({ name: _n, ...row }) => row),
      };
    case 'feature-views':
      return {
        columns: ['NAME', 'ENTITIES', 'TYPE'],
        rows: registry.featureViews
          .filter((v) => v.spec?.project === project)
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the filter above only lets views with a spec through
          .map((v) => ({ name: v.spec!.name, NAME: v.spec!.name, ENTITIES: `{${v.spec!.entities.map((e) => `'${e}'`).join(', ')}}`, TYPE: 'FeatureView' }))
          .sort(byName)
          .map(({ name: _n, ...row }) => row),
      };
    case 'feature-services':
      return {
        columns: ['NAME', 'FEATURES'],
        rows: registry.featureServices
          .filter((s) => s.spec?.project === project)
          .map((s) => ({
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the filter above only lets services with a spec through
            name: s.spec!.name,
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the filter above only lets services with a spec through
            NAME: s.spec!.name,
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the filter above only lets services with a spec through
            FEATURES: s.spec!.features.flatMap((p) => p.featureColumns.map((f) => `${p.featureViewNameAlias || p.featureViewName}:${f.name}`)).join(', '),
          }))
          .sort(byName)
          .map(({ name: _n, ...row }) => row),
      };
  }
}
