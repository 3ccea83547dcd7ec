import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, runCli, STACK_FRAME } from '../helpers/cli.js';

/** Every malformed config/definition fixture, through the real binary: exit 2, located, no stack trace. */
const root = path.join(repoRoot, 'test/fixtures/bad');
const cases = readdirSync(root).sort();

interface Expect {
  code: string;
  file: string | null;
  line: number | null;
  base64?: string;
}

describe('bad repos through `dynafeast validate`', () => {
  it.concurrent.each(cases)('%s', async (name) => {
    const dir = path.join(root, name);
    const expected = JSON.parse(readFileSync(path.join(dir, 'expect.json'), 'utf8')) as Expect;
    const env = expected.base64 === undefined ? {} : { FEATURE_STORE_YAML_BASE64: expected.base64 };
    const r = await runCli(['-c', dir, 'validate'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    if (expected.file !== null && expected.line !== null) {
      expect(r.stderr).toContain(`${expected.file}:${expected.line}`);
    }
    const json = await runCli(['-c', dir, '--json', 'validate'], { env });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: expected.code } });
  });
});

describe('plan --detailed-exitcode keeps 2 for "changes pending"', () => {
  it('a bad repo exits 1, not 2', async () => {
    const r = await runCli(['-c', path.join(root, 'repo-unknown-entity'), 'plan', '--detailed-exitcode']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('a bad flag exits 1, not 2', async () => {
    const r = await runCli(['plan', '--detailed-exitcode', '--bogus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown option/);
  });
});
