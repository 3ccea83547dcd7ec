import { readFileSync } from 'node:fs';
import { renderActionTableMarkdown } from '../../../src/core/iam/action-table.js';
import { defined } from '../../helpers/defined.js';

describe('docs/iam.md', () => {
  const doc = readFileSync(new URL('../../../docs/iam.md', import.meta.url), 'utf8');

  it('holds the current action table (regenerate with renderActionTableMarkdown after changing it)', () => {
    const m = /<!-- BEGIN iam-action-table -->\n([\s\S]*?)<!-- END iam-action-table -->/.exec(doc);
    expect(m?.[1]?.trim()).toBe(renderActionTableMarkdown().trim());
  });

  it('shows an example policy that is valid JSON', () => {
    const m = /```json\n([\s\S]*?)```/.exec(doc);
    const policy = JSON.parse(defined(m?.[1])) as { Version: string; Statement: unknown[] };
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.length).toBeGreaterThan(0);
  });
});
