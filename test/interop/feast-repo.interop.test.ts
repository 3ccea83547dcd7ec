/**
 * dynafeast on a Feast user's repository as it is (registry-driven mode), against the real Feast SDK:
 * - a repo with Python definitions that `feast apply` registered: dynafeast reads its definitions from
 *   the registry and materializes the same bytes as `feast materialize` (each on its own server, same
 *   data, tables dumped and compared item by item);
 * - `dynafeast import` over that registry writes YAML after which `dynafeast plan` has nothing to do;
 * - `feast plan` over a repo `dynafeast apply` registered (YAML beside the equal Python) finds nothing
 *   to change.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { diffTables } from '../helpers/interop-compare.js';
import { expectOk, repoRoot, runPython } from '../helpers/interop.js';
import type { Server } from '../helpers/interop-server.js';
import { dumpTables as dumpProject, dynafeastOn, feastCli, startPeers, type Peers } from '../helpers/interop-peers.js';
import { featureStoreYaml } from '../helpers/config.js';
import { defined } from '../helpers/defined.js';

const START = '2023-12-31T00:00:00';
const END = '2024-01-03T00:00:00';
const FIXTURES = path.join(repoRoot, 'test', 'interop', 'fixtures');
const PROJECT = 'feast_repo';
/** What `feast materialize` writes for a null UnixTimestamp (numpy NaT); dynafeast writes an empty Value. */
const NAT_TIMESTAMP = '4080808080808080808001';

let peers: Peers;
let root: string;
let dataDir: string;
let feastServer: Server | undefined;
let dynaServer: Server | undefined;

beforeAll(async () => {
  peers = await startPeers('dynafeast-feast-repo-');
  ({ root, feast: feastServer, dyna: dynaServer } = peers);
  dataDir = path.join(root, 'source-data');
  expectOk('make_data.py', await runPython('make_data.py', [dataDir]));
}, 120_000);

afterAll(async () => {
  await peers?.stop();
});

const dynafeast = dynafeastOn;

function makeRepo(dir: string, endpoint: string, files: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'feature_store.yaml'), featureStoreYaml({ project: PROJECT, endpoint }));
  for (const f of files) cpSync(f, path.join(dir, path.basename(f)));
  cpSync(dataDir, path.join(dir, 'data'), { recursive: true });
}

const dumpTables = (server: Server) => dumpProject(root, server, PROJECT);

describe('a Feast repo with Python definitions', () => {
  let feastRepo: string;
  let dynaRepo: string;

  it('feast apply + feast materialize on one server', async () => {
    feastRepo = path.join(root, 'feast-repo');
    makeRepo(feastRepo, defined(feastServer).endpoint, [path.join(FIXTURES, 'python-repo', 'features.py')]);
    expectOk('feast apply', await feastCli(['apply'], feastRepo, defined(feastServer)));
    expectOk('feast materialize', await feastCli(['materialize', START, END], feastRepo, defined(feastServer)));
  }, 180_000);

  it('dynafeast reads the definitions from the registry, creates the tables and materializes the same bytes', async () => {
    // The same repo (Python definitions and Feast's registry) pointed at the other server.
    dynaRepo = path.join(root, 'dyna-repo');
    makeRepo(dynaRepo, defined(dynaServer).endpoint, [path.join(FIXTURES, 'python-repo', 'features.py')]);
    cpSync(path.join(feastRepo, 'data', 'registry.db'), path.join(dynaRepo, 'data', 'registry.db'));
    const apply = expectOk('dynafeast apply', await dynafeast(['-c', dynaRepo, 'apply', '--no-progress'], defined(dynaServer)));
    expect(apply.stderr).toMatch(/Definitions come from the Feast registry data\/registry\.db/);
    expect(apply.stdout + apply.stderr).toMatch(/manage the tables only/);
    // Feast's registry is untouched by apply in this mode
    expect(readFileSync(path.join(dynaRepo, 'data', 'registry.db'))).toEqual(readFileSync(path.join(feastRepo, 'data', 'registry.db')));
    expectOk('dynafeast materialize', await dynafeast(['-c', dynaRepo, 'materialize', START, END, '--no-progress'], defined(dynaServer)));
    const ours = await dumpTables(defined(dynaServer));
    const theirs = await dumpTables(defined(feastServer));
    expect(Object.keys(ours).sort()).toEqual(['all_types', 'driver_customer', 'global_stats', 'store_stats']);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    const allowed = (_f: string, d: string, f: string) => d === '' && f === NAT_TIMESTAMP;
    expect(diffTables(ours, theirs, allowed)).toEqual([]);
  }, 180_000);

  it('Feast continues from the interval dynafeast recorded in its registry', async () => {
    const r = expectOk('feast materialize-incremental', await feastCli(['materialize-incremental', '2024-01-04T00:00:00'], dynaRepo, defined(dynaServer)));
    expect(r.stdout.replace(/\x1b\[[0-9;]*m/g, '').match(/ from 2024-01-03 00:00:00\+00:00 to 2024-01-04/g)).toHaveLength(4);
  }, 180_000);

  it('dynafeast import writes YAML after which dynafeast plan has nothing to do', async () => {
    const imported = path.join(root, 'imported-repo');
    makeRepo(imported, defined(feastServer).endpoint, [path.join(FIXTURES, 'python-repo', 'features.py')]);
    cpSync(path.join(feastRepo, 'data', 'registry.db'), path.join(imported, 'data', 'registry.db'));
    expectOk('dynafeast import', await dynafeast(['-c', imported, 'import'], defined(feastServer)));
    const plan = await dynafeast(['-c', imported, 'plan', '--detailed-exitcode', '--no-progress'], defined(feastServer));
    if (plan.code !== 0) throw new Error(`plan exited ${plan.code} (0 = no changes)\n${plan.stdout}${plan.stderr}`);
  }, 120_000);
});

describe('a repo dynafeast applied', () => {
  it('feast plan over the same repo (the equal Python definitions beside the YAML) finds nothing to change', async () => {
    const repo = path.join(root, 'both-repo');
    makeRepo(repo, defined(dynaServer).endpoint, [path.join(FIXTURES, 'python-repo', 'features.py'), path.join(FIXTURES, 'yaml-repo', 'features.yaml')]);
    writeFileSync(path.join(repo, 'feature_store.yaml'), featureStoreYaml({ project: 'both_repo', endpoint: defined(dynaServer).endpoint }));
    expectOk('dynafeast apply', await dynafeast(['-c', repo, 'apply', '--no-progress'], defined(dynaServer)));
    const r = expectOk('feast plan', await feastCli(['plan'], repo, defined(dynaServer)));
    expect(r.stdout).toMatch(/No changes to registry/);
    expect(r.stdout).not.toMatch(/^(Created|Updated|Deleted) /m);
  }, 180_000);
});
