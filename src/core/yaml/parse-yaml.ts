/**
 * Text → located tree, with every syntax problem reported as `<domain>.badYaml` at file:line:column.
 * Duplicate keys are detected here (not by `yaml`) so the message can point at both occurrences.
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node as AstNode, YAMLError } from 'yaml';
import { DynafeastError } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import { shapeCode } from './diagnostics.js';
import type { YamlDomain } from './diagnostics.js';
import type { YEntry, YNode } from './yaml-tree.js';

export interface ParseYamlOptions {
  /** Name used in locations (relative to the repo root where possible). */
  file: string;
  domain: YamlDomain;
  /**
   * `1.1` reads scalars like PyYAML (what Feast uses for feature_store.yaml: `yes`/`on` are booleans);
   * `1.2` is the modern core schema.
   */
  version: '1.1' | '1.2';
}

export interface ParsedYaml {
  /** undefined for an empty document (only comments or nothing) or when the text could not be parsed. */
  root: YNode | undefined;
  errors: DynafeastError[];
}

// Alias expansion copies subtrees; this bounds a "billion laughs" document.
const MAX_NODES = 200_000;

class TooManyNodes extends Error {}
// Nothing dynafeast reads nests beyond ~8 levels; deeper documents are refused before the stack runs out.
export const MAX_DEPTH = 100;

class TooDeep extends Error {
  constructor(readonly loc: SourceLocation | undefined) {
    super('too deep');
  }
}

/** The error for a document nested beyond {@link MAX_DEPTH} (or beyond what the parser's stack holds). */
function tooDeep(opts: ParseYamlOptions, loc: SourceLocation | undefined): DynafeastError {
  return new DynafeastError(
    shapeCode(opts.domain, 'badYaml'),
    `The document is nested more than ${MAX_DEPTH} levels deep (lists and mappings inside each other); dynafeast reads at most ${MAX_DEPTH}.`,
    {
      location: loc ?? { file: opts.file, line: 1 },
      hint: 'This is a nesting limit, not a syntax error: flatten the structure (no setting or definition needs more than a few levels).',
    },
  );
}

const isStackOverflow = (e: unknown): boolean => e instanceof RangeError && /call stack/i.test(e.message);

const HINTS: Record<string, string> = {
  TAB_AS_INDENT: 'Indent with spaces: YAML does not allow tabs for indentation.',
  MULTIPLE_DOCS: 'Keep one YAML document per file (remove the `---` separator or split the file).',
  TAG_RESOLVE_FAILED: 'Custom YAML tags are not supported; remove the `!tag`.',
  MISSING_CHAR: 'Close the quote or bracket that is opened here.',
};

/** Decodes UTF-8 strictly; a bad byte is reported with the line it is on. */
export function decodeUtf8(bytes: Uint8Array, opts: Pick<ParseYamlOptions, 'file' | 'domain'>): { text: string } | { error: DynafeastError } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const lossy = new TextDecoder('utf-8').decode(bytes);
    const before = lossy.slice(0, Math.max(0, lossy.indexOf('\uFFFD')));
    const line = before.split('\n').length;
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    return {
      error: new DynafeastError(
        shapeCode(opts.domain, 'badYaml'),
        `The file is not valid UTF-8${utf16 ? ' (it looks like UTF-16)' : ''}: it has an invalid byte sequence.`,
        { location: { file: opts.file, line }, hint: 'Save the file as UTF-8.' },
      ),
    };
  }
}

/**
 * `yaml` reports an unclosed quote where the text ends; the quote that opened it is what to fix.
 */
function openingQuote(doc: Document, offset: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_, node) {
      const [from, to] = node.range ?? [];
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      if (quoted && from !== undefined && to !== undefined && from <= offset && offset <= to) start = from;
    },
  });
  return start;
}

function yamlErrorToDynafeast(e: YAMLError, opts: ParseYamlOptions, lc: LineCounter, doc: Document): DynafeastError {
  const quoteStart = e.code === 'MISSING_CHAR' && /quote/i.test(e.message) ? openingQuote(doc, e.pos[0]) : undefined;
  const pos = lc.linePos(quoteStart ?? e.pos[0]);
  // `yaml` appends " at line L, column C:" and a source excerpt; the location field carries that.
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- split returns at least one element
  const text = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return new DynafeastError(shapeCode(opts.domain, 'badYaml'), `Invalid YAML: ${text}.`, {
    location: { file: opts.file, line: pos.line, column: pos.col },
    hint: HINTS[e.code] ?? 'Fix the YAML syntax at this point.',
  });
}

class Converter {
  private nodes = 0;
  private readonly resolving = new Set<AstNode>();
  readonly errors: DynafeastError[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lc: LineCounter,
    private readonly opts: ParseYamlOptions,
  ) {}

  loc(offset: number | undefined): SourceLocation {
    if (offset === undefined) return { file: this.opts.file };
    const p = this.lc.linePos(offset);
    return { file: this.opts.file, line: p.line, column: p.col };
  }

  fail(message: string, loc: SourceLocation, hint?: string): void {
    this.errors.push(new DynafeastError(shapeCode(this.opts.domain, 'badYaml'), message, { location: loc, hint }));
  }

  convert(node: unknown, fallback: SourceLocation, depth = 0): YNode {
    if (++this.nodes > MAX_NODES) throw new TooManyNodes();
    if (depth > MAX_DEPTH) throw new TooDeep(this.loc((node as AstNode | null)?.range?.[0]));
    if (node === null || node === undefined) return { kind: 'scalar', value: null, loc: fallback };
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target || this.resolving.has(target)) {
        this.fail(`Alias \`*${node.source}\` cannot be resolved.`, this.loc(node.range?.[0]));
        return { kind: 'scalar', value: null, loc: this.loc(node.range?.[0]) };
      }
      this.resolving.add(target);
      try {
        return this.convert(target, fallback, depth);
      } finally {
        this.resolving.delete(target);
      }
    }
    const loc = this.loc((node as AstNode).range?.[0]);
    if (isScalar(node)) return { kind: 'scalar', value: node.value, loc, plain: node.type === 'PLAIN' };
    if (isSeq(node)) return { kind: 'seq', items: node.items.map((i) => this.convert(i, loc, depth + 1)), loc };
    if (isMap(node)) return { kind: 'map', entries: this.entries(node.items, loc, depth + 1), loc };
    this.fail('Unsupported YAML node.', loc);
    return { kind: 'scalar', value: null, loc };
  }

  private entries(items: unknown[], mapLoc: SourceLocation, depth: number): YEntry[] {
    const out: YEntry[] = [];
    const merged: YEntry[] = [];
    for (const pair of items) {
      if (!isPair(pair)) continue;
      const key = pair.key;
      const keyOffset = (key as AstNode | null)?.range?.[0];
      const keyLoc = keyOffset === undefined ? mapLoc : this.loc(keyOffset);
      if (isScalar(key) && (key.source === '<<' || typeof key.value === 'symbol')) {
        merged.push(...this.mergeSources(pair.value, keyLoc, depth));
        continue;
      }
      if (!isScalar(key) || key.value === null) {
        this.fail('Mapping keys must be plain strings.', keyLoc, 'Use a simple `name:` key.');
        continue;
      }
      // Plain keys keep their text (`on:` stays "on" even where YAML 1.1 would read a boolean).
      const name = typeof key.value === 'string' ? key.value : key.type === 'PLAIN' && key.source ? key.source : String(key.value);
      const first = out.find((e) => e.key === name);
      if (first) {
        this.fail(
          `Duplicate key \`${name}\` (first defined on line ${first.keyLoc.line}).`,
          keyLoc,
          'Keep one of them: YAML keys must be unique within a mapping.',
        );
        continue;
      }
      out.push({ key: name, keyLoc, value: this.convert(pair.value, keyLoc, depth) });
    }
    // Explicit keys win over merged ones, as in YAML's merge-key convention.
    for (const m of merged) if (!out.some((e) => e.key === m.key)) out.push(m);
    return out;
  }

  private mergeSources(value: unknown, keyLoc: SourceLocation, depth: number): YEntry[] {
    const node = this.convert(value, keyLoc, depth);
    const maps = node.kind === 'seq' ? node.items : [node];
    const out: YEntry[] = [];
    for (const m of maps) {
      if (m.kind !== 'map') {
        this.fail('A merge key `<<` must refer to a mapping.', m.loc);
        continue;
      }
      for (const e of m.entries) if (!out.some((o) => o.key === e.key)) out.push(e);
    }
    return out;
  }
}

/** Parses one YAML document into a located tree; collects every syntax problem. */
export function parseYaml(text: string, opts: ParseYamlOptions): ParsedYaml {
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, {
      lineCounter: lc,
      version: opts.version,
      intAsBigInt: true,
      merge: true,
      uniqueKeys: false,
      prettyErrors: false,
    });
  } catch (e) {
    if (isStackOverflow(e)) return { root: undefined, errors: [tooDeep(opts, undefined)] };
    throw e;
  }
  // Only the first syntax error: the ones after it are usually the parser losing its footing.
  const first = [...doc.errors, ...doc.warnings].sort((a, b) => a.pos[0] - b.pos[0])[0];
  // the parser reports running out of stack as a syntax error: it is the nesting limit
  if (first && /call stack/i.test(first.message)) {
    const pos = lc.linePos(first.pos[0]);
    return { root: undefined, errors: [tooDeep(opts, { file: opts.file, line: pos.line, column: pos.col })] };
  }
  if (first) return { root: undefined, errors: [yamlErrorToDynafeast(first, opts, lc, doc)] };
  if (doc.contents === null) return { root: undefined, errors: [] };
  const conv = new Converter(doc, lc, opts);
  try {
    const root = conv.convert(doc.contents, { file: opts.file, line: 1, column: 1 });
    return { root: conv.errors.length > 0 ? undefined : root, errors: conv.errors };
  } catch (e) {
    if (e instanceof TooDeep) return { root: undefined, errors: [tooDeep(opts, e.loc)] };
    if (isStackOverflow(e)) return { root: undefined, errors: [tooDeep(opts, undefined)] };
    if (!(e instanceof TooManyNodes)) throw e;
    const err = new DynafeastError(shapeCode(opts.domain, 'badYaml'), `The document expands to more than ${MAX_NODES} nodes.`, {
      location: { file: opts.file, line: 1 },
      hint: 'Reduce the use of YAML aliases (`*name`).',
    });
    return { root: undefined, errors: [err] };
  }
}
