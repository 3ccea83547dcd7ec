/** `import`'s YAML writer is the loader's inverse: the written text loads into the same model. */
import { buildRepoModel } from '../../../src/core/repo/load-repo.js';
import { formatDtype, type RepoModel } from '../../../src/core/repo/model.js';
import { parseDtype } from '../../../src/core/repo/dtype.js';
import { writeDefinitions } from '../../../src/core/repo/write-definitions.js';
import { testRepo } from '../../helpers/online-repo.js';
import { defined } from '../../helpers/defined.js';

const withoutLocations = (repo: RepoModel) =>
  JSON.parse(JSON.stringify({ ...repo, files: [] }, (k, v: unknown) => (k === 'location' ? undefined : typeof v === 'bigint' ? `${v}n` : v))) as unknown;

describe('writeDefinitions', () => {
  it('round-trips every object of a repo with entityless views, lists, services, tags and descriptions', () => {
    const repo = testRepo();
    const text = writeDefinitions(repo, ' header');
    const back = buildRepoModel(repo.root, [{ file: 'features.yaml', text }]);
    expect(withoutLocations(back)).toEqual(withoutLocations(repo));
  });

  it('keeps names YAML would misread (numbers, booleans, colons) as strings', () => {
    const repo = testRepo();
    const view = defined(repo.featureViews[0]);
    view.tags = { yes: 'no', '1': 'true', 'a: b': '#x', '': 'empty key' };
    view.description = 'line one\nline two: with colon';
    const back = buildRepoModel(repo.root, [{ file: 'f.yaml', text: writeDefinitions(repo, ' h') }]);
    expect(back.featureViews.find((v) => v.name === view.name)).toMatchObject({ tags: view.tags, description: view.description });
  });

  it('writes every Feast 0.67 dtype so that it loads back the same (import of any registry)', () => {
    const repo = testRepo();
    const view = defined(repo.featureViews[0]);
    const names = [
      'Set(Int64)',
      'Set(Decimal)',
      'Array(Uuid)',
      'TimeUuid',
      'PdfBytes',
      'ImageBytes',
      'Map',
      'Array(Map)',
      'ScalarMap',
      'ZonedTimestamp',
      'Struct({name: String, age: Int32, inner: Struct({x: Array(Float64)})})',
      'Array(Struct({a: Map}))',
      'Array(Array(Int32))',
      'Set(Array(String))',
      'Array(Set(Array(Bool)))',
    ];
    // Appended: the repo's feature services name the view's own features.
    const before = view.features.length;
    view.features.push(
      ...names.map((n, i) => {
        const parsed = parseDtype(n);
        if (!parsed.ok) throw new Error(`${n}: ${parsed.reason}`);
        return { name: `t${i}`, dtype: parsed.dtype, description: '', tags: {} };
      }),
    );
    const back = buildRepoModel(repo.root, [{ file: 'f.yaml', text: writeDefinitions(repo, ' h') }]);
    const loaded = defined(back.featureViews.find((v) => v.name === view.name));
    expect(loaded.features.slice(before).map((f) => formatDtype(f.dtype))).toEqual(names);
    expect(withoutLocations(back)).toEqual(withoutLocations(repo));
  });
});
