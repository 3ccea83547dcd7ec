/**
 * The bad-input corpus (issue 8 §5), through the built binary. For every case: the documented exit code
 * (2 usage, 1 runtime/AWS), a message that names the place and the fix, no stack trace, and nothing
 * written — the server's tables and items and every file of the repo are as they were before.
 * The config/definition fixtures of test/fixtures/bad are also run through `apply` here, the command that
 * would write if validation let anything through.
 */
import { appendFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDummyCredentials } from '../../src/core/aws/credentials.js';
import { readLocalCredentials } from '../../src/core/embedded/local-credentials.js';
import { defined } from '../helpers/defined.js';
import { silentLogger } from '../../src/core/context.js';
import { startDynalite as startServer, type DynaliteServer } from '../../src/core/embedded/dynalite-server.js';
import { badFixture, badFixtureNames } from '../helpers/bad-fixtures.js';
import { createFeastTable, startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { runCli, spawnCli, STACK_FRAME, waitForOutput } from '../helpers/isolated-cli.js';
import { caseArgs, createCaseTables, generateFiles, loadCases, prepareCase, startAuxServers, type AuxServers, type LoadedCase } from '../helpers/bad-corpus.js';
import { fileTree, makeRepo, serverTree, tempRepoDir } from '../helpers/temp-repo.js';
import { freePort } from '../helpers/cli.js';

const cases = loadCases();
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
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
  await createCaseTables(server.client, c, false);
  const opts = { cwd: repo, env: caseEnv, unset: c.spec.unset ?? [], timeoutMs: 90_000 };
  for (const step of c.spec.setup ?? []) {
    const r = await runCli(['-c', repo, ...step], { ...opts, env: { ...env } });
    if (r.code !== 0) throw new Error(`setup ${step.join(' ')} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  }
  await generateFiles(
    repo,
    (c.spec.generate ?? []).filter((g) => g.afterSetup),
  );
  await createCaseTables(server.client, c, true);
  const before = { files: fileTree(repo), tables: await serverTree(server.client) };

  const args = caseArgs(c, repo);
  const [human, json] = await Promise.all([runCli(args, opts), c.spec.code ? runCli(['--json', ...args], opts) : undefined]);
  const shown = `${c.name}: ${c.spec.description}\n$ dynafeast ${args.join(' ')}\n--- stdout\n${human.stdout}--- stderr\n${human.stderr}`;
  // CORPUS_REPORT=file collects every case's message, for reading them all side by side
  if (process.env.CORPUS_REPORT) appendFileSync(process.env.CORPUS_REPORT, `## ${c.name} (exit ${human.code})\n${c.spec.description}\n${human.stderr}\n`);

  expect({ case: c.name, exit: human.code }).toEqual({ case: c.name, exit: c.spec.exit });
  expect(human.stderr).toMatch(/^error: /m);
  expect(human.stderr).not.toMatch(STACK_FRAME);
  // whatever the input held, no control character a terminal acts on reaches it (colour is off here)
  expect({ case: c.name, raw: CONTROL.exec(human.stdout + human.stderr)?.[0] }).toEqual({ case: c.name, raw: undefined });
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
      expect({ case: c.name, ok: c.spec.description.length > 10 && c.spec.mentions.length > 0 && [1, 2].includes(c.spec.exit) }).toEqual({
        case: c.name,
        ok: true,
      });
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

/**
 * The embedded store's lock file (data/online_store/dynafeast.lock) as bad input (issue 15): a lock copied
 * along with a repo names the original's live server, and a hand-written one can name any host. Commands
 * must never obey either: each case asserts the exit code, the message, and that the other store's tables
 * were not touched.
 */
describe("embedded store locks that are not this repo's", () => {
  const EMBEDDED = 'dynafeast:\n  embedded: {path: data/online_store}';
  const lockOf = (repo: string) => path.join(repo, 'data/online_store/dynafeast.lock');
  let original: string;
  let originalPort: number;
  let originalClient: DynamoDBClient;
  let serving: ReturnType<typeof spawnCli>;
  let remote: DynaliteServer;
  let remoteClient: DynamoDBClient;

  const clientOf = (port: number, credentials = localDummyCredentials()): DynamoDBClient =>
    new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials, maxAttempts: 2 });

  beforeAll(async () => {
    // the original repo: applied, its store served by `dynafeast local` for the whole block
    originalPort = await freePort();
    original = makeRepo({ project: 'lock_orig', endpoint: `http://127.0.0.1:${originalPort}`, dynafeastBlock: EMBEDDED }, 'dynafeast-lock-orig-');
    const applied = await runCli(['-c', original, 'apply', '--yes'], { cwd: original });
    if (applied.code !== 0) throw new Error(`apply of the original failed:\n${applied.stdout}${applied.stderr}`);
    serving = spawnCli(['-c', original, 'local'], { cwd: original });
    await waitForOutput(serving, /Ctrl-C to stop/);
    // `dynafeast local` answers only requests signed with the repo's own key
    originalClient = clientOf(originalPort, defined(readLocalCredentials(path.join(original, 'data/online_store'))));
    // a server on every interface, for a hand-written lock to name by a non-loopback address
    remote = await startServer({ host: '0.0.0.0', port: 0 }, silentLogger);
    remoteClient = clientOf(Number(new URL(remote.endpoint).port));
  });

  afterAll(async () => {
    serving?.child.kill('SIGINT');
    await serving?.done;
    originalClient?.destroy();
    remoteClient?.destroy();
    await remote?.close();
  });

  /** An address of this machine that is not loopback (what a hand-written lock could name). */
  const nonLoopback = () =>
    Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? '0.0.0.0';

  interface LockCase {
    description: string;
    args: string[];
    exit: 0 | 1;
    /** The repo to run in, with its lock in place; returns the client of the store that must stay as it was. */
    arrange(): Promise<{ repo: string; untouched: DynamoDBClient }>;
    /** Text the output must contain; `{repo}` is the repo the command runs in. */
    mentions: string[];
  }

  const cases: Record<string, LockCase> = {
    'copied-repo-same-port': {
      description: 'a copy of a repo whose server still runs, with the same port: the copied lock names the original',
      args: ['teardown', '--yes'],
      exit: 1,
      async arrange() {
        const repo = tempRepoDir('dynafeast-lock-copy-');
        cpSync(original, repo, { recursive: true });
        return { repo, untouched: originalClient };
      },
      mentions: [
        'ignoring {repo}/data/online_store/dynafeast.lock',
        'it was written for project "lock_orig" of the repo {original}',
        'delete that file',
        'error: Port',
        'hint: ',
      ],
    },
    'copied-repo-other-port': {
      description: 'a copy of a repo whose server still runs, moved to another port: the copy tears down its own store',
      args: ['teardown', '--yes'],
      exit: 0,
      async arrange() {
        const repo = tempRepoDir('dynafeast-lock-copy-');
        cpSync(original, repo, { recursive: true });
        const yaml = path.join(repo, 'feature_store.yaml');
        writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(`:${originalPort}`, `:${await freePort()}`));
        return { repo, untouched: originalClient };
      },
      mentions: ['ignoring {repo}/data/online_store/dynafeast.lock', 'it was written for project "lock_orig" of the repo {original}'],
    },
    'hand-written-remote-endpoint': {
      description: 'a hand-written lock naming this repo but a non-loopback endpoint, held by a live pid',
      args: ['teardown', '--yes'],
      exit: 0,
      async arrange() {
        const repo = makeRepo({ project: 'lock_remote', endpoint: `http://127.0.0.1:${await freePort()}`, dynafeastBlock: EMBEDDED }, 'dynafeast-lock-remote-');
        const applied = await runCli(['-c', repo, 'apply', '--yes'], { cwd: repo });
        if (applied.code !== 0) throw new Error(`apply failed:\n${applied.stdout}${applied.stderr}`);
        // the same table on the server the lock points at: obeying the lock would delete it
        await createFeastTable(remoteClient, 'lock_remote.driver_hourly_stats');
        const data = {
          repo,
          project: 'lock_remote',
          dataDir: path.join(repo, 'data/online_store'),
          host: nonLoopback(),
          port: Number(new URL(remote.endpoint).port),
          startedAt: new Date().toISOString(),
        };
        writeFileSync(lockOf(repo), JSON.stringify({ pid: process.pid, host: hostname(), token: '0123456789abcdef', at: Date.now(), data }));
        return { repo, untouched: remoteClient };
      },
      mentions: ['ignoring {repo}/data/online_store/dynafeast.lock', 'which is not on this machine (only loopback endpoints are used)'],
    },
  };

  it.each(Object.entries(cases))('%s', async (name, c) => {
    const { repo, untouched } = await c.arrange();
    const before = await serverTree(untouched);
    expect(Object.keys(before).length).toBeGreaterThan(0);
    const r = await runCli(['-c', repo, ...c.args], { cwd: repo, timeoutMs: 90_000 });
    const shown = `${name}: ${c.description}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
    if (process.env.CORPUS_REPORT) appendFileSync(process.env.CORPUS_REPORT, `## lock/${name} (exit ${r.code})\n${c.description}\n${r.stderr}\n`);
    expect({ case: name, exit: r.code }).toEqual({ case: name, exit: c.exit });
    expect(r.stderr).not.toMatch(STACK_FRAME);
    for (const m of c.mentions.map((x) => x.replaceAll('{repo}', repo).replaceAll('{original}', original))) {
      if (!r.stderr.includes(m)) throw new Error(`output does not mention ${JSON.stringify(m)}\n${shown}`);
    }
    // the other store is exactly as it was, and the command left no lock behind
    expect({ case: name, ...(await serverTree(untouched)) }).toEqual({ case: name, ...before });
    expect(existsSync(lockOf(repo))).toBe(false);
  });
});
