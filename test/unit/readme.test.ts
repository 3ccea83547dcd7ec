import { readFileSync } from 'node:fs';
import { renderConfigReference } from '../../src/core/config/schema.js';

describe('README.md', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('holds the current config reference (run `npm run build && npm run docs` after changing the schema)', () => {
    const m = /<!-- BEGIN config-reference -->\n([\s\S]*?)<!-- END config-reference -->/.exec(readme);
    expect(m?.[1]?.trim()).toBe(renderConfigReference().trim());
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
