/**
 * Registry diff and merge in one pass: given what registry.db holds and what the repo defines, the
 * changes (for the plan) and the registry to write (for apply). Objects of other projects, and fields
 * and lists dynafeast does not model, are carried over untouched.
 */
import { randomUUID } from 'node:crypto';
import { clone, create, toJson, type DescMessage, type JsonValue, type Message } from '@bufbuild/protobuf';
import { RegistrySchema, ProjectMetadataSchema, type Registry } from '../../gen/feast/core/Registry_pb.js';
import { ProjectMetaSchema, ProjectSchema, ProjectSpecSchema } from '../../gen/feast/core/Project_pb.js';
import { EntityMetaSchema, EntitySchema, EntitySpecV2Schema, type Entity } from '../../gen/feast/core/Entity_pb.js';
import { DataSourceSchema, DataSource_SourceType, type DataSource } from '../../gen/feast/core/DataSource_pb.js';
import { FeatureViewMetaSchema, FeatureViewSchema, FeatureViewSpecSchema, type FeatureView } from '../../gen/feast/core/FeatureView_pb.js';
import { FeatureServiceMetaSchema, FeatureServiceSchema, FeatureServiceSpecSchema, type FeatureService } from '../../gen/feast/core/FeatureService_pb.js';
import type { DesiredRegistryObjects } from './build.js';
import { emptyRegistry } from './registry-file.js';
import { overlayKnownFields } from './overlay.js';
import { comparableFeatureServiceSpec, comparableFeatureViewSpec, sameDefinition } from './compare.js';
import { diffProperties, type PropertyChange } from './property-diff.js';
import { timestampFromMicros } from './time.js';

export type RegistryObjectType = 'project' | 'entity' | 'data_source' | 'feature_view' | 'feature_service';

export interface RegistryChange {
  objectType: RegistryObjectType;
  name: string;
  action: 'create' | 'update' | 'delete';
  /** Property differences of an update (empty for create/delete). */
  changes: PropertyChange[];
  /** A consequence worth telling the user, e.g. a reset materialization history. */
  note?: string;
}

export interface Reconciled {
  registry: Registry;
  changes: RegistryChange[];
}

type Meta = { createdTimestamp?: unknown; lastUpdatedTimestamp?: unknown };

/** How one kind of registry object is found, named, compared and stamped. */
interface Kind<T extends Message> {
  type: Exclude<RegistryObjectType, 'project'>;
  desc: DescMessage;
  list(r: Registry): T[];
  setList(r: Registry, items: T[]): void;
  name(o: T): string;
  project(o: T): string;
  /** The definition as stored: the spec, or the whole object when it has no spec/meta split. */
  definition(o: T): JsonValue;
  /** The part of the definition the plan compares (compare.ts: fields that do not matter left out). */
  comparable(o: T): JsonValue;
  /** A copy of `stored` carrying `want`'s definition (and `stored`'s meta and unknown fields). */
  overlay(stored: T, want: T): T;
  /** Stamps timestamps: `previous` is the stored object on update. Returns a note when worth one. */
  stamp(o: T, now: bigint, previous: T | undefined): string | undefined;
  /**
   * A stored object dynafeast YAML cannot define (like a stream or on-demand feature view, which live in
   * other registry lists): `apply` leaves it as it is rather than deleting what the repo cannot name.
   */
  unmanaged?(o: T): boolean;
}

function stampMeta(o: { meta?: Meta }, metaDesc: DescMessage, now: bigint, previous: { meta?: Meta } | undefined): void {
  const meta = (o.meta ?? create(metaDesc)) as Meta;
  meta.createdTimestamp = previous?.meta?.createdTimestamp ?? timestampFromMicros(now);
  meta.lastUpdatedTimestamp = timestampFromMicros(now);
  o.meta = meta;
}

const specJson = (desc: DescMessage, spec: Message | undefined) => toJson(desc, spec ?? create(desc));

function overlaySpec<T extends Message & { spec?: Message }>(desc: DescMessage, specDesc: DescMessage, stored: T, want: T): T {
  const next = clone(desc, stored) as T;
  const wantSpec = clone(specDesc, want.spec ?? create(specDesc));
  next.spec = next.spec ? overlayKnownFields(specDesc, next.spec, wantSpec) : wantSpec;
  return next;
}

/** The parts of a view's spec that decide what its table rows hold. */
function rowLayout(spec: JsonValue): string {
  const o = spec as Record<string, JsonValue>;
  return JSON.stringify([o['entityColumns'] ?? [], o['features'] ?? []]);
}

const KINDS = [
  {
    type: 'entity',
    desc: EntitySchema,
    list: (r) => r.entities,
    setList: (r, v) => void (r.entities = v),
    name: (o) => o.spec?.name ?? '',
    project: (o) => o.spec?.project ?? '',
    definition: (o) => specJson(EntitySpecV2Schema, o.spec),
    comparable: (o) => specJson(EntitySpecV2Schema, o.spec),
    overlay: (stored, want) => overlaySpec(EntitySchema, EntitySpecV2Schema, stored, want),
    stamp: (o, now, prev) => void stampMeta(o, EntityMetaSchema, now, prev),
  } satisfies Kind<Entity>,
  {
    type: 'data_source',
    desc: DataSourceSchema,
    list: (r) => r.dataSources,
    setList: (r, v) => void (r.dataSources = v),
    name: (o) => o.name,
    project: (o) => o.project,
    definition: (o) => toJson(DataSourceSchema, o),
    comparable: (o) => toJson(DataSourceSchema, o),
    overlay: (stored, want) => overlayKnownFields(DataSourceSchema, clone(DataSourceSchema, stored), clone(DataSourceSchema, want)),
    stamp: () => undefined,
    // YAML sources are file sources; a push, request or stream source is Feast's, and the stream and
    // on-demand views `apply` leaves alone use it (`feast push` looks the push source up by name)
    unmanaged: (o) => o.type !== DataSource_SourceType.BATCH_FILE,
  } satisfies Kind<DataSource>,
  {
    type: 'feature_view',
    desc: FeatureViewSchema,
    list: (r) => r.featureViews,
    setList: (r, v) => void (r.featureViews = v),
    name: (o) => o.spec?.name ?? '',
    project: (o) => o.spec?.project ?? '',
    definition: (o) => specJson(FeatureViewSpecSchema, o.spec),
    comparable: (o) => comparableFeatureViewSpec(specJson(FeatureViewSpecSchema, o.spec)),
    overlay: (stored, want) => overlaySpec(FeatureViewSchema, FeatureViewSpecSchema, stored, want),
    stamp: (o, now, prev) => {
      stampMeta(o, FeatureViewMetaSchema, now, prev);
      const intervals = prev?.meta?.materializationIntervals ?? [];
      if (!prev || intervals.length === 0) return undefined;
      // NOTE: rows already in the table were written for the old key or feature set; keeping the history
      // would make materialize-incremental skip the backfill the new definition needs.
      if (rowLayout(specJson(FeatureViewSpecSchema, prev.spec)) !== rowLayout(specJson(FeatureViewSpecSchema, o.spec))) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- stampMeta just set meta
        o.meta!.materializationIntervals = [];
        return `features or entity columns changed: materialization history cleared (${intervals.length} interval(s)); run materialize to backfill`;
      }
      return undefined;
    },
  } satisfies Kind<FeatureView>,
  {
    type: 'feature_service',
    desc: FeatureServiceSchema,
    list: (r) => r.featureServices,
    setList: (r, v) => void (r.featureServices = v),
    name: (o) => o.spec?.name ?? '',
    project: (o) => o.spec?.project ?? '',
    definition: (o) => specJson(FeatureServiceSpecSchema, o.spec),
    comparable: (o) => comparableFeatureServiceSpec(specJson(FeatureServiceSpecSchema, o.spec)),
    overlay: (stored, want) => overlaySpec(FeatureServiceSchema, FeatureServiceSpecSchema, stored, want),
    stamp: (o, now, prev) => void stampMeta(o, FeatureServiceMetaSchema, now, prev),
  } satisfies Kind<FeatureService>,
] as const;

function reconcileKind<T extends Message>(
  kind: Kind<T>,
  registry: Registry,
  project: string,
  desired: T[],
  now: bigint,
  keepUnmanaged = false,
): RegistryChange[] {
  const changes: RegistryChange[] = [];
  const wanted = new Map(desired.map((o) => [kind.name(o), o]));
  const seen = new Set<string>();
  const next: T[] = [];
  for (const stored of kind.list(registry)) {
    const name = kind.name(stored);
    if (kind.project(stored) !== project) {
      next.push(stored);
      continue;
    }
    const want = wanted.get(name);
    if (!want && keepUnmanaged && kind.unmanaged?.(stored)) {
      next.push(stored);
      continue;
    }
    if (!want || seen.has(name)) {
      if (!want) changes.push({ objectType: kind.type, name, action: 'delete', changes: [] });
      continue; // a duplicate entry of the same name is dropped: Feast keeps one object per name
    }
    seen.add(name);
    const diff = diffProperties(kind.comparable(stored), kind.comparable(want));
    if (diff.length === 0) {
      // Fields the plan ignores still follow the repo, silently: they reach registry.db only when
      // something else changed (apply writes nothing for an empty plan).
      next.push(sameDefinition(kind.definition(stored), kind.definition(want)) ? stored : kind.overlay(stored, want));
      continue;
    }
    const updated = kind.overlay(stored, want);
    const note = kind.stamp(updated, now, stored);
    changes.push({ objectType: kind.type, name, action: 'update', changes: diff, ...(note ? { note } : {}) });
    next.push(updated);
  }
  for (const [name, want] of wanted) {
    if (seen.has(name)) continue;
    const created = clone(kind.desc, want) as T;
    kind.stamp(created, now, undefined);
    changes.push({ objectType: kind.type, name, action: 'create', changes: [] });
    next.push(created);
  }
  kind.setList(registry, next);
  return changes;
}

function reconcileProject(registry: Registry, project: string, now: bigint): RegistryChange[] {
  const hasProject = registry.projects.some((p) => p.spec?.name === project);
  const hasMetadata = registry.projectMetadata.some((m) => m.project === project);
  if (!hasProject) {
    registry.projects.push(
      create(ProjectSchema, {
        spec: create(ProjectSpecSchema, { name: project }),
        meta: create(ProjectMetaSchema, { createdTimestamp: timestampFromMicros(now), lastUpdatedTimestamp: timestampFromMicros(now) }),
      }),
    );
  }
  // NOTE: project_metadata is deprecated and Feast 0.67 no longer writes it, but older Feast readers
  // look a project up there. It is added whenever the registry is written, and its absence alone is
  // not a change: a registry Feast 0.67 wrote from the same definitions plans as a no-op.
  if (!hasMetadata) registry.projectMetadata.push(create(ProjectMetadataSchema, { project, projectUuid: randomUUID() }));
  if (hasProject) return [];
  if (!hasMetadata) return [{ objectType: 'project', name: project, action: 'create', changes: [] }];
  return [{ objectType: 'project', name: project, action: 'update', changes: [{ path: 'projects', after: project }] }];
}

/** Brings `project`'s objects in `existing` to `desired`. `existing` is not modified. */
export function reconcileRegistry(existing: Registry | undefined, project: string, desired: DesiredRegistryObjects, nowMicros: bigint): Reconciled {
  const registry = existing ? clone(RegistrySchema, existing) : emptyRegistry();
  const changes = [
    ...reconcileProject(registry, project, nowMicros),
    ...reconcileKind(KINDS[0], registry, project, desired.entities, nowMicros),
    ...reconcileKind(KINDS[1], registry, project, desired.dataSources, nowMicros, true),
    ...reconcileKind(KINDS[2], registry, project, desired.featureViews, nowMicros),
    ...reconcileKind(KINDS[3], registry, project, desired.featureServices, nowMicros),
  ];
  if (changes.length > 0) {
    const meta = registry.projects.find((p) => p.spec?.name === project)?.meta;
    if (meta) meta.lastUpdatedTimestamp = timestampFromMicros(nowMicros);
  }
  return { registry, changes };
}

/** Removes every object of `project` (teardown). */
export function removeProjectFromRegistry(existing: Registry, project: string): Reconciled {
  const registry = clone(RegistrySchema, existing);
  const changes: RegistryChange[] = [];
  for (const kind of KINDS) changes.push(...reconcileKind(kind as Kind<Message>, registry, project, [], 0n));
  const hadProject = registry.projects.some((p) => p.spec?.name === project) || registry.projectMetadata.some((m) => m.project === project);
  registry.projects = registry.projects.filter((p) => p.spec?.name !== project);
  registry.projectMetadata = registry.projectMetadata.filter((m) => m.project !== project);
  if (hadProject) changes.unshift({ objectType: 'project', name: project, action: 'delete', changes: [] });
  return { registry, changes };
}
