/**
 * teardown against a real DynamoDB-compatible server (dynalite, or DYNAFEAST_TEST_ENDPOINT).
 */
import { jest } from '@jest/globals';
import { applyPlan } from '../../src/core/plan/apply-plan.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { readRegistry, registryPathOf } from '../../src/core/registry/registry-file.js';
import { reconcileRegistry } from '../../src/core/registry/reconcile.js';
import { buildRegistryObjects } from '../../src/core/registry/build.js';
import { commitRegistryChanges } from '../../src/core/registry/commit.js';
import { planTeardown, runTeardown } from '../../src/core/teardown.js';
import { makeRepo, makeView } from '../unit/plan/fixtures.js';
import { makeTestRepo, putItem, startTestServer, tablesWithPrefix, type TestRepo, type TestServer } from './plan-apply-server.js';

jest.setTimeout(30000);

let server: TestServer;
let repo: TestRepo;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(async () => {
  repo = await makeTestRepo(server);
});
afterEach(async () => {
  await repo.cleanup();
});

const model = () => makeRepo([makeView('a'), makeView('b'), makeView('c')]);
const yes = async () => true;

async function applied() {
  const plan = await buildPlan(repo.ctx, repo.config, model());
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
    expect(registry.featureViews.map((v) => v.spec!.project)).toEqual(['other']);
    expect(registry.projects.map((x) => x.spec!.name)).toEqual(['other']);

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
    plan.tables[1]!.deletionProtected = true;
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
