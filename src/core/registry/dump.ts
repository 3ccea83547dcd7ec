/**
 * `registry-dump`: the registry as proto3 JSON with Feast's JSON names (lowerCamelCase, as Python's
 * MessageToJson prints it). Fields dynafeast's schema subset does not declare are not shown.
 */
import { toJson, type JsonValue } from '@bufbuild/protobuf';
import { RegistrySchema, type Registry } from '../../gen/feast/core/Registry_pb.js';

/** The whole registry, or only `project`'s objects when given (Feast's readers filter the same way). */
export function registryToJson(registry: Registry, project?: string): JsonValue {
  if (project === undefined) return toJson(RegistrySchema, registry);
  const r: Registry = {
    ...registry,
    entities: registry.entities.filter((o) => o.spec?.project === project),
    dataSources: registry.dataSources.filter((o) => o.project === project),
    featureViews: registry.featureViews.filter((o) => o.spec?.project === project),
    featureServices: registry.featureServices.filter((o) => o.spec?.project === project),
    projects: registry.projects.filter((o) => o.spec?.name === project),
    projectMetadata: registry.projectMetadata.filter((o) => o.project === project),
  };
  return toJson(RegistrySchema, r);
}
