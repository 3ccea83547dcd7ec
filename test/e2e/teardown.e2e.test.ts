/**
 * `dynafeast teardown` as a user runs it: the built binary on copies of examples/driver-stats applied to
 * one dynalite, torn down from feature_store.yaml and the registry alone — also when the definitions are
 * broken or gone — and refusing clearly when the registry is missing, corrupt or lacks the project.
 */
import { jest } from '@jest/globals';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DeleteTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { readRegistry } from '../../src/core/registry/registry-file.js';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { repoRoot, runCli, STACK_FRAME, tempDir } from '../helpers/cli.js';
import { featureStoreYaml } from '../helpers/config.js';
import { defined } from '../helpers/defined.js';

jest.setTimeout(120_000);

let dynalite: TestDynalite;
const parent = tempDir();
const VIEWS = ['driver_hourly_stats', 'driver_profile'];

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite?.stop();
});

const yamlOf = (project: string, registry?: string) => featureStoreYaml({ project, endpoint: dynalite.endpoint, ...(registry ? { registry } : {}) });

/** A copy of examples/driver-stats for `project`, applied (tables made, registry written) unless told not to. */
async function repoOf(project: string, opts: { apply?: boolean; registry?: string } = {}): Promise<string> {
  const dir = path.join(parent, project);
  cpSync(path.join(repoRoot, 'examples', 'driver-stats'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'feature_store.yaml'), yamlOf(project, opts.registry));
  if (opts.apply !== false) {
    const applied = await runCli(['-c', dir, 'apply', '--yes', '--no-progress']);
    expect({ code: applied.code, stderr: applied.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('error') });
  }
  return dir;
}

async function tablesOf(project: string): Promise<string[]> {
  const out = await dynalite.client.send(new ListTablesCommand({}));
  return (out.TableNames ?? []).filter((t) => t.startsWith(`${project}.`)).sort();
}

const tablesFor = (project: string) => VIEWS.map((v) => `${project}.${v}`);
const teardown = (dir: string, ...args: string[]) => runCli(['-c', dir, 'teardown', '--no-progress', ...args]);
const projectsIn = async (dir: string) => (await readRegistry(path.join(dir, 'data/registry.db'))).projects.map((p) => defined(p.spec).name).sort();

describe('dynafeast teardown (built binary)', () => {
  it("deletes the project's tables and registry entries", async () => {
    const dir = await repoOf('td_normal');
    expect(await tablesOf('td_normal')).toEqual(tablesFor('td_normal'));
    const r = await teardown(dir, '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Teardown of project td_normal');
    expect(r.stdout).toContain('delete table td_normal.driver_profile');
    expect(r.stdout).toMatch(/Teardown complete in .*: 2 table\(s\) deleted, project removed from the registry\./);
    expect(await tablesOf('td_normal')).toEqual([]);
    expect(await projectsIn(dir)).toEqual([]);
  });

  it('refuses without --yes when nobody can be asked (no TTY), deleting nothing', async () => {
    const dir = await repoOf('td_ci');
    const r = await teardown(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: teardown would delete data and needs confirmation: td_ci\.driver_hourly_stats, td_ci\.driver_profile/m);
    expect(r.stderr).toContain('pass --yes');
    const json = await teardown(dir, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'usage.confirmationRequired' } });
    expect(await tablesOf('td_ci')).toEqual(tablesFor('td_ci'));
    expect(await projectsIn(dir)).toEqual(['td_ci']);
  });

  // With the definition files deleted, the repo falls back to registry-driven mode (validate passes and
  // says so); either way teardown never reads the definitions.
  it.each([
    ['malformed YAML', (dir: string) => writeFileSync(path.join(dir, 'features.yaml'), 'entities:\n  - name: driver\n    join_keys: [driver_id\n'), 2],
    [
      'an unknown key',
      (dir: string) =>
        writeFileSync(path.join(dir, 'profiles.yaml'), readFileSync(path.join(dir, 'profiles.yaml'), 'utf8').replace('ttl: 0', 'ttl: 0\n    tll: 1d')),
      2,
    ],
    ['the features files deleted', (dir: string) => ['features.yaml', 'profiles.yaml'].forEach((f) => rmSync(path.join(dir, f))), 0],
  ])('works with %s in the definitions, without reading them', async (_name, breakIt, validateExit) => {
    const project = `td_broken_${_name.replace(/\W+/g, '_')}`;
    const dir = await repoOf(project);
    breakIt(dir);
    const validate = await runCli(['-c', dir, 'validate']);
    expect(validate.code).toBe(validateExit);
    if (validateExit === 0) expect(validate.stderr).toMatch(/Definitions come from the Feast registry/);
    const r = await teardown(dir, '--yes', '--json');
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, project, deleted: tablesFor(project), absent: [], kept: [], registry: { written: true } });
    expect(await tablesOf(project)).toEqual([]);
  });

  it('reports a table deleted by hand as already gone', async () => {
    const dir = await repoOf('td_hand');
    await dynalite.client.send(new DeleteTableCommand({ TableName: 'td_hand.driver_profile' }));
    const r = await teardown(dir, '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('table td_hand.driver_profile of view driver_profile: already gone');
    expect(r.stdout).toMatch(/1 table\(s\) deleted, 1 already gone, project removed from the registry/);
    expect(await tablesOf('td_hand')).toEqual([]);
    expect(await projectsIn(dir)).toEqual([]);
  });

  it('leaves a second project in the same endpoint and registry untouched', async () => {
    const first = await repoOf('td_first');
    const second = await repoOf('td_second', { registry: path.join(first, 'data/registry.db') });
    expect(await projectsIn(first)).toEqual(['td_first', 'td_second']);
    const r = await teardown(first, '--yes', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ deleted: tablesFor('td_first'), kept: [] });
    expect(await tablesOf('td_first')).toEqual([]);
    expect(await tablesOf('td_second')).toEqual(tablesFor('td_second'));
    expect(await projectsIn(first)).toEqual(['td_second']);
    // and the second one still tears down from the shared registry
    expect((await teardown(second, '--yes')).code).toBe(0);
    expect(await tablesOf('td_second')).toEqual([]);
  });

  it('says there is no registry, where, and what to do (exit 2)', async () => {
    const dir = await repoOf('td_noreg', { apply: false });
    const registry = path.join(dir, 'data/registry.db');
    const r = await teardown(dir, '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: no registry at ${registry}`);
    expect(r.stderr).toMatch(/hint: check that -c \/ -f name the repo you applied/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    const json = await teardown(dir, '--yes', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'config.badValue', path: 'registry' } });
  });

  it('has nothing to do for a project the registry does not record, and names those it does (exit 0)', async () => {
    const dir = await repoOf('td_renamed');
    writeFileSync(path.join(dir, 'feature_store.yaml'), yamlOf('td_renamed_new'));
    const r = await teardown(dir, '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Nothing to tear down: project td_renamed_new is not recorded in ${path.join(dir, 'data/registry.db')} (it records "td_renamed").`,
    );
    expect(r.stderr).toContain('If `project:` in');
    const json = await teardown(dir, '--yes', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, notRecorded: true, otherProjects: ['td_renamed'], deleted: [] });
    expect(await tablesOf('td_renamed')).toEqual(tablesFor('td_renamed'));
  });

  it('runs twice in a row: the second has nothing left to do (exit 0), like terraform destroy', async () => {
    const dir = await repoOf('td_twice');
    expect((await teardown(dir, '--yes')).code).toBe(0);
    expect(await tablesOf('td_twice')).toEqual([]);
    const again = await teardown(dir, '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to tear down: project td_twice is not recorded');
  });

  it('refuses a corrupt registry naming the file (exit 2) and deletes nothing', async () => {
    const dir = await repoOf('td_corrupt');
    const registry = path.join(dir, 'data/registry.db');
    writeFileSync(registry, 'this is not a registry\n');
    const r = await teardown(dir, '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${registry} is not a Feast registry`);
    expect(r.stderr).toContain('nothing was deleted');
    expect(r.stderr).not.toMatch(STACK_FRAME);
    const json = await teardown(dir, '--yes', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'registry.corrupt', path: 'registry' } });
    expect(await tablesOf('td_corrupt')).toEqual(tablesFor('td_corrupt'));
    expect(readFileSync(registry, 'utf8')).toBe('this is not a registry\n');
  });
});
