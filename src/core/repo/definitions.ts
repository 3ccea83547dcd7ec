/**
 * What one definitions file says, before cross-file checks: model objects plus the locations needed
 * to report duplicates and unresolved references where they are written.
 */
import type { SourceLocation } from '../errors.js';
import type { DataSource, Entity, Feature, FeatureView } from './model.js';

export interface Ref {
  name: string;
  loc: SourceLocation;
}

export interface EntityDef {
  entity: Entity;
  nameLoc: SourceLocation;
  joinKeyLoc: SourceLocation;
}

export interface SourceDef {
  source: DataSource;
  nameLoc: SourceLocation;
}

export interface FeatureDef {
  feature: Feature;
  nameLoc: SourceLocation;
}

/** A view before its entities are resolved (entity columns need the entities' join keys). */
export interface ViewDef {
  view: Omit<FeatureView, 'entityColumns' | 'features' | 'entities'>;
  nameLoc: SourceLocation;
  entities: Ref[];
  source: Ref;
  features: FeatureDef[];
}

export interface ProjectionDef {
  view: Ref;
  /** undefined = every feature of the view. */
  features: Ref[] | undefined;
}

export interface ServiceDef {
  name: string;
  nameLoc: SourceLocation;
  loc: SourceLocation;
  projections: ProjectionDef[];
  tags: Record<string, string>;
  description: string;
  owner: string;
}

export interface FileDefinitions {
  entities: EntityDef[];
  sources: SourceDef[];
  views: ViewDef[];
  services: ServiceDef[];
}

export function emptyDefinitions(): FileDefinitions {
  return { entities: [], sources: [], views: [], services: [] };
}

/** Object names (entities, sources, views, services): safe in table names and `view:feature` refs. */
export const OBJECT_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
export const OBJECT_NAME_RULE = 'letters, digits, `_` and `-`, starting with a letter';
/** Column names (features, join keys): identifiers; a leading `__` is Feast's (`__dummy_id`). */
export const COLUMN_NAME = /^(?!__)[A-Za-z_][A-Za-z0-9_]*$/;
export const COLUMN_NAME_RULE = 'letters, digits and `_`, not starting with a digit or `__`';
