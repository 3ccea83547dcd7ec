/**
 * Reading what exists (CONTRIBUTING.md convention 4): DescribeTable, ListTagsOfResource, DescribeTimeToLive,
 * DescribeContinuousBackups. An endpoint that lacks an operation, or an identity that may not call it,
 * yields an `Observed` saying so instead of a guess, and the plan turns that into a note.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTagsOfResourceCommand,
  ScanCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { describeAwsError } from '../aws/errors.js';
import { endpointGaveNoAnswer, isAccessDenied, isNotFound, isUnsupportedOperation } from '../aws/aws-errors.js';
import { runPool } from '../util/pool.js';
import { keySchemaProblem } from './ownership.js';
import type { Billing, StreamViewType, TableClass } from './steps.js';

export type Observed<T> =
  | { state: 'known'; value: T }
  /** `operation` is the API call the endpoint lacks. */
  | { state: 'unsupported'; operation: string }
  /** `action` is the IAM action the identity lacks. */
  | { state: 'denied'; action: string };

export interface ActualTable {
  table: string;
  exists: boolean;
  status?: string;
  arn?: string;
  billing?: Billing;
  /** Absent when an emulator does not report it (AWS leaves it out for STANDARD). */
  tableClass?: TableClass;
  /** KMS key ARN when SSE uses a customer/AWS managed KMS key; absent = AWS owned key. */
  sseKmsKeyArn?: string;
  streamViewType?: StreamViewType;
  deletionProtection?: boolean;
  /**
   * False when DescribeTable has no DeletionProtectionEnabled at all: AWS always returns it, so the
   * endpoint is an emulator that ignores table class, SSE, streams and deletion protection.
   */
  settingsSupported?: boolean;
  tags?: Observed<Record<string, string>>;
  ttl?: Observed<{ enabled: boolean; attribute?: string }>;
  pitr?: Observed<boolean>;
  /** For tables about to be deleted, and existing tables not known to be the project's (ownership.ts). */
  holdsItems?: boolean | 'unknown';
  /** Why the key schema is not Feast's; undefined when it is (ownership.ts). */
  keySchemaProblem?: string;
}

/** Operations some endpoints lack, found by probing; AWS itself supports all of them. */
export interface EndpointSupport {
  updateTimeToLive: boolean;
  continuousBackups: boolean;
  /** TagResource / UntagResource / ListTagsOfResource (DynamoDB Local has none of them). */
  tagging: boolean;
  /**
   * Not AWS: a setting DescribeTable leaves out may be one the endpoint ignores rather than the
   * default AWS means by leaving it out (moto drops TableClass, for one).
   */
  emulator: boolean;
}

export const FULL_SUPPORT: EndpointSupport = { updateTimeToLive: true, continuousBackups: true, tagging: true, emulator: false };

export interface IntrospectContext {
  dynamo: DynamoDBClient;
  /** For error messages. */
  endpoint?: string;
}

/**
 * Asks a custom endpoint whether it implements the write operations behind TTL and PITR. The probe
 * targets a table name that cannot exist, so any answer other than "unknown operation" (not found,
 * validation) means the operation is there, and nothing is changed either way.
 */
export async function probeEndpointSupport(ctx: IntrospectContext): Promise<EndpointSupport> {
  const table = `dynafeast-probe-${randomUUID()}`;
  const supports = async (action: string, call: () => Promise<unknown>) => {
    try {
      await call();
      return true;
    } catch (e) {
      // an endpoint that cannot be reached answers nothing about its operations: waiting for the
      // next calls to time out as well would only double the wait before the same error
      // (the one classification decides; a dropped connection is not such an error)
      if (endpointGaveNoAnswer(e)) throw describeAwsError(e, { action, endpoint: ctx.endpoint });
      return !isUnsupportedOperation(e);
    }
  };
  const [updateTimeToLive, continuousBackups, tagging] = await Promise.all([
    supports('UpdateTimeToLive', () =>
      ctx.dynamo.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'x' } })),
    ),
    supports('DescribeContinuousBackups', () => ctx.dynamo.send(new DescribeContinuousBackupsCommand({ TableName: table }))),
    supports('ListTagsOfResource', () =>
      ctx.dynamo.send(new ListTagsOfResourceCommand({ ResourceArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${table}` })),
    ),
  ]);
  return { updateTimeToLive, continuousBackups, tagging, emulator: true };
}

function parseDescription(table: string, d: TableDescription, support: EndpointSupport): ActualTable {
  const billing: Billing =
    d.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST'
      ? { mode: 'PAY_PER_REQUEST' }
      : {
          mode: 'PROVISIONED',
          readCapacityUnits: Number(d.ProvisionedThroughput?.ReadCapacityUnits ?? 0),
          writeCapacityUnits: Number(d.ProvisionedThroughput?.WriteCapacityUnits ?? 0),
        };
  const sseOn = d.SSEDescription && d.SSEDescription.Status !== 'DISABLED' && d.SSEDescription.SSEType === 'KMS';
  const actual: ActualTable = {
    table,
    exists: true,
    status: d.TableStatus,
    arn: d.TableArn,
    billing,
    tableClass: (d.TableClassSummary?.TableClass as TableClass | undefined) ?? (support.emulator ? undefined : 'STANDARD'),
    deletionProtection: d.DeletionProtectionEnabled === true,
    settingsSupported: typeof d.DeletionProtectionEnabled === 'boolean',
  };
  const keyProblem = keySchemaProblem(d.KeySchema, d.AttributeDefinitions);
  if (keyProblem !== undefined) actual.keySchemaProblem = keyProblem;
  if (sseOn && d.SSEDescription?.KMSMasterKeyArn) actual.sseKmsKeyArn = d.SSEDescription.KMSMasterKeyArn;
  if (d.StreamSpecification?.StreamEnabled && d.StreamSpecification.StreamViewType) {
    actual.streamViewType = d.StreamSpecification.StreamViewType as StreamViewType;
  }
  return actual;
}

async function observe<T>(action: string, support: boolean, read: () => Promise<T>): Promise<Observed<T>> {
  if (!support) return { state: 'unsupported', operation: action };
  try {
    return { state: 'known', value: await read() };
  } catch (e) {
    if (isUnsupportedOperation(e)) return { state: 'unsupported', operation: action };
    if (isAccessDenied(e)) return { state: 'denied', action: `dynamodb:${action}` };
    throw e;
  }
}

async function readTags(ctx: IntrospectContext, arn: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let next: string | undefined;
  do {
    const out = await ctx.dynamo.send(new ListTagsOfResourceCommand({ ResourceArn: arn, NextToken: next }));
    for (const t of out.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    next = out.NextToken;
  } while (next);
  return tags;
}

/** One scanned item is enough to know a table is not empty (ItemCount lags by hours on AWS). */
export async function holdsItems(ctx: IntrospectContext, table: string): Promise<boolean | 'unknown'> {
  try {
    const out = await ctx.dynamo.send(new ScanCommand({ TableName: table, Limit: 1, Select: 'COUNT' }));
    return (out.Count ?? 0) > 0 || out.LastEvaluatedKey !== undefined;
  } catch (e) {
    if (isAccessDenied(e) || isUnsupportedOperation(e)) return 'unknown';
    if (isNotFound(e)) return false;
    throw describeAwsError(e, { table, action: 'Scan', endpoint: ctx.endpoint });
  }
}

export interface IntrospectRequest {
  table: string;
  /** 'settings': everything a diff compares; 'delete': existence, protection, contents and tags (whose table). */
  purpose: 'settings' | 'delete';
}

export async function introspectTable(ctx: IntrospectContext, req: IntrospectRequest, support: EndpointSupport): Promise<ActualTable> {
  const { table } = req;
  let description: TableDescription | undefined;
  try {
    description = (await ctx.dynamo.send(new DescribeTableCommand({ TableName: table }))).Table;
  } catch (e) {
    if (!isNotFound(e)) throw describeAwsError(e, { table, action: 'DescribeTable', endpoint: ctx.endpoint });
  }
  // a table being deleted is as good as gone: a create has to wait for it to disappear
  if (!description || description.TableStatus === 'DELETING') return { table, exists: false };
  const actual = parseDescription(table, description, support);
  try {
    const arn = actual.arn ?? '';
    if (req.purpose === 'delete') {
      const [items, tags] = await Promise.all([holdsItems(ctx, table), observe('ListTagsOfResource', support.tagging, () => readTags(ctx, arn))]);
      actual.holdsItems = items;
      actual.tags = tags;
      return actual;
    }
    const [tags, ttl, pitr] = await Promise.all([
      observe('ListTagsOfResource', support.tagging, () => readTags(ctx, arn)),
      observe('DescribeTimeToLive', true, async () => {
        const d = (await ctx.dynamo.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription;
        const enabled = d?.TimeToLiveStatus === 'ENABLED' || d?.TimeToLiveStatus === 'ENABLING';
        return enabled ? { enabled, attribute: d?.AttributeName } : { enabled };
      }),
      observe('DescribeContinuousBackups', support.continuousBackups, async () => {
        const d = (await ctx.dynamo.send(new DescribeContinuousBackupsCommand({ TableName: table }))).ContinuousBackupsDescription;
        return d?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED';
      }),
    ]);
    // NOTE: dynalite answers DescribeTimeToLive ("DISABLED") but has no UpdateTimeToLive; a readable
    // status that can never be changed is reported as unsupported, not as a pending change.
    actual.ttl = support.updateTimeToLive ? ttl : { state: 'unsupported', operation: 'UpdateTimeToLive' };
    actual.tags = tags;
    // the same wording whether the table is new or old: what cannot be done is the update
    actual.pitr = pitr.state === 'unsupported' ? { state: 'unsupported', operation: 'UpdateContinuousBackups' } : pitr;
  } catch (e) {
    throw describeAwsError(e, { table, endpoint: ctx.endpoint });
  }
  return actual;
}

/** Introspects `requests` with a few calls in flight; control-plane calls are rate limited on AWS. */
export async function introspectTables(
  ctx: IntrospectContext,
  requests: IntrospectRequest[],
  support: EndpointSupport,
  concurrency = 8,
): Promise<Map<string, ActualTable>> {
  const out = new Map<string, ActualTable>();
  await runPool(requests, concurrency, async (req) => void out.set(req.table, await introspectTable(ctx, req, support)));
  return out;
}
