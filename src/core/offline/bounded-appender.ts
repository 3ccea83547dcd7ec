/**
 * The one way rows are appended to DuckDB tables that grow with a DynamoDB table (export, sql, verify):
 * an appender that writes its rows to the table every APPEND_FLUSH_ROWS rows. DuckDB's own appender
 * holds rows until 204,800 of them, so a table of fewer rows was held whole and a bigger one 204,800
 * rows at a time: its memory grew with the table up to there (bench/export.bench.ts).
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';

/** Rows a bounded appender holds before it writes them to the table (16 of DuckDB's 2,048-row chunks). */
export const APPEND_FLUSH_ROWS = 16 * 2048;

/** An appender on `table` whose endRow() writes the held rows to the table every `flushRows` rows. */
export async function createBoundedAppender(c: DuckDBConnection, table: string, flushRows = APPEND_FLUSH_ROWS): Promise<DuckDBAppender> {
  const appender = await c.createAppender(table);
  const endRow = appender.endRow.bind(appender);
  let held = 0;
  appender.endRow = () => {
    endRow();
    if (++held >= flushRows) {
      appender.flushSync();
      held = 0;
    }
  };
  return appender;
}
