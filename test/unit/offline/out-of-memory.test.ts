/**
 * DuckDB running out of memory while reading a source: the one classifier (offline-store.ts,
 * duckdbError) gives the advice of the operation the store reads for — materialize's "shorter window"
 * is wrong for export, sql and verify. A real out-of-memory failure: the latest-per-key query over
 * 500,000 entities under a 32 MB limit; and export's own key query (a DISTINCT) fits in it.
 */
import { openOfflineStore, outOfMemoryHint, type OfflineOperation } from '../../../src/core/offline/offline-store.js';
import { planView } from '../../../src/core/offline/read-view.js';
import { MAX_EVENT_MICROS, MIN_EVENT_MICROS } from '../../../src/core/layout/event-ts.js';
import { makeSource, makeView, scalar } from '../../helpers/view-fixtures.js';
import { writeParquet } from '../../helpers/offline-fixture.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

const ENTITIES = 500_000;
const view = makeView('many', [{ name: 'driver_id', dtype: 'Int64' }], [['conv_rate', scalar('Float32')]]);
let dir: string;
let source: ReturnType<typeof makeSource>;

beforeAll(async () => {
  dir = tempRepoDir('dynafeast-oom-');
  const file = await writeParquet(
    dir,
    'many.parquet',
    `SELECT i::BIGINT AS driver_id, make_timestamptz(1618210800000000 + i) AS event_timestamp, 0.5::FLOAT AS conv_rate FROM range(${ENTITIES}) t(i)`,
  );
  source = makeSource(file, { createdTimestampColumn: '' });
});

async function failureOf(operation: OfflineOperation): Promise<unknown> {
  const store = await openOfflineStore({ operation, memoryLimit: '32MB', threads: 1 });
  try {
    const planned = await planView(store, { view, source, repoRoot: dir, startMicros: MIN_EVENT_MICROS, endMicros: MAX_EVENT_MICROS });
    return await planned.execute().then(
      () => undefined,
      (e: unknown) => e,
    );
  } finally {
    await store.close();
  }
}

it.each<[OfflineOperation, RegExp]>([
  ['materialize', /materialize a shorter window/],
  ['verify', /verify a shorter window, or check a random sample with --sample N/],
  ['export', /export one view at a time \(--views\)/],
  ['sql', /name fewer views in one query/],
])('%s: out of memory gets its own advice', async (operation, hint) => {
  const failure = (await failureOf(operation)) as { code?: string; message?: string; hint?: string } | undefined;
  expect(failure).toMatchObject({ code: 'offline.failed', message: expect.stringMatching(/Out of Memory/) as unknown });
  expect(failure?.hint).toMatch(hint);
  if (operation !== 'materialize') expect(failure?.hint).not.toMatch(/materialize/);
});

it("export's distinct keys of the same source fit in the same limit (DuckDB spills them)", async () => {
  const store = await openOfflineStore({ operation: 'export', memoryLimit: '32MB', threads: 1 });
  try {
    const planned = await planView(store, {
      view: { ...view, features: [] },
      source,
      repoRoot: dir,
      startMicros: MIN_EVENT_MICROS,
      endMicros: MAX_EVENT_MICROS,
    });
    let keys = 0;
    const seen = new Set<bigint>();
    for await (const chunk of planned.distinctKeys()) {
      for (const k of chunk[0] ?? []) seen.add(k as bigint);
      keys += chunk[0]?.length ?? 0;
    }
    expect(keys).toBe(ENTITIES);
    expect(seen.size).toBe(ENTITIES);
  } finally {
    await store.close();
  }
});

it("the same advice for export's own statements (COPY into the output file), and none for other failures", () => {
  expect(outOfMemoryHint(new Error('Out of Memory Error: failed to allocate data of size 8.0 MiB'), 'export')).toMatch(/export one view at a time/);
  expect(outOfMemoryHint(new Error('IO Error: No space left on device'), 'export')).toBeUndefined();
});
