import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findDefinitionFiles } from '../../../src/core/repo/find-definition-files.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

describe('findDefinitionFiles', () => {
  let dir: string;
  const touch = (rel: string): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), 'entities: []\n');
  };
  beforeEach(() => {
    dir = tempRepoDir('dynafeast-find-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds yaml and yml files in code-point order, skipping config, data, dot-folders and node_modules', () => {
    for (const f of [
      'feature_store.yaml',
      'b.yml',
      'a.yaml',
      'Z.YAML',
      'defs/views.yaml',
      'defs/a/deep.yaml',
      'notes.txt',
      'data/x.yaml',
      'sub/data/kept.yaml',
      '.github/ci.yaml',
      'node_modules/p/x.yml',
      'sub/__pycache__/x.yaml',
      'sub/feature_store.yaml',
      'prod.yaml',
      'store/x.yaml',
    ])
      touch(f);
    expect(findDefinitionFiles(dir, { excludeFiles: ['prod.yaml'], excludeDirs: ['store/'] })).toEqual([
      'Z.YAML',
      'a.yaml',
      'b.yml',
      'defs/a/deep.yaml',
      'defs/views.yaml',
      'sub/data/kept.yaml',
    ]);
  });

  it('follows symlinked files but not symlinked folders', () => {
    touch('real/one.yaml');
    touch('outside.yaml');
    symlinkSync(path.join(dir, 'real'), path.join(dir, 'loop'));
    symlinkSync(path.join(dir, 'outside.yaml'), path.join(dir, 'link.yaml'));
    expect(findDefinitionFiles(dir)).toEqual(['link.yaml', 'outside.yaml', 'real/one.yaml']);
  });

  it('lists a broken symlink named like a definition file instead of skipping it (its reader reports it)', () => {
    touch('a.yaml');
    symlinkSync(path.join(dir, 'gone.yaml'), path.join(dir, 'views.yaml'));
    symlinkSync(path.join(dir, 'gone.txt'), path.join(dir, 'notes.txt'));
    symlinkSync(path.join(dir, 'gone-dir'), path.join(dir, 'sub'));
    expect(findDefinitionFiles(dir)).toEqual(['a.yaml', 'views.yaml']);
  });
});
