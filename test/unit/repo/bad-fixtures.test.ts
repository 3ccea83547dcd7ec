import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/core/config/load-config.js';
import { DynafeastError } from '../../../src/core/errors.js';
import { loadRepo } from '../../../src/core/repo/load-repo.js';
import { BAD_FIXTURES_ROOT, badFixture, badFixtureNames, SHARED_FEATURES_YAML } from '../../helpers/bad-fixtures.js';

/**
 * Each folder under test/fixtures/bad is a small repo that must fail with the code, file and line in
 * its expect.json (`base64`: the config comes from FEATURE_STORE_YAML_BASE64; `suggestion`: the
 * message must propose it). See test/helpers/bad-fixtures.ts for the shared definitions.
 */
const cases = badFixtureNames();

describe('bad fixtures', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it('no case carries its own copy of the shared features.yaml', () => {
    const shared = readFileSync(SHARED_FEATURES_YAML, 'utf8');
    const copies = cases.filter((name) => {
      const own = path.join(BAD_FIXTURES_ROOT, name, 'features.yaml');
      return existsSync(own) && readFileSync(own, 'utf8') === shared;
    });
    expect(copies).toEqual([]);
  });

  it.each(cases)('%s', (name) => {
    const { dir, expect: expected, env } = badFixture(name);
    let error: unknown;
    try {
      loadRepo(dir, loadConfig({ repoPath: dir, env }));
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
