/**
 * `dynafeast sql` over a `type: dynamodb` source (architecture.md §4.9, §4.11): `offline.<source>` is the
 * table read by materialize's reader — the declared attributes, typed exactly as the views declare them —
 * against a real DynamoDB-compatible server; several views' schemas are united, a conflict or a source no
 * view types is refused, a missing table is named, and Ctrl-C abandons the scan.
 */
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createAwsClients, type AwsClients } from '../../src/core/aws/clients.js';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { DynafeastError } from '../../src/core/errors.js';
import { runSql } from '../../src/core/export/sql.js';
import type { ProgressEvent } from '../../src/core/progress.js';
import { defined } from '../helpers/defined.js';
import { makeProfiles, profilesRepo, type ProfilesRepo } from '../helpers/dynamodb-source-fixture.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { useTestServer } from '../helpers/plan-apply-server.js';

const server = useTestServer();

async function withClients<T>(r: ProfilesRepo, fn: (aws: AwsClients) => Promise<T>): Promise<T> {
  const aws = createAwsClients(r.config, { credentials: localDummyCredentials() });
  try {
    return await fn(aws);
  } finally {
    aws.destroy();
  }
}

async function errorOf(p: Promise<unknown>): Promise<DynafeastError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof DynafeastError)) throw new Error(`expected a DynafeastError, got ${String(e)}`);
  return e;
}

/** The columns of each view, as the file twin's rows compare with the table's (Float32 and the Map aside). */
const COMPARED = ['updated_at', 'age', 'visits', 'score', 'name', 'active', 'avatar', 'tags', 'history', 'lucky', 'labels', 'blobs'];

describe('sql over a DynamoDB table source', () => {
  it('exposes the declared attributes, typed as the views declare them, with the values materialize reads', async () => {
    const profiles = makeProfiles(300);
    const r = await profilesRepo(server.client, server.endpoint, profiles, { sourceLines: ['    segments: 3'] });
    const events: ProgressEvent[] = [];
    await withClients(r, async (aws) => {
      const shape = await runSql({ config: r.config, repo: r.repo, aws }, 'SELECT * FROM offline.profiles_table LIMIT 0');
      // join key, features (by attribute name, as a file source's columns), the timestamp; `unrelated` no view declares
      expect([...shape.columns].sort()).toEqual(
        ['user_id', 'age', 'visits', 'score', 'ratio', 'name', 'active', 'avatar', 'tags', 'history', 'lucky', 'labels', 'blobs', 'prefs', 'updated_at'].sort(),
      );
      const types = await runSql(
        { config: r.config, repo: r.repo, aws },
        "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM offline.profiles_table) WHERE column_name IN ('age', 'visits', 'updated_at', 'lucky')",
      );
      expect(Object.fromEntries(types.rows.map((row) => [row.column_name, row.column_type]))).toEqual({
        age: 'INTEGER',
        visits: 'BIGINT',
        updated_at: 'TIMESTAMP',
        lucky: 'BIGINT[]',
      });

      // every item equals the latest row per user of the same data as a parquet file: exact, nothing rounded
      const same = COMPARED.map((c) => `t.${c} IS NOT DISTINCT FROM f.${c}`).join(' AND ');
      const compared = await runSql(
        { config: r.config, repo: r.repo, aws, progress: (e) => events.push(e) },
        `SELECT (SELECT count(*) FROM offline.profiles_table) AS items,
                count(*) FILTER (WHERE ${same}) AS same,
                count(*) AS joined,
                (SELECT count(DISTINCT user_id) FROM offline.profiles_file) AS users
         FROM offline.profiles_table t
         JOIN (SELECT * FROM offline.profiles_file QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY updated_at DESC) = 1) f USING (user_id)`,
      );
      const row = defined(compared.rows[0]);
      expect(Number(row.items)).toBeGreaterThan(250);
      expect([Number(row.same), Number(row.joined), Number(row.users)]).toEqual([Number(row.items), Number(row.items), Number(row.items)]);
      // a Map is the typed JSON text export writes; visits beyond 2^53 stay exact (JSON text)
      const one = await runSql({ config: r.config, repo: r.repo, aws }, "SELECT visits, prefs FROM offline.profiles_table WHERE user_id = 'u1'");
      const p1 = defined(profiles.find((p) => p.userId === 'u1'));
      expect(String(defined(one.rows[0]).visits)).toBe(String(p1.visits));
      expect(String(defined(one.rows[0]).prefs)).toContain(p1.prefs.plan);
    });
    expect(events.find((e) => e.type === 'done' && e.id === 'offline.profiles_table')).toMatchObject({
      message: expect.stringMatching(/^\d+ item\(s\) scanned from DynamoDB table .* in \d+ request\(s\)$/),
    });
    // a one-shot read: nothing is left in the repo to resume
    const scans = path.join(r.dir, 'data', '.dynafeast-scans');
    expect(existsSync(scans) ? readdirSync(scans) : []).toEqual([]);
  });

  it('unites the schemas of every view the source feeds, and refuses one attribute declared with two dtypes', async () => {
    const profiles = makeProfiles(20);
    const r = await profilesRepo(server.client, server.endpoint, profiles, { fileTwin: false });
    // a second view over the same table: one feature in common, one of its own (an attribute the first ignores)
    appendFileSync(
      path.join(r.dir, 'features.yaml'),
      [
        '  - name: profiles_extra',
        '    entities: [user]',
        '    ttl: 0',
        '    source: profiles_table',
        '    schema:',
        '      - {name: age, dtype: Int32}',
        '      - {name: unrelated, dtype: Map}',
        '',
      ].join('\n'),
    );
    r.reload();
    await withClients(r, async (aws) => {
      const both = await runSql(
        { config: r.config, repo: r.repo, aws },
        'SELECT count(unrelated) AS n, count(age) AS a, count(*) AS items FROM offline.profiles_table',
      );
      const row = defined(both.rows[0]);
      expect(Number(row.n)).toBe(Number(row.items));
      expect(Number(row.a)).toBeGreaterThan(0);
    });

    // the same attribute as Int64 in the second view: which type would the column have? refused, naming both
    appendFileSync(
      path.join(r.dir, 'features.yaml'),
      [
        '  - name: profiles_wide',
        '    entities: [user]',
        '    ttl: 0',
        '    source: profiles_table',
        '    schema:',
        '      - {name: age, dtype: Int64}',
        '',
      ].join('\n'),
    );
    r.reload();
    const e = await withClients(r, (aws) => errorOf(runSql({ config: r.config, repo: r.repo, aws }, 'SELECT * FROM offline.profiles_table')));
    expect(e.code).toBe('repo.badColumnType');
    expect(e.message).toMatch(/attribute "age" is view "profiles_ddb"'s feature as Int32 and view "profiles_wide"'s feature as Int64/);
  });

  it('refuses a source no view types, and names a table that does not exist', async () => {
    const r = await profilesRepo(server.client, server.endpoint, [], { noTable: true, fileTwin: false });
    writeFileSync(
      path.join(r.dir, 'orphan.yaml'),
      ['sources:', '  - {name: orphan_table, type: dynamodb, table: orphan, timestamp_field: ts, timestamp_format: epoch_seconds}', ''].join('\n'),
    );
    r.reload();
    const orphan = await withClients(r, (aws) => errorOf(runSql({ config: r.config, repo: r.repo, aws }, 'SELECT * FROM offline.orphan_table')));
    expect(orphan.code).toBe('usage.badArgument');
    expect(orphan.message).toContain('feeds no feature view');

    const e = await withClients(r, (aws) => errorOf(runSql({ config: r.config, repo: r.repo, aws }, 'SELECT count(*) FROM offline.profiles_table')));
    // the code materialize reports for the same table (exit 2)
    expect(e.code).toBe('repo.unreadableSource');
    expect(e.message).toContain(r.appTable);
    expect(e.message).toContain('no such table');
  });

  it('stops the scan on Ctrl-C (the signal), leaving nothing behind', async () => {
    const profiles = makeProfiles(200);
    const proxy = await startFaultProxy({ target: server.endpoint });
    try {
      const r = await profilesRepo(server.client, server.endpoint, profiles, {
        fileTwin: false,
        sourceLines: [`    endpoint_url: ${proxy.endpoint}`, '    segments: 2'],
      });
      const hold = proxy.hold('Scan');
      const abort = new AbortController();
      const run = withClients(r, (aws) =>
        errorOf(runSql({ config: r.config, repo: r.repo, aws, signal: abort.signal }, 'SELECT count(*) FROM offline.profiles_table')),
      );
      await hold.arrived;
      const at = performance.now();
      abort.abort();
      const e = await run;
      expect(e.code).toBe('aborted');
      expect(performance.now() - at).toBeLessThan(5000);
      await hold.release('drop');
      expect(hold.abandoned()).toBeGreaterThan(0);
      expect(existsSync(path.join(r.dir, 'data', '.dynafeast-scans'))).toBe(false);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
