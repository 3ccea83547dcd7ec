/**
 * Loads and validates `feature_store.yaml` (architecture.md §2.1): file or `FEATURE_STORE_YAML_BASE64`,
 * `${VAR}` expansion, shape, then cross-field rules. Every problem is located (file:line:column) and
 * all of them are reported in one DynafeastError.
 */
import path from 'node:path';
import { DynafeastError, isDynafeastError } from '../errors.js';
import { readRegularFileSync } from '../util/checked-file.js';
import { Diagnostics } from '../yaml/diagnostics.js';
import { decodeUtf8, parseYaml } from '../yaml/parse-yaml.js';
import { describeFound } from '../yaml/yaml-tree.js';
import type { YMap } from '../yaml/yaml-tree.js';
import { checkCrossFields } from './cross-rules.js';
import type { ShapedConfig } from './cross-rules.js';
import { envValuesOf, expandEnv } from './expand-env.js';
import type { Env } from './expand-env.js';
import { CONFIG_SCHEMA, isShownSetting } from './schema.js';
import type { ConfigWarning, RepoConfig } from './types.js';
import { validateShape } from './validate-shape.js';

export const BASE64_ENV_VAR = 'FEATURE_STORE_YAML_BASE64';
export const DEFAULT_CONFIG_FILE = 'feature_store.yaml';
/** Feast's variable naming the config file when `-f` is not given (relative paths from the current directory). */
export const FEAST_YAML_PATH_ENV_VAR = 'FEAST_FS_YAML_FILE_PATH';

export interface LoadConfigOptions {
  /** Feature repo root; default the current directory. */
  repoPath?: string;
  /**
   * Config file; default `$FEAST_FS_YAML_FILE_PATH`, then `<repoPath>/feature_store.yaml`, as Feast's CLI
   * does. A relative path is taken from the current directory, like a CLI flag.
   */
  featureStoreYaml?: string;
  /** Environment for `FEATURE_STORE_YAML_BASE64` and `${VAR}` expansion; default `process.env`. */
  env?: Env;
}

export interface LoadedConfig {
  config: RepoConfig;
  warnings: ConfigWarning[];
}

export interface ParseConfigOptions {
  /** Name shown in locations. */
  file: string;
  /** Absolute repo root stored in the config. */
  repoPath: string;
  /** Where the text came from (RepoConfig.source); default `file`. */
  source?: string;
  env?: Env;
}

function decodeBase64(value: string): string {
  const compact = value.replace(/\s+/g, '');
  const fail = (why: string): never => {
    // The value may hold credentials: describe it, never echo it.
    throw new DynafeastError('config.badBase64', `${BASE64_ENV_VAR} is not valid base64-encoded YAML: ${why}.`, {
      path: BASE64_ENV_VAR,
      hint: `Encode the file with \`base64 < feature_store.yaml\` (or unset ${BASE64_ENV_VAR} to read the file).`,
    });
  };
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    fail('it contains characters or padding that base64 does not use');
  }
  const decoded = decodeUtf8(Buffer.from(compact, 'base64'), { file: BASE64_ENV_VAR, domain: 'config' });
  if ('error' in decoded) return fail('the decoded bytes are not UTF-8 text');
  if (decoded.text.trim() === '') fail('it decodes to an empty document');
  return decoded.text;
}

function readConfigFile(file: string, label: string): string {
  let bytes: Buffer;
  try {
    bytes = readRegularFileSync(file, { what: 'the config file', path: '-c / -f' });
  } catch (e) {
    if (isDynafeastError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const missing = code === 'ENOENT' || code === 'ENOTDIR';
    throw new DynafeastError('config.notFound', missing ? `No feature_store.yaml at ${file}.` : `Cannot read ${file} (${code ?? 'unknown error'}).`, {
      location: { file: label },
      hint: missing
        ? 'Run the command in a feature repo (or pass -c DIR / -f FILE), or create one with `dynafeast init`.'
        : 'Check the path and its permissions.',
      cause: e,
    });
  }
  const decoded = decodeUtf8(bytes, { file: label, domain: 'config' });
  if ('error' in decoded) throw decoded.error;
  return decoded.text;
}

/** Validates config text (already read); the building block of {@link loadConfigWithWarnings}. */
export function parseConfigText(text: string, opts: ParseConfigOptions): LoadedConfig {
  const diag = new Diagnostics('config');
  const subject = opts.file;
  const parsed = parseYaml(text, { file: opts.file, domain: 'config', version: '1.1' });
  diag.errors.push(...parsed.errors);
  diag.throwIfErrors(subject);

  const root = parsed.root;
  if (!root || root.kind !== 'map') {
    const found = root ? describeFound(root) : 'an empty document';
    throw new DynafeastError('config.badType', `${opts.file} must be a YAML mapping (project, registry, online_store, …), found ${found}.`, {
      location: root?.loc ?? { file: opts.file, line: 1 },
      hint: 'See the feature_store.yaml reference in the README, or create a repo with `dynafeast init`.',
    });
  }

  // Expansion keeps each node's kind, so the root stays a mapping.
  const expanded = expandEnv(root, opts.env ?? process.env, diag) as YMap;
  const shaped = validateShape(expanded, CONFIG_SCHEMA, diag);
  diag.throwIfErrors(subject);

  const cfg = shaped as unknown as ShapedConfig;
  checkCrossFields(cfg, expanded, diag);
  diag.throwIfErrors(subject);

  const envValues = envValuesOf(expanded).filter((v) => !isShownSetting(v.path));
  const config = { ...cfg, repoPath: opts.repoPath, source: opts.source ?? opts.file, ...(envValues.length ? { envValues } : {}) } as RepoConfig;
  const line = (w: ConfigWarning): number => w.location?.line ?? Number.MAX_SAFE_INTEGER;
  return { config, warnings: [...diag.warnings].sort((a, b) => line(a) - line(b)) };
}

/** Loads `feature_store.yaml` (or `FEATURE_STORE_YAML_BASE64`) and returns the config and its warnings. */
export function loadConfigWithWarnings(opts: LoadConfigOptions = {}): LoadedConfig {
  const repoPath = path.resolve(opts.repoPath ?? '.');
  const env = opts.env ?? process.env;
  const base64 = env[BASE64_ENV_VAR];
  if (base64 !== undefined && base64.trim() !== '') {
    const text = decodeBase64(base64);
    return parseConfigText(text, { file: BASE64_ENV_VAR, repoPath, source: BASE64_ENV_VAR, env });
  }
  const named = opts.featureStoreYaml || env[FEAST_YAML_PATH_ENV_VAR] || undefined;
  const file = named ? path.resolve(named) : path.join(repoPath, DEFAULT_CONFIG_FILE);
  const rel = path.relative(repoPath, file);
  const label = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
  const text = readConfigFile(file, label);
  return parseConfigText(text, { file: label, repoPath, source: file, env });
}

/** Loads and validates the config; warnings are dropped (use {@link loadConfigWithWarnings} to show them). */
export function loadConfig(opts: LoadConfigOptions = {}): RepoConfig {
  return loadConfigWithWarnings(opts).config;
}
