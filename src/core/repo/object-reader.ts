/**
 * Reading helpers shared by the definition parsers: names, descriptions/tags/owner, required and
 * optional strings, and "keep this object only if it had no error".
 */
import type { Diagnostics } from '../yaml/diagnostics.js';
import { NodeReader, joinPath } from '../yaml/read-node.js';
import type { YMap } from '../yaml/yaml-tree.js';
import { OBJECT_NAME, OBJECT_NAME_RULE } from './definitions.js';
import type { Ref } from './definitions.js';

/** Keys every object may carry, as in Feast. */
export const META_KEYS = ['description', 'tags', 'owner'];

export interface Meta {
  description: string;
  tags: Record<string, string>;
  owner: string;
}

export class ObjectReader {
  readonly read: NodeReader;

  constructor(readonly diag: Diagnostics) {
    this.read = new NodeReader(diag);
  }

  /** Runs `parse` and returns its result only if it recorded no error. */
  clean<T>(parse: () => T | undefined): T | undefined {
    const before = this.diag.errors.length;
    const value = parse();
    return this.diag.errors.length === before ? value : undefined;
  }

  name(map: YMap, path: string, pattern = OBJECT_NAME, rule = OBJECT_NAME_RULE): Ref | undefined {
    const node = this.read.required(map, 'name', path);
    const p = joinPath(path, 'name');
    const name = node && this.read.string(node, p, { nonEmpty: true });
    if (!node || name === undefined) return undefined;
    if (!pattern.test(name)) return this.read.badValue(node, p, `\`${p}\` must be ${rule}, found \`${name}\`.`);
    return { name, loc: node.loc };
  }

  meta(map: YMap, path: string): Meta {
    const str = (key: string): string => {
      const n = this.read.optional(map, key);
      return (n && this.read.string(n, joinPath(path, key))) ?? '';
    };
    const tagsNode = this.read.optional(map, 'tags');
    const tags = (tagsNode && this.read.stringMap(tagsNode, joinPath(path, 'tags'))) ?? {};
    return { description: str('description'), tags, owner: str('owner') };
  }

  optionalString(map: YMap, key: string, path: string): string | undefined {
    const n = this.read.optional(map, key);
    return n && this.read.string(n, joinPath(path, key), { nonEmpty: true });
  }

  requiredString(map: YMap, key: string, path: string, hint?: string): Ref | undefined {
    const n = this.read.required(map, key, path, hint);
    const v = n && this.read.string(n, joinPath(path, key), { nonEmpty: true });
    return n && v !== undefined ? { name: v, loc: n.loc } : undefined;
  }
}
