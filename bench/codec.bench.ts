/**
 * Layout codec micro-benchmark: prints ONE JSON line (ns per operation, lower is better).
 *
 *   npx tsc -p tsconfig.json --outDir .bench && node .bench/bench/codec.bench.js
 *
 * (.bench/ is git-ignored; tsc still emits when other files have type errors.)
 * Driver-stats shape: Int64 join key, two Float32 features and one Int64 feature per row.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { ValueSchema } from '../src/gen/feast/types/Value_pb.js';
import { createEntityKeyEncoder } from '../src/core/layout/entity-key.js';
import { entityIdBackend, entityIdOf, entityIdOfJs } from '../src/core/layout/entity-id.js';
import { formatEventTs } from '../src/core/layout/event-ts.js';
import { buildItem, itemSizeBytes } from '../src/core/layout/item.js';
import { createValueEncoder, decodeValue } from '../src/core/layout/value-codec.js';

const N = Number(process.env.BENCH_N ?? 300_000);
let sink = 0;

/** ns per call of fn(i), after a warm-up of N/5 calls. */
function measure(fn: (i: number) => unknown): number {
  for (let i = 0; i < N / 5; i++) fn(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const r = fn(i);
    if (r === undefined) sink++;
  }
  return Math.round((Number(process.hrtime.bigint() - t0) / N) * 10) / 10;
}

const keyEncoder = createEntityKeyEncoder([{ name: 'driver_id', dtype: 'Int64' }]);
const f32 = createValueEncoder({ kind: 'scalar', scalar: 'Float32' });
const i64 = createValueEncoder({ kind: 'scalar', scalar: 'Int64' });
const key40 = keyEncoder([1001]);
const encoded = f32(0.5);
const row = (i: number) => ({
  key: 1000 + (i % 50_000),
  conv: (i % 1000) / 1000,
  acc: (i % 777) / 777,
  trips: i % 5000,
  micros: 1_618_210_800_000_000n + BigInt(i) * 3_600_000_000n,
});

const result = {
  bench: 'codec',
  n: N,
  node: process.version,
  hash_backend: entityIdBackend(),
  entity_key_bytes: key40.length,
  ns_entity_key: measure((i) => keyEncoder([1000 + (i % 50_000)])),
  ns_entity_key_and_id: measure((i) => entityIdOf(keyEncoder([1000 + (i % 50_000)]))),
  ns_hash_only: measure(() => entityIdOf(key40)),
  ns_hash_only_js_fallback: measure(() => entityIdOfJs(key40)),
  ns_value_encode_float32: measure((i) => f32((i % 1000) / 1000)),
  ns_value_encode_int64: measure((i) => i64(i % 5000)),
  ns_value_encode_float32_reflective: measure((i) => toBinary(ValueSchema, create(ValueSchema, { val: { case: 'floatVal', value: (i % 1000) / 1000 } }))),
  ns_value_decode_float32: measure(() => decodeValue(encoded)),
  ns_event_ts_format: measure((i) => formatEventTs(1_618_210_800_000_000n + BigInt(i) * 1_000_001n)),
  ns_item_build: measure(() =>
    buildItem({
      entityId: 'f3cfd4a822f245b63975464763babaec',
      eventTs: '2021-04-12 07:00:00+00:00',
      values: { conv_rate: encoded, acc_rate: encoded, avg_daily_trips: encoded },
    }),
  ),
  ns_item_size: measure(() => itemSizeBytes(buildItem({ entityId: 'f3cfd4a822f245b63975464763babaec', eventTs: 'x', values: { conv_rate: encoded } }))),
  ns_row_end_to_end: measure((i) => {
    const r = row(i);
    return buildItem({
      entityId: entityIdOf(keyEncoder([r.key])),
      eventTs: formatEventTs(r.micros),
      values: { conv_rate: f32(r.conv), acc_rate: f32(r.acc), avg_daily_trips: i64(r.trips) },
    });
  }),
};
process.stdout.write(`${JSON.stringify({ ...result, sink })}\n`);
