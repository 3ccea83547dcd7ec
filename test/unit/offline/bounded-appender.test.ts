/**
 * offline/bounded-appender.ts: rows reach the table every `flushRows` rows while the appender stays
 * open (another connection counts them), not only when it is closed; every row arrives once.
 */
import { createBoundedAppender } from '../../../src/core/offline/bounded-appender.js';
import { openOfflineStore } from '../../../src/core/offline/offline-store.js';

it('writes the held rows to the table every flushRows rows, and the rest when flushed', async () => {
  const store = await openOfflineStore({ operation: 'export', onDisk: true, memoryLimit: '256MB' });
  try {
    await store.connection.run('CREATE TABLE t (i INTEGER)');
    const reader = await store.connect();
    const count = async () => Number((await reader.runAndReadAll('SELECT count(*), count(DISTINCT i) FROM t')).getRows()[0]?.[0]);
    const out = await createBoundedAppender(store.connection, 't', 3);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      out.appendInteger(i);
      out.endRow();
      seen.push(await count());
    }
    // held rows are invisible until a multiple of 3 is reached
    expect(seen).toEqual([0, 0, 3, 3, 3, 6, 6, 6]);
    out.flushSync();
    out.closeSync();
    expect((await reader.runAndReadAll('SELECT count(*), count(DISTINCT i), min(i), max(i) FROM t')).getRows()[0]?.map(Number)).toEqual([8, 8, 0, 7]);
  } finally {
    await store.close();
  }
});
