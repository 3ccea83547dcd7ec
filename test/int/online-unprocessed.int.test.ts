/**
 * UnprocessedKeys for real: dynalite stops adding items to a BatchGetItem answer once it holds about
 * 1.4 MB (1 MB + the 400 KB item limit, counted on the projected items; actions/batchGetItem.js) and
 * hands the other keys back WITHOUT the ProjectionExpression. Ten items with a 300 KB requested feature
 * force that; a 60 KB feature that is not requested shows whether the projection survived the resend.
 * dynalite only: DynamoDB Local and DynamoDB cut at 16 MB, moto not at all.
 */
import { BatchGetItemCommand, type BatchGetItemCommandInput, type BatchGetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import type { BatchGetSend } from '../../src/core/online/batch-get-runner.js';
import { createLeanBatchGet } from '../../src/core/online/lean-batch-get.js';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { createOnlineFixture, NOW, type OnlineFixture } from '../helpers/online-fixture.js';
import { DEFAULT_RETRY_POLICY } from '../../src/core/util/retry.js';
import { defined } from '../helpers/defined.js';

const DRIVERS = Array.from({ length: 10 }, (_, i) => 100 + i);
const big = (d: number) => `${d}:`.padEnd(300 * 1024, String.fromCharCode(97 + (d % 26)));

let dynalite: TestDynalite;
let fx: OnlineFixture;

beforeAll(async () => {
  dynalite = await startDynalite();
  fx = await createOnlineFixture(dynalite.client, dynalite.endpoint);
  for (const d of DRIVERS) await fx.put('all_types', { driver_id: d }, NOW, { str: big(d), i32: d, doc: { pad: 'x'.repeat(60 * 1024) } });
}, 60_000);

afterAll(async () => {
  await dynalite?.stop();
});

/** Records what was sent and which value attributes came back. */
function recording(send: BatchGetSend) {
  const inputs: BatchGetItemCommandInput[] = [];
  const returned: string[][] = [];
  const wrapped: BatchGetSend = async (input) => {
    inputs.push(input);
    const out: BatchGetItemCommandOutput = await send(input);
    for (const items of Object.values(out.Responses ?? {})) for (const item of items) returned.push(Object.keys(item.values?.M ?? {}).sort());
    return out;
  };
  return { inputs, returned, send: wrapped };
}

const lean = () =>
  createLeanBatchGet({
    endpoint: dynalite.endpoint,
    region: 'us-east-1',
    credentials: localDummyCredentials(),
    maxSockets: 4,
    readTimeoutMs: 10_000,
    retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 },
  });

describe.each([
  ['the lean sender', () => lean()],
  ['the SDK', () => ({ send: (i: BatchGetItemCommandInput) => dynalite.client.send(new BatchGetItemCommand(i)), close: () => {} })],
])('UnprocessedKeys through %s', (_name, makeSender) => {
  it('resends them with the projection until every item is read', async () => {
    const sender = makeSender();
    const rec = recording(sender.send);
    try {
      const result = await fx
        .reader({ send: rec.send })
        .read({ features: ['all_types:str', 'all_types:i32'], entityRows: DRIVERS.map((driver_id) => ({ driver_id })) });
      expect(rec.inputs.length).toBeGreaterThan(1);
      for (const input of rec.inputs) {
        const req = defined(Object.values(defined(input.RequestItems))[0]);
        expect(req.ProjectionExpression).toBe('#i, #t, #v.#f0, #v.#f1');
        expect(req.ExpressionAttributeNames).toMatchObject({ '#f0': 'str', '#f1': 'i32' });
      }
      expect(rec.returned).toHaveLength(DRIVERS.length);
      expect(rec.returned.every((names) => names.join() === 'i32,str')).toBe(true);
      expect(defined(result.columns[1]).values).toEqual(DRIVERS.map(big));
      expect(defined(result.columns[2]).values).toEqual(DRIVERS);
      expect(defined(result.columns[1]).statuses.every((s) => s === 'PRESENT')).toBe(true);
    } finally {
      sender.close();
    }
  });
});
