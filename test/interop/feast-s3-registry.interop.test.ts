/**
 * One registry in S3, written and read by both Feast 0.67 (boto3, FEAST_S3_ENDPOINT_URL) and dynafeast
 * (conditional PutObject), on moto server (S3 and DynamoDB on one port):
 * - Feast applies and materializes a Python repo into `s3://…/feast/registry.pb`; Feast's read of it is
 *   the reference.
 * - dynafeast applies and materializes the YAML repo into `s3://…/dyna/registry.pb`; Feast reads that
 *   registry and serves the reference values.
 * - dynafeast reads Feast's S3 registry (registry-driven mode: the repo has only Python definitions),
 *   serves the reference, and materializes into it; Feast then sees dynafeast's intervals beside its own.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { diffDynafeastRead, diffFeastReads, type DynafeastRead, type FeastRead } from '../helpers/interop-compare.js';
import { expectOk, interopPython, makeInteropRepo, repoRoot, run, runDynafeast, runPython, tempDir } from '../helpers/interop.js';
import { startServer, type Server } from '../helpers/interop-server.js';
import { featureStoreYaml } from '../helpers/config.js';
import { defined } from '../helpers/defined.js';

const START = '2023-12-31T00:00:00';
const END = '2024-01-03T00:00:00';
const FIXTURES = path.join(repoRoot, 'test', 'interop', 'fixtures');
const BUCKET = 'interop-registry';
const ENTITY_ROWS = [
  { driver_id: 1, customer_id: 'C1', store_id: 10 },
  { driver_id: 2, customer_id: 'C1', store_id: 2147483647 },
  { driver_id: 999, customer_id: 'C1', store_id: 10 },
];

let root: string;
let server: Server | undefined;
let s3Env: Record<string, string>;
let feastRepo: string;
let dynaRepo: string;
let reference: FeastRead | undefined;

function allFeatureRefs(): string[] {
  const doc = parseYaml(readFileSync(path.join(FIXTURES, 'yaml-repo', 'features.yaml'), 'utf8')) as {
    feature_views: { name: string; schema: { name: string }[] }[];
  };
  return doc.feature_views.flatMap((v) => v.schema.map((f) => `${v.name}:${f.name}`));
}
const byRefs = () => ({ features: allFeatureRefs(), entity_rows: ENTITY_ROWS, full_feature_names: true });

beforeAll(async () => {
  root = tempDir('dynafeast-interop-s3-');
  const dataDir = path.join(root, 'source-data');
  expectOk('make_data.py', await runPython('make_data.py', [dataDir]));
  mkdirSync(path.join(root, 'server'));
  server = await startServer('moto', path.join(root, 'server'));
  s3Env = { FEAST_S3_ENDPOINT_URL: server.endpoint };
  const py = `import boto3; boto3.client('s3', endpoint_url='${server.endpoint}', region_name='us-east-1').create_bucket(Bucket='${BUCKET}')`;
  expectOk('create bucket', await run(interopPython(), ['-c', py]));
  feastRepo = path.join(root, 'feast-repo');
  dynaRepo = path.join(root, 'dynafeast-repo');
  makeInteropRepo(
    feastRepo,
    featureStoreYaml({ project: 'interop_feast', endpoint: server.endpoint, registry: `s3://${BUCKET}/feast/registry.pb` }),
    path.join(FIXTURES, 'python-repo', 'features.py'),
    dataDir,
  );
  makeInteropRepo(
    dynaRepo,
    featureStoreYaml({ project: 'interop_dyna', endpoint: server.endpoint, registry: `s3://${BUCKET}/dyna/registry.pb` }),
    path.join(FIXTURES, 'yaml-repo', 'features.yaml'),
    dataDir,
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (process.env.INTEROP_KEEP === '1') console.log(`interop files kept in ${root}`);
  else if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

const feastCli = (args: string[], cwd: string) => run(path.join(path.dirname(interopPython()), 'feast'), args, { cwd, env: s3Env });
const dynafeast = (args: string[]) => runDynafeast(args, { env: s3Env });

async function feastRead(repo: string): Promise<FeastRead> {
  const dir = mkdtempSync(path.join(root, 'read-'));
  writeFileSync(path.join(dir, 'request.json'), JSON.stringify(byRefs()));
  expectOk(
    `feast_read.py ${path.basename(repo)}`,
    await runPython('feast_read.py', [repo, path.join(dir, 'request.json'), path.join(dir, 'out.json')], { env: s3Env }),
  );
  return JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as FeastRead;
}

/** Feast's count of materialization intervals per view, read from the registry through Feast's S3 store. */
async function feastIntervals(repo: string): Promise<Record<string, number>> {
  const py = [
    'import json, warnings; warnings.filterwarnings("ignore")',
    'from feast import FeatureStore',
    `fs = FeatureStore(repo_path=${JSON.stringify(repo)})`,
    'print(json.dumps({v.name: len(v.materialization_intervals) for v in fs.list_feature_views()}))',
  ].join('\n');
  const r = expectOk('feast intervals', await run(interopPython(), ['-c', py], { env: s3Env }));
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
}

describe('Feast 0.67 and dynafeast share an S3 registry', () => {
  it('feast apply + materialize write the S3 registry; Feast reads it back', async () => {
    expectOk('feast apply', await feastCli(['apply'], feastRepo));
    expectOk('feast materialize', await feastCli(['materialize', START, END], feastRepo));
    reference = await feastRead(feastRepo);
  });

  it('Feast reads the registry dynafeast wrote to S3 and serves the same values', async () => {
    expectOk('dynafeast apply', await dynafeast(['-c', dynaRepo, 'apply', '--no-progress']));
    expectOk('dynafeast materialize', await dynafeast(['-c', dynaRepo, 'materialize', START, END, '--no-progress']));
    expect(diffFeastReads(await feastRead(dynaRepo), defined(reference))).toEqual([]);
  });

  it("dynafeast reads Feast's S3 registry, serves the same values and records its run where Feast sees it", async () => {
    const before = await feastIntervals(feastRepo);
    const r = expectOk(
      'dynafeast get-online-features',
      await dynafeast([
        '-c',
        feastRepo,
        'get-online-features',
        ...allFeatureRefs().flatMap((f) => ['-f', f]),
        '--entities-file',
        writeRows(),
        '--full-feature-names',
        '--with-status',
        '--include-event-timestamps',
        '--output',
        'json',
      ]),
    );
    expect(diffDynafeastRead(JSON.parse(r.stdout) as DynafeastRead, defined(reference))).toEqual([]);
    expectOk('dynafeast materialize (registry mode)', await dynafeast(['-c', feastRepo, 'materialize', START, END, '--no-progress']));
    const after = await feastIntervals(feastRepo);
    for (const [view, n] of Object.entries(before)) if (view in after) expect(after[view]).toBe(n + 1);
    expect(Object.keys(after).length).toBeGreaterThan(0);
    expect(diffFeastReads(await feastRead(feastRepo), defined(reference))).toEqual([]);
  });
});

function writeRows(): string {
  const file = path.join(mkdtempSync(path.join(root, 'rows-')), 'rows.json');
  writeFileSync(file, JSON.stringify(ENTITY_ROWS));
  return file;
}
