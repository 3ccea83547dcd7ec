/** One statement in a fresh in-memory DuckDB (session zone UTC): how tests write their parquet fixtures. */
import { DuckDBInstance } from '@duckdb/node-api';

export async function runDuckDb(statement: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`SET TimeZone = 'UTC'`);
    await c.run(statement);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
