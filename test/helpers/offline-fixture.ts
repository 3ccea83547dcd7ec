/**
 * The offline engine's suites: a temp folder and a DuckDB-backed offline store per suite (closed and
 * removed after it), source files written into that folder, and the rows a prepared view yields.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openOfflineStore, type OfflineStore } from '../../src/core/offline/offline-store.js';
import type { PreparedView } from '../../src/core/offline/read-view.js';
import { defined } from './defined.js';
import { hookValue } from './hook-value.js';
import { tempRepoDir } from './temp-dir.js';

export interface OfflineFixture {
  /** The suite's temp folder: the repo root source paths are resolved against. */
  readonly dir: string;
  readonly store: OfflineStore;
}

/** Made in the suite's beforeAll, closed in its afterAll (the folder goes with the suite's temp folders). */
export function useOfflineStore(prefix: string): OfflineFixture {
  let dir: string | undefined;
  let store: OfflineStore | undefined;
  beforeAll(async () => {
    dir = tempRepoDir(prefix);
    store = await openOfflineStore({ threads: 1 });
  });
  afterAll(async () => {
    await store?.close();
  });
  return hookValue('the offline fixture', () => (dir === undefined || store === undefined ? undefined : { dir, store }));
}

/** Runs one statement in a fresh in-memory DuckDB whose session zone is UTC (e.g. `COPY … TO` a parquet file). */
export async function runDuckdb(statement: string): Promise<void> {
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

/** Writes the rows of `select` as the parquet file `name` under `dir` (`options`: more COPY options); returns `name`. */
export async function writeParquet(dir: string, name: string, select: string, options = ''): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await runDuckdb(`COPY (${select}) TO '${file}' (FORMAT parquet${options ? `, ${options}` : ''})`);
  return name;
}

/** Writes a CSV of `header` and `rows` (fields as given: no quoting) as `name` under `dir`; returns `name`. */
export async function writeCsv(dir: string, name: string, header: string[], rows: string[][]): Promise<string> {
  await writeFile(path.join(dir, name), [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return name;
}

/** One row of a prepared view: its join key values, event time (epoch µs) and feature values. */
export interface OfflineRow {
  keys: unknown[];
  event: bigint;
  features: unknown[];
}

/** Every row `prepared` yields, in the order it yields them; the view is released afterwards. */
export async function readRows(prepared: PreparedView): Promise<OfflineRow[]> {
  const rows: OfflineRow[] = [];
  try {
    for await (const c of prepared.chunks()) {
      for (let i = 0; i < c.length; i++) {
        rows.push({ keys: c.keys.map((k) => k[i]), event: defined(c.eventMicros[i]), features: c.features.map((f) => f[i]) });
      }
    }
  } finally {
    await prepared.release();
  }
  return rows;
}

/** The feature values of each row by its first join key's value, as text. */
export const featuresByKey = (rows: OfflineRow[]): Record<string, unknown[]> => Object.fromEntries(rows.map((r) => [String(r.keys[0]), r.features]));
