/**
 * Permissions (issue 8 §7): a proxy answers AccessDeniedException for one DynamoDB action at a time, as
 * IAM would without that permission. For every action each command really calls, the command either
 * fails (exit 1) with a message naming `dynamodb:<Action>` and pointing at `dynafeast iam-policy`, or —
 * for optional settings — succeeds with a warning that names the action, or succeeds with exactly the
 * outcome of a clean run (the call only informed a decision already made, e.g. by --yes). Every action
 * a command calls must also be in the policy `dynafeast iam-policy --for <command>` prints.
 */
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runCli, STACK_FRAME, type CliRun } from '../helpers/isolated-cli.js';
import { makeRepo } from '../helpers/temp-repo.js';

let server: TestDynalite;
let proxy: FaultProxy;
const calls: Array<{ action: string; table?: string }> = [];

beforeAll(async () => {
  server = await startDynalite();
  proxy = await startFaultProxy({
    target: server.endpoint,
    respond: ({ action, body }) => {
      calls.push({ action, table: (JSON.parse(body || '{}') as { TableName?: string }).TableName });
      return undefined;
    },
  });
});

afterAll(async () => {
  await proxy.close();
  await server.stop();
});

interface Scenario {
  command: string;
  /** The iam-policy --for name. */
  policyFor: string;
  args: string[];
  /** Commands that bring the repo to the state the command runs in. */
  setup: string[][];
  dynafeastBlock?: string;
}

const SCENARIOS: Scenario[] = [
  { command: 'plan (nothing applied)', policyFor: 'plan', args: ['plan'], setup: [] },
  { command: 'plan (applied)', policyFor: 'plan', args: ['plan'], setup: [['apply', '--yes']] },
  { command: 'apply (create)', policyFor: 'apply', args: ['apply', '--yes'], setup: [] },
  { command: 'apply (no changes)', policyFor: 'apply', args: ['apply', '--yes'], setup: [['apply', '--yes']] },
  { command: 'teardown', policyFor: 'teardown', args: ['teardown', '--yes'], setup: [['apply', '--yes']] },
  { command: 'materialize', policyFor: 'materialize', args: ['materialize', '2020-01-01', '2030-01-01'], setup: [['apply', '--yes']] },
  {
    command: 'materialize (monotonic)',
    policyFor: 'materialize',
    args: ['materialize', '2020-01-01', '2030-01-01'],
    setup: [['apply', '--yes']],
    dynafeastBlock: 'dynafeast:\n  materialize: {monotonic_writes: true}',
  },
  {
    command: 'materialize-incremental',
    policyFor: 'materialize',
    args: ['materialize-incremental', '2030-01-01'],
    // the example's rows span 2021-03-28..04-12: the incremental run continues where this one stopped
    setup: [
      ['apply', '--yes'],
      ['materialize', '2020-01-01', '2021-04-05'],
    ],
  },
  {
    command: 'get-online-features',
    policyFor: 'read',
    args: ['get-online-features', '-f', 'driver_hourly_stats:conv_rate', '-f', 'driver_profile:rating', '-e', 'driver_id=1001'],
    setup: [['apply', '--yes']],
  },
];

let counter = 0;

async function prepared(s: Scenario): Promise<string> {
  const repo = makeRepo({ project: `perm_${++counter}`, endpoint: proxy.endpoint, dynafeastBlock: s.dynafeastBlock });
  proxy.setDeny([]);
  for (const step of s.setup) {
    const r = await runCli(['-c', repo, ...step], { cwd: repo });
    if (r.code !== 0) throw new Error(`setup ${step.join(' ')}: ${r.stderr}`);
  }
  return repo;
}

/**
 * Runs the command and returns the DynamoDB actions it called, leaving out the probe dynafeast sends only
 * to custom endpoints (emulators) to learn which operations they implement.
 */
async function observe(s: Scenario): Promise<{ run: CliRun; actions: string[]; repo: string }> {
  const repo = await prepared(s);
  calls.length = 0;
  const run = await runCli(['-c', repo, ...s.args], { cwd: repo });
  const actions = new Set(calls.filter((c) => !c.table?.startsWith('dynafeast-probe-')).map((c) => c.action));
  return { run, actions: [...actions].sort(), repo };
}

/** `plan --detailed-exitcode` after a run: 0 = the live state is the repo's, 2 = changes pending. */
async function planCode(repo: string): Promise<number | null> {
  return (await runCli(['-c', repo, 'plan', '--detailed-exitcode'], { cwd: repo })).code;
}

async function policyActions(policyFor: string, dynafeastBlock?: string): Promise<string[]> {
  const repo = makeRepo({ project: 'perm_policy', endpoint: proxy.endpoint, dynafeastBlock });
  const r = await runCli(['-c', repo, 'iam-policy', '--for', policyFor, '--account-id', '123456789012', '--format', 'json'], { cwd: repo });
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout) as { Statement: Array<{ Action: string | string[] }> };
  return doc.Statement.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
}

describe('denied permissions', () => {
  const report: string[] = [];
  afterAll(() => process.stderr.write(`permissions:\n${report.join('\n')}\n`));

  it.each(SCENARIOS.map((s) => [s.command, s] as const))('%s: every action it calls, denied, is named with a pointer to iam-policy', async (_name, s) => {
    const clean = await observe(s);
    expect(clean.run.code).toBe(0);
    expect(clean.actions.length).toBeGreaterThan(0);
    const policy = await policyActions(s.policyFor, s.dynafeastBlock);
    expect({ command: s.command, missingFromPolicy: clean.actions.filter((a) => !policy.includes(`dynamodb:${a}`)) }).toEqual({
      command: s.command,
      missingFromPolicy: [],
    });

    const cleanAfter = await planCode(clean.repo);
    for (const action of clean.actions) {
      const repo = await prepared(s);
      proxy.setDeny([action]);
      let r: CliRun;
      try {
        r = await runCli(['-c', repo, ...s.args], { cwd: repo });
      } finally {
        proxy.setDeny([]);
      }
      const named = (r.stderr + r.stdout).includes(`dynamodb:${action}`);
      expect(r.stderr).not.toMatch(STACK_FRAME);
      if (r.code !== 0) {
        report.push(`  ${s.command} without dynamodb:${action}: exit ${r.code}, named: ${named}`);
        expect({ action, code: r.code, named, pointer: r.stderr.includes('dynafeast iam-policy') }).toEqual({ action, code: 1, named: true, pointer: true });
        expect(r.stderr).toMatch(/^error: /m);
      } else if (named) {
        report.push(`  ${s.command} without dynamodb:${action}: exit 0 with a warning naming it`);
      } else {
        // the call only informed a decision the flags had already made (teardown --yes need not know
        // whether a table holds items): the outcome must be exactly the clean run's
        const after = await planCode(repo);
        report.push(`  ${s.command} without dynamodb:${action}: exit 0, not needed (outcome unchanged: ${after === cleanAfter})`);
        expect({ action, planAfter: after }).toEqual({ action, planAfter: cleanAfter });
      }
    }
  });
});
