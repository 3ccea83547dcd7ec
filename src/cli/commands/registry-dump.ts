/**
 * `dynafeast registry-dump`: the registry as JSON (Feast's field names), the project's objects by
 * default like `feast registry-dump`, everything with --all-projects.
 */
import { registryToJson } from '../../core/registry/dump.js';
import { readStoredRegistry, registryStoreOf } from '../../core/registry/registry-store.js';
import type { GlobalFlags, RegistryDumpFlags } from '../program.js';
import { openConfig } from '../session.js';

export async function runRegistryDump(o: RegistryDumpFlags, g: GlobalFlags): Promise<number> {
  const { config, out } = openConfig(g);
  const registry = await readStoredRegistry(registryStoreOf(config));
  // the dump is JSON whether or not --json is given: it is the command's only output
  out.printJson(registryToJson(registry, o.allProjects ? undefined : config.project));
  return 0;
}
