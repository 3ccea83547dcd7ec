/**
 * Both directions against the real Feast SDK, on one DynamoDB-compatible server (INTEROP_SERVER:
 * `dynalite` = `dynafeast local`, the default, or `moto`):
 * - dynafeast → Feast: `dynafeast apply` + `materialize` a YAML repo; Feast's FeatureStore over that
 *   same folder (our feature_store.yaml and registry.db, no Python definitions) reads it.
 * - Feast → dynafeast: `feast apply` + `feast materialize` the same repo written in Python, under
 *   another project; `dynafeast get-online-features` reads Feast's tables through a YAML mirror of
 *   the definitions (how a team with Feast Python definitions would use dynafeast).
 * The reference for every comparison is Feast reading what Feast wrote.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { diffDynafeastRead, diffFeastReads, diffTables, type DynafeastRead, type FeastRead, type TableDump } from '../helpers/interop-compare.js';
import { expectOk, interopPython, makeInteropRepo, repoRoot, run, runDynafeast, runPython, tempDir } from '../helpers/interop.js';
import { startServer, type Server } from '../helpers/interop-server.js';
import { featureStoreYaml } from '../helpers/config.js';
import { defined } from '../helpers/defined.js';

const SERVER_KIND = (process.env.INTEROP_SERVER ?? 'dynalite') as 'dynalite' | 'moto';
const START = '2023-12-31T00:00:00';
const END = '2024-01-03T00:00:00';
const FIXTURES = path.join(repoRoot, 'test', 'interop', 'fixtures');
const DYNA_PROJECT = 'interop_dyna';
const FEAST_PROJECT = 'interop_feast';
/** What `feast materialize` writes for a null UnixTimestamp (numpy NaT); dynafeast writes an empty Value. */
const NAT_TIMESTAMP = '4080808080808080808001';

const ENTITY_ROWS = [
  { driver_id: 1, customer_id: 'C1', store_id: 10 },
  { driver_id: 1, customer_id: 'C2', store_id: -3 },
  { driver_id: 2, customer_id: 'C1', store_id: 2147483647 },
  { driver_id: 3, customer_id: 'ü😀', store_id: 10 },
  { driver_id: 4, customer_id: 'C1', store_id: 11 },
  { driver_id: 5, customer_id: 'nobody', store_id: 10 },
  { driver_id: 6, customer_id: 'C1', store_id: 10 },
  { driver_id: 999, customer_id: 'C1', store_id: 10 },
  { driver_id: 1, customer_id: 'C1', store_id: 10 }, // a duplicate row
];

/** Every feature of the YAML fixture, as view:feature refs. */
function allFeatureRefs(): string[] {
  const doc = parseYaml(readFileSync(path.join(FIXTURES, 'yaml-repo', 'features.yaml'), 'utf8')) as {
    feature_views: { name: string; schema: { name: string }[] }[];
  };
  return doc.feature_views.flatMap((v) => v.schema.map((f) => `${v.name}:${f.name}`));
}

let root: string;
let server: Server | undefined;
let dataDir: string;
let dynaRepo: string;
let feastRepo: string;
let mirrorRepo: string;
const done = { dynafeastWrote: false, feastWrote: false };
let feastReference: FeastRead | undefined;

const makeRepo = (dir: string, yaml: string, definitions: string): void => makeInteropRepo(dir, yaml, definitions, dataDir);

beforeAll(async () => {
  root = tempDir('dynafeast-interop-');
  dataDir = path.join(root, 'source-data');
  expectOk('make_data.py', await runPython('make_data.py', [dataDir]));
  mkdirSync(path.join(root, 'server'));
  server = await startServer(SERVER_KIND, path.join(root, 'server'));
  dynaRepo = path.join(root, 'dynafeast-repo');
  feastRepo = path.join(root, 'feast-repo');
  mirrorRepo = path.join(root, 'mirror-of-feast-repo');
  makeRepo(dynaRepo, featureStoreYaml({ project: DYNA_PROJECT, endpoint: server.endpoint }), path.join(FIXTURES, 'yaml-repo', 'features.yaml'));
  makeRepo(feastRepo, featureStoreYaml({ project: FEAST_PROJECT, endpoint: server.endpoint }), path.join(FIXTURES, 'python-repo', 'features.py'));
  makeRepo(
    mirrorRepo,
    featureStoreYaml({ project: FEAST_PROJECT, endpoint: server.endpoint, registry: path.join(feastRepo, 'data', 'registry.db') }),
    path.join(FIXTURES, 'yaml-repo', 'features.yaml'),
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (process.env.INTEROP_KEEP === '1') console.log(`interop files kept in ${root}`);
  else if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

/** A fresh folder for one call's files, inside `root` so afterAll removes it with the rest. */
const scratch = (prefix: string): string => mkdtempSync(path.join(root, prefix));

const feastCli = (args: string[], cwd: string) => run(path.join(path.dirname(interopPython()), 'feast'), args, { cwd });

function need(flag: keyof typeof done): void {
  if (!done[flag]) throw new Error(`cannot check: the earlier step that sets ${flag} failed (see its test)`);
}

async function feastRead(repo: string, request: object): Promise<FeastRead> {
  const dir = scratch('read-');
  const req = path.join(dir, 'request.json');
  const out = path.join(dir, 'read.json');
  writeFileSync(req, JSON.stringify(request));
  expectOk(`feast_read.py ${path.basename(repo)}`, await runPython('feast_read.py', [repo, req, out]));
  return JSON.parse(readFileSync(out, 'utf8')) as FeastRead;
}

async function dynafeastRead(repo: string, selection: string[]): Promise<DynafeastRead> {
  const rows = path.join(scratch('rows-'), 'rows.json');
  writeFileSync(rows, JSON.stringify(ENTITY_ROWS));
  const r = expectOk(
    'dynafeast get-online-features',
    await runDynafeast([
      '-c',
      repo,
      'get-online-features',
      ...selection,
      '--entities-file',
      rows,
      '--full-feature-names',
      '--with-status',
      '--include-event-timestamps',
      '--output',
      'json',
    ]),
  );
  return JSON.parse(r.stdout) as DynafeastRead;
}

async function dumpTables(project: string): Promise<TableDump> {
  const out = path.join(scratch('dump-'), 'dump.json');
  expectOk('dump_tables.py', await runPython('dump_tables.py', [defined(server).endpoint, 'us-east-1', project, out]));
  return JSON.parse(readFileSync(out, 'utf8')) as TableDump;
}

const byRefs = { features: allFeatureRefs(), entity_rows: ENTITY_ROWS, full_feature_names: true };
const byService = { feature_service: 'interop_service', entity_rows: ENTITY_ROWS, full_feature_names: true };

describe(`Feast ${SERVER_KIND} interop`, () => {
  it('dynafeast apply + materialize load the YAML repo', async () => {
    expectOk('dynafeast apply', await runDynafeast(['-c', dynaRepo, 'apply', '--no-progress']));
    expectOk('dynafeast materialize', await runDynafeast(['-c', dynaRepo, 'materialize', START, END, '--no-progress']));
    done.dynafeastWrote = true;
  });

  it('feast apply + feast materialize load the same repo written in Python', async () => {
    expectOk('feast apply', await feastCli(['apply'], feastRepo));
    expectOk('feast materialize', await feastCli(['materialize', START, END], feastRepo));
    done.feastWrote = true;
  });

  it('the reference read (Feast over its own tables) holds the rows the data was built for', async () => {
    need('feastWrote');
    const ref = await feastRead(feastRepo, byRefs);
    const v = ref.values;
    // Guards against two empty reads agreeing: the newer row, the created tie-break, not-found, entityless.
    expect(v['all_types__f_string']).toEqual(['abc', 'abc', 'new', null, '', 'zoë 😀 中文', 'winner', null, 'abc']);
    expect(defined(ref.statuses['all_types__f_int64'])[7]).toBe('NOT_FOUND');
    expect(v['driver_customer__trips']).toEqual([3, 1, 7, 0, null, null, null, null, 3]);
    expect(v['global_stats__label']).toEqual(new Array(ENTITY_ROWS.length).fill('evening'));
    expect(defined(v['all_types__l_int64'])[5]).toEqual(['-9223372036854775808', '9223372036854775807']);
    feastReference = ref;
  });

  it('feast registry-dump reads the registry dynafeast wrote', async () => {
    need('dynafeastWrote');
    const r = expectOk('feast registry-dump', await feastCli(['registry-dump'], dynaRepo));
    const dump = JSON.parse(r.stdout) as { featureViews: { spec: { name: string } }[] };
    expect(dump.featureViews.map((v) => v.spec.name).sort()).toEqual(['all_types', 'driver_customer', 'global_stats', 'store_stats']);
  });

  it("Feast reads dynafeast's tables through dynafeast's registry exactly as it reads its own", async () => {
    need('dynafeastWrote');
    expect(feastReference).toBeDefined();
    expect(diffFeastReads(await feastRead(dynaRepo, byRefs), defined(feastReference))).toEqual([]);
  });

  it("Feast reads a feature service from dynafeast's registry as from its own", async () => {
    need('dynafeastWrote');
    need('feastWrote');
    expect(diffFeastReads(await feastRead(dynaRepo, byService), await feastRead(feastRepo, byService))).toEqual([]);
  });

  it("dynafeast reads Feast's tables as Feast does", async () => {
    expect(feastReference).toBeDefined();
    const refs = allFeatureRefs().flatMap((f) => ['-f', f]);
    expect(diffDynafeastRead(await dynafeastRead(mirrorRepo, refs), defined(feastReference))).toEqual([]);
  });

  it("dynafeast reads its own tables as Feast reads Feast's", async () => {
    need('dynafeastWrote');
    expect(feastReference).toBeDefined();
    const refs = allFeatureRefs().flatMap((f) => ['-f', f]);
    expect(diffDynafeastRead(await dynafeastRead(dynaRepo, refs), defined(feastReference))).toEqual([]);
  });

  it("dynafeast --feature-service reads Feast's tables as Feast does", async () => {
    need('feastWrote');
    const ref = await feastRead(feastRepo, byService);
    expect(diffDynafeastRead(await dynafeastRead(mirrorRepo, ['--feature-service', 'interop_service']), ref)).toEqual([]);
  });

  it('both writers store the same items, byte for byte', async () => {
    need('dynafeastWrote');
    need('feastWrote');
    const ours = await dumpTables(DYNA_PROJECT);
    const theirs = await dumpTables(FEAST_PROJECT);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    // The one documented byte difference (docs/interop.md): a null UnixTimestamp. Feast reads both as None.
    const allowed = (_f: string, d: string, f: string) => d === '' && f === NAT_TIMESTAMP;
    expect(diffTables(ours, theirs, allowed)).toEqual([]);
  });

  it('dynafeast plan over the Feast-applied project finds nothing to change', async () => {
    need('feastWrote');
    const r = await runDynafeast(['-c', mirrorRepo, 'plan', '--detailed-exitcode', '--no-progress']);
    if (r.code !== 0) throw new Error(`plan exited ${r.code} (0 = no changes)\n${r.stdout}${r.stderr}`);
  });

  // Last: Feast rewrites dynafeast's registry here.
  it('Feast continues from the interval dynafeast recorded, and its registry rewrite leaves dynafeast nothing to change', async () => {
    need('dynafeastWrote');
    const r = expectOk('feast materialize-incremental', await feastCli(['materialize-incremental', '2024-01-04T00:00:00'], dynaRepo));
    // One line per view, starting where `dynafeast materialize` ended.
    expect(stripVTControlCharacters(r.stdout).match(/ from 2024-01-03 00:00:00\+00:00 to 2024-01-04/g)).toHaveLength(4);
    const plan = await runDynafeast(['-c', dynaRepo, 'plan', '--detailed-exitcode', '--no-progress']);
    if (plan.code !== 0) throw new Error(`plan exited ${plan.code} (0 = no changes)\n${plan.stdout}${plan.stderr}`);
  });
});
