// Regenerates the generated parts of README.md (between <!-- BEGIN x --> / <!-- END x --> markers) from
// the code that defines them, so the reference cannot drift: `npm run build && npm run docs`.
// test/unit/readme.test.ts fails when README.md is out of date.
import { readFileSync, writeFileSync } from 'node:fs';

const { renderConfigReference } = await import('../dist/core/config/schema.js');
const { renderDtypeTable } = await import('../dist/core/layout/dtype-table.js');
const file = new URL('../README.md', import.meta.url);
let text = readFileSync(file, 'utf8');
const parts = { 'config-reference': renderConfigReference().trim(), 'dtype-table': renderDtypeTable().trim() };
for (const [name, body] of Object.entries(parts)) {
  const re = new RegExp(`(<!-- BEGIN ${name} -->\\n)[\\s\\S]*?(<!-- END ${name} -->)`);
  if (!re.test(text)) throw new Error(`README.md has no ${name} markers`);
  text = text.replace(re, `$1${body}\n$2`);
}
writeFileSync(file, text);
