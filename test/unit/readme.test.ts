import { readFileSync } from 'node:fs';
import { renderConfigReference } from '../../src/core/config/schema.js';
import { renderDtypeTable } from '../../src/core/layout/dtype-table.js';

describe('README.md', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('holds the current config reference (run `npm run build && npm run docs` after changing the schema)', () => {
    const m = /<!-- BEGIN config-reference -->\n([\s\S]*?)<!-- END config-reference -->/.exec(readme);
    expect(m?.[1]?.trim()).toBe(renderConfigReference().trim());
  });

  it('holds the current dtype table (run `npm run build && npm run docs` after changing feast-types.ts)', () => {
    const m = /<!-- BEGIN dtype-table -->\n([\s\S]*?)<!-- END dtype-table -->/.exec(readme);
    expect(m?.[1]?.trim()).toBe(renderDtypeTable().trim());
    // every value type of Feast 0.67's Python ValueType enum but UNKNOWN (0) and NULL (19)
    expect(renderDtypeTable().split('\n').length - 2).toBe(45);
  });

  it('names the two commands that .ci/run runs, both npm ci based', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    const block = /## Try it: two commands[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = block
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter((line) => line !== '');
    expect(commands).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
    for (const command of commands) expect(ci).toMatch(new RegExp(`^${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`, 'm'));
  });
});
