/**
 * Fault paths a local server cannot produce (AccessDenied, races, missing operations), with the SDK
 * client mocked. The happy paths run against dynalite in test/int/plan-apply.int.test.ts.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { applyPlan, applyTaskSpecs } from '../../../src/core/plan/apply-plan.js';
import type { Plan, PlanStep } from '../../../src/core/plan/steps.js';
import { buildRegistryObjects } from '../../../src/core/registry/build.js';
import type { ProgressEvent } from '../../../src/core/progress.js';
import { makeRepo } from '../../helpers/plan-fixtures.js';
import { defined } from '../../helpers/defined.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

const TABLE = 'demo.v';
const ACTIVE = { Table: { TableName: TABLE, TableStatus: 'ACTIVE' as const, TableArn: `arn:aws:dynamodb:us-east-1:1:table/${TABLE}` } };
const on = { table: TABLE, view: 'v' };

function awsError(name: string, status = 400) {
  return Object.assign(new Error(`${name} from server`), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

let dir: string;
const dynamo = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const mock = mockClient(dynamo);
beforeEach(async () => {
  mock.reset();
  dir = tempRepoDir('dynafeast-apply-');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function planOf(steps: PlanStep[]): Plan {
  return {
    project: 'demo',
    registryPath: join(dir, 'registry.db'),
    steps,
    notes: [],
    registry: { baseVersionId: undefined, desired: buildRegistryObjects('demo', makeRepo([])) },
  };
}

const create: PlanStep = { kind: 'create_table', ...on, billing: { mode: 'PAY_PER_REQUEST' }, tableClass: 'STANDARD', deletionProtection: false };

describe('applyPlan', () => {
  it('turns AccessDenied on tagging, TTL and PITR into warnings naming the IAM action', async () => {
    mock.on(DescribeTableCommand).resolves(ACTIVE);
    mock.on(TagResourceCommand).rejects(awsError('AccessDeniedException'));
    mock.on(UpdateTimeToLiveCommand).rejects(awsError('AccessDeniedException'));
    mock.on(UpdateContinuousBackupsCommand).rejects(awsError('AccessDeniedException'));
    const steps: PlanStep[] = [
      { kind: 'set_tags', ...on, tags: { a: 'b' }, previous: {} },
      { kind: 'enable_ttl', ...on, attribute: 'exp' },
      { kind: 'enable_pitr', ...on },
    ];
    const result = await applyPlan(planOf(steps), { dynamo });
    expect(result.results.map((r) => r.status)).toEqual(['warning', 'warning', 'warning']);
    expect(result.warnings).toEqual([
      expect.stringContaining('dynamodb:TagResource denied'),
      expect.stringContaining('dynamodb:UpdateTimeToLive denied'),
      expect.stringContaining('dynamodb:UpdateContinuousBackups denied'),
    ]);
  });

  it('reports an operation the endpoint lacks as skipped, not done', async () => {
    mock.on(UpdateTimeToLiveCommand).rejects(awsError('UnknownOperationException'));
    const result = await applyPlan(planOf([{ kind: 'enable_ttl', ...on, attribute: 'exp' }]), { dynamo });
    expect(result.results[0]).toMatchObject({ status: 'skipped', message: expect.stringContaining('not supported by this endpoint') });
  });

  it('fails the run on other errors and does not write the registry', async () => {
    mock.on(CreateTableCommand).rejects(awsError('LimitExceededException'));
    const plan = planOf([create, { kind: 'registry', objectType: 'project', name: 'demo', action: 'create', changes: [] }]);
    await expect(applyPlan(plan, { dynamo })).rejects.toMatchObject({
      code: 'dynamo.failed',
      message: expect.stringContaining('the registry was not written'),
    });
  });

  it('treats ResourceInUse on create as "exists" (a concurrent creator) and waits for ACTIVE', async () => {
    mock.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'exists', $metadata: {} }));
    mock
      .on(DescribeTableCommand)
      .resolvesOnce({ Table: { ...ACTIVE.Table, TableStatus: 'CREATING' } })
      .resolves(ACTIVE);
    const result = await applyPlan(planOf([create]), { dynamo, wait: { pollMs: 1 } });
    expect(result.results[0]).toMatchObject({ status: 'warning', message: expect.stringContaining('already existed') });
    expect(mock.commandCalls(DescribeTableCommand)).toHaveLength(2);
  });

  it('treats ResourceNotFound on delete as done', async () => {
    mock.on(DeleteTableCommand).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    const step: PlanStep = { kind: 'delete_table', ...on, holdsItems: false, deletionProtected: false };
    const result = await applyPlan(planOf([step]), { dynamo });
    expect(result.results[0]).toMatchObject({ status: 'done' });
  });

  it('refuses to delete a deletion-protected table before calling anything', async () => {
    const step: PlanStep = { kind: 'delete_table', ...on, holdsItems: false, deletionProtected: true };
    await expect(applyPlan(planOf([create, step]), { dynamo })).rejects.toMatchObject({ code: 'dynamo.deletionProtected' });
    expect(mock.calls()).toHaveLength(0);
  });

  it('reports progress per table, in the tasks announced up front', async () => {
    mock.on(CreateTableCommand).resolves({});
    mock.on(DescribeTableCommand).resolves(ACTIVE);
    mock.on(TagResourceCommand).resolves({});
    const plan = planOf([create, { kind: 'set_tags', ...on, tags: { a: 'b' }, previous: {} }]);
    expect(applyTaskSpecs(plan)).toEqual([{ id: `table:${TABLE}`, title: `${TABLE}: create, tag` }]);
    const events: ProgressEvent[] = [];
    await applyPlan(plan, { dynamo, progress: (e) => events.push(e) });
    expect(events.map((e) => e.type)).toEqual(['start', 'update', 'update', 'done']);
    // tags went through TagResource with the ARN of the table just created
    expect(defined(mock.commandCalls(TagResourceCommand)[0]).args[0].input).toEqual({ ResourceArn: ACTIVE.Table.TableArn, Tags: [{ Key: 'a', Value: 'b' }] });
  });
});
