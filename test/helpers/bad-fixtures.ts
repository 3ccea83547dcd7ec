/**
 * The malformed config/definition repos of test/fixtures/bad. Most cases break feature_store.yaml and need
 * ordinary definitions beside it: those cases carry no features.yaml of their own and get the one shared
 * test/fixtures/features.yaml. A case's own files win over it; `"sharedDefinitions": false` in expect.json
 * leaves it out (a repo that must have no definitions at all).
 */
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './cli.js';
import { tempRepoDir } from './temp-dir.js';

export const BAD_FIXTURES_ROOT = path.join(repoRoot, 'test/fixtures/bad');
export const SHARED_FEATURES_YAML = path.join(repoRoot, 'test/fixtures/features.yaml');

export interface BadFixtureExpect {
  /** The DynafeastError code. */
  code: string;
  /** Where the error points (relative to the repo), or null for errors about the repo as a whole. */
  file: string | null;
  line: number | null;
  /** The message must propose this name. */
  suggestion?: string;
  /** The config comes from FEATURE_STORE_YAML_BASE64 instead of a file. */
  base64?: string;
  /** false: do not add test/fixtures/features.yaml. */
  sharedDefinitions?: boolean;
}

export interface BadFixture {
  name: string;
  /** A temp copy of the case with the shared definitions filled in; removed after the suite. */
  dir: string;
  expect: BadFixtureExpect;
  /** The environment the case runs with (FEATURE_STORE_YAML_BASE64 for `base64` cases). */
  env: Record<string, string>;
}

export function badFixtureNames(): string[] {
  return readdirSync(BAD_FIXTURES_ROOT).sort();
}

export function badFixture(name: string): BadFixture {
  const source = path.join(BAD_FIXTURES_ROOT, name);
  const expect = JSON.parse(readFileSync(path.join(source, 'expect.json'), 'utf8')) as BadFixtureExpect;
  const dir = tempRepoDir('dynafeast-bad-');
  if (expect.sharedDefinitions !== false) cpSync(SHARED_FEATURES_YAML, path.join(dir, 'features.yaml'));
  cpSync(source, dir, { recursive: true });
  return { name, dir, expect, env: expect.base64 === undefined ? {} : { FEATURE_STORE_YAML_BASE64: expect.base64 } };
}
