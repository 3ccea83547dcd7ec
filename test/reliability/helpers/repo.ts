/**
 * Temp feature repos made from examples/driver-stats, pointed at a test server, and snapshots of what a
 * command could have written (the server's tables and items, the repo's files) to prove it wrote nothing.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListTablesCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { repoRoot } from './cli.js';
import { featureStoreYaml, type FeatureStoreYamlOptions } from '../../helpers/config.js';

export const EXAMPLE_REPO = path.join(repoRoot, 'examples/driver-stats');

const made = new Set<string>();
// Registered when a suite imports this module: its temp repos go when the suite ends (KEEP_TMP=1 keeps
// them for a look after a failure).
afterAll(() => {
  if (process.env.KEEP_TMP) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
});

/** A fresh temp folder, removed after the suite. */
export function tempRepoDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

export interface RepoSettings extends FeatureStoreYamlOptions {
  endpoint: string;
}

export { featureStoreYaml };

/** A copy of examples/driver-stats in a fresh temp folder with its own feature_store.yaml. */
export function makeRepo(s: RepoSettings, prefix = 'dynafeast-rel-'): string {
  const dir = tempRepoDir(prefix);
  cpSync(EXAMPLE_REPO, dir, { recursive: true, filter: (src) => !/online_store|registry\.db/.test(src) });
  writeFileSync(path.join(dir, 'feature_store.yaml'), featureStoreYaml(s));
  return dir;
}

function sha(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** Every file under `dir`: relative path → size and content hash (files over 4 MB by size and mtime). */
export function fileTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out[`${path.relative(dir, p)}/`] = 'dir';
        walk(p);
      } else if (e.isSymbolicLink()) {
        // a link (perhaps broken) is recorded by where it points, not followed
        out[path.relative(dir, p)] = `-> ${readlinkSync(p)}`;
      } else {
        const st = statSync(p);
        out[path.relative(dir, p)] = st.size > 4 * 1024 * 1024 ? `${st.size}@${st.mtimeMs}` : `${st.size}:${sha(readFileSync(p))}`;
      }
    }
  };
  walk(dir);
  return out;
}

/** Every table of the server with a hash of its items (order-independent). */
export async function serverTree(client: DynamoDBClient): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let start: string | undefined;
  const tables: string[] = [];
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    tables.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  for (const t of tables) {
    const items: string[] = [];
    let key: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: t, ExclusiveStartKey: key as never }));
      for (const i of page.Items ?? []) items.push(JSON.stringify(i, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)));
      key = page.LastEvaluatedKey;
    } while (key);
    out[t] = `${items.length} items ${sha(items.sort().join('\n'))}`;
  }
  return out;
}
