/**
 * Typed reads from the located tree. Each read either returns a value or records one located error
 * and returns undefined, so a loader can keep going and report every problem in one pass.
 */
import { didYouMean, formatChoices, suggest } from '../util/suggest.js';
import type { Diagnostics } from './diagnostics.js';
import { describeFound, findEntry, isNull } from './yaml-tree.js';
import type { YMap, YNode, YSeq } from './yaml-tree.js';

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

function where(path: string): string {
  return path === '' ? 'at the top level' : `in \`${path}\``;
}

export interface Range {
  min: number;
  max: number;
}

const YAML11_BOOLEANS = /^(yes|no|on|off|y|n|True|False|TRUE|FALSE)$/;

export class NodeReader {
  constructor(readonly diag: Diagnostics) {}

  badType(node: YNode, path: string, expected: string, hint?: string): undefined {
    this.diag.shape('badType', `\`${path}\` must be ${expected}, found ${describeFound(node)}.`, {
      location: node.loc,
      path,
      hint,
    });
    return undefined;
  }

  badValue(node: YNode, path: string, message: string, hint?: string): undefined {
    this.diag.shape('badValue', message, { location: node.loc, path, hint });
    return undefined;
  }

  private reported(problem: 'unknownKey', path: string): boolean {
    return this.diag.errors.some((x) => x.code === `${this.diag.domain}.${problem}` && x.path === path);
  }

  map(node: YNode, path: string): YMap | undefined {
    return node.kind === 'map' ? node : this.badType(node, path, 'a mapping');
  }

  seq(node: YNode, path: string): YSeq | undefined {
    return node.kind === 'seq' ? node : this.badType(node, path, 'a list');
  }

  /** Reports every key outside `allowed`, with a did-you-mean; true when all keys are known. */
  checkKeys(map: YMap, allowed: readonly string[], path: string, hint?: (key: string) => string | undefined): boolean {
    let ok = true;
    for (const e of map.entries) {
      if (allowed.includes(e.key)) continue;
      ok = false;
      const guess = suggest(e.key, allowed);
      this.diag.shape('unknownKey', `Unknown key \`${e.key}\` ${where(path)}.${didYouMean(e.key, allowed)}`, {
        location: e.keyLoc,
        path: joinPath(path, e.key),
        hint: hint?.(e.key) ?? (guess === undefined ? `Known keys here: ${formatChoices(allowed)}.` : undefined),
      });
    }
    return ok;
  }

  /** The value under `key`; absent or null records a missingKey error. */
  required(map: YMap, key: string, path: string, hint?: string): YNode | undefined {
    const e = findEntry(map, key);
    if (e && !isNull(e.value)) return e.value;
    const full = joinPath(path, key);
    // A misspelt key (`sorce:`) already has an unknown-key error suggesting this one: say it once.
    const misspelt = map.entries.some((x) => suggest(x.key, [key]) === key && this.reported('unknownKey', joinPath(path, x.key)));
    if (!e && misspelt) return undefined;
    this.diag.shape('missingKey', e ? `\`${full}\` is empty; it is required.` : `\`${full}\` is required but missing.`, {
      location: e ? e.keyLoc : map.loc,
      path: full,
      hint,
    });
    return undefined;
  }

  /** The value under `key`; a null value (`key:` with nothing after it) counts as absent. */
  optional(map: YMap, key: string): YNode | undefined {
    const e = findEntry(map, key);
    return e && !isNull(e.value) ? e.value : undefined;
  }

  string(node: YNode, path: string, opts: { nonEmpty?: boolean } = {}): string | undefined {
    if (node.kind !== 'scalar' || typeof node.value !== 'string') {
      const hint = node.kind === 'scalar' && node.value !== null ? 'Quote the value to make it a string.' : undefined;
      return this.badType(node, path, 'a string', hint);
    }
    if (opts.nonEmpty && node.value.trim() === '') return this.badValue(node, path, `\`${path}\` must not be empty.`);
    return node.value;
  }

  bool(node: YNode, path: string): boolean | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
    const yaml11 = node.kind === 'scalar' && typeof node.value === 'string' && YAML11_BOOLEANS.test(node.value);
    return this.badType(node, path, '`true` or `false`', yaml11 ? 'Write `true` or `false` (YAML 1.2 booleans).' : undefined);
  }

  int(node: YNode, path: string, range: Range): number | undefined {
    const v = node.kind === 'scalar' ? node.value : undefined;
    const isInt = typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
    if (!isInt) return this.badType(node, path, `an integer from ${range.min} to ${range.max}`);
    return this.inRange(node, path, v as bigint | number, range, 'an integer');
  }

  number(node: YNode, path: string, range: Range): number | undefined {
    const v = node.kind === 'scalar' ? node.value : undefined;
    if (typeof v !== 'bigint' && (typeof v !== 'number' || Number.isNaN(v))) {
      return this.badType(node, path, `a number from ${range.min} to ${range.max}`);
    }
    return this.inRange(node, path, v, range, 'a number');
  }

  private inRange(node: YNode, path: string, v: bigint | number, range: Range, what: string): number | undefined {
    // Compare as bigint when possible: a 30-digit integer must not round into range.
    const below = typeof v === 'bigint' ? v < BigInt(range.min) : v < range.min;
    const above = typeof v === 'bigint' ? v > BigInt(range.max) : v > range.max;
    if (below || above) {
      return this.badValue(node, path, `\`${path}\` must be ${what} from ${range.min} to ${range.max}, found ${describeFound(node)}.`);
    }
    return Number(v);
  }

  /** A mapping of string to string (Feast's `tags`, `field_mapping`). */
  stringMap(node: YNode, path: string): Record<string, string> | undefined {
    const map = this.map(node, path);
    if (!map) return undefined;
    const out: Record<string, string> = {};
    let ok = true;
    for (const e of map.entries) {
      const v = this.string(e.value, joinPath(path, e.key));
      if (v === undefined) ok = false;
      else out[e.key] = v;
    }
    return ok ? out : undefined;
  }

  /** A list of strings, each with its node (for located follow-up checks). */
  stringList(node: YNode, path: string): Array<{ value: string; node: YNode }> | undefined {
    const seq = this.seq(node, path);
    if (!seq) return undefined;
    const out: Array<{ value: string; node: YNode }> = [];
    let ok = true;
    seq.items.forEach((item, i) => {
      const v = this.string(item, joinPath(path, i), { nonEmpty: true });
      if (v === undefined) ok = false;
      else out.push({ value: v, node: item });
    });
    return ok ? out : undefined;
  }

  /**
   * One of `choices`. `aliases` maps lower-cased alternative spellings to a choice; with
   * `caseInsensitive` any casing of a choice is accepted.
   */
  oneOf<T extends string>(
    node: YNode,
    path: string,
    choices: readonly T[],
    opts: { aliases?: Readonly<Record<string, T>>; caseInsensitive?: boolean; hint?: string } = {},
  ): T | undefined {
    const s = this.string(node, path);
    if (s === undefined) return undefined;
    if ((choices as readonly string[]).includes(s)) return s as T;
    const lower = s.toLowerCase();
    const alias = opts.aliases?.[lower];
    if (alias !== undefined) return alias;
    if (opts.caseInsensitive) {
      const hit = choices.find((c) => c.toLowerCase() === lower);
      if (hit !== undefined) return hit;
    }
    const shown = node.kind === 'scalar' && node.fromEnv ? describeFound(node) : `\`${s}\``;
    return this.badValue(
      node,
      path,
      `\`${path}\` must be ${choices.length === 1 ? '' : 'one of '}${formatChoices(choices)}, found ${shown}.${node.kind === 'scalar' && node.fromEnv ? '' : didYouMean(s, choices)}`,
      opts.hint,
    );
  }
}
