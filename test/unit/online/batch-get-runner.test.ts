import type { BatchGetItemCommandInput, BatchGetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { buildTableRead, planChunks } from '../../../src/core/online/batch-get.js';
import { runBatchGets } from '../../../src/core/online/batch-get-runner.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/core/util/retry.js';
import { defined } from '../../helpers/defined.js';

const read = buildTableRead('p.v', ['f'], false);
const item = (id: string) => ({ entity_id: { S: id }, event_ts: { S: '2021-04-12 07:00:00+00:00' } });
const noSleep = async () => {};

describe('runBatchGets', () => {
  it('resends UnprocessedKeys with the projection re-attached until every key is read', async () => {
    const inputs: BatchGetItemCommandInput[] = [];
    const send = async (input: BatchGetItemCommandInput): Promise<BatchGetItemCommandOutput> => {
      inputs.push(input);
      const keys = defined(input.RequestItems?.['p.v']?.Keys).map((k) => defined(k.entity_id?.S));
      // Like dynalite: half answered, the rest handed back without the projection.
      const half = Math.ceil(keys.length / 2);
      return {
        Responses: { 'p.v': keys.slice(0, half).map(item) },
        UnprocessedKeys: keys.length > half ? { 'p.v': { Keys: keys.slice(half).map((id) => ({ entity_id: { S: id } })) } } : {},
        $metadata: {},
      };
    };
    const out = await runBatchGets(planChunks([{ read, ids: ['a', 'b', 'c', 'd'] }], 100), { send, maxInFlight: 4, sleep: noSleep });
    expect(
      defined(out.get('p.v'))
        .map((i) => defined(i.entity_id).S)
        .sort(),
    ).toEqual(['a', 'b', 'c', 'd']);
    expect(inputs).toHaveLength(3);
    for (const input of inputs) {
      expect(defined(input.RequestItems?.['p.v']).ProjectionExpression).toBe(read.projectionExpression);
      expect(defined(input.RequestItems?.['p.v']).ExpressionAttributeNames).toEqual(read.expressionAttributeNames);
    }
    expect(defined(inputs[2]?.RequestItems?.['p.v']).Keys).toEqual([{ entity_id: { S: 'd' } }]);
  });

  it('backs off when nothing is read, and fails once the retry budget is spent', async () => {
    const delays: number[] = [];
    const send = async (input: BatchGetItemCommandInput): Promise<BatchGetItemCommandOutput> => ({
      Responses: {},
      UnprocessedKeys: { 'p.v': { Keys: defined(input.RequestItems?.['p.v']).Keys } },
      $metadata: {},
    });
    await expect(
      runBatchGets(planChunks([{ read, ids: ['a'] }], 100), {
        send,
        maxInFlight: 1,
        retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 4, baseMs: 10, capMs: 25 },
        sleep: async (ms) => void delays.push(ms),
        random: () => 1,
      }),
    ).rejects.toMatchObject({ code: 'dynamo.failed', message: expect.stringContaining('1 key(s) of p.v were still unprocessed after 3 retries') });
    expect(delays).toEqual([10, 20, 25]);
  });

  it('keeps at most maxInFlight requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const send = async (input: BatchGetItemCommandInput): Promise<BatchGetItemCommandOutput> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return { Responses: { 'p.v': defined(input.RequestItems?.['p.v']?.Keys).map((k) => item(defined(k.entity_id?.S))) }, $metadata: {} };
    };
    const ids = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const out = await runBatchGets(planChunks([{ read, ids }], 5), { send, maxInFlight: 3 });
    expect(peak).toBe(3);
    expect(out.get('p.v')).toHaveLength(50);
  });

  it('turns an SDK error into a DynafeastError naming the tables', async () => {
    const err = Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    await expect(runBatchGets(planChunks([{ read, ids: ['a'] }], 100), { send: async () => Promise.reject(err), maxInFlight: 1 })).rejects.toMatchObject({
      code: 'dynamo.failed',
      message: expect.stringContaining('on table "p.v"'),
      hint: expect.stringContaining('dynafeast apply'),
    });
  });
});
