/**
 * NAME (the folder `init` creates) → Feast project name. Feast accepts letters, digits and underscores;
 * dynafeast also requires a leading letter so `<project>.<view>` table names and the YAML stay plain.
 */
import { DynafeastError } from '../errors.js';

/**
 * Used when `init` gets no NAME. Feast picks a random name; a fixed one makes scripts and docs
 * reproducible, and `my_project` is what Feast's quickstart types, so the layout reads the same.
 */
export const DEFAULT_INIT_NAME = 'my_project';

const PROJECT_RE = /^[A-Za-z][A-Za-z0-9_]*$/;

// PyYAML (which Feast uses) reads these plain scalars as booleans or null, not as a string.
const YAML_KEYWORDS = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'null', 'y', 'n']);

/** Project names become DynamoDB table name prefixes (≤ 255 chars with the view name). */
const MAX_PROJECT_LENGTH = 128;

export function projectNameFromDirName(name: string): string {
  const project = name.replaceAll('-', '_');
  const fail = (why: string) =>
    new DynafeastError('init.badName', `"${name}" cannot name a feature repo: ${why}`, {
      path: 'NAME',
      hint: 'use letters, digits, "_" and "-", starting with a letter, e.g. "driver_features" or "driver-features"',
    });
  if (!PROJECT_RE.test(project)) {
    const bad = [...project].find((c) => !/[A-Za-z0-9_]/.test(c));
    throw fail(bad !== undefined ? `it contains "${bad}"` : project === '' ? 'it is empty' : 'it does not start with a letter');
  }
  if (YAML_KEYWORDS.has(project.toLowerCase())) throw fail('YAML would read it as a boolean or null');
  if (project.length > MAX_PROJECT_LENGTH) throw fail(`it is longer than ${MAX_PROJECT_LENGTH} characters`);
  return project;
}
