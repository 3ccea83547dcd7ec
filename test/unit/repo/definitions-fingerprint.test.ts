/** The stamp the feature server compares to decide whether to reload its definitions. */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/core/config/load-config.js';
import { definitionsFingerprint } from '../../../src/core/repo/definitions-fingerprint.js';
import { featureStoreYaml } from '../../helpers/config.js';
import { DEFINITIONS } from '../../helpers/online-definitions.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

describe('definitionsFingerprint', () => {
  it('changes when a definition file or the registry changes, whatever the working folder', () => {
    const dir = tempRepoDir('dynafeast-fingerprint-');
    writeFileSync(path.join(dir, 'feature_store.yaml'), featureStoreYaml({ project: 'p' }));
    writeFileSync(path.join(dir, 'features.yaml'), DEFINITIONS);
    // The suite runs in the project's folder, not the repo's: the files must be found under the repo.
    expect(path.resolve(process.cwd())).not.toBe(path.resolve(dir));
    const config = loadConfig({ repoPath: dir, env: {} });
    const first = definitionsFingerprint(config);
    expect(definitionsFingerprint(config)).toBe(first);
    appendFileSync(path.join(dir, 'features.yaml'), '# edited\n');
    const edited = definitionsFingerprint(config);
    expect(edited).not.toBe(first);
    writeFileSync(path.join(dir, 'more.yaml'), 'entities: []\n');
    const added = definitionsFingerprint(config);
    expect(added).not.toBe(edited);
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    writeFileSync(path.join(dir, 'data', 'registry.db'), 'x');
    expect(definitionsFingerprint(config)).not.toBe(added);
  });
});
