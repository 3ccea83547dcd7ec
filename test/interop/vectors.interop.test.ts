/**
 * The committed Feast fixture (test/fixtures/feast/feast-vectors.json) still equals what the pinned
 * Feast produces now (scripts/interop/feast_vectors.py), and dynafeast's codec matches those fresh
 * vectors byte for byte.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describeFeastVectorChecks, type Vectors } from '../helpers/feast-vector-checks.js';
import { expectOk, repoRoot, runPython, tempDir } from '../helpers/interop.js';

let fresh: Vectors & Record<string, unknown>;

beforeAll(async () => {
  const dir = tempDir('dynafeast-vectors-');
  const out = path.join(dir, 'feast-vectors.json');
  try {
    expectOk('feast_vectors.py', await runPython('feast_vectors.py', [out]));
    fresh = JSON.parse(readFileSync(out, 'utf8')) as Vectors & Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

/** Versions of Feast's own dependencies may move between installs without changing a byte of output. */
const withoutDependencyVersions = (doc: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(doc).filter(([k]) => !/^(mmh3|protobuf|numpy)_version$/.test(k)));

it('the committed fixture equals what this Feast produces (regenerate: see scripts/interop/feast_vectors.py)', () => {
  const committed = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/feast/feast-vectors.json'), 'utf8')) as Record<string, unknown>;
  expect(withoutDependencyVersions(committed)).toEqual(withoutDependencyVersions(fresh));
});

describeFeastVectorChecks(() => fresh);
