import { decodeUtf8, MAX_DEPTH, parseYaml } from '../../../src/core/yaml/parse-yaml.js';
import { toPlain } from '../../../src/core/yaml/yaml-tree.js';
import type { YMap } from '../../../src/core/yaml/yaml-tree.js';
import { defined } from '../../helpers/defined.js';

const opts = { file: 'defs.yaml', domain: 'repo', version: '1.2' } as const;

describe('parseYaml', () => {
  it('locates every node, 1-based', () => {
    const { root, errors } = parseYaml('a:\n  b: [x, 2]\n', opts);
    expect(errors).toEqual([]);
    const b = defined((root as YMap).entries[0]).value as YMap;
    expect(defined(b.entries[0]).keyLoc).toEqual({ file: 'defs.yaml', line: 2, column: 3 });
    const seq = defined(b.entries[0]).value;
    expect(seq.kind === 'seq' && seq.items.map((i) => [i.loc.column, i.kind === 'scalar' && i.value])).toEqual([
      [7, 'x'],
      [10, 2n],
    ]);
  });

  it('resolves aliases and merge keys, explicit keys winning', () => {
    const text = 'base: &b {owner: ml, tags: {a: "1"}}\nview:\n  <<: *b\n  owner: team\n  list: [*b]\n';
    const { root } = parseYaml(text, opts);
    expect(toPlain(defined(root))).toEqual({
      base: { owner: 'ml', tags: { a: '1' } },
      view: { owner: 'team', tags: { a: '1' }, list: [{ owner: 'ml', tags: { a: '1' } }] },
    });
  });

  it('reports duplicate keys with both lines', () => {
    const { errors } = parseYaml('a: 1\nb: 2\na: 3\n', opts);
    expect(errors.map((e) => [e.code, e.location?.line, e.message])).toEqual([['repo.badYaml', 3, 'Duplicate key `a` (first defined on line 1).']]);
  });

  it('stops an alias bomb', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const { root, errors } = parseYaml(lines.join('\n'), opts);
    expect(root).toBeUndefined();
    expect(defined(errors[0]).message).toContain('expands to more than');
  });

  it('reports unresolved custom tags and multiple documents', () => {
    expect(defined(parseYaml('a: !python/name:os.system x\n', opts).errors[0]).hint).toContain('tags');
    expect(defined(parseYaml('a: 1\n---\nb: 2\n', opts).errors[0]).location?.line).toBe(2);
  });

  it('returns no root and no error for a comment-only file', () => {
    expect(parseYaml('# nothing\n', opts)).toEqual({ root: undefined, errors: [] });
  });

  it('keeps the text of YAML 1.1 boolean-looking keys', () => {
    const { root } = parseYaml('on: 1\nyes: 2\n', { ...opts, version: '1.1' });
    expect((root as YMap).entries.map((e) => e.key)).toEqual(['on', 'yes']);
  });
});

describe('decodeUtf8', () => {
  it('decodes UTF-8 and drops a BOM', () => {
    expect(decodeUtf8(Buffer.from('\uFEFFa: é\n'), opts)).toEqual({ text: 'a: é\n' });
  });

  it('names the line of the first bad byte', () => {
    const r = decodeUtf8(Buffer.concat([Buffer.from('a: 1\nb: '), Buffer.from([0xe9]), Buffer.from('\n')]), opts);
    expect('error' in r && [r.error.code, r.error.location]).toEqual(['repo.badYaml', { file: 'defs.yaml', line: 2 }]);
  });

  it('recognises UTF-16', () => {
    const r = decodeUtf8(Buffer.from('\uFEFFa: 1\n', 'utf16le'), opts);
    expect('error' in r && r.error.message).toContain('UTF-16');
  });
});

describe('nesting limit', () => {
  const flow = (n: number) => `a: ${'['.repeat(n)}${']'.repeat(n)}\n`;
  const block = (n: number) => Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ` 1\n`;
  const mixed = (n: number) => `a:\n${Array.from({ length: n }, (_, i) => `${'  '.repeat(i + 1)}- `).join('\n')}x\n`;

  it.each([
    ['flow', flow(150)],
    ['flow, beyond the parser stack', flow(20_000)],
    ['block mappings', block(150)],
    ['block lists', mixed(150)],
  ])('%s nested past the limit says which limit, not "syntax error"', (_kind, text) => {
    for (const domain of ['config', 'repo'] as const) {
      const r = parseYaml(text, { file: 'f.yaml', domain, version: '1.2' });
      expect(r.root).toBeUndefined();
      expect(r.errors).toHaveLength(1);
      expect(defined(r.errors[0]).code).toBe(`${domain}.badYaml`);
      expect(defined(r.errors[0]).message).toContain(`nested more than ${MAX_DEPTH} levels`);
      expect(defined(r.errors[0]).message).not.toMatch(/call stack|Invalid YAML/);
      expect(defined(r.errors[0]).hint).toMatch(/nesting limit/);
    }
  });

  it('a document at the limit is read', () => {
    expect(parseYaml(flow(MAX_DEPTH - 1), { file: 'f.yaml', domain: 'repo', version: '1.2' }).errors).toEqual([]);
  });
});
