/**
 * `${VAR}` expansion in feature_store.yaml string values, as Feast does. Feast expands the raw text
 * before parsing; expanding values after parsing keeps line numbers exact and stops a variable from
 * injecting YAML structure, while an unquoted value is re-read as YAML would (`batch_size: ${N}` → 50).
 * Expanded values may be secrets: nodes remember their variables so messages never show the value.
 */
import { parse } from 'yaml';
import type { Diagnostics } from '../yaml/diagnostics.js';
import { joinPath } from '../yaml/read-node.js';
import type { YNode, YScalar } from '../yaml/yaml-tree.js';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
// Only short plain words are re-read as YAML scalars; anything else stays the string it expanded to.
const RETYPABLE = /^[\w.+-]*$/;

export type Env = Readonly<Record<string, string | undefined>>;

/** Expands `${NAME}` in one string; undefined names are collected in `missing`. */
export function expandString(text: string, env: Env, missing: string[] = []): string {
  return text.replace(REFERENCE, (whole, name: string) => {
    const value = env[name];
    if (value === undefined) {
      missing.push(name);
      return whole;
    }
    return value;
  });
}

function retype(text: string): unknown {
  if (!RETYPABLE.test(text)) return text;
  try {
    const v: unknown = parse(text, { version: '1.1', intAsBigInt: true, logLevel: 'error' });
    return typeof v === 'string' || typeof v === 'object' ? (v ?? null) : v;
  } catch {
    return text;
  }
}

function expandScalar(node: YScalar, path: string, env: Env, diag: Diagnostics): YScalar {
  if (typeof node.value !== 'string' || !node.value.includes('${')) return node;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- REFERENCE has one required group
  const names = [...node.value.matchAll(REFERENCE)].map((m) => m[1]!);
  if (names.length === 0) return node;
  const missing: string[] = [];
  const expanded = expandString(node.value, env, missing);
  for (const name of new Set(missing)) {
    diag.error('config.undefinedEnvVar', `Environment variable \`${name}\` is not set (referenced by \`${path}\`).`, {
      location: node.loc,
      path,
      hint: `Set ${name} in the environment, or write the value in the file.`,
    });
  }
  if (missing.length > 0) return node;
  return { ...node, value: node.plain ? retype(expanded) : expanded, fromEnv: [...new Set(names)], template: node.value };
}

/** A string setting that came from `${VAR}` expansion: its value, the text as written, and the variables. */
export interface EnvValue {
  path: string;
  value: string;
  template: string;
  names: string[];
}

/** Every string value of the tree that `${VAR}` expansion produced (numbers and booleans carry no secret). */
export function envValuesOf(node: YNode, path = ''): EnvValue[] {
  switch (node.kind) {
    case 'scalar':
      return typeof node.value === 'string' && node.fromEnv && node.template !== undefined
        ? [{ path, value: node.value, template: node.template, names: node.fromEnv }]
        : [];
    case 'seq':
      return node.items.flatMap((item, i) => envValuesOf(item, joinPath(path, i)));
    case 'map':
      return node.entries.flatMap((e) => envValuesOf(e.value, joinPath(path, e.key)));
  }
}

/** A copy of the tree with `${VAR}` references in string values replaced from `env`. */
export function expandEnv(node: YNode, env: Env, diag: Diagnostics, path = ''): YNode {
  switch (node.kind) {
    case 'scalar':
      return expandScalar(node, path, env, diag);
    case 'seq':
      return { ...node, items: node.items.map((item, i) => expandEnv(item, env, diag, joinPath(path, i))) };
    case 'map':
      return {
        ...node,
        entries: node.entries.map((e) => ({ ...e, value: expandEnv(e.value, env, diag, joinPath(path, e.key)) })),
      };
  }
}
