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
          .flatMap((e) => (e.spec?.project === project && e.spec.name !== DUMMY_ENTITY_NAME ? [e.spec] : []))
          .map((s) => ({ NAME: s.name, DESCRIPTION: s.description, TYPE: `ValueType.${ValueType_Enum[s.valueType] ?? s.valueType}`, name: s.name }))
          .sort(byName)
          .map(({ name: _n, ...row }) => row),
      };
    case 'feature-views':
      return {
        columns: ['NAME', 'ENTITIES', 'TYPE'],
        rows: registry.featureViews
          .flatMap((v) => (v.spec?.project === project ? [v.spec] : []))
          .map((s) => ({ name: s.name, NAME: s.name, ENTITIES: `{${s.entities.map((e) => `'${e}'`).join(', ')}}`, TYPE: 'FeatureView' }))
          .sort(byName)
          .map(({ name: _n, ...row }) => row),
      };
    case 'feature-services':
      return {
        columns: ['NAME', 'FEATURES'],
        rows: registry.featureServices
          .flatMap((s) => (s.spec?.project === project ? [s.spec] : []))
          .map((s) => ({
            name: s.name,
            NAME: s.name,
            FEATURES: s.features.flatMap((p) => p.featureColumns.map((f) => `${p.featureViewNameAlias || p.featureViewName}:${f.name}`)).join(', '),
          }))
          .sort(byName)
          .map(({ name: _n, ...row }) => row),
      };
  }
}
