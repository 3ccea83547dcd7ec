/**
 * Plain-text descriptions of steps, shared by task titles and renderers (which add colour and symbols).
 */
import type { Billing, PlanStep } from './steps.js';

export function formatBilling(b: Billing): string {
  return b.mode === 'PAY_PER_REQUEST' ? 'on-demand' : `provisioned ${b.readCapacityUnits} RCU / ${b.writeCapacityUnits} WCU`;
}

const objectNames = {
  project: 'project',
  entity: 'entity',
  data_source: 'data source',
  feature_view: 'feature view',
  feature_service: 'feature service',
} as const;

/** One line, e.g. `create table driver.driver_hourly_stats (on-demand)`. */
export function describeStep(s: PlanStep): string {
  switch (s.kind) {
    case 'create_table': {
      const extras = [
        formatBilling(s.billing),
        s.tableClass !== 'STANDARD' && `class ${s.tableClass}`,
        s.sseKmsKeyId && `SSE KMS ${s.sseKmsKeyId}`,
        s.streamViewType && `stream ${s.streamViewType}`,
        s.deletionProtection && 'deletion protection',
      ].filter(Boolean);
      return `create table ${s.table} (${extras.join(', ')})`;
    }
    case 'update_billing':
      return `billing of ${s.table}: ${formatBilling(s.from)} → ${formatBilling(s.to)}`;
    case 'update_table_class':
      return `table class of ${s.table}: ${s.from} → ${s.to}`;
    case 'update_sse':
      return `encryption of ${s.table}: ${s.from ? `KMS ${s.from}` : 'AWS owned key'} → ${s.to ? `KMS ${s.to}` : 'AWS owned key'}`;
    case 'update_stream':
      return `stream of ${s.table}: ${s.from ?? 'off'} → ${s.to ?? 'off'}`;
    case 'set_deletion_protection':
      return `${s.enabled ? 'enable' : 'disable'} deletion protection of ${s.table}`;
    case 'set_tags':
      return `tag ${s.table}: ${Object.entries(s.tags)
        .map(([k, v]) => (k in s.previous ? `${k}=${JSON.stringify(s.previous[k])} → ${JSON.stringify(v)}` : `${k}=${JSON.stringify(v)}`))
        .join(', ')}`;
    case 'remove_tags':
      return `untag ${s.table}: ${s.keys.join(', ')}`;
    case 'enable_ttl':
      return `enable TTL expiry of ${s.table} on attribute ${s.attribute}`;
    case 'disable_ttl':
      return `disable TTL expiry of ${s.table} (attribute ${s.attribute})`;
    case 'enable_pitr':
      return `enable point-in-time recovery of ${s.table}`;
    case 'disable_pitr':
      return `disable point-in-time recovery of ${s.table}`;
    case 'delete_table': {
      const contents = s.holdsItems === true ? 'holds items' : s.holdsItems === 'unknown' ? 'contents unknown' : 'empty';
      return `delete table ${s.table} of removed view ${s.view} (${contents}${s.deletionProtected ? ', deletion protection on' : ''})`;
    }
    case 'registry':
      return `${s.action} ${objectNames[s.objectType]} ${s.name}`;
  }
}

/** Short verb for a task list: `create`, `tag`, `enable TTL`… */
export function stepVerb(s: PlanStep): string {
  const verbs: Record<PlanStep['kind'], string> = {
    create_table: 'create',
    update_billing: 'billing',
    update_table_class: 'table class',
    update_sse: 'encryption',
    update_stream: 'stream',
    set_deletion_protection: 'deletion protection',
    set_tags: 'tag',
    remove_tags: 'untag',
    enable_ttl: 'enable TTL',
    disable_ttl: 'disable TTL',
    enable_pitr: 'enable PITR',
    disable_pitr: 'disable PITR',
    delete_table: 'delete',
    registry: 'registry',
  };
  return verbs[s.kind];
}
