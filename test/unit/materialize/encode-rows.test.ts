import { createChunkEncoder } from '../../../src/core/materialize/encode-rows.js';
import { itemJson } from '../../../src/core/materialize/lean/attribute-json.js';
import type { OfflineChunk } from '../../../src/core/offline/read-view.js';
import type { WriteUnit } from '../../../src/core/materialize/batch-writer.js';
import { buildItem, itemSizeBytes } from '../../../src/core/layout/item.js';
import { formatEventTs } from '../../../src/core/layout/event-ts.js';
import { encodeValue } from '../../../src/core/layout/value-codec.js';
import { loadVectors, unhex } from '../../helpers/layout-vectors.js';
import { list, makeView, scalar } from '../../helpers/view-fixtures.js';
import { defined } from '../../helpers/defined.js';

const vectors = loadVectors();
const T0 = 1_618_210_800_000_000n; // 2021-04-12T07:00:00Z
const driverView = makeView(
  'driver_hourly_stats',
  [{ name: 'driver_id', dtype: 'Int64' }],
  [
    ['conv_rate', scalar('Float32')],
    ['acc_rate', scalar('Float32')],
    ['avg_daily_trips', scalar('Int64')],
  ],
);

const chunk = (keys: unknown[][], eventMicros: bigint[], features: unknown[][]): OfflineChunk => ({ length: eventMicros.length, keys, eventMicros, features });

/** A unit's item, read back from the JSON text the sender puts in the request body. */
interface JsonItem {
  entity_id: { S: string };
  event_ts: { S: string };
  values: { M: Record<string, { B: string }> };
  [extra: string]: unknown;
}
const itemOf = (u: WriteUnit | undefined): JsonItem => JSON.parse(defined(u).json) as JsonItem;

describe('createChunkEncoder', () => {
  it("builds Feast's item for the shared vector, byte for byte", () => {
    const [u] = createChunkEncoder(driverView)(chunk([[1001n]], [T0], [[0.5], [0.25], [308n]]));
    const expected = vectors.item.dynamodb_json;
    expect(defined(u).key).toBe(expected.entity_id.S);
    const item = itemOf(u);
    expect(item.entity_id).toEqual({ S: expected.entity_id.S });
    expect(item.event_ts).toEqual({ S: expected.event_ts.S });
    expect(defined(u).eventTs).toBe(expected.event_ts.S);
    const values = item.values.M;
    expect(Object.keys(values).sort()).toEqual(Object.keys(expected.values.M).sort());
    for (const [name, v] of Object.entries(expected.values.M)) {
      expect(defined(values[name]).B).toBe(v.B);
    }
  });

  it('uses the entity key vectors for String and composite keys and __dummy_id for entityless views', () => {
    const byName = (names: string[]) => defined(vectors.entity_keys.find((k) => k.join_keys.map((j) => j.name).join() === names.join()));
    const user = makeView('u', [{ name: 'user_id', dtype: 'String' }], []);
    expect(defined(createChunkEncoder(user)(chunk([['alice']], [T0], []))[0]).key).toBe(byName(['user_id']).entity_id);
    const composite = makeView(
      'c',
      [
        { name: 'driver_id', dtype: 'Int64' },
        { name: 'customer_id', dtype: 'String' },
      ],
      [],
    );
    expect(defined(createChunkEncoder(composite)(chunk([[1001n], ['C42']], [T0], []))[0]).key).toBe(byName(['driver_id', 'customer_id']).entity_id);
    const global = makeView('g', [], []);
    expect(defined(createChunkEncoder(global)(chunk([['']], [T0], []))[0]).key).toBe(byName(['__dummy_id']).entity_id);
  });

  it('writes the shared value vectors, nulls as empty Values', () => {
    for (const v of vectors.values) {
      const m = /^Array\((\w+)\)$/.exec(v.dtype);
      const dtype = m ? list(m[1] as never) : scalar(v.dtype as never);
      const value = v.dtype === 'Bytes' ? unhex(v.value as string) : v.dtype === 'Int64' && typeof v.value === 'number' ? BigInt(v.value) : v.value;
      const view = makeView('v', [{ name: 'k', dtype: 'Int32' }], [['f', dtype]]);
      const [u] = createChunkEncoder(view)(chunk([[1]], [T0], [[value]]));
      expect(Buffer.from(defined(itemOf(u).values.M.f).B, 'base64').toString('hex')).toBe(v.serialized_hex);
    }
  });

  it('adds the expiry attribute (event time + ttl, epoch seconds) only when asked and the view has a ttl', () => {
    const view = { ...driverView, ttlMicros: 3_600_000_000n };
    const row = chunk([[1001n]], [T0 + 999_999n], [[0.5], [0.25], [308n]]);
    expect(itemOf(createChunkEncoder(view, { ttlAttribute: 'expires_at' })(row)[0]).expires_at).toEqual({ N: String(1_618_210_800 + 3600) });
    expect(itemOf(createChunkEncoder(driverView, { ttlAttribute: 'expires_at' })(row)[0]).expires_at).toBeUndefined();
    expect(itemOf(createChunkEncoder(view)(row)[0]).expires_at).toBeUndefined();
  });

  it('rejects an item over 400 KB before sending, naming the view and the entity', () => {
    const view = makeView('big', [{ name: 'driver_id', dtype: 'Int64' }], [['blob', scalar('Bytes')]]);
    const encode = createChunkEncoder(view);
    expect(encode(chunk([[7n]], [T0], [[new Uint8Array(399 * 1024)]]))).toHaveLength(1);
    expect(() => encode(chunk([[7n, 8n]], [T0, T0], [[new Uint8Array(10), new Uint8Array(400 * 1024)]]))).toThrow(
      expect.objectContaining({ code: 'codec.itemTooLarge', message: expect.stringMatching(/"big".*driver_id=8\b/) }),
    );
  });

  it("writes the JSON text of the layout's own item (buildItem + itemJson), escapes included", () => {
    const view = {
      ...makeView(
        'j',
        [{ name: 'user_id', dtype: 'String' }],
        [
          ['naïve "q"', scalar('String')],
          ['l', list('Float32')],
          ['n', scalar('Int64')],
        ],
      ),
      ttlMicros: 86_400_000_000n,
    };
    const keys = ['a', 'b\n'];
    const events = [T0 + 5n, T0 - 1n];
    const features = [
      ['x"y', null],
      [[1, 2], []],
      [null, 7n],
    ];
    const rows = chunk([keys], events, features);
    for (const ttlAttribute of [undefined, 'expires "at"']) {
      const units = createChunkEncoder(view, { ttlAttribute })(rows);
      units.forEach((u, i) => {
        const values: Record<string, Uint8Array> = {};
        view.features.forEach((f, j) => (values[f.name] = encodeValue(f.dtype, defined(features[j])[i])));
        const expiry = String(defined(events[i]) / 1_000_000n + 86_400n);
        const item = buildItem({
          entityId: u.key,
          eventTs: formatEventTs(defined(events[i])),
          values,
          ...(ttlAttribute ? { extra: { [ttlAttribute]: { N: expiry } } } : {}),
        });
        expect(JSON.parse(u.json)).toEqual(JSON.parse(itemJson(item)));
        expect(u.eventTs).toBe(formatEventTs(defined(events[i])));
        // the size write units and --dry-run follow: DynamoDB's count of the item actually sent
        expect(u.bytes).toBe(itemSizeBytes(item));
      });
    }
    expect(() =>
      createChunkEncoder(makeView('big', [{ name: 'k', dtype: 'Int32' }], [['b', scalar('Bytes')]]))(chunk([[1]], [T0], [[new Uint8Array(401 * 1024)]])),
    ).toThrow(expect.objectContaining({ code: 'codec.itemTooLarge' }));
  });

  it('names the view and the entity when a value cannot be encoded', () => {
    const view = makeView('v', [{ name: 'driver_id', dtype: 'Int64' }], [['n', scalar('Int32')]]);
    expect(() => createChunkEncoder(view)(chunk([[5n]], [T0], [[2 ** 40]]))).toThrow(
      expect.objectContaining({ code: 'codec.badValue', message: expect.stringContaining('feature view "v", entity driver_id=5') }),
    );
  });
});
