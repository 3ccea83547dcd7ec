/** The online suites' repo model, built from the same definitions as the integration fixture. */
import { buildRepoModel } from '../../src/core/repo/load-repo.js';
import type { RepoModel } from '../../src/core/repo/model.js';
import { DEFINITIONS } from './online-definitions.js';

export function testRepo(): RepoModel {
  return buildRepoModel('/tmp/online-unit', [{ file: 'features.yaml', text: DEFINITIONS }]);
}
