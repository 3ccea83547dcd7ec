/**
 * Temp feature repos made from examples/driver-stats, pointed at a test server, and snapshots of what a
 * command could have written (the server's tables and items, the repo's files) to prove it wrote nothing.
 */
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListTablesCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { repoRoot } from './isolated-cli.js';
import { tempRepoDir } from './temp-dir.js';
import { featureStoreYaml, type FeatureStoreYamlOptions } from './config.js';

export const EXAMPLE_REPO = path.join(repoRoot, 'examples/driver-stats');

export { tempRepoDir };

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
        // never followed: it may name a device or a FIFO (bad-input cases)
        out[path.relative(dir, p)] = `link to ${readlinkSync(p)}`;
      } else if (!e.isFile()) {
        // a FIFO, socket or device: reading it could block
        out[path.relative(dir, p)] = e.isFIFO() ? 'fifo' : 'special';
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
