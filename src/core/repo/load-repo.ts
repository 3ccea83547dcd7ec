/**
 * Loads the feature definitions of a repo into a validated RepoModel (architecture.md §2.2). Two stages: each
 * file's shape, then cross-file names and references. All problems of a stage are reported at once,
 * each at file:line:column. Reads files; prints nothing.
 */
import { readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RepoConfig } from '../config/types.js';
import { DynafeastError, isDynafeastError } from '../errors.js';
import { readRegularFileSync } from '../util/checked-file.js';
import { Diagnostics } from '../yaml/diagnostics.js';
import { decodeUtf8, parseYaml } from '../yaml/parse-yaml.js';
import type { FileDefinitions } from './definitions.js';
import { findDefinitionFiles } from './find-definition-files.js';
import type { RepoModel } from './model.js';
import { parseDefinitions } from './parse-definitions.js';
import { resolveDefinitions } from './validate-repo.js';

/** A path inside `root` as a repo-relative `/` path, or undefined when it lies outside. */
function insideRepo(root: string, p: string): string | undefined {
  const rel = path.relative(root, path.resolve(root, p));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

export interface DefinitionText {
  /** Repo-relative path, used in locations. */
  file: string;
  text: string;
}

/** Validates definitions given as text (no file system); the core of {@link loadRepo}. */
export function buildRepoModel(root: string, texts: readonly DefinitionText[], config?: RepoConfig): RepoModel {
  const diag = new Diagnostics('repo');
  const files = texts.map((t) => t.file);
  const all: FileDefinitions[] = [];
  for (const { file, text } of texts) {
    const parsed = parseYaml(text, { file, domain: 'repo', version: '1.2' });
    diag.errors.push(...parsed.errors);
    if (parsed.errors.length === 0) all.push(parseDefinitions(parsed.root, diag));
  }
  diag.throwIfErrors('the feature definitions', files);

  const count = all.reduce((n, f) => n + f.entities.length + f.sources.length + f.views.length + f.services.length, 0);
  if (count === 0) {
    throw new DynafeastError(
      'repo.noDefinitions',
      texts.length === 0
        ? `No feature definition files (*.yaml, *.yml) in ${root}.`
        : `The definition files in ${root} (${files.join(', ')}) define no entities, sources, feature views or feature services.`,
      { hint: 'Add a definitions file with `entities:`, `sources:` and `feature_views:` (see the README), or create a repo with `dynafeast init`.' },
    );
  }

  const objects = resolveDefinitions(all, diag, config);
  diag.throwIfErrors('the feature definitions', files);
  return { root, files, ...objects };
}

/**
 * The definition files of the repo at `root` (see findDefinitionFiles). With `config`, skips the
 * config's own file and the embedded store's data folder.
 */
/** Where a symbolic link points, or undefined for anything else. */
function linkTarget(file: string): string | undefined {
  try {
    return readlinkSync(file);
  } catch {
    return undefined;
  }
}

export function repoDefinitionFiles(root: string, config?: RepoConfig): string[] {
  const excludeFiles: string[] = [];
  const excludeDirs: string[] = [];
  if (config) {
    const source = path.isAbsolute(config.source) ? insideRepo(root, config.source) : undefined;
    if (source !== undefined) excludeFiles.push(source);
    const embedded = config.dynafeast.embedded && insideRepo(root, config.dynafeast.embedded.path);
    if (embedded) excludeDirs.push(embedded);
  }
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new DynafeastError('usage.badArgument', `The feature repo folder ${root} does not exist.`, {
      hint: 'Run the command inside a feature repo or pass it with -c DIR.',
    });
  }
  return findDefinitionFiles(root, { excludeFiles, excludeDirs });
}

/**
 * Reads every definitions file under `repoPath` (see findDefinitionFiles) and validates them. With
 * `config`, also skips the config's own file and embedded data folder and checks table names.
 */
export function loadRepo(repoPath: string, config?: RepoConfig, files?: string[]): RepoModel {
  const root = path.resolve(repoPath);
  files ??= repoDefinitionFiles(root, config);
  const texts: DefinitionText[] = [];
  const decodeErrors: DynafeastError[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readRegularFileSync(path.join(root, file), { what: 'definition file' });
    } catch (e) {
      if (isDynafeastError(e)) {
        decodeErrors.push(new DynafeastError(e.code, e.message, { location: { file }, ...(e.hint ? { hint: e.hint } : {}), cause: e }));
        continue;
      }
      const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
      const target = linkTarget(path.join(root, file));
      decodeErrors.push(
        target !== undefined && code === 'ENOENT'
          ? new DynafeastError('repo.badYaml', `Cannot read the file: it is a symbolic link to ${target}, which does not exist.`, {
              location: { file },
              hint: 'Point the link at the definitions file, or delete the link if its views are meant to go (apply would then delete their tables).',
              cause: e,
            })
          : new DynafeastError('repo.badYaml', `Cannot read the file (${code}).`, { location: { file }, hint: 'Check its permissions.', cause: e }),
      );
      continue;
    }
    const decoded = decodeUtf8(bytes, { file, domain: 'repo' });
    if ('error' in decoded) decodeErrors.push(decoded.error);
    else texts.push({ file, text: decoded.text });
  }
  if (decodeErrors.length > 0) {
    const diag = new Diagnostics('repo');
    diag.errors.push(...decodeErrors);
    diag.throwIfErrors('the feature definitions', files);
  }
  return buildRepoModel(root, texts, config);
}
