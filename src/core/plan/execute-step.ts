/**
 * The AWS calls behind each table step. Idempotent by construction: "already exists" on create and
 * "not found" on delete mean the goal is reached; missing permissions or operations on optional
 * settings (tags, TTL, PITR) become warnings naming what is missing, never a silent "done".
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { describeAwsError } from '../aws/errors.js';
import { DynafeastError } from '../errors.js';
import { isAccessDenied, isContinuousBackupsUnavailable, isInUse, isNotFound, isUnsupportedOperation } from '../aws/aws-errors.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../util/retry.js';
import type { Billing, TableStep } from './steps.js';
import { waitForActive, waitForGone, type WaitOptions } from './wait.js';

export interface StepOutcome {
  status: 'done' | 'skipped' | 'warning';
  /** Why skipped, or the warnings (one per line). */
  message?: string;
}

export interface ExecContext {
  dynamo: DynamoDBClient;
  endpoint?: string;
  wait: WaitOptions;
  /** dynafeast.retry; default DEFAULT_RETRY_POLICY. */
  retry?: RetryPolicy;
}

/** What a table group learns as it goes (the ARN of a table it just created). */
export interface TableState {
  arn?: string;
}

function billingParams(b: Billing) {
  return b.mode === 'PAY_PER_REQUEST'
    ? { BillingMode: 'PAY_PER_REQUEST' as const }
    : {
        BillingMode: 'PROVISIONED' as const,
        ProvisionedThroughput: { ReadCapacityUnits: b.readCapacityUnits, WriteCapacityUnits: b.writeCapacityUnits },
      };
}

export function createTableInput(step: Extract<TableStep, { kind: 'create_table' }>): CreateTableCommandInput {
  const input: CreateTableCommandInput = {
    TableName: step.table,
    KeySchema: [{ AttributeName: 'entity_id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'entity_id', AttributeType: 'S' }],
    ...billingParams(step.billing),
  };
  // defaults are left out so a minimal endpoint never sees a parameter it might reject
  if (step.tableClass !== 'STANDARD') input.TableClass = step.tableClass;
  if (step.sseKmsKeyId) input.SSESpecification = { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: step.sseKmsKeyId };
  if (step.streamViewType) input.StreamSpecification = { StreamEnabled: true, StreamViewType: step.streamViewType };
  if (step.deletionProtection) input.DeletionProtectionEnabled = true;
  return input;
}

/** Settings CreateTable was asked for that the created table does not show (emulators drop them). */
function droppedSettings(step: Extract<TableStep, { kind: 'create_table' }>, d: TableDescription): string[] {
  const dropped: string[] = [];
  if (step.deletionProtection && d.DeletionProtectionEnabled !== true) dropped.push('deletion protection');
  if (step.tableClass !== 'STANDARD' && d.TableClassSummary?.TableClass !== step.tableClass) dropped.push(`table class ${step.tableClass}`);
  if (step.sseKmsKeyId && d.SSEDescription?.SSEType !== 'KMS') dropped.push('SSE with a KMS key');
  if (step.streamViewType && !d.StreamSpecification?.StreamEnabled) dropped.push(`stream ${step.streamViewType}`);
  return dropped.map((s) => `${s}: not supported by this endpoint (CreateTable ignored it)`);
}

/** Optional settings: a denied or missing operation is a warning; anything else fails the step. */
async function optional(ctx: ExecContext, table: string, action: string, what: string, call: () => Promise<unknown>): Promise<StepOutcome> {
  try {
    await call();
    return { status: 'done' };
  } catch (e) {
    if (isAccessDenied(e)) {
      return {
        status: 'warning',
        message: `${what} not applied: dynamodb:${action} denied on ${table}; allow dynamodb:${action} on the table's ARN (see \`dynafeast iam-policy --for apply\`)`,
      };
    }
    if (isUnsupportedOperation(e)) return { status: 'skipped', message: `${what}: not supported by this endpoint (${action}); not applied` };
    throw describeAwsError(e, { table, action, endpoint: ctx.endpoint });
  }
}

async function updateTable(ctx: ExecContext, table: string, params: Record<string, unknown>): Promise<void> {
  try {
    await ctx.dynamo.send(new UpdateTableCommand({ TableName: table, ...params }));
  } catch (e) {
    throw describeAwsError(e, { table, action: 'UpdateTable', endpoint: ctx.endpoint });
  }
  await waitForActive(ctx.dynamo, table, { ...ctx.wait, endpoint: ctx.endpoint });
}

async function arnOf(ctx: ExecContext, table: string, state: TableState): Promise<string> {
  state.arn ??= (await waitForActive(ctx.dynamo, table, { ...ctx.wait, endpoint: ctx.endpoint })).TableArn;
  return state.arn ?? '';
}

async function createTable(ctx: ExecContext, step: Extract<TableStep, { kind: 'create_table' }>, state: TableState): Promise<StepOutcome> {
  let existed = false;
  try {
    await ctx.dynamo.send(new CreateTableCommand(createTableInput(step)));
  } catch (e) {
    if (!isInUse(e)) throw describeAwsError(e, { table: step.table, action: 'CreateTable', endpoint: ctx.endpoint });
    // created meanwhile by someone else, or still being deleted: settle, then retry once if it went away
    existed = true;
  }
  const d = await waitForActive(ctx.dynamo, step.table, { ...ctx.wait, endpoint: ctx.endpoint }).catch(async (e: unknown) => {
    if (!(e instanceof DynafeastError) || !existed) throw e;
    await waitForGone(ctx.dynamo, step.table, { ...ctx.wait, endpoint: ctx.endpoint });
    existed = false;
    await ctx.dynamo.send(new CreateTableCommand(createTableInput(step)));
    return waitForActive(ctx.dynamo, step.table, { ...ctx.wait, endpoint: ctx.endpoint });
  });
  state.arn = d.TableArn;
  if (existed) return { status: 'warning', message: `table ${step.table} already existed (created concurrently); its settings were not changed by this step` };
  const dropped = droppedSettings(step, d);
  return dropped.length ? { status: 'warning', message: dropped.join('\n') } : { status: 'done' };
}

async function deleteTable(ctx: ExecContext, step: Extract<TableStep, { kind: 'delete_table' }>): Promise<StepOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ctx.dynamo.send(new DeleteTableCommand({ TableName: step.table }));
      break;
    } catch (e) {
      if (isNotFound(e)) return { status: 'done', message: 'already gone' };
      // busy (being created or updated): wait for it to settle, then delete
      if (isInUse(e) && attempt < 3) {
        await waitForActive(ctx.dynamo, step.table, { ...ctx.wait, endpoint: ctx.endpoint }).catch(() => undefined);
        continue;
      }
      throw describeAwsError(e, { table: step.table, action: 'DeleteTable', endpoint: ctx.endpoint });
    }
  }
  await waitForGone(ctx.dynamo, step.table, { ...ctx.wait, endpoint: ctx.endpoint });
  return { status: 'done' };
}

async function setPitr(ctx: ExecContext, table: string, enabled: boolean): Promise<StepOutcome> {
  const what = `point-in-time recovery ${enabled ? 'enable' : 'disable'}`;
  // NOTE: a table created seconds ago answers ContinuousBackupsUnavailable for a while (tens of seconds on
  // AWS): that wait is bounded by the policy's elapsed time, not its attempts.
  const policy = ctx.retry ?? DEFAULT_RETRY_POLICY;
  return withRetry(
    () =>
      optional(ctx, table, 'UpdateContinuousBackups', what, () =>
        ctx.dynamo.send(new UpdateContinuousBackupsCommand({ TableName: table, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: enabled } })),
      ),
    {
      policy: { ...policy, maxAttempts: Number.POSITIVE_INFINITY },
      retryable: (e) => isContinuousBackupsUnavailable(e instanceof DynafeastError ? e.cause : e),
    },
  );
}

export async function executeTableStep(ctx: ExecContext, step: TableStep, state: TableState): Promise<StepOutcome> {
  const { table } = step;
  switch (step.kind) {
    case 'create_table':
      return createTable(ctx, step, state);
    case 'update_billing':
      await updateTable(ctx, table, billingParams(step.to));
      return { status: 'done' };
    case 'update_table_class':
      await updateTable(ctx, table, { TableClass: step.to });
      return { status: 'done' };
    case 'update_sse':
      await updateTable(ctx, table, {
        SSESpecification: step.to ? { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: step.to } : { Enabled: false },
      });
      return { status: 'done' };
    case 'update_stream':
      // a stream's view type cannot change in place: turn it off, then on with the new type
      if (step.from) await updateTable(ctx, table, { StreamSpecification: { StreamEnabled: false } });
      if (step.to) await updateTable(ctx, table, { StreamSpecification: { StreamEnabled: true, StreamViewType: step.to } });
      return { status: 'done' };
    case 'set_deletion_protection':
      await updateTable(ctx, table, { DeletionProtectionEnabled: step.enabled });
      return { status: 'done' };
    case 'set_tags': {
      const arn = await arnOf(ctx, table, state);
      const tags = Object.entries(step.tags).map(([Key, Value]) => ({ Key, Value }));
      return optional(ctx, table, 'TagResource', 'tags', () => ctx.dynamo.send(new TagResourceCommand({ ResourceArn: arn, Tags: tags })));
    }
    case 'remove_tags': {
      const arn = await arnOf(ctx, table, state);
      return optional(ctx, table, 'UntagResource', 'tag removal', () => ctx.dynamo.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: step.keys })));
    }
    case 'enable_ttl':
    case 'disable_ttl': {
      const enabled = step.kind === 'enable_ttl';
      return optional(ctx, table, 'UpdateTimeToLive', `TTL expiry ${enabled ? 'enable' : 'disable'}`, () =>
        ctx.dynamo.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: enabled, AttributeName: step.attribute } })),
      );
    }
    case 'enable_pitr':
    case 'disable_pitr':
      return setPitr(ctx, table, step.kind === 'enable_pitr');
    case 'delete_table':
      return deleteTable(ctx, step);
  }
}
