import { jest } from '@jest/globals';
import { badFixture, badFixtureNames } from '../helpers/bad-fixtures.js';
import { runCli, STACK_FRAME } from '../helpers/cli.js';

/** Every malformed config/definition fixture, through the real binary: exit 2, located, no stack trace. */
const cases = badFixtureNames();
// Each case spawns the binary twice, five cases at a time: on a loaded machine that is far past jest's 5 s default.
jest.setTimeout(60_000);

describe('bad repos through `dynafeast validate`', () => {
  it.concurrent.each(cases)(
    '%s',
    async (name) => {
      const { dir, expect: expected, env } = badFixture(name);
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
      // Two process starts per case, five cases at once: generous on a loaded machine.
    },
    30_000,
  );
});

describe('plan --detailed-exitcode keeps 2 for "changes pending"', () => {
  it('a bad repo exits 1, not 2', async () => {
    const r = await runCli(['-c', badFixture('repo-unknown-entity').dir, 'plan', '--detailed-exitcode']);
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
