import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { createEntityKeyEncoder } from '../../../src/core/layout/entity-key.js';
import { entityIdOf } from '../../../src/core/layout/entity-id.js';
import { formatEventTs, parseEventTs } from '../../../src/core/layout/event-ts.js';
import { createValueEncoder, decodeValue } from '../../../src/core/layout/value-codec.js';
import { MAX_ITEM_BYTES, assertItemFits, buildItem, itemSizeBytes, parseItem, type Item } from '../../../src/core/layout/item.js';
import { loadVectors } from '../../helpers/layout-vectors.js';
import { codeOf } from '../../helpers/error-code.js';
import { defined } from '../../helpers/defined.js';

const vectors = loadVectors();

/** DynamoDB JSON with B as base64, like the vectors and the AWS CLI print it. */
function toDynamoJson(v: AttributeValue): unknown {
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.M !== undefined) return { M: Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, toDynamoJson(x)])) };
  return v;
}

function vectorItem(): Item {
  const key = createEntityKeyEncoder([{ name: 'driver_id', dtype: 'Int64' }]);
  const f32 = createValueEncoder({ kind: 'scalar', scalar: 'Float32' });
  const i64 = createValueEncoder({ kind: 'scalar', scalar: 'Int64' });
  return buildItem({
    entityId: entityIdOf(key([1001])),
    eventTs: formatEventTs(parseEventTs('2021-04-12T07:00:00Z')),
    values: { conv_rate: f32(0.5), acc_rate: f32(0.25), avg_daily_trips: i64(308) },
  });
}

describe('buildItem', () => {
  it('builds exactly the shared vector item', () => {
    const item = vectorItem();
    const json = Object.fromEntries(Object.entries(item).map(([k, v]) => [k, toDynamoJson(v)]));
    expect(json).toEqual(vectors.item.dynamodb_json);
    expect(Object.keys(item)).toEqual(['entity_id', 'event_ts', 'values']);
  });

  it("adds extra attributes but never over Feast's own", () => {
    const item = buildItem({ entityId: 'e', eventTs: 't', values: {}, extra: { expires_at: { N: '1700000000' } } });
    expect(item.expires_at).toEqual({ N: '1700000000' });
    expect(item.values).toEqual({ M: {} });
    expect(codeOf(() => buildItem({ entityId: 'e', eventTs: 't', values: {}, extra: { values: { S: 'x' } } }))).toBe('codec.badValue');
  });
});

describe('parseItem', () => {
  it('round-trips a built item', () => {
    const parsed = parseItem(vectorItem());
    expect(parsed.entityId).toBe(vectors.item.dynamodb_json.entity_id.S);
    expect(parsed.eventTs).toBe('2021-04-12 07:00:00+00:00');
    expect(parsed.eventMicros).toBe(1_618_210_800_000_000n);
    expect(Object.keys(parsed.values).sort()).toEqual(['acc_rate', 'avg_daily_trips', 'conv_rate']);
    expect(decodeValue(defined(parsed.values.avg_daily_trips))).toEqual({ kind: 'int64Val', value: 308n });
  });

  it('accepts other offsets and items projected down to no values', () => {
    const parsed = parseItem({ entity_id: { S: 'x' }, event_ts: { S: '2021-04-12 09:00:00+02:00' } });
    expect(parsed.eventMicros).toBe(1_618_210_800_000_000n);
    expect(parsed.values).toEqual({});
  });

  it.each([
    [{ event_ts: { S: '2021-04-12 07:00:00+00:00' } }, 'codec.badValue'],
    [{ entity_id: { N: '1' }, event_ts: { S: '2021-04-12 07:00:00+00:00' } }, 'codec.badValue'],
    [{ entity_id: { S: 'x' } }, 'codec.badValue'],
    [{ entity_id: { S: 'x' }, event_ts: { S: 'yesterday' } }, 'codec.badTimestamp'],
    [{ entity_id: { S: 'x' }, event_ts: { S: '2021-04-12 07:00:00+00:00' }, values: { S: 'no' } }, 'codec.badValue'],
    [{ entity_id: { S: 'x' }, event_ts: { S: '2021-04-12 07:00:00+00:00' }, values: { M: { f: { S: 'no' } } } }, 'codec.badValue'],
  ] as [Item, string][])('rejects malformed item %#', (item, code) => {
    expect(codeOf(() => parseItem(item))).toBe(code);
  });
});

describe('itemSizeBytes', () => {
  it('counts names, raw binary lengths and map overhead like DynamoDB', () => {
    // entity_id 9+32, event_ts 8+25, values 6 + 3 + (1+9+5) + (1+8+5) + (1+15+3)
    expect(itemSizeBytes(vectorItem())).toBe(41 + 33 + 6 + 3 + 15 + 14 + 19);
  });

  it('sizes the other attribute types', () => {
    expect(itemSizeBytes({ n: { N: '1700000000' } })).toBe(1 + 1 + 1); // one significant digit
    expect(itemSizeBytes({ n: { N: '-12345.6700' } })).toBe(1 + 4 + 1 + 1);
    expect(itemSizeBytes({ é: { S: 'ü' } })).toBe(4);
    expect(itemSizeBytes({ b: { BOOL: true }, z: { NULL: true } })).toBe(4);
    expect(itemSizeBytes({ l: { L: [{ S: 'ab' }, { B: new Uint8Array(3) }] } })).toBe(1 + 3 + 3 + 4);
    expect(itemSizeBytes({ s: { SS: ['a', 'bc'] } })).toBe(1 + 3);
  });

  it('rejects items over 400 KB with codec.itemTooLarge, naming view and entity', () => {
    const fits = (valueBytes: number): Item => buildItem({ entityId: 'e', eventTs: 't', values: { f: new Uint8Array(valueBytes) } });
    const overhead = itemSizeBytes(fits(0));
    expect(() => assertItemFits(fits(MAX_ITEM_BYTES - overhead), { view: 'v', entity: 'driver_id=1' })).not.toThrow();
    const tooBig = fits(MAX_ITEM_BYTES - overhead + 1);
    expect(codeOf(() => assertItemFits(tooBig, { view: 'v', entity: 'driver_id=1' }))).toBe('codec.itemTooLarge');
    expect(() => assertItemFits(tooBig, { view: 'driver_stats', entity: 'driver_id=1' })).toThrow(/driver_stats.*driver_id=1/);
  });
});
