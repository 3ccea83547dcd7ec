import { CommanderError } from 'commander';
import { createProgram, type CommandHandlers, type GlobalFlags } from '../../../src/cli/program.js';
import { defined } from '../../helpers/defined.js';

type Call = { command: keyof CommandHandlers; options: unknown; globals: GlobalFlags };

function harness() {
  const calls: Call[] = [];
  const stub = (command: keyof CommandHandlers) => async (options: unknown, globals: GlobalFlags) => {
    calls.push({ command, options, globals });
  };
  const handlers = Object.fromEntries(
    (
      [
        'init',
        'local',
        'validate',
        'plan',
        'apply',
        'teardown',
        'list',
        'registryDump',
        'iamPolicy',
        'materialize',
        'materializeIncremental',
        'materializeStatus',
        'getOnlineFeatures',
        'export',
        'verify',
        'sql',
        'version',
      ] as const
    ).map((c) => [c, stub(c)]),
  ) as unknown as CommandHandlers;
  const program = createProgram(handlers, '9.9.9');
  program.exitOverride();
  program.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const sub of program.commands) {
    sub.exitOverride();
    sub.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  }
  return { program, calls };
}

const onlineDefaults = {
  features: [] as string[],
  featureService: undefined,
  entities: [] as string[],
  entitiesFile: undefined,
  fullFeatureNames: false,
  output: undefined,
  withStatus: false,
  includeEventTimestamps: false,
};
const defaults: GlobalFlags = { json: false, progress: true, color: true, debug: false, showEnvValues: false, chdir: undefined, featureStoreYaml: undefined };

describe('createProgram', () => {
  const cases: { args: string[]; command: keyof CommandHandlers; options: unknown; globals?: Partial<GlobalFlags> }[] = [
    { args: ['init'], command: 'init', options: { name: 'my_project', template: 'local', region: undefined } },
    { args: ['init', 'demo', '-t', 'aws', '--region', 'eu-west-1'], command: 'init', options: { name: 'demo', template: 'aws', region: 'eu-west-1' } },
    { args: ['--json', 'init', 'demo'], command: 'init', options: { name: 'demo', template: 'local', region: undefined }, globals: { json: true } },
    {
      args: ['init', 'demo', '--no-color', '--no-progress'],
      command: 'init',
      options: { name: 'demo', template: 'local', region: undefined },
      globals: { color: false, progress: false },
    },
    { args: ['-c', 'repo', '-f', 'x.yaml', 'validate'], command: 'validate', options: {}, globals: { chdir: 'repo', featureStoreYaml: 'x.yaml' } },
    { args: ['--chdir', 'r', 'validate', '--debug'], command: 'validate', options: {}, globals: { chdir: 'r', debug: true } },
    { args: ['version'], command: 'version', options: {} },
    { args: ['version', '--json'], command: 'version', options: {}, globals: { json: true } },
    { args: ['local'], command: 'local', options: { port: undefined } },
    { args: ['local', '--port', '8001'], command: 'local', options: { port: 8001 } },
    { args: ['local', '--cors-origin', 'http://localhost:3000'], command: 'local', options: { port: undefined, corsOrigin: 'http://localhost:3000' } },
    { args: ['plan'], command: 'plan', options: { detailedExitcode: false, adopt: false } },
    { args: ['plan', '--detailed-exitcode', '--json'], command: 'plan', options: { detailedExitcode: true, adopt: false }, globals: { json: true } },
    { args: ['plan', '--adopt'], command: 'plan', options: { detailedExitcode: false, adopt: true } },
    { args: ['-c', 'repo', 'apply'], command: 'apply', options: { yes: false, adopt: false }, globals: { chdir: 'repo' } },
    { args: ['apply', '--yes', '--no-progress'], command: 'apply', options: { yes: true, adopt: false }, globals: { progress: false } },
    { args: ['apply', '--adopt'], command: 'apply', options: { yes: false, adopt: true } },
    { args: ['teardown', '-y'], command: 'teardown', options: { yes: true } },
    { args: ['teardown'], command: 'teardown', options: { yes: false } },
    { args: ['list', 'entities'], command: 'list', options: { kind: 'entities' } },
    { args: ['list', 'feature-views', '--json'], command: 'list', options: { kind: 'feature-views' }, globals: { json: true } },
    { args: ['list', 'feature-services'], command: 'list', options: { kind: 'feature-services' } },
    { args: ['registry-dump'], command: 'registryDump', options: { allProjects: false } },
    { args: ['registry-dump', '--all-projects'], command: 'registryDump', options: { allProjects: true } },
    {
      args: ['get-online-features', '-f', 'v:a', '--features', 'v:b,w:c', '-fv:d', '-e', 'driver_id=1', '-e', 'driver_id=2'],
      command: 'getOnlineFeatures',
      options: { ...onlineDefaults, features: ['v:a', 'v:b', 'w:c', 'v:d'], entities: ['driver_id=1', 'driver_id=2'] },
    },
    {
      args: [
        '-f',
        'store.yaml',
        'get-online-features',
        '--feature-service',
        'svc',
        '--entities-file',
        'rows.csv',
        '--full-feature-names',
        '-o',
        'csv',
        '--with-status',
        '--include-event-timestamps',
      ],
      command: 'getOnlineFeatures',
      options: {
        ...onlineDefaults,
        featureService: 'svc',
        entitiesFile: 'rows.csv',
        fullFeatureNames: true,
        output: 'csv',
        withStatus: true,
        includeEventTimestamps: true,
      },
      globals: { featureStoreYaml: 'store.yaml' },
    },
    {
      args: ['get-online-features', '-f', 'v:a', '--feature-store-yaml', 'x.yaml', '-e', 'k=1', '--json', '-c', 'repo'],
      command: 'getOnlineFeatures',
      options: { ...onlineDefaults, features: ['v:a'], entities: ['k=1'] },
      globals: { featureStoreYaml: 'x.yaml', json: true, chdir: 'repo' },
    },
    { args: ['validate', '-f', 'y.yaml'], command: 'validate', options: {}, globals: { featureStoreYaml: 'y.yaml' } },
    { args: ['iam-policy'], command: 'iamPolicy', options: { for: ['plan', 'apply', 'materialize', 'read', 'inspect', 'teardown'], format: 'json' } },
    { args: ['iam-policy', '--for', 'export,sql'], command: 'iamPolicy', options: { for: ['inspect'], format: 'json' } },
    {
      args: ['iam-policy', '--for', 'teardown,apply', '--account-id', '123456789012', '--region', 'eu-west-1', '--format', 'terraform'],
      command: 'iamPolicy',
      options: { for: ['apply', 'teardown'], accountId: '123456789012', region: 'eu-west-1', format: 'terraform' },
    },
    {
      args: ['iam-policy', '--for', 'get-online-features', '--format', 'cloudformation'],
      command: 'iamPolicy',
      options: { for: ['read'], format: 'cloudformation' },
    },
    {
      args: ['materialize', '2024-01-01', 'now'],
      command: 'materialize',
      options: { start: '2024-01-01', end: 'now', views: [], strict: false, dryRun: false },
    },
    {
      args: ['materialize', '2024-01-01T00:00:00', '2024-01-02 00:00:00+02:00', '--views', 'a', 'b'],
      command: 'materialize',
      options: { start: '2024-01-01T00:00:00', end: '2024-01-02 00:00:00+02:00', views: ['a', 'b'], strict: false, dryRun: false },
    },
    {
      args: ['materialize', 's', 'e', '-v', 'a', '-v', 'b,c', '--json'],
      command: 'materialize',
      options: { start: 's', end: 'e', views: ['a', 'b', 'c'], strict: false, dryRun: false },
      globals: { json: true },
    },
    { args: ['materialize-incremental', 'now'], command: 'materializeIncremental', options: { end: 'now', views: [], strict: false, dryRun: false } },
    {
      args: ['materialize-incremental', 'now', '--strict'],
      command: 'materializeIncremental',
      options: { end: 'now', views: [], strict: true, dryRun: false },
    },
    { args: ['materialize', 's', 'e', '--strict'], command: 'materialize', options: { start: 's', end: 'e', views: [], strict: true, dryRun: false } },
    {
      args: ['materialize-incremental', 'now', '--views', 'x', '--no-progress'],
      command: 'materializeIncremental',
      options: { end: 'now', views: ['x'], strict: false, dryRun: false },
      globals: { progress: false },
    },
    { args: ['export', '--format', 'csv', '--out', 'o.csv'], command: 'export', options: { format: 'csv', out: 'o.csv', views: [] } },
    {
      args: ['export', '--format', 'parquet', '--out', 'dir', '-v', 'a,b', '--segments', '4'],
      command: 'export',
      options: { format: 'parquet', out: 'dir', views: ['a', 'b'], segments: 4 },
    },
    { args: ['verify', 's', 'e'], command: 'verify', options: { start: 's', end: 'e', views: [] } },
    {
      args: ['verify', 's', 'e', '--sample', '10', '-v', 'x', '--json'],
      command: 'verify',
      options: { start: 's', end: 'e', views: ['x'], sample: 10 },
      globals: { json: true },
    },
    { args: ['sql', 'SELECT 1'], command: 'sql', options: { query: 'SELECT 1', output: 'table' } },
    { args: ['sql', 'SELECT 1', '-o', 'csv'], command: 'sql', options: { query: 'SELECT 1', output: 'csv' } },
  ];

  it.each(cases)('parses $args', async ({ args, command, options, globals }) => {
    const prev = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      const { program, calls } = harness();
      await program.parseAsync(args, { from: 'user' });
      expect(calls).toEqual([{ command, options, globals: { ...defaults, ...globals } }]);
    } finally {
      if (prev !== undefined) process.env.NO_COLOR = prev;
    }
  });

  it('honours NO_COLOR', async () => {
    const prev = process.env.NO_COLOR;
    process.env.NO_COLOR = '1';
    try {
      const { program, calls } = harness();
      await program.parseAsync(['validate'], { from: 'user' });
      expect(defined(calls[0]).globals.color).toBe(false);
    } finally {
      if (prev === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = prev;
    }
  });

  it.each([
    [['init', '-t', 'gcp'], 'commander.invalidArgument'],
    [['local', '--port', 'abc'], 'commander.invalidArgument'],
    [['local', '--port', '70000'], 'commander.invalidArgument'],
    [['nope'], 'commander.unknownCommand'],
    [['list'], 'commander.missingArgument'],
    [['list', 'views'], 'commander.invalidArgument'],
    [['apply', '--force'], 'commander.unknownOption'],
    [['validate', '--bogus'], 'commander.unknownOption'],
    [['get-online-features', '-o', 'xml'], 'commander.invalidArgument'],
    [['get-online-features', '-f'], 'commander.optionMissingArgument'],
    [['iam-policy', '--for', 'deploy'], 'commander.invalidArgument'],
    [['iam-policy', '--account-id', '1234'], 'commander.invalidArgument'],
    [['iam-policy', '--format', 'yaml'], 'commander.invalidArgument'],
    [['materialize', '2024-01-01'], 'commander.missingArgument'],
    [['materialize-incremental'], 'commander.missingArgument'],
    [['materialize-incremental', 'now', 'later'], 'commander.excessArguments'],
    [['materialize', 's', 'e', '--max-write-units-per-second', '0'], 'commander.invalidArgument'],
    [['materialize', 's', 'e', '--max-write-units-per-second', '-5'], 'commander.invalidArgument'],
    [['materialize', 's', 'e', '--max-write-units-per-second', 'lots'], 'commander.invalidArgument'],
    [['materialize', 's', 'e', '--dry-run', '--price-per-million-writes', '1e3'], 'commander.invalidArgument'],
    [['materialize', 's', 'e', '--shard'], 'commander.optionMissingArgument'],
    [['version', '1.0'], 'commander.excessArguments'],
    [['export', '--out', 'x'], 'commander.missingMandatoryOptionValue'],
    [['export', '--format', 'xlsx', '--out', 'x'], 'commander.invalidArgument'],
    [['export', '--format', 'csv'], 'commander.missingMandatoryOptionValue'],
    [['export', '--format', 'csv', '--out', 'x', '--segments', '0'], 'commander.invalidArgument'],
    [['verify', 's'], 'commander.missingArgument'],
    [['verify', 's', 'e', '--sample', '-3'], 'commander.invalidArgument'],
    [['verify', 's', 'e', '--sample', '1.5'], 'commander.invalidArgument'],
    [['sql'], 'commander.missingArgument'],
    [['sql', 'SELECT 1', '-o', 'xml'], 'commander.invalidArgument'],
  ])('rejects %j', async (args, code) => {
    const { program, calls } = harness();
    await expect(program.parseAsync(args, { from: 'user' })).rejects.toMatchObject({ code });
    expect(calls).toHaveLength(0);
  });

  it('prints the version', async () => {
    const { program } = harness();
    const err = await program.parseAsync(['--version'], { from: 'user' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommanderError);
    expect((err as CommanderError).code).toBe('commander.version');
  });
});

describe('name lists', () => {
  it.each([
    ['materialize', '2020-01-01', '2030-01-01', '--views', ''],
    ['materialize', '2020-01-01', '2030-01-01', '--views', 'a,,b'],
    ['materialize', '2020-01-01', '2030-01-01', '--views', 'a,'],
    ['materialize', '2020-01-01', '2030-01-01', '--views', ' , '],
    ['materialize', '2020-01-01', '2030-01-01', '--views', 'a', '--views', ''],
    ['materialize-incremental', 'now', '--views', ''],
    ['materialize-incremental', 'now', '-v', ',b'],
    ['get-online-features', '-f', '', '-e', 'driver_id=1'],
    ['get-online-features', '--features', 'v:a,,v:b', '-e', 'driver_id=1'],
  ])('an empty name is refused, never read as "all": %s', async (...argv) => {
    const { program, calls } = harness();
    await expect(program.parseAsync(argv, { from: 'user' })).rejects.toMatchObject({ code: 'usage.badFlag', kind: 'usage' });
    expect(calls).toEqual([]);
  });

  it('--for with an empty name is a usage error', async () => {
    const { program, calls } = harness();
    await expect(program.parseAsync(['iam-policy', '--for', 'plan,,apply'], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
    expect(calls).toEqual([]);
  });

  it('names around commas and repeated flags are kept, trimmed', async () => {
    const { program, calls } = harness();
    await program.parseAsync(['materialize', '2020-01-01', 'now', '--views', 'a, b', '--views', 'c'], { from: 'user' });
    expect(defined(calls[0]).options).toMatchObject({ views: ['a', 'b', 'c'] });
  });
});
