/**
 * Feast's names are case-sensitive, DuckDB's are not: generated sets of join key, timestamp and feature
 * names that differ only in letter case (and names that look like the engine's own aliases) must each
 * read their own column, from CSV and from parquet.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { prepareView } from '../../../src/core/offline/read-view.js';
import { resolveSourceReader } from '../../../src/core/offline/source-reader.js';
import { makeSource, makeView, scalar } from '../../helpers/view-fixtures.js';
import { defined } from '../../helpers/defined.js';
import { featuresByKey, readRows, runDuckdb, useOfflineStore, writeCsv as writeCsvFile } from '../../helpers/offline-fixture.js';

jest.setTimeout(300_000);

const fixture = useOfflineStore('dynafeast-case-');
let n = 0;

const T0 = 1_618_210_800_000_000n;
/** Names that differ in case only, plus the aliases and virtual columns the engine's SQL uses. */
const name = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'B', '_'), minLength: 1, maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'k0',
      'K0',
      'f0',
      'F0',
      'f1',
      '__event_us',
      '__created_us',
      '__pos',
      '__r',
      '__rows',
      '__e',
      '__x',
      '__z',
      'n0',
      'file_index',
      'File_Index',
      'file_row_number',
      'filename',
      'w',
      's',
    ),
  },
);

interface Layout {
  names: string[];
  withCreated: boolean;
}

/** join key = names[0], event timestamp = names[1], created = names[2] (when used), features = the rest. */
const layout = fc
  .tuple(fc.uniqueArray(name, { minLength: 4, maxLength: 8 }), fc.boolean())
  .filter(([names, withCreated]) => names.length > (withCreated ? 3 : 2))
  .map(([names, withCreated]): Layout => ({ names, withCreated }));

/** Column j holds 100 * j + row; the key column holds the row (1, 2); timestamps are times. */
function cells(l: Layout, row: number): string[] {
  return l.names.map((_, j) => (j === 0 ? String(row) : j === 1 || (j === 2 && l.withCreated) ? `2021-04-12 0${row}:00:00` : String(100 * j + row)));
}

async function materializeLayout(l: Layout, file: string) {
  const featureStart = l.withCreated ? 3 : 2;
  const view = makeView(
    'v',
    [{ name: defined(l.names[0]), dtype: 'Int64' }],
    l.names.slice(featureStart).map((f) => [f, scalar('Int64')]),
  );
  const source = makeSource(file, { timestampField: defined(l.names[1]), createdTimestampColumn: l.withCreated ? defined(l.names[2]) : undefined });
  const got = featuresByKey(await readRows(await prepareView(fixture.store, { view, source, repoRoot: fixture.dir, startMicros: 0n, endMicros: T0 * 2n })));
  const expected: Record<string, unknown[]> = {};
  for (const row of [1, 2]) expected[String(row)] = l.names.slice(featureStart).map((_, k) => BigInt(100 * (featureStart + k) + row));
  expect({ names: l.names, got }).toEqual({ names: l.names, got: expected });
}

async function writeCsv(l: Layout): Promise<string> {
  return writeCsvFile(fixture.dir, `c${++n}.csv`, l.names, [cells(l, 1), cells(l, 2)]);
}

describe('names that differ only in letter case each bind their own column', () => {
  it('CSV: every described column reads its own values (1,000 generated layouts, one DuckDB)', async () => {
    await fc.assert(
      fc.asyncProperty(layout, async (l) => {
        const file = await writeCsv(l);
        const reader = await resolveSourceReader(makeSource(file), fixture.dir);
        const columns = await fixture.store.describe(makeSource(file), reader);
        expect([...columns.types.keys()]).toEqual(l.names);
        const refs = l.names.map((x) => defined(columns.refs.get(x)));
        const rows = (await fixture.store.connection.runAndReadAll(`SELECT ${refs.join(', ')} FROM ${reader.sql}`)).getRows();
        expect(rows).toEqual([cells(l, 1), cells(l, 2)]);
      }),
      { numRuns: 1000 },
    );
  });

  it('CSV: materialized, each feature gets its own column', async () => {
    await fc.assert(
      fc.asyncProperty(layout, async (l) => materializeLayout(l, await writeCsv(l))),
      { numRuns: 150 },
    );
  });

  it('parquet (as pyarrow writes them: DuckDB itself cannot write case twins, so the names are patched in)', async () => {
    await fc.assert(
      fc.asyncProperty(layout, async (l) => {
        const file = `p${++n}.parquet`;
        // placeholders of the same byte length as each name (prefixed to keep them unique and rare)
        const long = { ...l, names: l.names.map((x) => `zq${x}`) };
        const placeholder = long.names.map((x, j) => `\u0001${String(j).padStart(x.length - 1, '#')}`.slice(0, x.length));
        const select = long.names
          .map(
            (_, j) =>
              (j === 0 ? 'r::BIGINT' : j === 1 || (j === 2 && l.withCreated) ? `make_timestamp(${T0}::BIGINT + r * 3600000000)` : `(${100 * j} + r)::BIGINT`) +
              ` AS "${placeholder[j]}"`,
          )
          .join(', ');
        await runDuckdb(`COPY (SELECT ${select} FROM range(1, 3) t(r)) TO '${path.join(fixture.dir, file)}' (FORMAT parquet)`);
        let bytes = readFileSync(path.join(fixture.dir, file)).toString('latin1');
        placeholder.forEach((p, j) => {
          bytes = bytes.split(p).join(Buffer.from(defined(long.names[j]), 'utf8').toString('latin1'));
        });
        writeFileSync(path.join(fixture.dir, file), Buffer.from(bytes, 'latin1'));
        await materializeLayout(long, file);
      }),
      { numRuns: 100 },
    );
  });
});
