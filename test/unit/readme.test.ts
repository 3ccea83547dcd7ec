import { readFileSync } from 'node:fs';
import { renderConfigReference } from '../../src/core/config/schema.js';

describe('README.md', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('holds the current config reference (run `npm run build && npm run docs` after changing the schema)', () => {
    const m = /<!-- BEGIN config-reference -->\n([\s\S]*?)<!-- END config-reference -->/.exec(readme);
    expect(m?.[1]?.trim()).toBe(renderConfigReference().trim());
  });

  it('names the two commands that .ci/run runs', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    expect(readme).toContain('npm install && npm run demo');
    expect(readme).toContain('npm test ');
    expect(ci).toMatch(/^npm install\b/m);
    expect(ci).toMatch(/^npm run demo$/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
