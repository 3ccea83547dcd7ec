/**
 * offline-store.ts: the on-disk stores of export, sql and verify have DuckDB return freed memory at once
 * (RETURN_FREED_MEMORY); materialize's in-memory store keeps DuckDB's defaults. limitMemory sets a
 * phase's limit and gives the store's own back, without ending a result another connection streams.
 */
import { appendMemoryLimit, openOfflineStore } from '../../../src/core/offline/offline-store.js';

const SETTINGS = ['allocator_flush_threshold', 'allocator_bulk_deallocation_flush_threshold', 'allocator_background_threads'];

async function settingsOf(onDisk: boolean): Promise<string[]> {
  const store = await openOfflineStore({ operation: onDisk ? 'export' : 'materialize', onDisk });
  try {
    const rows = (await store.connection.runAndReadAll(`SELECT ${SETTINGS.map((s) => `current_setting('${s}')::VARCHAR`).join(', ')}`)).getRows();
    return (rows[0] ?? []).map(String);
  } finally {
    await store.close();
  }
}

it('on-disk stores return freed memory at once; the in-memory store keeps the defaults', async () => {
  // below DuckDB's 256 KiB block: every block the buffer manager hands out first returns jemalloc's freed pages
  expect(await settingsOf(true)).toEqual(['1.0 MiB', '128.0 KiB', 'true']);
  expect(await settingsOf(false)).toEqual(['128.0 MiB', '512.0 MiB', 'false']);
});

async function limitOf(c: { runAndReadAll(sql: string): Promise<{ getRows(): unknown[][] }> }): Promise<string> {
  return String((await c.runAndReadAll(`SELECT current_setting('memory_limit')`)).getRows()[0]?.[0]);
}

it("limitMemory sets a phase's limit and restores the store's own (or DuckDB's default)", async () => {
  const limited = await openOfflineStore({ operation: 'export', onDisk: true, memoryLimit: '64MB' });
  const unlimited = await openOfflineStore({ operation: 'materialize' });
  try {
    const own = await limitOf(limited.connection);
    const byDefault = await limitOf(unlimited.connection);
    await limited.limitMemory(appendMemoryLimit(2));
    await unlimited.limitMemory(appendMemoryLimit(2));
    // DuckDB spells 24MB (10^6 bytes) in MiB
    expect(await limitOf(limited.connection)).toBe('22.8 MiB');
    expect(await limitOf(unlimited.connection)).toBe('22.8 MiB');
    await limited.limitMemory(undefined);
    await unlimited.limitMemory(undefined);
    expect(await limitOf(limited.connection)).toBe(own);
    expect(await limitOf(unlimited.connection)).toBe(byDefault);
  } finally {
    await limited.close();
    await unlimited.close();
  }
});

it('limitMemory does not end a result the main connection streams', async () => {
  const store = await openOfflineStore({ operation: 'export', onDisk: true });
  try {
    const stream = await store.connection.stream('SELECT range AS i FROM range(100000)');
    let rows = 0;
    for (let chunk = await stream.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await stream.fetchChunk()) {
      if (rows === 0) await store.limitMemory(appendMemoryLimit(2));
      rows += chunk.rowCount;
    }
    expect(rows).toBe(100000);
  } finally {
    await store.close();
  }
});
