/**
 * A small, located view of a YAML document: every node carries file:line:column, so validation can
 * say where a problem is (architecture.md §2.1/§2.2). Built from `yaml`'s AST by parse-yaml.ts.
 */
import type { SourceLocation } from '../errors.js';

export interface YScalar {
  kind: 'scalar';
  /** As resolved by YAML: string, bigint (integers), number (floats), boolean or null. */
  value: unknown;
  loc: SourceLocation;
  /** Written without quotes: `${VAR}` expansion then re-reads it as YAML would (numbers, booleans). */
  plain?: boolean;
  /** Names of the environment variables expanded into this value; its text must then never be shown. */
  fromEnv?: string[];
  /** The text as written, before `${VAR}` expansion (set with `fromEnv`). */
  template?: string;
}

export interface YEntry {
  key: string;
  keyLoc: SourceLocation;
  value: YNode;
}

export interface YMap {
  kind: 'map';
  entries: YEntry[];
  loc: SourceLocation;
}

export interface YSeq {
  kind: 'seq';
  items: YNode[];
  loc: SourceLocation;
}

export type YNode = YScalar | YMap | YSeq;

export function findEntry(map: YMap, key: string): YEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

export function isNull(node: YNode): boolean {
  return node.kind === 'scalar' && node.value === null;
}

/** `a string`, `an integer`, … — the type word used in "expected X, found Y". */
export function typeWord(node: YNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'nothing (null)';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'bigint') return 'an integer';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return 'a value';
}

const MAX_SHOWN = 60;

/**
 * What was found, for messages: the type and, for scalars, the value — except values that came from the
 * environment, which may be secrets and are named by their variable instead.
 */
export function describeFound(node: YNode): string {
  if (node.kind !== 'scalar' || node.value === null) return typeWord(node);
  if (node.fromEnv) return `${typeWord(node)} taken from ${node.fromEnv.map((v) => `\${${v}}`).join(', ')}`;
  const text = String(node.value);
  const shown = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
  return `${typeWord(node)} \`${shown}\``;
}

/** Plain JS value of a node (mappings as objects), for parts kept as written such as `offline_store`. */
export function toPlain(node: YNode): unknown {
  if (node.kind === 'scalar') {
    const v = node.value;
    return typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v;
  }
  if (node.kind === 'seq') return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const e of node.entries) out[e.key] = toPlain(e.value);
  return out;
}
