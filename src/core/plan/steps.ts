/**
 * A plan is data (CONTRIBUTING.md convention 3): `plan` renders these steps and `apply` executes exactly them. Every
 * step is a plain JSON-serialisable object, which is also the `plan --json` format (docs/plan.md).
 */
import type { TableSettings } from '../config/types.js';
import type { DesiredRegistryObjects } from '../registry/build.js';
import type { RegistryChange } from '../registry/reconcile.js';

export type Billing = { mode: 'PAY_PER_REQUEST' } | { mode: 'PROVISIONED'; readCapacityUnits: number; writeCapacityUnits: number };

export type TableClass = TableSettings['tableClass'];
export type StreamViewType = NonNullable<TableSettings['streamViewType']>;

interface OnTable {
  /** DynamoDB table name. */
  table: string;
  /** Feature view the table belongs to. */
  view: string;
}

export type TableStep =
  | (OnTable & {
      kind: 'create_table';
      billing: Billing;
      tableClass: TableClass;
      /** KMS key for SSE; absent = AWS owned key. */
      sseKmsKeyId?: string;
      streamViewType?: StreamViewType;
      deletionProtection: boolean;
    })
  | (OnTable & { kind: 'update_billing'; from: Billing; to: Billing })
  | (OnTable & { kind: 'update_table_class'; from: TableClass; to: TableClass })
  | (OnTable & { kind: 'update_sse'; from?: string; to?: string })
  | (OnTable & { kind: 'update_stream'; from?: StreamViewType; to?: StreamViewType })
  | (OnTable & { kind: 'set_deletion_protection'; enabled: boolean })
  /** Adds or changes these tags (TagResource); `previous` holds the old value of changed keys. */
  | (OnTable & { kind: 'set_tags'; tags: Record<string, string>; previous: Record<string, string> })
  /** Removes these tag keys (UntagResource). */
  | (OnTable & { kind: 'remove_tags'; keys: string[] })
  | (OnTable & { kind: 'enable_ttl'; attribute: string })
  | (OnTable & { kind: 'disable_ttl'; attribute: string })
  | (OnTable & { kind: 'enable_pitr' })
  | (OnTable & { kind: 'disable_pitr' })
  | (OnTable & {
      kind: 'delete_table';
      /** 'unknown' when the table could not be scanned; treated like true. */
      holdsItems: boolean | 'unknown';
      deletionProtected: boolean;
    });

export type RegistryStep = { kind: 'registry' } & RegistryChange;

export type PlanStep = TableStep | RegistryStep;

import type { RegistryStore } from '../registry/registry-store.js';

export interface PlanNote {
  level: 'info' | 'warning';
  message: string;
  table?: string;
  view?: string;
}

export interface Plan {
  project: string;
  /** Where the registry is, as messages name it: the file's absolute path or its s3:// address. */
  registryPath: string;
  /** The store apply writes through (registry-store.ts); a plan built by hand may leave it out (a local file at registryPath). */
  registryStore?: RegistryStore;
  steps: PlanStep[];
  notes: PlanNote[];
  /** The repo's folder: apply removes the DynamoDB-source scan spools of the views it removes (scan-spool.ts); not part of the JSON form. */
  repoPath?: string;
  /** What apply needs to write the registry; not part of the JSON form. */
  registry: {
    /** version_id of the registry the plan was computed from (undefined: no file yet). */
    baseVersionId: string | undefined;
    desired: DesiredRegistryObjects;
  };
}

export const isTableStep = (s: PlanStep): s is TableStep => s.kind !== 'registry';
export const isRegistryStep = (s: PlanStep): s is RegistryStep => s.kind === 'registry';

/** Deletions that need the user's consent: the table may hold feature data. */
export function destructiveSteps(steps: PlanStep[]): Extract<TableStep, { kind: 'delete_table' }>[] {
  return steps.filter((s): s is Extract<TableStep, { kind: 'delete_table' }> => s.kind === 'delete_table' && s.holdsItems !== false);
}
