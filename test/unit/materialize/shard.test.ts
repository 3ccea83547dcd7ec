import fc from 'fast-check';
import { createChunkEncoder } from '../../../src/core/materialize/encode-rows.js';
import { entityIdOf } from '../../../src/core/layout/entity-id.js';
import { createShardFilter, MAX_SHARDS, resolveShard, shardOfEntityId } from '../../../src/core/materialize/shard.js';
import type { OfflineChunk } from '../../../src/core/offline/read-view.js';
import { loadVectors, unhex } from '../../helpers/layout-vectors.js';
import { makeView, scalar } from '../../helpers/view-fixtures.js';
import { codeOf } from '../../helpers/error-code.js';
import { defined } from '../../helpers/defined.js';

const vectors = loadVectors();

describe('shardOfEntityId', () => {
  // Fixed vectors: Feast's serialized entity keys and entity_ids (test/fixtures/feast), and their shards
  // computed apart from this code (Python: int(entity_id[:8], 16) % n). A change here re-shards every
  // table: it must never happen.
  const COUNTS = [2, 3, 4, 7, 16, 1000];
  const EXPECTED: Record<string, number[]> = {
    f3cfd4a822f245b63975464763babaec: [0, 2, 0, 0, 8, 880], // driver_id = 1001
    '6e759f7229a8bc1b505e38989ff6ebd1': [0, 2, 2, 2, 2, 290], // driver_id = 1005
    de50298b79f63f644d962c9fc75f6787: [1, 2, 3, 6, 11, 467], // user_id = "alice"
    de92cd1db280c7aa956cd0b5fe07eb08: [1, 2, 1, 5, 13, 717], // __dummy_id = "" (entityless view)
    ca27aa3d63b6bf5745b0ced1144bb4c0: [1, 1, 1, 6, 13, 117], // driver_id = 1001, customer_id = "C42"
  };

  it.each(Object.entries(EXPECTED))('shards entity %s as fixed', (id, shards) => {
    const key = defined(vectors.entity_keys.find((k) => k.entity_id === id));
    // from the serialized key bytes Feast gives, through dynafeast's entity_id
    expect(entityIdOf(unhex(key.serialized_hex))).toBe(id);
    expect(COUNTS.map((n) => shardOfEntityId(id, n))).toEqual(shards);
  });

  it('puts every id in exactly one shard in range, for any shard count', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{32}$/), fc.integer({ min: 1, max: MAX_SHARDS }), (id, n) => {
        const s = shardOfEntityId(id, n);
        expect(Number.isInteger(s) && s >= 0 && s < n).toBe(true);
      }),
    );
  });
});

describe('createShardFilter', () => {
  const view = makeView('v', [{ name: 'driver_id', dtype: 'Int64' }], [['x', scalar('Int64')]]);
  const chunkOf = (keys: bigint[]): OfflineChunk => ({
    length: keys.length,
    keys: [keys],
    eventMicros: keys.map(() => 1_618_210_800_000_000n),
    features: [keys],
  });
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

  it("keeps each row in exactly one shard: the shards' items are the unsharded items", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 200 }), fc.integer({ min: 1, max: 9 }), (keys, n) => {
        const all = createChunkEncoder(view)(chunkOf(keys));
        const slices = Array.from({ length: n }, (_, index) => {
          const keep = createShardFilter(view, { index, count: n });
          return createChunkEncoder(view)(chunkOf(keys.filter((k) => keep([k]))));
        });
        expect(slices.flat().sort(byKey)).toEqual([...all].sort(byKey));
        slices.forEach((units, index) => units.forEach((u) => expect(shardOfEntityId(u.key, n)).toBe(index)));
      }),
    );
  });

  it('shards composite keys by their serialized key, and an entityless view whole into one shard', () => {
    const composite = makeView(
      'c',
      [
        { name: 'driver_id', dtype: 'Int64' },
        { name: 'customer_id', dtype: 'String' },
      ],
      [],
    );
    // Feast's vector for (1001, "C42"): shards [1, 1, 1, 6, 13, 117] of 2, 3, 4, 7, 16, 1000
    expect([0, 1].map((i) => createShardFilter(composite, { index: i, count: 2 })([1001n, 'C42']))).toEqual([false, true]);
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => createShardFilter(composite, { index: i, count: 7 })([1001n, 'C42']))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    const entityless = makeView('g', [], []);
    // __dummy_id = "": shards [1, 2, 1, 5, 13, 717]
    expect([0, 1, 2].map((i) => createShardFilter(entityless, { index: i, count: 3 })(['']))).toEqual([false, false, true]);
  });
});

describe('resolveShard', () => {
  it('reads --shard I/N', () => {
    expect(resolveShard({ shard: '2/4' }, {})).toEqual({ index: 2, count: 4 });
    expect(resolveShard({ shard: '0/1' }, {})).toEqual({ index: 0, count: 1 });
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '1' })).toBeUndefined();
  });

  it('takes the index from a Kubernetes Indexed Job, then an AWS Batch array job', () => {
    expect(resolveShard({ shards: '4' }, { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4 });
    expect(resolveShard({ shards: '4' }, { AWS_BATCH_JOB_ARRAY_INDEX: '0' })).toEqual({ index: 0, count: 4 });
    expect(resolveShard({ shards: '4' }, { JOB_COMPLETION_INDEX: '1', AWS_BATCH_JOB_ARRAY_INDEX: '2' })).toEqual({ index: 1, count: 4 });
  });

  it.each([
    [{ shard: '4/4' }, {}],
    [{ shard: '5/4' }, {}],
    [{ shard: '0/0' }, {}],
    [{ shard: '-1/4' }, {}],
    [{ shard: '1.5/4' }, {}],
    [{ shard: '1/4.0' }, {}],
    [{ shard: '1e1/20' }, {}],
    [{ shard: 'a/4' }, {}],
    [{ shard: '1' }, {}],
    [{ shard: '1/2/3' }, {}],
    [{ shard: '' }, {}],
    [{ shard: `0/${MAX_SHARDS + 1}` }, {}],
    [{ shards: '4' }, {}],
    [{ shards: '0' }, { JOB_COMPLETION_INDEX: '0' }],
    [{ shards: 'four' }, { JOB_COMPLETION_INDEX: '0' }],
    [{ shards: '4' }, { JOB_COMPLETION_INDEX: '4' }],
    [{ shards: '4' }, { AWS_BATCH_JOB_ARRAY_INDEX: '-1' }],
    [{ shards: '4' }, { JOB_COMPLETION_INDEX: 'x' }],
    [{ shard: '0/4', shards: '4' }, { JOB_COMPLETION_INDEX: '0' }],
  ])('refuses %j (env %j) as a usage error', (flags, env) => {
    expect(codeOf(() => resolveShard(flags, env))).toBe('usage.badFlag');
  });

  it('refuses every index at or past the count, and accepts every one below', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_SHARDS }), fc.integer({ min: 0, max: 2 * MAX_SHARDS }), (n, i) => {
        const ok = i < n;
        expect(codeOf(() => resolveShard({ shard: `${i}/${n}` }, {}))).toBe(ok ? undefined : 'usage.badFlag');
        expect(codeOf(() => resolveShard({ shards: String(n) }, { JOB_COMPLETION_INDEX: String(i) }))).toBe(ok ? undefined : 'usage.badFlag');
      }),
    );
  });
});
