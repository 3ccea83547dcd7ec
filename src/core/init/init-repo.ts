/**
 * `dynafeast init`: renders a template into `NAME/feature_repo/` and generates its sample data. The repo
 * is built in a hidden sibling folder and renamed into place, so a failure (disk full, DuckDB error)
 * never leaves a half-written NAME behind for the next `init` to refuse.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../context.js';
import { DynafeastError } from '../errors.js';
import { writeDriverStatsParquet } from '../sample-data/driver-stats.js';
import { DEFAULT_INIT_NAME, projectNameFromDirName } from './project-name.js';
import { resolveRegion, type ResolvedRegion } from './region.js';
import { TEMPLATE_NAMES, initTemplateVars, renderTemplateDir, type TemplateName } from './templates.js';
import { createLocalCredentials } from '../embedded/local-credentials.js';
import { DEFAULT_EMBEDDED_PATH } from '../embedded/target.js';

/** Port of the embedded DynamoDB written into the local template's endpoint_url. */
export const DEFAULT_EMBEDDED_PORT = 4567;

/** Where the sample data goes, relative to the feature repo (features.yaml points at it). */
export const SAMPLE_DATA_FILE = 'data/driver_stats.parquet';

export interface InitRepoOptions {
  /** Folder in which NAME is created. Created if missing. */
  parentDir: string;
  /** Folder name; also the project name with "-" mapped to "_". Default DEFAULT_INIT_NAME. */
  name?: string;
  template: TemplateName;
  /** aws template only: wins over AWS_REGION / AWS_DEFAULT_REGION. */
  region?: string;
  env: Record<string, string | undefined>;
  /** Sample data ends one hour before the clock's current hour. */
  clock: Clock;
  /** local template only: the embedded DynamoDB port. */
  port?: number;
  /** Overrides the package's templates/ folder (tests). */
  templatesDir?: string;
}

export interface InitRepoResult {
  /** Absolute path of NAME/feature_repo (the folder the other commands run in). */
  repoDir: string;
  /** Absolute path of NAME. */
  projectDir: string;
  project: string;
  template: TemplateName;
  /** Files written, relative to repoDir, sorted. */
  files: string[];
  /** aws template only: the region written and where it came from (`placeholder` deserves a warning). */
  region?: ResolvedRegion;
  /** Rows in the sample parquet file. */
  sampleRows: number;
}

async function isMissingOrEmptyDir(dir: string): Promise<boolean> {
  try {
    const s = await stat(dir);
    return s.isDirectory() && (await readdir(dir)).length === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DynafeastError('usage.badFlag', `the embedded DynamoDB port must be 1-65535, got ${port}`, { path: '--port' });
  }
  return port;
}

export async function initRepo(options: InitRepoOptions): Promise<InitRepoResult> {
  const name = options.name ?? DEFAULT_INIT_NAME;
  const project = projectNameFromDirName(name);
  if (!(TEMPLATE_NAMES as readonly string[]).includes(options.template)) {
    throw new DynafeastError('usage.badFlag', `unknown template "${options.template}"; expected ${TEMPLATE_NAMES.join(' or ')}`, {
      path: '--template',
      hint: '-t local runs against the embedded DynamoDB; -t aws targets your AWS account',
    });
  }
  const region = options.template === 'aws' ? resolveRegion(options.region, options.env) : undefined;
  const port = checkPort(options.port ?? DEFAULT_EMBEDDED_PORT);
  const vars = initTemplateVars({ project, name, port, ...(region ? { region } : {}) });

  const parentDir = path.resolve(options.parentDir);
  const projectDir = path.join(parentDir, name);
  const refuse = () =>
    new DynafeastError('init.exists', `${projectDir} already exists and is not an empty folder; init never overwrites a repo`, {
      path: 'NAME',
      hint: `choose another NAME, or remove ${projectDir} first`,
    });
  if (!(await isMissingOrEmptyDir(projectDir))) throw refuse();

  const rendered = await renderTemplateDir(options.template, vars, options.templatesDir);
  await mkdir(parentDir, { recursive: true });
  // Not mkdtemp: its 0700 mode would stay on NAME after the rename; mkdir applies the user's umask.
  const staging = path.join(parentDir, `.${name}.init-${randomUUID().slice(0, 8)}`);
  await mkdir(staging);
  try {
    const repoStaging = path.join(staging, 'feature_repo');
    for (const file of rendered) {
      const target = path.join(repoStaging, file.path);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.content, { flag: 'wx' });
    }
    const sample = await writeDriverStatsParquet(path.join(repoStaging, SAMPLE_DATA_FILE), { nowMicros: options.clock.nowMicros() });
    // the embedded store's own access key (0600, git-ignored); its server refuses requests without it
    if (options.template === 'local') createLocalCredentials(path.join(repoStaging, DEFAULT_EMBEDDED_PATH));

    // Checked again: another process may have created NAME meanwhile. rmdir only removes an empty folder.
    if (!(await isMissingOrEmptyDir(projectDir))) throw refuse();
    await rmdir(projectDir).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await rename(staging, projectDir);
    return {
      repoDir: path.join(projectDir, 'feature_repo'),
      projectDir,
      project,
      template: options.template,
      files: [...rendered.map((f) => f.path), SAMPLE_DATA_FILE].sort(),
      ...(region ? { region } : {}),
      sampleRows: sample.rows,
    };
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}
