/**
 * Stage 1 of config validation (CONTRIBUTING.md convention 9): types, known keys, required keys and defaults, all
 * driven by the schema table. Produces a camelCase object; every problem is recorded, none thrown.
 */
import { IGNORED_FEAST_KEYS, camelCase } from './schema.js';
import type { FieldSpec } from './schema.js';
import type { Diagnostics } from '../yaml/diagnostics.js';
import { NodeReader, joinPath } from '../yaml/read-node.js';
import { describeFound, findEntry, toPlain } from '../yaml/yaml-tree.js';
import type { YMap, YNode } from '../yaml/yaml-tree.js';

export type Shaped = Record<string, unknown>;

function emptyMap(at: YNode['loc']): YMap {
  return { kind: 'map', entries: [], loc: at };
}

function cloneDefault(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? structuredClone(v) : v;
}

class ShapeValidator {
  private readonly read: NodeReader;

  constructor(private readonly diag: Diagnostics) {
    this.read = new NodeReader(diag);
  }

  section(map: YMap, fields: readonly FieldSpec[], path: string): Shaped {
    const keys = fields.map((f) => f.key);
    this.read.checkKeys(map, keys, path, (key) => this.unknownKeyHint(key, path));
    const out: Shaped = {};
    for (const f of fields) {
      const entry = findEntry(map, f.key);
      const p = joinPath(path, f.key);
      if (f.type.kind === 'ignored') {
        if (entry) this.diag.warn(`\`${p}\` is a Feast setting that dynafeast ignores.`, { path: p, location: entry.keyLoc });
        continue;
      }
      let node = f.required ? this.read.required(map, f.key, path, f.hint) : this.read.optional(map, f.key);
      // `embedded:` with nothing after it means "on, with defaults", not "absent".
      if (!node && entry && f.type.kind === 'section' && !f.required) node = emptyMap(entry.keyLoc);
      if (node && f.type.kind === 'pathOrSection' && node.kind === 'map') {
        const { path: given, ...settings } = this.section(node, f.type.fields, p);
        if (given !== undefined) out[camelCase(f.key)] = given;
        out[`${camelCase(f.key)}Settings`] = settings;
        continue;
      }
      const value = node ? this.value(f, node, p) : this.absent(f, map, p);
      if (value !== undefined) out[camelCase(f.key)] = value;
    }
    return out;
  }

  private absent(f: FieldSpec, parent: YMap, path: string): unknown {
    if (f.type.kind === 'section' && f.type.whenAbsent === 'defaults') {
      return this.section(emptyMap(parent.loc), f.type.fields, path);
    }
    return cloneDefault(f.default);
  }

  private value(f: FieldSpec, node: YNode, path: string): unknown {
    const t = f.type;
    switch (t.kind) {
      case 'string': {
        const s = this.read.string(node, path, { nonEmpty: t.nonEmpty });
        if (s === undefined || !t.pattern || t.pattern.test(s)) return s;
        const found = node.kind === 'scalar' && node.fromEnv ? describeFound(node) : `\`${s}\``;
        return this.read.badValue(node, path, `\`${path}\` must be ${t.patternRule ?? `like ${t.pattern}`}, found ${found}.`, f.hint);
      }
      case 'enum':
        return this.read.oneOf(node, path, t.choices, { aliases: t.aliases, caseInsensitive: t.caseInsensitive, hint: f.hint });
      case 'int':
        return this.read.int(node, path, t);
      case 'number':
        return this.read.number(node, path, t);
      case 'bool':
        return this.read.bool(node, path);
      case 'stringMap':
        return this.read.stringMap(node, path);
      case 'mapping': {
        // Feast also takes a bare type name (`offline_store: file`).
        if (node.kind === 'scalar' && typeof node.value === 'string') return { type: node.value };
        const m = this.read.map(node, path);
        return m ? toPlain(m) : undefined;
      }
      case 'section': {
        const m = this.read.map(node, path);
        return m ? this.section(m, t.fields, path) : undefined;
      }
      case 'pathOrSection': {
        if (node.kind === 'map') return this.section(node, t.fields, path).path;
        if (node.kind === 'scalar' && typeof node.value === 'string') return this.read.string(node, path, { nonEmpty: true });
        return this.read.badType(node, path, 'a path string or a mapping with `path`', f.hint);
      }
      case 'ignored':
        return undefined;
    }
  }

  private unknownKeyHint(key: string, path: string): string | undefined {
    if (path === 'online_store') {
      return `Feast's DynamoDB online store accepts only its own keys; dynafeast settings go under the top-level \`dynafeast:\` key.`;
    }
    if (path === '') {
      return `Top-level keys are Feast's (project, registry, provider, online_store, offline_store, entity_key_serialization_version, ${IGNORED_FEAST_KEYS.join(', ')}) and \`dynafeast\`.`;
    }
    return undefined;
  }
}

/** Validates the shape of a parsed `feature_store.yaml` against the schema; returns the camelCase object. */
export function validateShape(root: YMap, schema: readonly FieldSpec[], diag: Diagnostics): Shaped {
  return new ShapeValidator(diag).section(root, schema, '');
}
