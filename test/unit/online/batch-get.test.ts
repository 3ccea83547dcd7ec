import { buildBatchGetInput, buildTableRead, keysAndAttributes, MAX_BATCH_GET_KEYS, planChunks } from '../../../src/core/online/batch-get.js';
import { defined } from '../../helpers/defined.js';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const sizes = (chunks: ReturnType<typeof planChunks>) => chunks.map((c) => [...c.values()].reduce((n, l) => n + l.length, 0));

describe('buildTableRead', () => {
  it('projects the key, the event time and only the requested features, every name aliased', () => {
    const read = buildTableRead('p.v', ['conv_rate', 'values'], true);
    expect(read).toEqual({
      table: 'p.v',
      consistentRead: true,
      projectionExpression: '#i, #t, #v.#f0, #v.#f1',
      expressionAttributeNames: { '#i': 'entity_id', '#t': 'event_ts', '#v': 'values', '#f0': 'conv_rate', '#f1': 'values' },
    });
    expect(keysAndAttributes(read, ['a'])).toEqual({
      Keys: [{ entity_id: { S: 'a' } }],
      ConsistentRead: true,
      ProjectionExpression: read.projectionExpression,
      ExpressionAttributeNames: read.expressionAttributeNames,
    });
  });
});

describe('planChunks', () => {
  const a = buildTableRead('p.a', ['x'], false);
  const b = buildTableRead('p.b', ['y'], false);

  it('balances N keys over ceil(N / batchSize) requests', () => {
    expect(sizes(planChunks([{ read: a, ids: ids('a', 150) }], 100))).toEqual([75, 75]);
    expect(sizes(planChunks([{ read: a, ids: ids('a', 500) }], 100))).toEqual([100, 100, 100, 100, 100]);
    expect(sizes(planChunks([{ read: a, ids: ids('a', 7) }], 3))).toEqual([3, 3, 1]);
    expect(planChunks([{ read: a, ids: [] }], 100)).toEqual([]);
  });

  it('packs several tables into one request and keeps every key exactly once', () => {
    const chunks = planChunks(
      [
        { read: a, ids: ids('a', 60) },
        { read: b, ids: ids('b', 60) },
      ],
      100,
    );
    expect(sizes(chunks)).toEqual([60, 60]);
    expect([...defined(chunks[0]).keys()]).toEqual([a]);
    expect(defined(chunks[1]).get(b)).toEqual(ids('b', 60));
    const one = planChunks(
      [
        { read: a, ids: ['a0'] },
        { read: b, ids: ['b0'] },
      ],
      100,
    );
    expect(one).toHaveLength(1);
    expect(buildBatchGetInput(defined(one[0])).RequestItems).toEqual({ 'p.a': keysAndAttributes(a, ['a0']), 'p.b': keysAndAttributes(b, ['b0']) });
  });

  it("never exceeds DynamoDB's 100 keys, whatever batch_size says", () => {
    expect(Math.max(...sizes(planChunks([{ read: a, ids: ids('a', 1000) }], 500)))).toBe(MAX_BATCH_GET_KEYS);
    expect(sizes(planChunks([{ read: a, ids: ids('a', 3) }], 0))).toEqual([1, 1, 1]);
  });
});
