/**
 * The pure diff (CONTRIBUTING.md convention 3): desired state × actual state → plan steps and notes. No I/O here, so
 * every decision about what apply will do is unit-tested from plain objects.
 */
import type { Registry } from '../../gen/feast/core/Registry_pb.js';
import { reconcileRegistry } from '../registry/reconcile.js';
import type { DesiredState, DesiredTable } from './desired.js';
import type { ActualTable, EndpointSupport } from './introspect.js';
import { PROJECT_TAG } from './ownership.js';
import type { Billing, PlanNote, PlanStep, TableStep } from './steps.js';

export interface ActualState {
  /** Introspected tables, by table name (desired tables and the tables of removed views). */
  tables: Map<string, ActualTable>;
  registry: Registry | undefined;
  support: EndpointSupport;
  /** Tables of online views the registry holds for the project but the repo no longer defines. */
  removed: { view: string; table: string }[];
}

export interface Diff {
  steps: PlanStep[];
  notes: PlanNote[];
}

/** Online views of `project` in the registry that `keep` does not list, with their table names. */
export function removedViews(registry: Registry | undefined, project: string, keep: Set<string>, tableNameOf: (view: string) => string) {
  return (
    (registry?.featureViews ?? [])
      .filter((v) => v.spec?.project === project && v.spec.online && !keep.has(v.spec.name))
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the filter above only lets views with a spec through
      .map((v) => ({ view: v.spec!.name, table: tableNameOf(v.spec!.name) }))
  );
}

const sameBilling = (a: Billing, b: Billing) =>
  a.mode === b.mode &&
  (a.mode === 'PAY_PER_REQUEST' || (b.mode === 'PROVISIONED' && a.readCapacityUnits === b.readCapacityUnits && a.writeCapacityUnits === b.writeCapacityUnits));

/** A configured key id/alias matches the ARN DescribeTable reports; aliases cannot be resolved offline. */
function sameKmsKey(wanted: string | undefined, arn: string | undefined): boolean {
  if (!wanted || !arn) return !wanted && !arn;
  if (wanted.startsWith('alias/') || wanted.includes(':alias/')) return true;
  return arn === wanted || arn.endsWith(`:key/${wanted}`);
}

/** Tags the config asks for; without them, an endpoint that cannot tag is not worth a note (docs/plan.md). */
const hasUserTags = (t: DesiredTable) => Object.keys(t.tags).some((k) => k !== PROJECT_TAG);

/** aws: tags belong to AWS and cannot be changed by anyone. */
const ownTag = (key: string) => !key.startsWith('aws:');

function unsupportedNote(t: DesiredTable, what: string, operation: string): PlanNote {
  return { level: 'warning', table: t.table, view: t.view, message: `${what}: not supported by this endpoint (${operation}); not applied` };
}

function deniedNote(t: DesiredTable, what: string, action: string): PlanNote {
  return { level: 'warning', table: t.table, view: t.view, message: `${what}: cannot be read (${action} denied); not compared — allow ${action} to manage it` };
}

function diffNewTable(t: DesiredTable, support: EndpointSupport, steps: TableStep[], notes: PlanNote[]): void {
  const on = { table: t.table, view: t.view };
  const create: TableStep = { kind: 'create_table', ...on, billing: t.billing, tableClass: t.tableClass, deletionProtection: t.deletionProtection };
  if (t.sseKmsKeyId) create.sseKmsKeyId = t.sseKmsKeyId;
  if (t.streamViewType) create.streamViewType = t.streamViewType;
  steps.push(create);
  // NOTE: tags go through TagResource even for a new table: some endpoints (dynalite) drop CreateTable's Tags
  if (Object.keys(t.tags).length > 0) {
    if (support.tagging) steps.push({ kind: 'set_tags', ...on, tags: { ...t.tags }, previous: {} });
    else if (hasUserTags(t)) notes.push(unsupportedNote(t, 'tags', 'TagResource'));
  }
  if (t.ttlAttribute) {
    if (support.updateTimeToLive) steps.push({ kind: 'enable_ttl', ...on, attribute: t.ttlAttribute });
    else notes.push(unsupportedNote(t, 'TTL expiry', 'UpdateTimeToLive'));
  }
  if (t.pointInTimeRecovery) {
    if (support.continuousBackups) steps.push({ kind: 'enable_pitr', ...on });
    else notes.push(unsupportedNote(t, 'point-in-time recovery', 'UpdateContinuousBackups'));
  }
}

function diffSettings(t: DesiredTable, a: ActualTable, steps: TableStep[], notes: PlanNote[]): void {
  const on = { table: t.table, view: t.view };
  if (a.billing && !sameBilling(a.billing, t.billing)) steps.push({ kind: 'update_billing', ...on, from: a.billing, to: t.billing });
  if (!a.settingsSupported) {
    const asked = [
      t.tableClass !== 'STANDARD' && `table class ${t.tableClass}`,
      t.sseKmsKeyId && 'SSE with a KMS key',
      t.streamViewType && `stream ${t.streamViewType}`,
      t.deletionProtection && 'deletion protection',
    ].filter((x): x is string => typeof x === 'string');
    for (const what of asked) notes.push(unsupportedNote(t, what, 'CreateTable and UpdateTable ignore it'));
    return;
  }
  if (a.tableClass === undefined) {
    if (t.tableClass !== 'STANDARD') notes.push(unsupportedNote(t, `table class ${t.tableClass}`, 'DescribeTable does not report a table class'));
  } else if (a.tableClass !== t.tableClass) {
    steps.push({ kind: 'update_table_class', ...on, from: a.tableClass, to: t.tableClass });
  }
  if (!sameKmsKey(t.sseKmsKeyId, a.sseKmsKeyArn)) {
    const step: TableStep = { kind: 'update_sse', ...on };
    if (a.sseKmsKeyArn) step.from = a.sseKmsKeyArn;
    if (t.sseKmsKeyId) step.to = t.sseKmsKeyId;
    steps.push(step);
  }
  if (a.streamViewType !== t.streamViewType) {
    const step: TableStep = { kind: 'update_stream', ...on };
    if (a.streamViewType) step.from = a.streamViewType;
    if (t.streamViewType) step.to = t.streamViewType;
    steps.push(step);
  }
  if (a.deletionProtection !== t.deletionProtection) steps.push({ kind: 'set_deletion_protection', ...on, enabled: t.deletionProtection });
}

function diffTags(t: DesiredTable, a: ActualTable, steps: TableStep[], notes: PlanNote[]): void {
  const on = { table: t.table, view: t.view };
  const tags = a.tags;
  if (!tags) return;
  if (tags.state === 'unsupported') {
    if (hasUserTags(t)) notes.push(unsupportedNote(t, 'tags', tags.operation));
    return;
  }
  if (tags.state === 'denied') return void notes.push(deniedNote(t, 'tags', tags.action));
  const set: Record<string, string> = {};
  const previous: Record<string, string> = {};
  for (const [k, v] of Object.entries(t.tags)) {
    if (tags.value[k] === v) continue;
    set[k] = v;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- k in tags.value is checked on the same line
    if (k in tags.value) previous[k] = tags.value[k]!;
  }
  const remove = Object.keys(tags.value)
    .filter((k) => ownTag(k) && !(k in t.tags))
    .sort();
  if (Object.keys(set).length) steps.push({ kind: 'set_tags', ...on, tags: set, previous });
  if (remove.length) steps.push({ kind: 'remove_tags', ...on, keys: remove });
}

function diffTtlAndPitr(t: DesiredTable, a: ActualTable, steps: TableStep[], notes: PlanNote[]): void {
  const on = { table: t.table, view: t.view };
  const ttl = a.ttl;
  if (ttl?.state === 'known') {
    const { enabled, attribute } = ttl.value;
    if (enabled && attribute && attribute !== t.ttlAttribute) steps.push({ kind: 'disable_ttl', ...on, attribute });
    if (t.ttlAttribute && !(enabled && attribute === t.ttlAttribute)) steps.push({ kind: 'enable_ttl', ...on, attribute: t.ttlAttribute });
  } else if (ttl?.state === 'unsupported' && t.ttlAttribute) {
    notes.push(unsupportedNote(t, 'TTL expiry', ttl.operation));
  } else if (ttl?.state === 'denied' && t.ttlAttribute) {
    notes.push(deniedNote(t, 'TTL expiry', ttl.action));
  }
  const pitr = a.pitr;
  if (pitr?.state === 'known') {
    if (pitr.value !== t.pointInTimeRecovery) steps.push({ kind: t.pointInTimeRecovery ? 'enable_pitr' : 'disable_pitr', ...on });
  } else if (pitr?.state === 'unsupported' && t.pointInTimeRecovery) {
    notes.push(unsupportedNote(t, 'point-in-time recovery', pitr.operation));
  } else if (pitr?.state === 'denied' && t.pointInTimeRecovery) {
    notes.push(deniedNote(t, 'point-in-time recovery', pitr.action));
  }
}

export function diffTables(desired: DesiredState, actual: ActualState): Diff {
  const steps: TableStep[] = [];
  const notes: PlanNote[] = [];
  for (const t of desired.tables) {
    const a = actual.tables.get(t.table);
    if (!a?.exists) {
      diffNewTable(t, actual.support, steps, notes);
      continue;
    }
    diffSettings(t, a, steps, notes);
    diffTags(t, a, steps, notes);
    diffTtlAndPitr(t, a, steps, notes);
  }
  for (const view of desired.viewsWithoutTtl) {
    notes.push({ level: 'info', view, message: 'ttl is 0: TTL expiry does not apply to this view, its items never expire' });
  }
  for (const { view, table } of actual.removed) {
    const a = actual.tables.get(table);
    if (!a?.exists) continue;
    const deletionProtected = a.deletionProtection === true;
    steps.push({ kind: 'delete_table', table, view, holdsItems: a.holdsItems ?? 'unknown', deletionProtected });
    if (deletionProtected) {
      notes.push({ level: 'warning', table, view, message: 'deletion protection is on: apply will refuse to delete this table until it is turned off' });
    }
  }
  return { steps, notes };
}

/** The whole plan content: table steps, then registry steps (apply writes the registry last). */
export function diff(desired: DesiredState, actual: ActualState): Diff {
  const tables = diffTables(desired, actual);
  const registry = reconcileRegistry(actual.registry, desired.project, desired.registry, 0n);
  return {
    steps: [...tables.steps, ...registry.changes.map((c) => ({ kind: 'registry' as const, ...c }))],
    notes: tables.notes,
  };
}
