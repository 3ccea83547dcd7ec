/**
 * The first repo a Feast user makes: `feast init` (Feast 0.67's starter: driver_metadata Map,
 * driver_config Json, driver_profile Struct, push sources, on-demand views, a label view), switched to a
 * DynamoDB online store on a local endpoint, `feast apply`; then, in the same folder, dynafeast
 * `materialize-incremental` and `get-online-features` (a view and a feature service). Feast's SDK reads
 * what dynafeast wrote as it reads its own materialize of the same data (another folder, another
 * server), and the items are the same bytes (maps' entries up to upb's process-dependent order).
 * The starter's feature services all use an on-demand view, so one service without it is added; the
 * starter's own services are reported as not served.
 */
import { appendFileSync, cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { diffFeastReads, diffTables, sameValueUpToOrder, type TableDump } from '../helpers/interop-compare.js';
import { expectOk, interopPython, run } from '../helpers/interop.js';
import type { Server } from '../helpers/interop-server.js';
import { dumpTables as dumpProject, dynafeastOn, feastCli, feastRead as feastReadOn, startPeers, type Peers } from '../helpers/interop-peers.js';
import { featureStoreYaml } from '../helpers/config.js';
import { defined } from '../helpers/defined.js';

const PROJECT = 'demo';
// One end for both writers (the starter's data ends at the hour `feast init` ran).
const END = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().slice(0, 19);
const ROWS = [1001, 1002, 1003, 1004, 1005, 4242];
const VIEW_FEATURES = ['conv_rate', 'acc_rate', 'avg_daily_trips', 'driver_metadata', 'driver_config', 'driver_profile'].map((f) => `driver_hourly_stats:${f}`);

let peers: Peers;
let root: string;
let feastServer: Server | undefined;
let dynaServer: Server | undefined;
let feastRepo: string;
let dynaRepo: string;

beforeAll(async () => {
  peers = await startPeers('dynafeast-feast-init-');
  ({ root, feast: feastServer, dyna: dynaServer } = peers);
}, 120_000);

afterAll(async () => {
  await peers?.stop();
});

const feastBin = () => path.join(path.dirname(interopPython()), 'feast');
const dynafeast = dynafeastOn;

/** The starter's feature_repo, online store switched to DynamoDB at `server`, plus a service without an ODFV. */
function starterRepo(initDir: string, name: string, server: Server): string {
  const dir = path.join(root, name);
  cpSync(path.join(initDir, PROJECT, 'feature_repo'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'feature_store.yaml'), featureStoreYaml({ project: PROJECT, endpoint: server.endpoint }));
  appendFileSync(
    path.join(dir, 'feature_definitions.py'),
    '\n\n# Added by the dynafeast interop test: every starter service uses an on-demand view.\n' +
      'driver_profile_v1 = FeatureService(name="driver_profile_v1", features=[driver_stats_fv])\n',
  );
  return dir;
}

const dumpTables = (server: Server) => dumpProject(root, server, PROJECT);
const feastRead = (repo: string, server: Server, request: Record<string, unknown>) => feastReadOn(root, repo, server, request);

describe('feast init, on DynamoDB', () => {
  it('feast init; Feast applies and materializes one copy on its server', async () => {
    const initDir = path.join(root, 'init');
    mkdirSync(initDir);
    expectOk('feast init', await run(feastBin(), ['init', PROJECT], { cwd: initDir, timeoutMs: 240_000 }));
    feastRepo = starterRepo(initDir, 'feast-repo', defined(feastServer));
    dynaRepo = starterRepo(initDir, 'dyna-repo', defined(dynaServer));
    expect(readdirSync(path.join(feastRepo, 'data'))).toContain('driver_stats.parquet');
    expectOk('feast apply', await feastCli(['apply'], feastRepo, defined(feastServer)));
    expectOk('feast materialize-incremental', await feastCli(['materialize-incremental', END], feastRepo, defined(feastServer)));
  }, 300_000);

  it('feast apply, then dynafeast materialize-incremental in the same folder: the bytes Feast writes', async () => {
    expectOk('feast apply', await feastCli(['apply'], dynaRepo, defined(dynaServer)));
    const r = expectOk(
      'dynafeast materialize-incremental',
      await dynafeast(['-c', dynaRepo, 'materialize-incremental', END, '--no-progress'], defined(dynaServer)),
    );
    // what dynafeast cannot serve is named once, with what depends on it
    expect(r.stderr).toMatch(/Definitions come from the Feast registry/);
    expect(r.stderr).toMatch(/on-demand feature view transformed_conv_rate: its transformation is Python code/);
    expect(r.stderr).toMatch(/driver_activity_v1/);
    const ours = await dumpTables(defined(dynaServer));
    const theirs = await dumpTables(defined(feastServer));
    expect(Object.keys(ours)).toContain('driver_hourly_stats');
    expect(Object.keys(defined(ours.driver_hourly_stats)).length).toBeGreaterThan(0);
    // the views both materialized
    const both = Object.keys(theirs).filter((v) => Object.keys(defined(theirs[v])).length > 0);
    expect(both).toContain('driver_hourly_stats');
    const pick = (d: TableDump) => Object.fromEntries(both.map((v) => [v, d[v] ?? {}]));
    expect(diffTables(pick(ours), pick(theirs), (_f, d, f) => sameValueUpToOrder(d, f))).toEqual([]);
  }, 300_000);

  it("dynafeast get-online-features (view and service) reads what Feast's SDK reads", async () => {
    for (const request of [
      { features: VIEW_FEATURES, entity_rows: ROWS.map((driver_id) => ({ driver_id })) },
      { feature_service: 'driver_profile_v1', entity_rows: ROWS.map((driver_id) => ({ driver_id })) },
    ]) {
      // Feast reads what dynafeast wrote as it reads its own materialize
      const fromDyna = await feastRead(dynaRepo, defined(dynaServer), request);
      const fromFeast = await feastRead(feastRepo, defined(feastServer), request);
      expect(diffFeastReads(fromDyna, fromFeast)).toEqual([]);
      // the starter's Map and Struct values are there, not nulls
      expect(fromFeast.values.driver_profile?.[0]).toMatchObject({ name: 'driver_1001' });
      expect(Object.keys(fromFeast.values.driver_metadata?.[0] as object).sort()).toEqual(['rating', 'vehicle_type']);
      // and dynafeast reads the same values
      const args =
        'features' in request
          ? ['-f', defined(request.features).join(',')]
          : ['--feature-service', String((request as { feature_service: string }).feature_service)];
      const g = expectOk(
        'dynafeast get-online-features',
        await dynafeast(
          ['-c', dynaRepo, 'get-online-features', ...args, ...ROWS.flatMap((id) => ['-e', `driver_id=${id}`]), '--output', 'json'],
          defined(dynaServer),
        ),
      );
      const ours = JSON.parse(g.stdout) as Record<string, unknown[]>;
      for (const column of fromFeast.columns) {
        expect([column, ours[column]]).toEqual([column, fromFeast.values[column]]);
      }
    }
  }, 300_000);

  it('a starter service that needs an on-demand view is refused by name', async () => {
    const g = await dynafeast(['-c', dynaRepo, 'get-online-features', '--feature-service', 'driver_activity_v1', '-e', 'driver_id=1001'], defined(dynaServer));
    expect(g.code).not.toBe(0);
    expect(g.stderr).toMatch(/driver_activity_v1/);
    expect(g.stderr).toMatch(/transformed_conv_rate/);
  }, 120_000);
});
