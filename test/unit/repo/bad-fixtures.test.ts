import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/core/config/load-config.js';
import { DynafeastError } from '../../../src/core/errors.js';
import { loadRepo } from '../../../src/core/repo/load-repo.js';

/**
 * Each folder under test/fixtures/bad is a small repo that must fail with the code, file and line in
 * its expect.json (`base64`: the config comes from FEATURE_STORE_YAML_BASE64; `suggestion`: the
 * message must propose it).
 */
interface Expect {
  code: string;
  file: string | null;
  line: number | null;
  suggestion?: string;
  base64?: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/bad');
const cases = readdirSync(root).sort();

function load(repoPath: string, expect: Expect): void {
  const env = expect.base64 === undefined ? {} : { FEATURE_STORE_YAML_BASE64: expect.base64 };
  const config = loadConfig({ repoPath, env });
  loadRepo(repoPath, config);
}

describe('bad fixtures', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s', (name) => {
    const repoPath = path.join(root, name);
    const expected = JSON.parse(readFileSync(path.join(repoPath, 'expect.json'), 'utf8')) as Expect;
    let error: unknown;
    try {
      load(repoPath, expected);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DynafeastError);
    const e = error as DynafeastError;
    expect({ code: e.code, file: e.location?.file ?? null, line: e.location?.line ?? null }).toEqual({
      code: expected.code,
      file: expected.file,
      line: expected.line,
    });
    expect(e.kind).toBe('usage');
    // Validation errors carry every problem in `details`, the first being the one reported on top.
    if (e.details.length > 0) expect(e.details[0]).toMatchObject({ code: e.code, location: e.location });
    const first = e.details[0] ?? e;
    if (expected.suggestion !== undefined) expect(first.message).toContain(`Did you mean \`${expected.suggestion}\`?`);
    expect(first.message.length).toBeGreaterThan(20);
  });
});
