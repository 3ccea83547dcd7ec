/**
 * The SQL that turns a view's source into one row per entity key (DESIGN §4.1): field mapping, the
 * inclusive window on the event timestamp, and the latest row per key (ties: greatest created
 * timestamp) all happen in DuckDB. Pure: columns are checked against a described schema, every problem
 * reported at once with the file and the column.
 */
import { DynafeastError } from '../errors.js';
import { formatDtype, isEntityless, type FeatureView, type FileSource } from '../repo/model.js';
import { isFloatDtype } from '../layout/feast-types.js';
import { didYouMean } from '../util/suggest.js';
import { featureSql, joinKeySql, timestampSql, type Conversion, type SourceColumnType } from './column-types.js';
import { sqlIdentifier, type SourceReader } from './source-reader.js';

/** Result column names of the latest-per-key query: `k0…`, `__event_us`, `f0…` (positional, never quoted). */
export interface ViewQuery {
  /** Creates the table of latest rows, one per entity key (keys may be NULL: counted, not written). */
  createLatest(table: string): string;
  /** Rows in the window, entities, and rows skipped for a NULL join key. */
  stats(table: string): string;
  /** Streams the rows to write. */
  select(table: string): string;
  /**
   * Features whose result has a sign column after the features (in this order): true (scalar) or a list
   * of booleans (list) where a value is -0.0, NULL otherwise.
   */
  negativeZero: number[];
  /** Source column read for each join key / feature (after field mapping), for messages. */
  keyColumns: string[];
  featureColumns: string[];
}

export interface ViewQueryInput {
  view: FeatureView;
  source: FileSource;
  reader: SourceReader;
  /** The source's columns as DuckDB describes them. */
  columns: ReadonlyMap<string, SourceColumnType>;
  startMicros: bigint;
  endMicros: bigint;
}

const MIN_BIGINT = '(-9223372036854775807 - 1)';

export function buildViewQuery(input: ViewQueryInput): ViewQuery {
  const { view, source, reader, columns } = input;
  // Feast names the timestamp, key and feature columns after mapping; the file holds the source names.
  const reverse = new Map(Object.entries(source.fieldMapping).map(([from, to]) => [to, from]));
  const sourceName = (name: string) => reverse.get(name) ?? name;
  const problems: DynafeastError[] = [];
  const where = `view "${view.name}", source "${source.name}" (${reader.display})`;

  const resolve = (
    name: string,
    role: string,
    convert: (column: string, t: SourceColumnType) => Conversion,
  ): string => {
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
    const c = convert(sqlIdentifier(column), t);
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
    return c.sql;
  };

  const entityless = isEntityless(view);
  const keyExprs = entityless
    ? ["''"]
    : view.entityColumns.map((k) =>
        resolve(k.name, `join key ${k.name} (${k.dtype})`, (col, t) => joinKeySql(col, t, k.dtype, `${where}: column ${col}`)),
      );
  const featureExprs = view.features.map((f) =>
    resolve(f.name, `feature ${f.name} (${formatDtype(f.dtype)})`, (col, t) => featureSql(col, t, f.dtype, `${where}: column ${col}`)),
  );
  const eventExpr = resolve(source.timestampField, 'the event timestamp (timestamp_field)', timestampSql);
  const createdExpr = source.createdTimestampColumn
    ? resolve(source.createdTimestampColumn, 'the created timestamp (created_timestamp_column)', timestampSql)
    : undefined;

  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- length is 1
  if (problems.length === 1) throw problems[0]!;
  if (problems.length > 1) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- called only with problems (the caller checks problems.length > 0)
    throw new DynafeastError(problems[0]!.code, `${where}: ${problems.length} columns cannot be read`, { details: problems });
  }

  const keys = keyExprs.map((_, i) => `k${i}`);
  const feats = featureExprs.map((_, i) => `f${i}`);
  const windowed = [
    `SELECT ${keyExprs.map((e, i) => `${e} AS k${i}`).join(', ')},`,
    `  ${eventExpr} AS __event_us,`,
    `  ${createdExpr ?? 'NULL::BIGINT'} AS __created_us${feats.length ? ',' : ''}`,
    ...(feats.length ? [`  ${featureExprs.map((e, i) => `${e} AS f${i}`).join(',\n  ')}`] : []),
    `FROM ${reader.sql}`,
  ].join('\n');
  // NOTE: max_by over a struct canonicalizes -0.0 to 0.0 (its sort-key encoding), which would change the
  // Value bytes Feast writes. Float features carry their sign of zero alongside, NULL unless it is -0.0.
  const floatFeatures = view.features.flatMap((f, i) => (isFloatDtype(f.dtype.scalar) ? [i] : []));
  const signSql = (i: number) =>
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i comes from view.features
    view.features[i]!.dtype.kind === 'scalar'
      ? `CASE WHEN f${i} = 0 AND signbit(f${i}) THEN true END`
      : `CASE WHEN list_bool_or(list_transform(f${i}, __z -> __z = 0 AND signbit(__z))) THEN list_transform(f${i}, __z -> coalesce(signbit(__z), false)) END`;
  const payload = ['__event_us := __event_us', ...feats.map((f) => `${f} := ${f}`), ...floatFeatures.map((i) => `n${i} := ${signSql(i)}`)].join(', ');
  const order = `struct_pack(e := __event_us, c := coalesce(__created_us, ${MIN_BIGINT}))`;
  const keysNotNull = keys.map((k) => `${k} IS NOT NULL`).join(' AND ');

  return {
    createLatest: (table) =>
      [
        `CREATE TEMP TABLE ${table} AS`,
        `SELECT ${keys.join(', ')}, count(*) AS __rows, max_by(struct_pack(${payload}), ${order}) AS __r`,
        `FROM (${windowed}) AS w`,
        // NOTE: both ends inclusive (DESIGN §4.1); the bounds are integers, so no time zone can shift them.
        `WHERE __event_us BETWEEN ${input.startMicros} AND ${input.endMicros}`,
        `GROUP BY ${keys.join(', ')}`,
      ].join('\n'),
    stats: (table) =>
      `SELECT coalesce(sum(__rows), 0)::BIGINT AS rows, (count(*) FILTER (WHERE ${keysNotNull}))::BIGINT AS entities, ` +
      `coalesce(sum(__rows) FILTER (WHERE NOT (${keysNotNull})), 0)::BIGINT AS null_key_rows FROM ${table}`,
    select: (table) =>
      `SELECT ${[...keys, '__r.__event_us AS __event_us', ...feats.map((f) => `__r.${f} AS ${f}`), ...floatFeatures.map((i) => `__r.n${i} AS n${i}`)].join(', ')} ` +
      `FROM ${table} WHERE ${keysNotNull}`,
    negativeZero: floatFeatures,
    keyColumns: entityless ? [] : view.entityColumns.map((k) => sourceName(k.name)),
    featureColumns: view.features.map((f) => sourceName(f.name)),
  };
}
