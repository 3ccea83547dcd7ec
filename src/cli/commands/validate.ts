import { formatDtype, isEntityless } from '../../core/repo/model.js';
import type { GlobalFlags, ValidateFlags } from '../program.js';
import { openRepo } from '../session.js';

export async function runValidate(_o: ValidateFlags, g: GlobalFlags): Promise<number> {
  const { config, repo, out, origin } = await openRepo(g);
  const entities = repo.entities.filter((e) => e.name !== '__dummy');
  const summary = {
    ok: true,
    project: config.project,
    config: config.source,
    files: repo.files,
    entities: entities.map((e) => e.name),
    dataSources: repo.sources.map((s) => s.name),
    featureViews: repo.featureViews.map((v) => ({
      name: v.name,
      entities: isEntityless(v) ? [] : v.entities,
      features: v.features.map((f) => `${f.name}:${formatDtype(f.dtype)}`),
    })),
    featureServices: repo.featureServices.map((s) => s.name),
    definitionsFrom: origin.kind === 'yaml' ? 'yaml' : origin.registryPath,
    ...(origin.kind === 'yaml' ? { registryMismatches: origin.mismatches } : { notServed: origin.notServed }),
  };
  if (g.json) {
    out.printJson(summary);
    return 0;
  }
  const what = origin.kind === 'yaml' ? `${repo.files.length} definition file(s)` : `the definitions in ${origin.registryPath}`;
  out.say(`${out.symbols.ok} ${config.source} and ${what} are valid (project ${out.color.bold(config.project)})`);
  out.say(
    `  ${entities.length} entities, ${repo.sources.length} data sources, ${repo.featureViews.length} feature views, ${repo.featureServices.length} feature services`,
  );
  return 0;
}
