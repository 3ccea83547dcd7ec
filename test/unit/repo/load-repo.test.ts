import type { FileSource } from '../../../src/core/repo/model.js';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfigText } from '../../../src/core/config/load-config.js';
import { DynafeastError } from '../../../src/core/errors.js';
import { buildRepoModel, loadRepo } from '../../../src/core/repo/load-repo.js';
import { failure } from '../../helpers/error-code.js';
import { defined } from '../../helpers/defined.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

const ENTITY = 'entities:\n  - {name: driver, join_keys: [driver_id], value_type: Int64}\n';
const SOURCE = 'sources:\n  - {name: stats, path: data/stats.parquet, timestamp_field: ts}\n';
const VIEW = `feature_views:
  - name: stats_view
    entities: [driver]
    source: stats
    schema:
      - {name: a, dtype: Float32}
      - {name: b, dtype: Array(String)}
`;

function build(files: Record<string, string>) {
  return buildRepoModel(
    '/repo',
    Object.entries(files).map(([file, text]) => ({ file, text })),
  );
}

describe('buildRepoModel', () => {
  it('resolves a bare view name in a feature service to all its features', () => {
    const repo = build({ 'a.yaml': ENTITY + SOURCE + VIEW + 'feature_services:\n  - name: svc\n    features: [stats_view]\n' });
    expect(repo.featureServices[0]).toMatchObject({ name: 'svc', projections: [{ featureView: 'stats_view', features: ['a', 'b'] }] });
  });

  it('uses the entity name as its join key when none is written (as Feast does)', () => {
    const repo = build({ 'a.yaml': 'entities:\n  - {name: user_id, value_type: String}\n' });
    expect(repo.entities[0]).toMatchObject({ name: 'user_id', joinKeys: ['user_id'], valueType: 'String', description: '', owner: '', tags: {} });
  });

  it('infers source formats and keeps field mappings', () => {
    const sources = ['a.csv', 'b.csv.gz', 'parts/', 'year=*/*', 'c.PQ'].map(
      (p, i) => `  - {name: s${i}, path: "${p}", timestamp_field: ts${i === 0 ? ', field_mapping: {col: a}' : ''}}`,
    );
    const repo = build({ 'a.yaml': `sources:\n${sources.join('\n')}\n  - {name: t, path: x.bin, format: CSV, timestamp_field: ts}\n` });
    expect(repo.sources.map((s) => (s as FileSource).format)).toEqual(['csv', 'csv', 'parquet', 'parquet', 'parquet', 'csv']);
    expect(defined(repo.sources[0]).fieldMapping).toEqual({ col: 'a' });
  });

  it('reports problems from several files at once, in file order', () => {
    const e = failure(() =>
      build({
        'a.yaml': ENTITY + SOURCE,
        'b.yaml': VIEW.replace('[driver]', '[rider]').replace('source: stats', 'source: statz'),
      }),
    );
    expect(e.details.map((d) => [d.code, d.location?.file, d.location?.line])).toEqual([
      ['repo.unknownEntity', 'b.yaml', 3],
      ['repo.unknownSource', 'b.yaml', 4],
    ]);
  });

  it('collects shape errors of every file before giving up', () => {
    const e = failure(() => build({ 'a.yaml': 'entities: {}\n', 'b.yaml': 'sources:\n  - name: 9lives\n' }));
    expect(e.details.map((d) => [d.code, d.location?.file])).toEqual([
      ['repo.badType', 'a.yaml'],
      ['repo.missingKey', 'b.yaml'],
      ['repo.missingKey', 'b.yaml'],
      ['repo.badValue', 'b.yaml'],
    ]);
  });

  it('checks table names against the config', () => {
    const { config } = parseConfigText(
      'project: p\nregistry: r.db\nprovider: aws\nonline_store: {region: us-east-1, table_name_template: "{project}{table_name}"}\n',
      {
        file: 'feature_store.yaml',
        repoPath: '/repo',
        env: {},
      },
    );
    const e = failure(() => buildRepoModel('/repo', [{ file: 'a.yaml', text: ENTITY + SOURCE + VIEW.replace('stats_view', 's') }], config));
    expect(e.code).toBe('repo.badValue');
    expect(defined(e.details[0]).message).toContain('`s`');
  });

  it('rejects an empty services list entry and an empty schema', () => {
    const e = failure(() =>
      build({ 'a.yaml': ENTITY + SOURCE + VIEW.replace(/schema:[\s\S]*$/, 'schema: []\n') + 'feature_services:\n  - {name: s, features: []}\n' }),
    );
    expect(e.details.map((d) => d.code)).toEqual(['repo.badValue', 'repo.badValue']);
  });
});

describe('loadRepo', () => {
  it('refuses a definitions file that is a broken symlink instead of leaving its views out', () => {
    const dir = tempRepoDir('dynafeast-broken-link-');
    try {
      writeFileSync(path.join(dir, 'entities.yaml'), 'entities:\n  - {name: driver, join_keys: [driver_id], value_type: Int64}\n');
      symlinkSync(path.join(dir, 'moved-away.yaml'), path.join(dir, 'views.yaml'));
      const e = failure(() => loadRepo(dir));
      expect(e.code).toBe('repo.badYaml');
      const all = [e, ...e.details].map((d) => `${d.location?.file ?? ''} ${d.message}`).join('\n');
      expect(all).toContain('views.yaml');
      expect(all).toContain('moved-away.yaml');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when the repo folder does not exist', () => {
    expect(failure(() => loadRepo('/nonexistent/dynafeast/repo')).code).toBe('usage.badArgument');
  });

  let dir: string;
  beforeEach(() => {
    dir = tempRepoDir('dynafeast-repo-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('skips the config file it was given and the embedded data folder', () => {
    const configText =
      'project: p\nregistry: r.db\nprovider: aws\nonline_store: {region: us-east-1, endpoint_url: "http://127.0.0.1:4567"}\ndynafeast: {embedded: {path: store}}\n';
    writeFileSync(path.join(dir, 'staging.yaml'), configText);
    mkdirSync(path.join(dir, 'store'));
    writeFileSync(path.join(dir, 'store', 'junk.yaml'), 'not: definitions\n');
    writeFileSync(path.join(dir, 'defs.yaml'), ENTITY + SOURCE + VIEW);
    const { config } = parseConfigText(configText, { file: 'staging.yaml', repoPath: dir, source: path.join(dir, 'staging.yaml'), env: {} });
    const repo = loadRepo(dir, config);
    expect(repo.root).toBe(dir);
    expect(repo.files).toEqual(['defs.yaml']);
    expect(() => loadRepo(dir)).toThrow(DynafeastError);
  });
});
