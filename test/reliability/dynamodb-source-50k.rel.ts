/**
 * The scale: an application table of 50,000 items of mixed attribute kinds, read by 4-segment
 * parallel Scan, materializes to exactly the items the same rows give from a parquet file. In the
 * reliability tier because it takes minutes on in-process dynalite (npm test stays quick); the same
 * checks at small scale run in npm test (test/int/dynamodb-source.int.test.ts).
 */
import { materialize } from '../../src/core/materialize/run-materialize.js';
import { tableNameOf } from '../../src/core/layout/table-name.js';
import { useTestServer } from '../helpers/plan-apply-server.js';
import { scanTable, type StoredItem } from '../helpers/materialize-fixture.js';
import { DDB_VIEW, FILE_VIEW, makeProfiles, profilesRepo } from '../helpers/dynamodb-source-fixture.js';

const server = useTestServer();

const itemText = (item: StoredItem | undefined) =>
  `${item?.event_ts?.S ?? ''}|${Object.entries(item?.values?.M ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${Buffer.from(v.B ?? new Uint8Array()).toString('hex')}`)
    .join(',')}`;

it('50,000 items: the same online items as from the parquet twin', async () => {
  const profiles = makeProfiles(50_000);
  // dynalite pages through its in-memory table in JS, each segment from the start: on a loaded machine a
  // page of this table can take longer than the 10 s default read timeout (DynamoDB answers in milliseconds)
  const r = await profilesRepo(server.client, server.endpoint, profiles, { sourceLines: ['    segments: 4'], onlineStoreLines: ['  read_timeout: 120'] });
  const report = await materialize(r.ctx(), { start: '2025-01-01', end: '2026-01-01', views: [] });
  const ddb = report.views.find((v) => v.view === DDB_VIEW);
  expect(ddb?.dynamodb).toMatchObject({ segments: 4, missingTimestamp: 0, badTimestamp: 0 });
  const fromTable = await scanTable(server.client, tableNameOf(r.config, DDB_VIEW));
  const fromFile = await scanTable(server.client, tableNameOf(r.config, FILE_VIEW));
  expect(fromTable.size).toBe(fromFile.size);
  expect(fromTable.size).toBe(ddb?.dynamodb?.items);
  let different = 0;
  for (const [id, item] of fromFile) if (itemText(item) !== itemText(fromTable.get(id))) different++;
  expect(different).toBe(0);
}, 600_000);
