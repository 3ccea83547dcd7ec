/**
 * `dynafeast list entities|feature-views|feature-services`: what the registry holds, as Feast lists it.
 */
import { listRegistry } from '../../core/list.js';
import { readStoredRegistry, registryStoreOf } from '../../core/registry/registry-store.js';
import type { GlobalFlags, ListFlags } from '../program.js';
import { openConfig } from '../session.js';

export function formatTable(columns: string[], rows: Record<string, string>[]): string {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('    ')
      .trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join('\n');
}

export async function runList(o: ListFlags, g: GlobalFlags): Promise<number> {
  const { config, out } = openConfig(g);
  const registry = await readStoredRegistry(registryStoreOf(config));
  const table = listRegistry(registry, config.project, o.kind);
  if (g.json) {
    out.printJson(table.json);
    return 0;
  }
  out.say(formatTable(table.columns, table.rows));
  return 0;
}
