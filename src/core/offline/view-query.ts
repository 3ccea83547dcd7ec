/**
 * The SQL that turns a view's source into one row per entity key: field mapping, the inclusive window
 * on the event timestamp, and the latest row per key all happen in DuckDB. Pure: columns are checked
 * against a described schema, every problem reported at once with the file and the column.
 *
 * "Latest" is a total order (docs/materialize.md), so two runs over the same files write the same bytes:
 * greatest event timestamp, then greatest created timestamp (a NULL created timestamp loses to any
 * value), then the last in file order (parquet: later file by path, later row; CSV, whose parallel reader
 * gives no row positions: later file, then the greatest field texts of the columns the view reads).
 *
 * Wide parquet views are read in batches of feature columns (`FEATURE_BATCH`): DuckDB's parquet scan
 * costs time and buffer memory that grow faster than linearly in the number of columns one query reads
 * (10,000 columns of two rows: seconds and ~700 MB), while a scan of 1,000 columns stays cheap. Each
 * batch runs the same window + latest-per-key query over its own features; the order is total and reads
 * only the key, timestamp and position columns, so every batch picks the same row for a key; read-view.ts
 * zips the batches' rows, sorted by key. CSV stays one query: its last tie-break reads every column's
 * text (and DuckDB's CSV reader has no such superlinear cost).
 */
import { DynafeastError } from '../errors.js';
import { isFloatDtype } from '../layout/feast-types.js';
import { formatDtype, isEntityless, type DataSource, type FeatureView } from '../repo/model.js';
import { didYouMean } from '../util/suggest.js';
import { featureSql, joinKeySql, timestampSql, type Conversion, type SourceColumnType } from './column-types.js';
import { sqlIdentifier, type SourceReader } from './source-reader.js';

/** A column whose values can be refused one by one: how to find the first refused one. */
export interface ValueCheck {
  /** The column as the file names it, and what it feeds (`feature trips (Int64)`). */
  column: string;
  role: string;
  /** SQL reference of the raw column, and a predicate true for a refused value. */
  ref: string;
  invalid: string;
  why: string;
}

/**
 * Features the scan of one query reads at most: beyond it DuckDB's parquet reader grows superlinear in
 * time and memory (~70 KB of buffers per column read). Measured with `npm run bench:wide`.
 */
export const FEATURE_BATCH = 1000;

/** The view's features one latest-per-key query reads, and where their signs of zero travel. */
export interface FeatureBatch {
  /** Indexes of view features, in view order. */
  features: number[];
  /**
   * Scalar float features of the batch, in the order of the one sign column after its features: a list
   * of booleans (true where the value is -0.0) when any of them is -0.0, NULL otherwise. Empty: no column.
   */
  scalarNegativeZero: number[];
  /**
   * List float features of the batch whose struct has a sign column after that one (in this order): a
   * list of booleans where an element is -0.0, NULL otherwise.
   */
  listNegativeZero: number[];
}

/** Result column names of the latest-per-key query: `k0…`, `__event_us`, `f0…` (positional, never quoted). */
export interface ViewQuery {
  /** One for a narrow view or a CSV source; the first batch's struct also carries `__event_us`. */
  batches: FeatureBatch[];
  /**
   * Statements creating the tables of latest rows, one row per entity key (keys may be NULL: counted, not
   * written): `table` with the counts and the first batch, then `table_1`, … with one batch each.
   */
  createLatest(table: string): string[];
  /** The tables createLatest makes. */
  tables(table: string): string[];
  /** Rows in the window, entities, rows skipped for a NULL join key, rows skipped for a NULL event timestamp. */
  stats(table: string): string;
  /**
   * Streams the rows to write: the keys, then one struct (the first batch's led by `__event_us`) of the
   * batch's features and their sign columns, unpacked by position in JS (extracting thousands of struct
   * fields in SQL is quadratic). Batched, each batch is streamed on its own, ordered by the keys, and
   * the streams are zipped: joining the batches' tables in DuckDB costs time quadratic in their number.
   */
  select(table: string, batch?: number): string;
  /** Rows with a NULL event timestamp, and rows in the window with a NULL join key: a scan, no temp table. */
  skippedRows(): string;
  /**
   * A table of the distinct join keys of every row (NULL keys left out), converted as the latest-per-key
   * query converts them: a plain DISTINCT, which DuckDB spills to disk, where max_by over a struct holds
   * every entity in memory.
   */
  createDistinctKeys(table: string): string;
  /**
   * The first row (file, 1-based row, raw value per check, and which checks refuse it) holding a refused
   * value; `inWindow` limits the search to rows whose event timestamp is in the window. CSV rows are
   * numbered in read order, so run it single-threaded with insertion order preserved.
   */
  locate(inWindow: boolean): string;
  checks: ValueCheck[];
  /** Source column read for each join key / feature (after field mapping), for messages. */
  keyColumns: string[];
  featureColumns: string[];
}

export interface ViewQueryInput {
  view: FeatureView;
  source: DataSource;
  reader: SourceReader;
  /** The source's columns by their names in the files. */
  columns: ReadonlyMap<string, SourceColumnType>;
  /** SQL reference of each column (default: the quoted name). */
  refs?: ReadonlyMap<string, string>;
  startMicros: bigint;
  endMicros: bigint;
  /** Features per query of a parquet source (default FEATURE_BATCH); Infinity reads all in one. */
  featureBatch?: number;
}

const MIN_BIGINT = '(-9223372036854775807 - 1)';

export function buildViewQuery(input: ViewQueryInput): ViewQuery {
  const { view, source, reader, columns } = input;
  // Feast names the timestamp, key and feature columns after mapping; the file holds the source names.
  const reverse = new Map(Object.entries(source.fieldMapping).map(([from, to]) => [to, from]));
  const sourceName = (name: string) => reverse.get(name) ?? name;
  const problems: DynafeastError[] = [];
  const checks: ValueCheck[] = [];
  const used: string[] = [];
  const where = `view "${view.name}", source "${source.name}" (${reader.display})`;

  const resolve = (name: string, role: string, convert: (column: string, t: SourceColumnType) => Conversion): string => {
    const column = sourceName(name);
    const t = columns.get(column);
    const mapped = column === name ? '' : ` (mapped to ${name} by field_mapping)`;
    if (!t) {
      problems.push(
        new DynafeastError('repo.missingColumn', `${where}: no column "${column}"${mapped} for ${role}.${didYouMean(column, columns.keys())}`, {
          path: `feature_views.${view.name}`,
          ...(view.location ? { location: view.location } : {}),
          hint: `columns found: ${[...columns.keys()].join(', ') || '(none)'}; rename the column or map it with the source's field_mapping`,
        }),
      );
      return 'NULL';
    }
    const ref = input.refs?.get(column) ?? sqlIdentifier(column);
    used.push(ref);
    const c = convert(ref, t);
    if (!c.ok) {
      problems.push(
        new DynafeastError('repo.badColumnType', `${where}: column "${column}"${mapped} for ${role} is ${t.name}; expected ${c.expected}`, {
          path: `feature_views.${view.name}`,
          ...(view.location ? { location: view.location } : {}),
          hint: 'convert the column when writing the file, or change the dtype in the view schema',
        }),
      );
      return 'NULL';
    }
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a conversion with an invalid check always says why
    if (c.invalid !== undefined) checks.push({ column, role, ref, invalid: c.invalid, why: c.why! });
    return c.sql;
  };

  const entityless = isEntityless(view);
  const keyExprs = entityless
    ? ["''"]
    : view.entityColumns.map((k) =>
        resolve(k.name, `join key ${k.name} (${k.dtype})`, (col, t) =>
          joinKeySql(col, t, k.dtype, `${where}: column ${sourceName(k.name)} (join key ${k.name}, ${k.dtype})`),
        ),
      );
  const featureExprs = view.features.map((f) =>
    resolve(f.name, `feature ${f.name} (${formatDtype(f.dtype)})`, (col, t) =>
      featureSql(col, t, f.dtype, `${where}: column ${sourceName(f.name)} (feature ${f.name}, ${formatDtype(f.dtype)})`),
    ),
  );
  const eventExpr = resolve(source.timestampField, 'the event timestamp (timestamp_field)', (col, t) =>
    timestampSql(col, t, `${where}: column ${sourceName(source.timestampField)} (timestamp_field)`),
  );
  const createdColumn = source.createdTimestampColumn;
  const createdExpr = createdColumn
    ? resolve(createdColumn, 'the created timestamp (created_timestamp_column)', (col, t) =>
        timestampSql(col, t, `${where}: column ${sourceName(createdColumn)} (created_timestamp_column)`),
      )
    : undefined;

  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- problems.length === 1
  if (problems.length === 1) throw problems[0]!;
  if (problems.length > 1) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- problems is not empty here
    throw new DynafeastError(problems[0]!.code, `${where}: ${problems.length} columns cannot be read`, { details: problems });
  }

  const keys = keyExprs.map((_, i) => `k${i}`);
  // The last tie-break: file order for parquet (its reader numbers rows); for CSV the file, then the
  // text of the fields the view reads (the same bytes sort the same way in every run).
  const position =
    reader.format === 'parquet'
      ? 'struct_pack(i := file_index, r := file_row_number)'
      : `struct_pack(i := file_index, t := struct_pack(${used.map((r, i) => `t${i} := CAST(${r} AS VARCHAR)`).join(', ') || "t := ''"}))`;
  const windowed = (features: readonly number[]) =>
    [
      `SELECT ${keyExprs.map((e, i) => `${e} AS k${i}`).join(', ')},`,
      `  ${eventExpr} AS __event_us,`,
      `  ${createdExpr ?? 'NULL::BIGINT'} AS __created_us,`,
      `  ${position} AS __pos${features.length ? ',' : ''}`,
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- batches hold indexes of featureExprs
      ...(features.length ? [`  ${features.map((i) => `${featureExprs[i]!} AS f${i}`).join(',\n  ')}`] : []),
      `FROM ${reader.sql}`,
    ].join('\n');
  // NOTE: max_by over a struct canonicalizes -0.0 to 0.0 (its sort-key encoding), which would change the
  // Value bytes Feast writes. Float features carry their sign of zero alongside, NULL unless it is -0.0.
  const isFloat = (i: number) => {
    const f = view.features[i];
    return f !== undefined && f.dtype.kind !== 'nested' && isFloatDtype(f.dtype.scalar);
  };
  const size = reader.format === 'parquet' ? Math.max(1, input.featureBatch ?? FEATURE_BATCH) : Infinity;
  const batches: FeatureBatch[] = [];
  for (let from = 0; from === 0 || from < view.features.length; from += size) {
    const features = view.features.slice(from, from + size).map((_, j) => from + j);
    batches.push({
      features,
      scalarNegativeZero: features.filter((i) => isFloat(i) && view.features[i]?.dtype.kind === 'scalar'),
      // sets too: Feast's set() keeps -0.0 as the first zero it meets
      listNegativeZero: features.filter((i) => isFloat(i) && (view.features[i]?.dtype.kind === 'list' || view.features[i]?.dtype.kind === 'set')),
    });
  }
  // Scalars share one sign column: one expression per float feature would cost DuckDB's planner time
  // quadratic in their number (3,000 features: seconds), one list of them stays linear.
  const listSign = (i: number) =>
    `CASE WHEN list_bool_or(list_transform(f${i}, __z -> __z = 0 AND signbit(__z))) THEN list_transform(f${i}, __z -> coalesce(signbit(__z), false)) END`;
  const payload = (b: FeatureBatch, first: boolean) => {
    const signs = `list_transform(list_value(${b.scalarNegativeZero.map((i) => `f${i}`).join(', ')}), __z -> __z = 0 AND signbit(__z))`;
    return [
      ...(first ? ['__event_us := __event_us'] : []),
      ...b.features.map((i) => `f${i} := f${i}`),
      ...(b.scalarNegativeZero.length ? [`__neg := CASE WHEN list_bool_or(${signs}) THEN ${signs} END`] : []),
      ...b.listNegativeZero.map((i) => `n${i} := ${listSign(i)}`),
    ].join(', ');
  };
  // NULLs last: a row without a created timestamp loses to any row with one.
  const order = `struct_pack(e := __event_us, c := coalesce(__created_us, ${MIN_BIGINT}), p := __pos)`;
  const keysNotNull = keys.map((k) => `${k} IS NOT NULL`).join(' AND ');
  // NOTE: both ends inclusive; the bounds are integers, so no time zone can shift them.
  const inWindow = (e: string) => `${e} BETWEEN ${input.startMicros} AND ${input.endMicros}`;
  const timed = '__event_us IS NOT NULL';
  const tableOf = (table: string, j: number) => (j === 0 ? table : `${table}_${j}`);
  const latest = (table: string, b: FeatureBatch, j: number) =>
    [
      // not TEMP: each batch's table is streamed on a connection of its own
      `CREATE TABLE ${tableOf(table, j)} AS`,
      `SELECT ${keys.join(', ')},`,
      ...(j === 0 ? [`  (count(*) FILTER (WHERE ${timed}))::BIGINT AS __rows,`, `  (count(*) FILTER (WHERE NOT (${timed})))::BIGINT AS __null_ts,`] : []),
      `  max_by(struct_pack(${payload(b, j === 0)}), ${order}) FILTER (WHERE ${timed}) AS __r`,
      `FROM (${windowed(b.features)}) AS w`,
      // rows without an event timestamp are kept only to be counted (never written)
      `WHERE ${inWindow('__event_us')} OR __event_us IS NULL`,
      `GROUP BY ${keys.join(', ')}`,
    ].join('\n');

  return {
    batches,
    createLatest: (table) => batches.map((b, j) => latest(table, b, j)),
    tables: (table) => batches.map((_, j) => tableOf(table, j)),
    stats: (table) =>
      `SELECT coalesce(sum(__rows), 0)::BIGINT AS rows, (count(*) FILTER (WHERE ${keysNotNull} AND __rows > 0))::BIGINT AS entities, ` +
      `coalesce(sum(__rows) FILTER (WHERE NOT (${keysNotNull})), 0)::BIGINT AS null_key_rows, ` +
      `coalesce(sum(__null_ts), 0)::BIGINT AS null_ts_rows FROM ${table}`,
    // every batch's table holds the same keys with a non-NULL __r: sorted by them, the rows line up
    select: (table, batch = 0) =>
      `SELECT ${[...keys, '__r'].join(', ')} FROM ${tableOf(table, batch)} WHERE ${keysNotNull} AND __r IS NOT NULL` +
      (batches.length > 1 ? ` ORDER BY ${keys.join(', ')}` : ''),
    createDistinctKeys: (table) =>
      `CREATE TABLE ${table} AS SELECT DISTINCT ${keys.join(', ')} FROM (SELECT ${keyExprs.map((e, i) => `${e} AS k${i}`).join(', ')} FROM ${reader.sql}) AS s WHERE ${keysNotNull}`,
    skippedRows: () =>
      `SELECT (count(*) FILTER (WHERE __e IS NULL))::BIGINT, (count(*) FILTER (WHERE ${inWindow('__e')} AND NOT (${keysNotNull})))::BIGINT ` +
      `FROM (SELECT ${eventExpr} AS __e, ${keyExprs.map((e, i) => `${e} AS k${i}`).join(', ')} FROM ${reader.sql}) AS s`,
    locate: (withinWindow) => {
      const row = reader.format === 'parquet' ? 'file_row_number + 1' : 'row_number() OVER (PARTITION BY file_index)';
      const cols = checks.map((c, i) => `(${c.invalid}) AS __c${i}, CAST(${c.ref} AS VARCHAR) AS __v${i}`).join(', ');
      // the event timestamp is read raw here: a refused timestamp must not stop the search
      const rawEvent = checks.find((c) => c.column === sourceName(source.timestampField) && c.role.startsWith('the event'));
      const windowFilter = withinWindow && !rawEvent ? ` AND ${inWindow('__e')}` : '';
      return (
        `SELECT __file, __row, ${checks.map((_, i) => `__c${i}, __v${i}`).join(', ')} FROM (` +
        `SELECT file_index AS __fi, filename AS __file, ${row} AS __row, ${windowFilter ? `${eventExpr} AS __e, ` : ''}${cols} FROM ${reader.sql}) AS s ` +
        `WHERE (${checks.map((_, i) => `__c${i}`).join(' OR ') || 'false'})${windowFilter} ORDER BY __fi, __row LIMIT 1`
      );
    },
    checks,
    keyColumns: entityless ? [] : view.entityColumns.map((k) => sourceName(k.name)),
    featureColumns: view.features.map((f) => sourceName(f.name)),
  };
}
