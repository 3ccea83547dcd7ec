/**
 * Every Feast 0.67 value type a file source can feed, against the real Feast SDK, both ways
 * (fixtures/every-type-repo: one view per family, a stream feature view on a push source, an on-demand
 * feature view, a feature service):
 * - Feast applies and materializes on one server; dynafeast, reading Feast's registry, materializes the
 *   same data on another: the items are the same bytes, except where Feast's own bytes depend on the
 *   process (a set's elements in Python's set order, a map's entries in upb's hash order): there the
 *   decoded values must be equal up to that order;
 * - Feast's SDK reads what dynafeast wrote equal to what it reads from its own store, and dynafeast
 *   reads what Feast wrote equal to what it reads from its own;
 * - dynafeast says clearly that it does not serve the on-demand view;
 * - `dynafeast import` writes the registry's views as YAML (the stream and on-demand views stay in the
 *   registry) and `dynafeast plan` then finds nothing to change; that YAML, applied by dynafeast, loads
 *   in Feast with Feast's own type for every feature (Struct schemas and nested types included),
 *   `feast plan` finds nothing to change, and dynafeast materializes the same bytes from it.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { diffFeastReads, diffTables, sameValueUpToOrder } from '../helpers/interop-compare.js';
import { expectOk, interopPython, repoRoot, run, runPython } from '../helpers/interop.js';
import type { Server } from '../helpers/interop-server.js';
import { dumpTables as dumpProject, dynafeastOn, feastCli, feastRead as feastReadOn, startPeers, type Peers } from '../helpers/interop-peers.js';
import { featureStoreYaml } from '../helpers/config.js';
import { defined } from '../helpers/defined.js';

const START = '2023-12-31T00:00:00';
const END = '2024-01-03T00:00:00';
const FEATURES = path.join(repoRoot, 'test', 'interop', 'fixtures', 'every-type-repo', 'features.py');
const PROJECT = 'every_type';
const VIEWS = ['nested', 'pushed', 'sets', 'structs', 'texts'];

let peers: Peers;
let root: string;
let dataDir: string;
let feastServer: Server | undefined;
let dynaServer: Server | undefined;
let feastRepo: string;
let dynaRepo: string;

beforeAll(async () => {
  peers = await startPeers('dynafeast-every-type-');
  ({ root, feast: feastServer, dyna: dynaServer } = peers);
  dataDir = path.join(root, 'source-data');
  expectOk('make_every_type_data.py', await runPython('make_every_type_data.py', [dataDir]));
}, 120_000);

afterAll(async () => {
  await peers?.stop();
});

const dynafeast = dynafeastOn;

function makeRepo(dir: string, endpoint: string, withPython: boolean): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'feature_store.yaml'), featureStoreYaml({ project: PROJECT, endpoint }));
  if (withPython) cpSync(FEATURES, path.join(dir, 'features.py'));
  cpSync(dataDir, path.join(dir, 'data'), { recursive: true });
}

const dumpTables = (server: Server) => dumpProject(root, server, PROJECT);
const feastRead = (repo: string, server: Server, request: Record<string, unknown>) => feastReadOn(root, repo, server, request);

const ROWS = [{ driver_id: 1001 }, { driver_id: 1002 }, { driver_id: 1003 }, { driver_id: 9999 }];

describe('a repo with every Feast 0.67 value type', () => {
  it('feast apply + feast materialize on one server', async () => {
    feastRepo = path.join(root, 'feast-repo');
    makeRepo(feastRepo, defined(feastServer).endpoint, true);
    expectOk('feast apply', await feastCli(['apply'], feastRepo, defined(feastServer)));
    expectOk('feast materialize', await feastCli(['materialize', START, END], feastRepo, defined(feastServer)));
  }, 240_000);

  it('dynafeast materializes every non-ODFV view from the registry: the bytes Feast wrote', async () => {
    dynaRepo = path.join(root, 'dyna-repo');
    makeRepo(dynaRepo, defined(dynaServer).endpoint, true);
    cpSync(path.join(feastRepo, 'data', 'registry.db'), path.join(dynaRepo, 'data', 'registry.db'));
    const apply = expectOk('dynafeast apply', await dynafeast(['-c', dynaRepo, 'apply', '--no-progress'], defined(dynaServer)));
    // the on-demand view is named as not served, with why
    expect(apply.stderr).toMatch(/scaled_rate/);
    expect(apply.stderr).toMatch(/Python code, which dynafeast does not run/);
    const mat = expectOk('dynafeast materialize', await dynafeast(['-c', dynaRepo, 'materialize', START, END, '--no-progress'], defined(dynaServer)));
    expect(mat.stderr).toMatch(/scaled_rate/);
    const ours = await dumpTables(defined(dynaServer));
    const theirs = await dumpTables(defined(feastServer));
    expect(Object.keys(ours).sort()).toEqual(VIEWS);
    expect(Object.keys(theirs).sort()).toEqual(VIEWS);
    // Byte equality, except values whose bytes Feast writes in a process-dependent order.
    const unordered: string[] = [];
    const diff = diffTables(ours, theirs, (feature, d, f) => {
      const same = sameValueUpToOrder(d, f);
      if (same) unordered.push(feature);
      return same;
    });
    expect(diff).toEqual([]);
    // only sets and maps may differ in order
    expect([...new Set(unordered)].every((f) => /^(s_|ns_|meta$|profiles?$|tags$)/.test(f))).toBe(true);
  }, 240_000);

  it("Feast's SDK reads what dynafeast wrote as it reads what it wrote itself", async () => {
    for (const request of [
      { feature_service: 'every_type', entity_rows: ROWS },
      { features: ['pushed:conv_rate', 'pushed:tags'], entity_rows: ROWS },
    ]) {
      const fromDyna = await feastRead(dynaRepo, defined(dynaServer), request);
      const fromFeast = await feastRead(feastRepo, defined(feastServer), request);
      expect(diffFeastReads(fromDyna, fromFeast)).toEqual([]);
      expect(fromFeast.columns.length).toBeGreaterThan(2);
    }
  }, 240_000);

  it('dynafeast reads what Feast wrote as it reads what it wrote itself', async () => {
    const read = async (repo: string, server: Server) => {
      const r = expectOk(
        'get-online-features',
        await dynafeast(
          [
            '-c',
            repo,
            'get-online-features',
            '--feature-service',
            'every_type',
            ...ROWS.flatMap((e) => ['-e', `driver_id=${e.driver_id}`]),
            '--output',
            'json',
          ],
          server,
        ),
      );
      return sortSets(JSON.parse(r.stdout) as Record<string, unknown[]>);
    };
    const feastWrote = await read(feastRepo, defined(feastServer));
    const dynaWrote = await read(dynaRepo, defined(dynaServer));
    expect(feastWrote).toEqual(dynaWrote);
    // spot checks of what a user sees
    expect(feastWrote.uuid?.[0]).toBe('1b4e28ba-2fa1-11d2-883f-0016d3cca427');
    expect(feastWrote.dec_col?.[0]).toBe('12.5000');
    expect(feastWrote.profile?.[0]).toEqual({ age: 30, name: 'ann' });
    expect(feastWrote.s_int32?.[0]).toEqual([1, 3]);
    expect(feastWrote.nn_int32?.[0]).toEqual([[1, 2], null, null, [3]]);
  }, 240_000);

  it('dynafeast import: plan finds nothing to change, and the YAML gives Feast its own type for every feature, and the same bytes', async () => {
    // import from Feast's registry, in a repo of the same project: the stream and on-demand views stay in the registry
    const importRepo = path.join(root, 'import-repo');
    makeRepo(importRepo, defined(dynaServer).endpoint, false);
    cpSync(path.join(feastRepo, 'data', 'registry.db'), path.join(importRepo, 'data', 'registry.db'));
    const imported = expectOk('dynafeast import', await dynafeast(['-c', importRepo, 'import'], defined(dynaServer)));
    expect(imported.stderr).toMatch(/kept in the registry, not in YAML: stream feature view pushed/);
    const planned = await dynafeast(['-c', importRepo, 'plan', '--detailed-exitcode'], defined(dynaServer));
    expect([planned.code, planned.stdout]).toEqual([0, expect.stringMatching(/no changes/i)]);
    // the same YAML as another project, applied by dynafeast
    const yamlRepo = path.join(root, 'yaml-repo');
    makeRepo(yamlRepo, defined(dynaServer).endpoint, false);
    writeFileSync(path.join(yamlRepo, 'feature_store.yaml'), featureStoreYaml({ project: 'every_type_yaml', endpoint: defined(dynaServer).endpoint }));
    cpSync(path.join(importRepo, 'features.yaml'), path.join(yamlRepo, 'features.yaml'));
    expectOk('dynafeast apply', await dynafeast(['-c', yamlRepo, 'apply', '--no-progress'], defined(dynaServer)));
    const code = [
      'import json, sys',
      'from feast import FeatureStore',
      'out = {}',
      'for repo in sys.argv[1:3]:',
      '    fs = FeatureStore(repo_path=repo)',
      '    out[repo] = {f"{v.name}:{f.name}": [str(f.dtype), f.dtype.to_value_type().name, f.tags] for v in fs.list_feature_views() for f in v.features}',
      'print(json.dumps(out))',
    ].join('\n');
    const r = expectOk('feast types', await run(interopPython(), ['-c', code, feastRepo, yamlRepo], { env: defined(dynaServer).credentialsEnv }));
    const types = JSON.parse(r.stdout) as Record<string, Record<string, [string, string, Record<string, string>]>>;
    const feast = defined(types[feastRepo]);
    expect(Object.keys(feast).length).toBe(24);
    expect(types[yamlRepo]).toEqual(feast);
    // and feast plan over the YAML repo with the equal Python beside it finds nothing to change
    cpSync(FEATURES, path.join(yamlRepo, 'features.py'));
    const both = path.join(yamlRepo, 'features.py');
    // only the file-fed views: the push source, stream view and on-demand view are not in the YAML (the
    // push source's batch source is: Feast registers it as a data source of its own)
    writeFileSync(
      both,
      readFileSync(both, 'utf8').replace(/\npush = [\s\S]*?\nevery_type = /, '\npushed_source = source("pushed_source", "pushed.parquet")\nevery_type = '),
    );
    const plan = expectOk('feast plan', await feastCli(['plan'], yamlRepo, defined(dynaServer)));
    expect(plan.stdout).toMatch(/No changes to registry/);
    // dynafeast materializes the YAML repo: the same bytes as from Feast's registry (sets and maps up to order)
    expectOk('dynafeast materialize', await dynafeast(['-c', yamlRepo, 'materialize', START, END, '--no-progress'], defined(dynaServer)));
    const fromYaml = await dumpProject(root, defined(dynaServer), 'every_type_yaml');
    const theirs = await dumpTables(defined(feastServer));
    delete theirs.pushed;
    expect(diffTables(fromYaml, theirs, (_f, d, f) => sameValueUpToOrder(d, f))).toEqual([]);
  }, 240_000);
});

/** Set-valued outputs in a canonical order (Feast's own set order depends on the process). */
function sortSets(out: Record<string, unknown[]>): Record<string, unknown[]> {
  const sorted: Record<string, unknown[]> = {};
  for (const [k, col] of Object.entries(out)) {
    sorted[k] = /^(s_|ns_)/.test(k)
      ? col.map((v) =>
          Array.isArray(v)
            ? [...v]
                .map((x) => JSON.stringify(x))
                .sort()
                .map((x) => JSON.parse(x) as unknown)
            : v,
        )
      : col;
  }
  return sorted;
}
