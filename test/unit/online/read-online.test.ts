/**
 * The reader's join key columns with DynamoDB replaced by an answer of no items (the int suite reads
 * real items): which entity row columns Feast prints, and how.
 */
import type { BatchGetItemCommandInput } from '@aws-sdk/client-dynamodb';
import { fixedClock } from '../../../src/core/context.js';
import { OnlineReader } from '../../../src/core/online/read-online.js';
import { toFeastDict } from '../../../src/core/online/to-dict.js';
import { makeConfig } from '../../helpers/plan-fixtures.js';
import { testRepo } from '../../helpers/online-repo.js';

function reader(asked: string[][] = []): OnlineReader {
  return new OnlineReader({
    config: makeConfig(),
    repo: testRepo(),
    clock: fixedClock(0n),
    send: async (input: BatchGetItemCommandInput) => {
      asked.push(Object.keys(input.RequestItems ?? {}));
      return { Responses: {}, UnprocessedKeys: {}, $metadata: {} };
    },
  });
}

describe('OnlineReader join key columns', () => {
  it('prints every entity row column that is a join key of any entity of the project, as Feast does', async () => {
    const asked: string[][] = [];
    const result = await reader(asked).read({
      features: ['driver_hourly_stats:conv_rate'],
      entityRows: [
        { customer_id: 'C1', driver_id: '1001', user_id: 'alice', note: 'not a key' },
        { customer_id: 'C2', driver_id: 1002, user_id: 'bob', note: 'x' },
      ],
    });
    expect(toFeastDict(result)).toEqual({
      customer_id: ['C1', 'C2'],
      driver_id: [1001, 1002],
      user_id: ['alice', 'bob'],
      conv_rate: [null, null],
    });
    expect(result.columns.map((c) => c.kind)).toEqual(['joinKey', 'joinKey', 'joinKey', 'feature']);
    // Only the requested view's table is read: the echoed keys look nothing up.
    expect(asked).toEqual([['demo.driver_hourly_stats']]);
  });

  it('echoes a key of another entity without refusing a value its dtype cannot hold', async () => {
    const result = await reader().read({ features: ['user_profile:score'], entityRows: [{ user_id: 'a', driver_id: 'not a number' }] });
    expect(toFeastDict(result)).toEqual({ user_id: ['a'], driver_id: ['not a number'], score: [null] });
  });

  it("echoes the keys given to an entityless view, and Feast's __dummy_id too", async () => {
    const result = await reader().read({ features: ['global_stats:total_rides'], entityRows: [{ driver_id: 7, __dummy_id: 'x' }] });
    expect(toFeastDict(result)).toEqual({ driver_id: [7], __dummy_id: ['x'], total_rides: [null] });
    expect(toFeastDict(await reader().read({ features: ['global_stats:total_rides'], entityRows: [{}] }))).toEqual({ total_rides: [null] });
  });

  it('gives native values for echoed keys in valueFormat native', async () => {
    const result = await reader().read({ features: ['user_profile:score'], entityRows: [{ user_id: 'a', driver_id: '5' }], valueFormat: 'native' });
    expect(toFeastDict(result)['driver_id']).toEqual([5n]);
  });
});
