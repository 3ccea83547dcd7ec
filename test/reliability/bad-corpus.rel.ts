/**
 * The bad-input corpus (issue 8 §5), through the built binary. For every case: the documented exit code
 * (2 usage, 1 runtime/AWS), a message that names the place and the fix, no stack trace, and nothing
 * written — the server's tables and items and every file of the repo are as they were before.
 * The config/definition fixtures of test/fixtures/bad are also run through `apply` here, the command that
 * would write if validation let anything through.
 */
import { appendFileSync } from 'node:fs';
import { badFixture, badFixtureNames } from '../helpers/bad-fixtures.js';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { runCli, STACK_FRAME } from '../helpers/isolated-cli.js';
import { caseArgs, generateFiles, loadCases, prepareCase, startAuxServers, type AuxServers, type LoadedCase } from '../helpers/bad-corpus.js';
import { fileTree, serverTree } from '../helpers/temp-repo.js';

const cases = loadCases();
const definitionFixtures = badFixtureNames();

let server: TestDynalite;
let aux: AuxServers;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startDynalite();
  aux = await startAuxServers();
  env = {
    DYNAFEAST_TEST_ENDPOINT: server.endpoint,
    CORPUS_CLOSED_ENDPOINT: aux.closed,
    CORPUS_JUNK_ENDPOINT: aux.junk,
    CORPUS_BLACKHOLE_ENDPOINT: aux.blackhole,
    CORPUS_HTTPS_TO_HTTP_ENDPOINT: server.endpoint.replace(/^http:/, 'https:'),
  };
});

afterAll(async () => {
  await aux?.close();
  await server?.stop();
});

/** `{repo}` and the aux endpoints `{closed}`, `{junk}`, `{blackhole}` in env values. */
const fill = (s: string, repo: string) =>
  s.replaceAll('{repo}', repo).replaceAll('{closed}', aux.closed).replaceAll('{junk}', aux.junk).replaceAll('{blackhole}', aux.blackhole);

async function runCase(c: LoadedCase): Promise<void> {
  // the config reads ${DYNAFEAST_TEST_ENDPOINT}, so a case can move the endpoint after its setup ran
  const repo = await prepareCase(c, '${DYNAFEAST_TEST_ENDPOINT}');
  const caseEnv = { ...env, ...Object.fromEntries(Object.entries(c.spec.env ?? {}).map(([k, v]) => [k, fill(v, repo)])) };
  const opts = { cwd: repo, env: caseEnv, unset: c.spec.unset ?? [], timeoutMs: 90_000 };
  for (const step of c.spec.setup ?? []) {
    const r = await runCli(['-c', repo, ...step], { ...opts, env: { ...env } });
    if (r.code !== 0) throw new Error(`setup ${step.join(' ')} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  }
  await generateFiles(repo, (c.spec.generate ?? []).filter((g) => g.afterSetup));
  const before = { files: fileTree(repo), tables: await serverTree(server.client) };

  const args = caseArgs(c, repo);
  const [human, json] = await Promise.all([runCli(args, opts), c.spec.code ? runCli(['--json', ...args], opts) : undefined]);
  const shown = `${c.name}: ${c.spec.description}\n$ dynafeast ${args.join(' ')}\n--- stdout\n${human.stdout}--- stderr\n${human.stderr}`;
  // CORPUS_REPORT=file collects every case's message, for reading them all side by side
  if (process.env.CORPUS_REPORT) appendFileSync(process.env.CORPUS_REPORT, `## ${c.name} (exit ${human.code})\n${c.spec.description}\n${human.stderr}\n`);

  expect({ case: c.name, exit: human.code }).toEqual({ case: c.name, exit: c.spec.exit });
  expect(human.stderr).toMatch(/^error: /m);
  expect(human.stderr).not.toMatch(STACK_FRAME);
  // a next step is always offered: a hint, a suggestion, or commander's pointer to --help
  expect(human.stderr).toMatch(/hint: |Did you mean|--help/);
  for (const m of c.spec.mentions) {
    if (!human.stderr.includes(m)) throw new Error(`message does not mention ${JSON.stringify(m)}\n${shown}`);
  }
  if (json) {
    expect(json.code).toBe(c.spec.exit);
    const doc = JSON.parse(json.stdout) as { ok: boolean; error: { code: string } };
    expect({ case: c.name, ok: doc.ok, code: doc.error.code }).toEqual({ case: c.name, ok: false, code: c.spec.code });
  }
  expect({ case: c.name, ...(await serverTree(server.client)) }).toEqual({ case: c.name, ...before.tables });
  expect({ case: c.name, ...fileTree(repo) }).toEqual({ case: c.name, ...before.files });
}

describe('bad-input corpus', () => {
  it('holds at least 150 cases', () => {
    const total = definitionFixtures.length + cases.length;
    process.stderr.write(`bad-input corpus: ${definitionFixtures.length} config/definition + ${cases.length} cli/data = ${total} cases\n`);
    expect(total).toBeGreaterThanOrEqual(150);
  });

  it('every case says what is wrong, what to expect and where', () => {
    for (const c of cases) {
      expect({ case: c.name, ok: c.spec.description.length > 10 && c.spec.mentions.length > 0 && [1, 2].includes(c.spec.exit) }).toEqual({ case: c.name, ok: true });
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runCase(c);
  });

  it.each(definitionFixtures)('test/fixtures/bad/%s refused by apply, nothing written', async (name) => {
    const { dir, env: caseEnv } = badFixture(name);
    const before = { files: fileTree(dir), tables: await serverTree(server.client) };
    const r = await runCli(['-c', dir, 'apply', '--yes'], { cwd: dir, env: { ...env, ...caseEnv } });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(fileTree(dir)).toEqual(before.files);
    expect(await serverTree(server.client)).toEqual(before.tables);
  });
});
