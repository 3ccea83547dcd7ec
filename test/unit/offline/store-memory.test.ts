/**
 * offline-store.ts: the on-disk stores of export, sql and verify have DuckDB return freed memory at once
 * (RETURN_FREED_MEMORY); materialize's in-memory store keeps DuckDB's defaults.
 */
import { openOfflineStore } from '../../../src/core/offline/offline-store.js';

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
  expect(await settingsOf(true)).toEqual(['1.0 MiB', '1.0 MiB', 'true']);
  expect(await settingsOf(false)).toEqual(['128.0 MiB', '512.0 MiB', 'false']);
});
