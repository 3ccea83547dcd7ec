/**
 * teardown against a real DynamoDB-compatible server (dynalite, or DYNAFEAST_TEST_ENDPOINT).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import type { RepoConfig } from '../../src/core/config/types.js';
import { applyPlan } from '../../src/core/plan/apply-plan.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { readRegistry, registryPathOf } from '../../src/core/registry/registry-file.js';
import { reconcileRegistry } from '../../src/core/registry/reconcile.js';
import { buildRegistryObjects } from '../../src/core/registry/build.js';
import { commitRegistryChanges } from '../../src/core/registry/commit.js';
import { planTeardown, runTeardown } from '../../src/core/teardown.js';
import { makeRepo, makeView } from '../helpers/plan-fixtures.js';
import { putItem, tablesWithPrefix, useTestRepo, useTestServer } from '../helpers/plan-apply-server.js';
import { defined } from '../helpers/defined.js';

jest.setTimeout(30000);

const server = useTestServer();
const repo = useTestRepo(server);

const model = () => makeRepo([makeView('a'), makeView('b'), makeView('c')]);
const yes = async () => true;

async function applied(config: RepoConfig = repo.config, views = model(), opts: { adopt?: boolean } = {}) {
  const plan = await buildPlan({ ...repo.ctx, ...opts }, config, views);
  await applyPlan(plan, { dynamo: server.client });
}

describe(`teardown (${process.env.DYNAFEAST_TEST_ENDPOINT ?? 'dynalite'})`, () => {
  it('leaves no project table and no project object in the registry, and is idempotent', async () => {
    const p = repo.config.project;
    // another project shares the registry and must survive
    const other = buildRegistryObjects('other', makeRepo([makeView('a')]));
    await commitRegistryChanges(registryPathOf(repo.config), 'other', other, reconcileRegistry(undefined, 'other', other, 0n).changes);
    await applied();
    await putItem(server.client, `${p}.a`);
    expect(await tablesWithPrefix(server.client, `${p}.`)).toHaveLength(3);

    const plan = await planTeardown(repo.ctx, repo.config, model());
    expect(plan.tables.map((t) => [t.table, t.exists, t.holdsItems])).toEqual([
      [`${p}.a`, true, true],
      [`${p}.b`, true, false],
      [`${p}.c`, true, false],
    ]);
    await expect(runTeardown(plan, { dynamo: server.client })).rejects.toMatchObject({ code: 'usage.confirmationRequired' });
    const result = await runTeardown(plan, { dynamo: server.client, confirm: yes });
    expect(result.deleted.sort()).toEqual([`${p}.a`, `${p}.b`, `${p}.c`]);
    expect(await tablesWithPrefix(server.client, `${p}.`)).toEqual([]);
    const registry = await readRegistry(registryPathOf(repo.config));
    expect(registry.featureViews.map((v) => defined(v.spec).project)).toEqual(['other']);
    expect(registry.projects.map((x) => defined(x.spec).name)).toEqual(['other']);

    const again = await planTeardown(repo.ctx, repo.config, model());
    expect(again.tables.every((t) => !t.exists)).toBe(true);
    expect(again.registryChanges).toEqual([]);
    expect(await runTeardown(again, { dynamo: server.client })).toMatchObject({ deleted: [], absent: [`${p}.a`, `${p}.b`, `${p}.c`] });
  });

  it('finds tables of views only the registry still knows', async () => {
    const p = repo.config.project;
    await applied();
    const plan = await planTeardown(repo.ctx, repo.config, makeRepo([makeView('a')]));
    expect(plan.tables.map((t) => t.table)).toEqual([`${p}.a`, `${p}.b`, `${p}.c`]);
    await runTeardown(plan, { dynamo: server.client, confirm: yes });
    expect(await tablesWithPrefix(server.client, `${p}.`)).toEqual([]);
  });

  it('reports deletion-protected tables, deletes the rest and keeps the project in the registry', async () => {
    const p = repo.config.project;
    await applied();
    const plan = await planTeardown(repo.ctx, repo.config, model());
    // dynalite has no deletion protection: mark one table as a protected AWS table would be
    defined(plan.tables[1]).deletionProtected = true;
    await expect(runTeardown(plan, { dynamo: server.client, confirm: yes })).rejects.toMatchObject({ code: 'dynamo.deletionProtected' });
    expect(await tablesWithPrefix(server.client, `${p}.`)).toEqual([`${p}.b`]);
    expect((await readRegistry(registryPathOf(repo.config))).featureViews).toHaveLength(3);
  });

  it('honours real deletion protection where the server has it, and notes it where it does not', async () => {
    const p = repo.config.project;
    repo.config.dynafeast.tables = { ...repo.config.dynafeast.tables, deletionProtection: true };
    const first = await buildPlan(repo.ctx, repo.config, model());
    await applyPlan(first, { dynamo: server.client });
    const after = await buildPlan(repo.ctx, repo.config, model());
    expect(after.steps).toEqual([]);
    const teardown = await planTeardown(repo.ctx, repo.config, model());
    if (after.notes.some((n) => n.message.startsWith('deletion protection: not supported by this endpoint'))) {
      expect(teardown.tables.every((t) => !t.deletionProtected)).toBe(true);
      return;
    }
    expect(teardown.tables.every((t) => t.deletionProtected)).toBe(true);
    await expect(runTeardown(teardown, { dynamo: server.client, confirm: yes })).rejects.toMatchObject({ code: 'dynamo.deletionProtected' });
    expect(await tablesWithPrefix(server.client, `${p}.`)).toHaveLength(3);
    repo.config.dynafeast.tables = { ...repo.config.dynafeast.tables, deletionProtection: false };
    const off = await buildPlan(repo.ctx, repo.config, model());
    expect(off.steps.map((s) => s.kind)).toEqual(['set_deletion_protection', 'set_deletion_protection', 'set_deletion_protection']);
    await applyPlan(off, { dynamo: server.client });
    await runTeardown(await planTeardown(repo.ctx, repo.config, model()), { dynamo: server.client, confirm: yes });
    expect(await tablesWithPrefix(server.client, `${p}.`)).toEqual([]);
  });
});

describe(`teardown from the registry alone (${process.env.DYNAFEAST_TEST_ENDPOINT ?? 'dynalite'})`, () => {
  const otherConfig = (): RepoConfig => ({ ...repo.config, project: `${repo.config.project}x` });

  it('deletes the tables the registry records, named by the template, and nothing of another project', async () => {
    const p = repo.config.project;
    repo.config.onlineStore = { ...repo.config.onlineStore, tableNameTemplate: 'df_{project}__{table_name}' };
    await applied();
    // a second project in the same registry and endpoint, one view named like ours
    const other = otherConfig();
    await applied(other, makeRepo([makeView('a'), makeView('z')]));
    await putItem(server.client, `df_${p}__b`);

    const plan = await planTeardown(repo.ctx, repo.config);
    expect(plan.tables.map((t) => [t.view, t.table, t.exists, t.holdsItems, t.sharedWith])).toEqual([
      ['a', `df_${p}__a`, true, false, []],
      ['b', `df_${p}__b`, true, true, []],
      ['c', `df_${p}__c`, true, false, []],
    ]);
    const result = await runTeardown(plan, { dynamo: server.client, confirm: yes });
    expect(result).toMatchObject({ deleted: [`df_${p}__a`, `df_${p}__b`, `df_${p}__c`].sort(), absent: [], kept: [] });
    expect(await tablesWithPrefix(server.client, `df_${p}__`)).toEqual([]);
    expect(await tablesWithPrefix(server.client, `df_${other.project}__`)).toEqual([`df_${other.project}__a`, `df_${other.project}__z`]);
    const registry = await readRegistry(registryPathOf(repo.config));
    expect(registry.featureViews.map((v) => `${defined(v.spec).project}/${defined(v.spec).name}`).sort()).toEqual([`${other.project}/a`, `${other.project}/z`]);
    await tablesWithPrefix(server.client, `df_${other.project}__`).then((ts) =>
      Promise.all(ts.map((t) => server.client.send(new DeleteTableCommand({ TableName: t })))),
    );
  });

  it('reports a table already deleted by hand as absent and still deletes the rest', async () => {
    const p = repo.config.project;
    await applied();
    await server.client.send(new DeleteTableCommand({ TableName: `${p}.b` }));
    const plan = await planTeardown(repo.ctx, repo.config);
    expect(plan.tables.map((t) => [t.table, t.exists])).toEqual([
      [`${p}.a`, true],
      [`${p}.b`, false],
      [`${p}.c`, true],
    ]);
    const result = await runTeardown(plan, { dynamo: server.client, confirm: yes });
    expect(result).toMatchObject({ deleted: [`${p}.a`, `${p}.c`], absent: [`${p}.b`], registry: { written: true } });
    expect(await tablesWithPrefix(server.client, `${p}.`)).toEqual([]);
  });

  it('keeps a table whose name another project of the registry also maps to (template without {project})', async () => {
    const p = repo.config.project;
    const template = `${p}_{table_name}`;
    repo.config.onlineStore = { ...repo.config.onlineStore, tableNameTemplate: template };
    await applied();
    const other = otherConfig();
    // the other project's view "a" lands in the same table as ours (a template feature_store.yaml now
    // refuses): apply refuses to adopt it, `--adopt` takes it over. DynamoDB Local keeps no tags, so
    // there nothing says whose the (empty) table is, and an emulator's empty table is taken over with a
    // note (docs/plan.md, "Whose table").
    if (server.kind === 'dynamodb-local') await applied(other, makeRepo([makeView('a')]));
    else {
      await expect(applied(other, makeRepo([makeView('a')]))).rejects.toMatchObject({ code: 'dynamo.notOurs' });
      await applied(other, makeRepo([makeView('a')]), { adopt: true });
    }
    const plan = await planTeardown(repo.ctx, repo.config);
    expect(plan.tables.map((t) => [t.table, t.sharedWith])).toEqual([
      [`${p}_a`, [other.project]],
      [`${p}_b`, []],
      [`${p}_c`, []],
    ]);
    const result = await runTeardown(plan, { dynamo: server.client, confirm: yes });
    expect(result).toMatchObject({ deleted: [`${p}_b`, `${p}_c`], kept: [{ table: `${p}_a`, sharedWith: [other.project] }] });
    expect(await tablesWithPrefix(server.client, `${p}_`)).toEqual([`${p}_a`]);
    await server.client.send(new DeleteTableCommand({ TableName: `${p}_a` }));
  });

  it('says there is no registry, and where, without touching any table', async () => {
    const p = repo.config.project;
    await applied();
    await rm(registryPathOf(repo.config));
    const missing = planTeardown(repo.ctx, repo.config);
    await expect(missing).rejects.toMatchObject({ code: 'config.badValue', path: 'registry', kind: 'usage' });
    await expect(missing).rejects.toThrow(registryPathOf(repo.config));
    expect(await tablesWithPrefix(server.client, `${p}.`)).toHaveLength(3);
    // clean up by hand: without a registry (and, on DynamoDB Local, without tags) nothing says these
    // tables are this project's, so teardown rightly refuses them
    for (const table of await tablesWithPrefix(server.client, `${p}.`)) await server.client.send(new DeleteTableCommand({ TableName: table }));
  });

  it('plans nothing for a project the registry does not record, naming the projects it does record', async () => {
    const other = otherConfig();
    await applied(other, makeRepo([makeView('a')]));
    const unknown = await planTeardown(repo.ctx, repo.config);
    expect(unknown).toMatchObject({ tables: [], registryChanges: [], notRecorded: { otherProjects: [other.project] } });
    // after a teardown the project is gone: a second one has nothing left to do
    const first = await planTeardown(repo.ctx, other);
    expect(first.notRecorded).toBeUndefined();
    await runTeardown(first, { dynamo: server.client, confirm: yes });
    const second = await planTeardown(repo.ctx, other);
    expect(second).toMatchObject({ tables: [], registryChanges: [], notRecorded: { otherProjects: [] } });
    expect(await runTeardown(second, { dynamo: server.client })).toMatchObject({ deleted: [], absent: [], kept: [] });
  });

  it('refuses a corrupt registry as a usage error naming the file, and deletes nothing', async () => {
    const p = repo.config.project;
    await applied();
    const path = registryPathOf(repo.config);
    const bytes = await readFile(path);
    // a registry cut short, as an interrupted copy leaves it (losing the last byte always breaks the last field)
    const corrupt = bytes.subarray(0, bytes.length - 1);
    await writeFile(path, corrupt);
    const refused = planTeardown(repo.ctx, repo.config);
    await expect(refused).rejects.toMatchObject({ code: 'registry.corrupt', path: 'registry', kind: 'usage' });
    await expect(refused).rejects.toThrow(path);
    expect(await tablesWithPrefix(server.client, `${p}.`)).toHaveLength(3);
    expect(Buffer.compare(await readFile(path), corrupt)).toBe(0);
    await writeFile(path, bytes);
    await runTeardown(await planTeardown(repo.ctx, repo.config), { dynamo: server.client, confirm: yes });
  });

  it('refuses a registry path that is not a regular file (a folder) as bad input', async () => {
    const path = registryPathOf(repo.config);
    await mkdir(path, { recursive: true });
    await expect(planTeardown(repo.ctx, repo.config)).rejects.toMatchObject({ code: 'usage.notRegularFile', kind: 'usage', path: 'registry' });
  });
});
