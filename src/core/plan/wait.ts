/**
 * Waiting for a table to settle after a control-plane call. Short polls first (a local server or a
 * small table answers in well under a second), backing off to a few seconds for AWS's slower cases, with
 * the one backoff (util/retry.ts): its jitter keeps several tables' waits from polling DescribeTable in
 * step against AWS's control-plane rate limit.
 */
import { DescribeTableCommand, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { describeAwsError } from '../aws/errors.js';
import { DynafeastError } from '../errors.js';
import { backoffDelayMs } from '../util/retry.js';
import { sleep } from '../util/sleep.js';
import { isNotFound } from '../aws/aws-errors.js';

export interface WaitOptions {
  /** The first poll comes within this long; the ceiling doubles per poll up to maxPollMs (full jitter). */
  pollMs?: number;
  maxPollMs?: number;
  timeoutMs?: number;
  endpoint?: string;
}

async function describe(dynamo: DynamoDBClient, table: string, endpoint?: string): Promise<TableDescription | undefined> {
  try {
    return (await dynamo.send(new DescribeTableCommand({ TableName: table }))).Table;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw describeAwsError(e, { table, action: 'DescribeTable', endpoint });
  }
}

/** Polls until `done(description)` holds; `undefined` means the table does not exist. */
async function waitFor(
  dynamo: DynamoDBClient,
  table: string,
  what: string,
  done: (d: TableDescription | undefined) => boolean,
  opts: WaitOptions,
): Promise<TableDescription | undefined> {
  const timeoutMs = opts.timeoutMs ?? 15 * 60_000;
  const maxPollMs = opts.maxPollMs ?? 3000;
  const deadline = Date.now() + timeoutMs;
  const backoff = { baseMs: opts.pollMs ?? 100, capMs: maxPollMs };
  for (let polls = 0; ; polls++) {
    const d = await describe(dynamo, table, opts.endpoint);
    if (done(d)) return d;
    const poll = backoffDelayMs(polls, backoff);
    if (Date.now() + poll > deadline) {
      throw new DynafeastError(
        'dynamo.failed',
        `table "${table}" did not become ${what} within ${Math.round(timeoutMs / 1000)} s (status ${d?.TableStatus ?? 'gone'})`,
        {
          hint: 'check the table in the AWS console; run apply again once it has settled',
        },
      );
    }
    await sleep(poll);
  }
}

export function waitForActive(dynamo: DynamoDBClient, table: string, opts: WaitOptions = {}): Promise<TableDescription> {
  return waitFor(dynamo, table, 'ACTIVE', (d) => d === undefined || d.TableStatus === 'ACTIVE', opts).then((d) => {
    if (!d) throw new DynafeastError('dynamo.failed', `table "${table}" disappeared while waiting for it to become ACTIVE`, { hint: 'run apply again' });
    return d;
  });
}

export async function waitForGone(dynamo: DynamoDBClient, table: string, opts: WaitOptions = {}): Promise<void> {
  await waitFor(dynamo, table, 'deleted', (d) => d === undefined, opts);
}
