/**
 * The CPU split of the write path: the same view read by DuckDB alone, then read and encoded, without
 * writing. Subtracting these from a full run's CPU gives the share of DuckDB, encoding and the request
 * path (serialization, signing, HTTP).
 */
import { openOfflineStore } from '../../src/core/offline/offline-store.js';
import { planView } from '../../src/core/offline/read-view.js';
import { createChunkEncoder } from '../../src/core/materialize/encode-rows.js';
import type { RepoModel } from '../../src/core/repo/model.js';
import { defined } from '../../test/helpers/defined.js';

/** Process CPU (µs, all threads) spent reading the view, and optionally encoding it. */
export async function cpuOfReading(repo: RepoModel, endMicros: bigint, encode: boolean): Promise<{ cpuMicros: number; items: number }> {
  const view = defined(repo.featureViews[0]);
  const source = defined(repo.sources[0]);
  const cpu0 = process.cpuUsage();
  const store = await openOfflineStore();
  let items = 0;
  try {
    const planned = await planView(store, { view, source, repoRoot: repo.root, startMicros: 0n, endMicros });
    const prepared = await planned.execute();
    const encoder = createChunkEncoder(view);
    for await (const chunk of prepared.chunks()) {
      items += encode ? encoder(chunk).length : chunk.length;
    }
    await prepared.release();
  } finally {
    await store.close();
  }
  const cpu = process.cpuUsage(cpu0);
  return { cpuMicros: cpu.user + cpu.system, items };
}
