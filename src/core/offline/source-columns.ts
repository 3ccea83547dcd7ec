/**
 * The source's columns under the names the files give them. Feast's names are case-sensitive; DuckDB's
 * are not: it renames the second of `a` / `A` to `A_1` and binds `"A"` to `a`. So every column the
 * view reads is looked up here by its exact name and referenced by the name DuckDB gave it. A name
 * that appears twice in one file is an error: nothing says which of the two holds the values.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DynafeastError } from '../errors.js';
import type { DataSource } from '../repo/model.js';
import type { SourceColumnType } from './column-types.js';
import { sqlIdentifier, sqlString, type SourceReader } from './source-reader.js';

export interface SourceColumns {
  /** Type of each column by its name in the files (hive partition columns included). */
  types: Map<string, SourceColumnType>;
  /** SQL reference of each column by its name in the files. */
  refs: Map<string, string>;
}

/** Column names of each file, in file order, as the files hold them. */
async function namesPerFile(connection: DuckDBConnection, reader: SourceReader): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (reader.format === 'parquet') {
    // parquet_schema lists every schema element depth first; a file's root is followed by its top-level
    // columns, each followed by its own children (lists, structs).
    const rows = (await connection.runAndReadAll(`SELECT file_name, name, num_children FROM parquet_schema(${sqlString(reader.pattern)})`)).getRows();
    let at = 0;
    const skip = (i: number): number => {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < rows.length
      const children = Number(rows[i]![2] ?? 0);
      let next = i + 1;
      for (let c = 0; c < children; c++) next = skip(next);
      return next;
    };
    while (at < rows.length) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- at < rows.length
      const file = String(rows[at]![0]);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- at < rows.length
      const count = Number(rows[at]![2] ?? 0);
      const names: string[] = [];
      let i = at + 1;
      for (let c = 0; c < count; c++) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < rows.length
        names.push(String(rows[i]![1]));
        i = skip(i);
      }
      out.set(file, names);
      at = i;
    }
    return out;
  }
  const files = (await connection.runAndReadAll(`SELECT file FROM glob(${sqlString(reader.pattern)}) ORDER BY file`)).getRows();
  for (const [file] of files) {
    const header = await connection.runAndReadAll(`SELECT * FROM read_csv(${sqlString(String(file))}, header = false, all_varchar = true) LIMIT 1`);
    const row = header.getRows()[0] ?? [];
    out.set(
      String(file),
      row.map((v, i) => (v === null ? `column${i}` : String(v))),
    );
  }
  return out;
}

function duplicateError(source: DataSource, reader: SourceReader, file: string, message: string, hint: string): DynafeastError {
  const shown = reader.displayFile(file);
  const where = shown === reader.display ? shown : `${reader.display}: ${shown}`;
  return new DynafeastError('repo.duplicateColumn', `source "${source.name}" (${where}): ${message}`, {
    path: `sources.${source.name}.path`,
    ...(source.location ? { location: source.location } : {}),
    hint,
  });
}

/**
 * Maps DuckDB's columns (`duckNames`, as its reader names them, with `types`) back to the files' names.
 * `names` is what namesPerFile found (file → names in order).
 */
export function mapSourceColumns(
  source: DataSource,
  reader: SourceReader,
  duckNames: readonly string[],
  types: readonly SourceColumnType[],
  names: ReadonlyMap<string, readonly string[]>,
): SourceColumns {
  let caseTwins: { file: string; a: string; b: string } | undefined;
  for (const [file, list] of names) {
    const seen = new Map<string, number>();
    const folded = new Map<string, string>();
    list.forEach((name, i) => {
      const first = seen.get(name);
      if (first !== undefined) {
        throw duplicateError(
          source,
          reader,
          file,
          `column "${name}" appears twice (columns ${first + 1} and ${i + 1})`,
          'rename or drop one of them: nothing says which one holds the values',
        );
      }
      seen.set(name, i);
      const twin = folded.get(name.toLowerCase());
      if (twin !== undefined && !caseTwins) caseTwins = { file, a: twin, b: name };
      folded.set(name.toLowerCase(), name);
    });
  }
  const result: SourceColumns = { types: new Map(), refs: new Map() };
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- names.size === 1
  const fileNames = names.size === 1 ? [...names.values()][0]! : undefined;
  if (caseTwins && !fileNames) {
    throw duplicateError(
      source,
      reader,
      caseTwins.file,
      `columns "${caseTwins.a}" and "${caseTwins.b}" differ only in letter case, which a source of several files cannot keep apart (DuckDB joins files by name without case)`,
      'rename one of the columns, or point the source at a single file',
    );
  }
  duckNames.forEach((duck, i) => {
    // one file: its i-th column is DuckDB's i-th (hive partition columns come after the file's own)
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < fileNames.length
    const name = fileNames && i < fileNames.length ? fileNames[i]! : duck;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- types has one entry per column, as names does
    result.types.set(name, types[i]!);
    result.refs.set(name, sqlIdentifier(duck));
  });
  return result;
}

export async function describeSourceColumns(
  connection: DuckDBConnection,
  source: DataSource,
  reader: SourceReader,
  duckNames: readonly string[],
  types: readonly SourceColumnType[],
): Promise<SourceColumns> {
  return mapSourceColumns(source, reader, duckNames, types, await namesPerFile(connection, reader));
}
