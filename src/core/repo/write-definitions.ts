/**
 * A RepoModel as dynafeast definition YAML (`dynafeast import`): the inverse of the YAML loader, so
 * loading the text gives the same model back and `plan` right after an import has nothing to do.
 */
import { Document, isMap, isSeq, type Node, type YAMLMap } from 'yaml';
import { formatDuration } from '../util/duration.js';
import { DUMMY_ENTITY_NAME, formatDtype, isEntityless, type RepoModel } from './model.js';
import { inferFormat } from './source-format.js';

/** description / tags / owner, written only when set (the loader defaults them to empty). */
function meta(o: { description: string; tags: Record<string, string>; owner: string }): Record<string, unknown> {
  return {
    ...(o.description ? { description: o.description } : {}),
    ...(Object.keys(o.tags).length > 0 ? { tags: { ...o.tags } } : {}),
    ...(o.owner ? { owner: o.owner } : {}),
  };
}

/** Short lists and maps on one line, like the hand-written definitions in templates/. */
function flowSmall(node: Node | null | undefined, depth = 0): void {
  if (isSeq(node)) {
    const scalars = node.items.every((i) => !isMap(i) && !isSeq(i));
    if (scalars) node.flow = true;
    for (const i of node.items) flowSmall(i as Node, depth + 1);
  } else if (isMap(node)) {
    const m = node as YAMLMap;
    const simple = m.items.every((p) => !isMap(p.value) && !isSeq(p.value));
    if (simple && depth >= 3) m.flow = true;
    for (const p of m.items) flowSmall(p.value as Node, depth + 1);
  }
}

export function writeDefinitions(repo: RepoModel, header: string): string {
  const entities = repo.entities
    .filter((e) => e.name !== DUMMY_ENTITY_NAME)
    .map((e) => ({ name: e.name, join_keys: [...e.joinKeys], value_type: e.valueType, ...meta(e) }));
  const sources = repo.sources.map((s) =>
    s.type === 'dynamodb'
      ? {
          name: s.name,
          type: s.type,
          table: s.table,
          ...(s.region !== undefined ? { region: s.region } : {}),
          ...(s.endpointUrl !== undefined ? { endpoint_url: s.endpointUrl } : {}),
          timestamp_field: s.timestampField,
          timestamp_format: s.timestampFormat,
          ...(s.createdTimestampColumn ? { created_timestamp_column: s.createdTimestampColumn } : {}),
          ...(s.createdTimestampFormat !== undefined ? { created_timestamp_format: s.createdTimestampFormat } : {}),
          ...(Object.keys(s.fieldMapping).length > 0 ? { field_mapping: { ...s.fieldMapping } } : {}),
          ...(s.segments !== undefined ? { segments: s.segments } : {}),
          ...(s.maxReadUnitsPerSecond !== undefined ? { max_read_units_per_second: s.maxReadUnitsPerSecond } : {}),
          ...(s.consistentRead ? { consistent_read: true } : {}),
          ...meta(s),
        }
      : {
          name: s.name,
          type: s.type,
          path: s.path,
          ...(s.formatDeclared || inferFormat(s.path) !== s.format ? { format: s.format } : {}),
          timestamp_field: s.timestampField,
          ...(s.createdTimestampColumn ? { created_timestamp_column: s.createdTimestampColumn } : {}),
          ...(Object.keys(s.fieldMapping).length > 0 ? { field_mapping: { ...s.fieldMapping } } : {}),
          ...meta(s),
        },
  );
  const views = repo.featureViews.map((v) => ({
    name: v.name,
    entities: isEntityless(v) ? [] : [...v.entities],
    ttl: v.ttlMicros === 0n ? 0 : formatDuration(v.ttlMicros),
    source: v.source,
    online: v.online,
    schema: v.features.map((f) => ({
      name: f.name,
      dtype: formatDtype(f.dtype),
      ...(f.description ? { description: f.description } : {}),
      ...(Object.keys(f.tags).length > 0 ? { tags: { ...f.tags } } : {}),
    })),
    ...meta(v),
  }));
  const services = repo.featureServices.map((s) => ({
    name: s.name,
    features: s.projections.map((p) => ({ [p.featureView]: [...p.features] })),
    ...meta(s),
  }));
  const doc = new Document({
    ...(entities.length > 0 ? { entities } : {}),
    ...(sources.length > 0 ? { sources } : {}),
    ...(views.length > 0 ? { feature_views: views } : {}),
    ...(services.length > 0 ? { feature_services: services } : {}),
  });
  flowSmall(doc.contents as Node);
  doc.commentBefore = header;
  const text = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  // a blank line before each top-level list, as in hand-written files
  return text.replace(/\n(?=(entities|sources|feature_views|feature_services):)/g, '\n\n').replace(/^(#[^\n]*\n)\n+/, '$1\n');
}
