/**
 * The commander program, built by a factory so flag parsing is tested alone with stub handlers
 * (CONTRIBUTING.md convention 2). Every action parses its flags into a typed options object and hands it over; nothing
 * here touches AWS, YAML or the process exit code.
 */
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { DynafeastError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { escapeControl } from './output.js';
import { EXPORT_FORMATS, type ExportFormat } from '../core/export/formats.js';
import { DEFAULT_REGISTRY_TTL_SEC } from '../core/serve/definitions-refresh.js';
import { IAM_FORMATS, parseIamCommands, type IamCommand, type IamFormat } from '../core/iam/commands.js';

export interface GlobalFlags {
  chdir?: string;
  featureStoreYaml?: string;
  json: boolean;
  progress: boolean;
  color: boolean;
  debug: boolean;
  /** Print `${VAR}`-expanded config values instead of the `${VAR}` text (secrets are hidden by default). */
  showEnvValues: boolean;
}

export interface InitFlags {
  name?: string;
  template: 'local' | 'aws';
  region?: string;
}

export interface ServeFlags {
  host: string;
  port: number;
  tlsKeyPath?: string;
  tlsCertPath?: string;
  /** A file holding the bearer token every request but /health must carry. */
  authTokenFile?: string;
  logFormat: 'text' | 'json' | 'none';
  maxBodyBytes: number;
  maxEntities: number;
  /** Seconds. */
  requestTimeout: number;
  /** Seconds between definition reloads (or registry.cache_ttl_seconds when sooner); 0 = only the cache ttl. */
  registryTtlSec: number;
  /** Seconds SIGTERM/SIGINT waits for requests in flight. */
  shutdownGrace: number;
}

export interface LocalFlags {
  port?: number;
  /** The one browser origin allowed to call the server (CORS); none by default. */
  corsOrigin?: string;
}

export type ValidateFlags = Record<string, never>;

export type VersionFlags = Record<string, never>;

export interface PlanFlags {
  /** Terraform's convention: exit 0 no changes, 2 changes pending, 1 error. */
  detailedExitcode: boolean;
  /** Plan as `apply --adopt` would. */
  adopt?: boolean;
}

export interface ApplyFlags {
  /** Confirms deleting tables that hold data without asking. */
  yes: boolean;
  /** Takes over existing Feast-shaped tables that are not known to be this project's. */
  adopt?: boolean;
}

export interface TeardownFlags {
  yes: boolean;
}

export const LIST_KINDS = ['entities', 'feature-views', 'feature-services'] as const;

export interface ListFlags {
  kind: (typeof LIST_KINDS)[number];
}

export interface ImportFlags {
  /** Definitions file to write, relative to the repo (default features.yaml). */
  out?: string;
  force: boolean;
}

export interface RegistryDumpFlags {
  allProjects: boolean;
}

export const ONLINE_OUTPUTS = ['json', 'table', 'csv', 'jsonl'] as const;

export interface GetOnlineFeaturesFlags {
  /** `view:feature` references (repeatable, or comma-separated). */
  features: string[];
  featureService?: string;
  /** Raw `key=value` flags, in order. */
  entities: string[];
  entitiesFile?: string;
  fullFeatureNames: boolean;
  /** undefined = json (or whatever --json implies). */
  output?: (typeof ONLINE_OUTPUTS)[number];
  withStatus: boolean;
  includeEventTimestamps: boolean;
}

export interface IamPolicyFlags {
  /** Commands the policy is for, canonical order; `all` expanded. */
  for: IamCommand[];
  /** 12 digits; undefined = ask STS GetCallerIdentity. */
  accountId?: string;
  /** undefined = online_store.region. */
  region?: string;
  format: IamFormat;
}

export interface MaterializeWindowFlags {
  /** ISO 8601 (naive = UTC) or `now`; parsed by core so errors name the argument. */
  start: string;
  end: string;
  /** Views to write; empty = every online view. */
  views: string[];
  /** Rows that would be left out (NULL event timestamp or join key) are an error, not a warning. */
  strict: boolean;
}

/** Sharding, the write budget and the dry run, shared by both materialize commands (checked in core). */
export interface MaterializeRunFlags {
  /** `I/N`. */
  shard?: string;
  /** `N`: the index comes from JOB_COMPLETION_INDEX / AWS_BATCH_JOB_ARRAY_INDEX. */
  shards?: string;
  runId?: string;
  /** Write units per second for the whole table, shared by the run's shards. */
  maxWriteUnitsPerSecond?: number;
  dryRun: boolean;
  /** USD per million write request units for the dry run's estimate. */
  pricePerMillionWrites?: number;
}

export interface MaterializeFlags extends MaterializeRunFlags, MaterializeWindowFlags {}

export interface MaterializeIncrementalFlags extends MaterializeRunFlags {
  end: string;
  views: string[];
  strict: boolean;
}

export interface MaterializeStatusFlags {
  runId?: string;
}

export interface ExportFlags {
  views: string[];
  format: ExportFormat;
  out: string;
  /** Parallel Scan segments per table (default: from the table's size). */
  segments?: number;
}

export interface VerifyFlags {
  start: string;
  end: string;
  views: string[];
  /** Check this many random entities by BatchGetItem instead of scanning the tables. */
  sample?: number;
  segments?: number;
}

export const SQL_OUTPUTS = ['table', 'csv', 'json'] as const;

export interface SqlFlags {
  query: string;
  output: (typeof SQL_OUTPUTS)[number];
  segments?: number;
}

/** A handler returns the exit code it wants (0 when it returns nothing). Errors are thrown. */
export type Handler<O> = (options: O, globals: GlobalFlags) => Promise<number | void>;

export interface CommandHandlers {
  init: Handler<InitFlags>;
  local: Handler<LocalFlags>;
  serve: Handler<ServeFlags>;
  validate: Handler<ValidateFlags>;
  plan: Handler<PlanFlags>;
  apply: Handler<ApplyFlags>;
  teardown: Handler<TeardownFlags>;
  list: Handler<ListFlags>;
  registryDump: Handler<RegistryDumpFlags>;
  import: Handler<ImportFlags>;
  iamPolicy: Handler<IamPolicyFlags>;
  getOnlineFeatures: Handler<GetOnlineFeaturesFlags>;
  materialize: Handler<MaterializeFlags>;
  materializeIncremental: Handler<MaterializeIncrementalFlags>;
  materializeStatus: Handler<MaterializeStatusFlags>;
  export: Handler<ExportFlags>;
  verify: Handler<VerifyFlags>;
  sql: Handler<SqlFlags>;
  version: Handler<VersionFlags>;
}

/** A positive decimal number (a rate, a price). */
function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !(n > 0) || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`expected a positive number such as 1000 or 0.625, got "${value}"`);
  }
  return n;
}

/** A whole number >= 1 for `flag`. */
function parsePositiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${flag}: expected a whole number >= 1, got "${value}"`);
    return n;
  };
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected seconds ≥ 0, e.g. 30, got "${value}"`);
  return n;
}

function parseListenPort(value: string): number {
  return value === '0' ? 0 : parsePort(value);
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) {
    throw new InvalidArgumentError(`expected a TCP port 1-65535, got "${value}"`);
  }
  return n;
}

/** A browser origin as browsers send it: scheme://host[:port], nothing else (`*` is not offered). */
function parseOrigin(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== value) {
    throw new InvalidArgumentError(`expected an origin like http://localhost:3000 (scheme, host and port only), got "${value}"`);
  }
  return value;
}

/**
 * The names of a repeatable, comma-separated flag. An empty name (`--views ''`, `--views a,,b`, a
 * trailing comma) is refused rather than dropped: dropping them all would silently mean "everything".
 */
export function listItems(flag: string, values: readonly string[], what: string, example: string): string[] {
  const items = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  const bad = values.find((v) => v.split(',').some((i) => i.trim() === ''));
  if (bad !== undefined) {
    const why = bad.trim() === '' ? 'is empty' : `has an empty name (${JSON.stringify(bad)}: two commas in a row, or one at an end)`;
    throw new DynafeastError('usage.badFlag', `${flag} ${why}: it must name at least one ${what}.`, {
      path: flag,
      hint: `Write ${flag} ${example}${flag === '--views' ? ', or leave --views out to use every online view' : ''}.`,
    });
  }
  return items;
}

function parseIamFor(value: string): IamCommand[] {
  if (value.split(',').some((i) => i.trim() === '')) {
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} has an empty name; expected a comma list of plan, apply, materialize, read, inspect, teardown or all`,
    );
  }
  const { commands, unknown } = parseIamCommands(value);
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown command ${unknown.map((u) => `"${u}"`).join(', ')}; expected a comma list of plan, apply, materialize, read, inspect, teardown or all`,
    );
  }
  return commands;
}

function parseAccountId(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new InvalidArgumentError(`expected a 12-digit AWS account id, got "${value}"`);
  return value;
}

function globalsOf(cmd: Command): GlobalFlags {
  const o = cmd.optsWithGlobals();
  return {
    chdir: o.chdir,
    featureStoreYaml: o.featureStoreYaml,
    json: Boolean(o.json),
    progress: o.progress !== false,
    color: o.color !== false && !('NO_COLOR' in process.env && process.env.NO_COLOR !== ''),
    debug: Boolean(o.debug),
    showEnvValues: Boolean(o.showEnvValues),
  };
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * `-f` is the global --feature-store-yaml everywhere except after `get-online-features`, where it means
 * --features (as in Feast's CLI). Commander lets the program claim its options anywhere on the line, so
 * the short flag is spelled out after that subcommand before the program sees it.
 */
export function spellOutFeatureFlags(argv: readonly string[]): string[] {
  const at = argv.indexOf('get-online-features');
  if (at < 0) return [...argv];
  const out = argv.slice(0, at + 1);
  for (let i = at + 1; i < argv.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < argv.length
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg === '-f') out.push('--features');
    else if (arg.startsWith('-f') && !arg.startsWith('--')) out.push(`--features=${arg.slice(2).replace(/^=/, '')}`);
    else out.push(arg);
  }
  return out;
}

/** Where the action's exit code is kept; the entry point reads it after parseAsync. */
export interface ProgramResult {
  exitCode: number;
}

export function createProgram(handlers: CommandHandlers, version: string, result: ProgramResult = { exitCode: 0 }): Command {
  const program = new Command('dynafeast')
    .description('Feast-compatible DynamoDB online store: plan, apply, materialize and read features')
    .version(version, '-V, --version', 'print the dynafeast version')
    .option('-c, --chdir <dir>', 'feature repo directory (default: current directory)')
    .option('-f, --feature-store-yaml <path>', 'path to feature_store.yaml (default: <repo>/feature_store.yaml)')
    .option('--json', 'print one JSON document on stdout; human text goes to stderr')
    .option('--no-progress', 'plain progress lines instead of live task lists')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('--debug', 'print stack traces and debug logs (never secrets)')
    .option('--show-env-values', 'print ${VAR}-expanded feature_store.yaml values (hidden by default: they may be secrets)')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    // commander echoes the bad argument: it goes through the same escaping and redaction as all output
    .configureOutput({ writeErr: (text) => void process.stderr.write(escapeControl(redact(text))) })
    // throw CommanderError instead of exiting: the entry point alone decides the exit code
    .exitOverride();
  const parseOptions = program.parseOptions.bind(program);
  program.parseOptions = (argv: string[]) => parseOptions(spellOutFeatureFlags(argv));

  const run = <O>(handler: Handler<O>, cmd: Command, options: O) =>
    handler(options, globalsOf(cmd)).then((code) => {
      result.exitCode = code ?? 0;
    });

  program
    .command('init')
    .description('create a new feature repo NAME/feature_repo with sample data')
    .argument('[name]', 'folder to create (its name, with - as _, becomes the Feast project name)', 'my_project')
    .addOption(
      new Option('-t, --template <template>', 'local: embedded DynamoDB, no AWS account; aws: real DynamoDB').choices(['local', 'aws']).default('local'),
    )
    .option('--region <region>', 'AWS region for -t aws (default: AWS_REGION)')
    .action((name: string, o: { template: 'local' | 'aws'; region?: string }, cmd: Command) =>
      run(handlers.init, cmd, { name, template: o.template, region: o.region }),
    );

  program
    .command('local')
    .description("serve the repo's embedded DynamoDB on loopback until Ctrl-C (for Feast, the AWS CLI, SDKs)")
    .option('-p, --port <port>', 'port to listen on (default: the port of online_store.endpoint_url)', parsePort)
    .option('--cors-origin <origin>', 'let web pages of this one origin (e.g. http://localhost:3000) call the server; default: none', parseOrigin)
    .action((o: { port?: number; corsOrigin?: string }, cmd: Command) =>
      run(handlers.local, cmd, { port: o.port, ...(o.corsOrigin ? { corsOrigin: o.corsOrigin } : {}) }),
    );

  program
    .command('serve')
    .description("serve the repo's online features over Feast's feature server HTTP API until Ctrl-C/SIGTERM")
    .option('-H, --host <host>', 'address to listen on (0.0.0.0 for containers: then set --auth-token-file)', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', parseListenPort, 6566)
    .option('--tls-key-path <file>', 'PEM private key: serve HTTPS (with --tls-cert-path)')
    .option('--tls-cert-path <file>', 'PEM certificate chain: serve HTTPS (with --tls-key-path)')
    .option('--auth-token-file <file>', 'require `Authorization: Bearer <token>` with the token in this file (or set DYNAFEAST_SERVE_TOKEN)')
    .addOption(new Option('--log-format <format>', 'access log on stderr').choices(['text', 'json', 'none']).default('text'))
    .option('--max-body-bytes <n>', 'larger request bodies get 413', parsePositiveInt('--max-body-bytes'), 16 * 1024 * 1024)
    .option('--max-entities <n>', 'more entity rows in one request get 413', parsePositiveInt('--max-entities'), 10_000)
    .option('--request-timeout <seconds>', 'requests not answered in time get 504', parseSeconds, 30)
    .option(
      '--registry-ttl-sec <seconds>',
      "reload changed definitions this often, or after feature_store.yaml's registry.cache_ttl_seconds if sooner (0: only that)",
      parseSeconds,
      DEFAULT_REGISTRY_TTL_SEC,
    )
    .option('--shutdown-grace <seconds>', 'on SIGTERM/SIGINT, wait this long for requests in flight', parseSeconds, 30)
    .action((o: ServeFlags, cmd: Command) => run(handlers.serve, cmd, o));

  program
    .command('validate')
    .description('load feature_store.yaml and the feature definitions and report every problem')
    .action((_o: unknown, cmd: Command) => run(handlers.validate, cmd, {}));

  program
    .command('plan')
    .description('show what apply would change in the DynamoDB tables and the registry')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when changes are pending, 1 on error')
    .option('--adopt', "plan as `apply --adopt` would: take over existing Feast-shaped tables not known to be this project's")
    .action((o: { detailedExitcode?: boolean; adopt?: boolean }, cmd: Command) =>
      run(handlers.plan, cmd, { detailedExitcode: Boolean(o.detailedExitcode), adopt: Boolean(o.adopt) }),
    );

  program
    .command('apply')
    .description('create or update the tables of the online feature views and write the registry')
    .option('-y, --yes', 'delete tables of removed views even when they hold data, without asking')
    .option('--adopt', "take over existing tables with Feast's key schema that are not known to be this project's (they get its tag)")
    .action((o: { yes?: boolean; adopt?: boolean }, cmd: Command) => run(handlers.apply, cmd, { yes: Boolean(o.yes), adopt: Boolean(o.adopt) }));

  program
    .command('teardown')
    .description('delete every table the registry records for the project and remove the project from the registry')
    .option('-y, --yes', 'do not ask for confirmation')
    .action((o: { yes?: boolean }, cmd: Command) => run(handlers.teardown, cmd, { yes: Boolean(o.yes) }));

  program
    .command('list')
    .description("list the registry's entities, feature views or feature services of the project")
    .addArgument(new Argument('<kind>', 'what to list').choices(LIST_KINDS))
    .action((kind: ListFlags['kind'], _o: unknown, cmd: Command) => run(handlers.list, cmd, { kind }));

  program
    .command('registry-dump')
    .description("print the registry as JSON (Feast's field names)")
    .option('--all-projects', 'include the objects of every project, not only this one')
    .action((o: { allProjects?: boolean }, cmd: Command) => run(handlers.registryDump, cmd, { allProjects: Boolean(o.allProjects) }));

  program
    .command('import')
    .description('write dynafeast YAML definitions from the Feast registry (for a repo whose definitions are Python)')
    .option('--out <file>', 'definitions file to write, inside the repo', 'features.yaml')
    .option('--force', 'replace the file when it exists')
    .action((o: { out: string; force?: boolean }, cmd: Command) => run(handlers.import, cmd, { out: o.out, force: Boolean(o.force) }));

  program
    .command('get-online-features')
    .description("read the latest feature values of entities from DynamoDB (Feast's get_online_features)")
    .option('-f, --features <view:feature>', 'feature to read (repeatable, or comma-separated)', collect)
    .option('--feature-service <name>', 'read the features of a feature service')
    .option('-e, --entities <key=value>', 'entity join key value (repeatable: several values of a key make several rows)', collect)
    .option('--entities-file <path>', 'entity rows from a .csv (with header), .json or .jsonl file')
    .option('--full-feature-names', 'name feature columns view__feature')
    .addOption(new Option('-o, --output <format>', "output format (default: json, Feast's to_dict shape)").choices(ONLINE_OUTPUTS))
    .option('--with-status', 'add a <column>__status column (PRESENT, NOT_FOUND, NULL_VALUE, OUTSIDE_MAX_AGE)')
    .option('--include-event-timestamps', 'add a <column>__ts column (event time, epoch seconds)')
    .action(
      (
        o: {
          features?: string[];
          featureService?: string;
          entities?: string[];
          entitiesFile?: string;
          fullFeatureNames?: boolean;
          output?: GetOnlineFeaturesFlags['output'];
          withStatus?: boolean;
          includeEventTimestamps?: boolean;
        },
        cmd: Command,
      ) =>
        run(handlers.getOnlineFeatures, cmd, {
          features: listItems('--features', o.features ?? [], 'feature', 'driver_hourly_stats:conv_rate,driver_hourly_stats:acc_rate'),
          featureService: o.featureService,
          entities: o.entities ?? [],
          entitiesFile: o.entitiesFile,
          fullFeatureNames: Boolean(o.fullFeatureNames),
          output: o.output,
          withStatus: Boolean(o.withStatus),
          includeEventTimestamps: Boolean(o.includeEventTimestamps),
        }),
    );

  const viewsOption = () => new Option('-v, --views <names...>', 'feature views to materialize (default: every online view; repeatable or comma-separated)');
  const strictOption = () =>
    new Option('--strict', 'fail, before writing anything, when rows would be left out (NULL event timestamp or join key) instead of warning');
  const viewsOf = (views: string[] | undefined) => listItems('--views', views ?? [], 'feature view', 'driver_hourly_stats,driver_profile');

  type RunOpts = {
    views?: string[];
    strict?: boolean;
    shard?: string;
    shards?: string;
    runId?: string;
    maxWriteUnitsPerSecond?: number;
    dryRun?: boolean;
    pricePerMillionWrites?: number;
  };
  const runOptions = (c: Command) =>
    c
      .addOption(viewsOption())
      .addOption(strictOption())
      .option('--shard <I/N>', 'write only the entities of shard I of N (entity-hash shards; the last shard to finish records the interval)')
      .option('--shards <N>', 'like --shard, with I from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array)')
      .option('--run-id <id>', 'name of the sharded run the shards complete together (default: derived from the views and their windows)')
      .option('--max-write-units-per-second <W>', 'write units per second for the whole table, shared by the shards (each takes W/N)', parsePositiveNumber)
      .option('--dry-run', 'read and encode, write nothing: rows, items, item sizes, write units and on-demand cost per view')
      .option(
        '--price-per-million-writes <usd>',
        'on-demand USD per million write request units for --dry-run (default 0.625, us-east-1)',
        parsePositiveNumber,
      );
  const runFlags = (o: RunOpts): MaterializeRunFlags => ({
    ...(o.shard !== undefined ? { shard: o.shard } : {}),
    ...(o.shards !== undefined ? { shards: o.shards } : {}),
    ...(o.runId !== undefined ? { runId: o.runId } : {}),
    ...(o.maxWriteUnitsPerSecond !== undefined ? { maxWriteUnitsPerSecond: o.maxWriteUnitsPerSecond } : {}),
    dryRun: o.dryRun === true,
    ...(o.pricePerMillionWrites !== undefined ? { pricePerMillionWrites: o.pricePerMillionWrites } : {}),
  });

  runOptions(
    program
      .command('materialize')
      .description('write the latest row per entity with START <= event time <= END of each view to DynamoDB')
      .argument('<start>', 'start of the window, inclusive: ISO 8601 (naive = UTC), e.g. 2024-05-01T00:00:00')
      .argument('<end>', 'end of the window, inclusive: ISO 8601 or `now`'),
  ).action((start: string, end: string, o: RunOpts, cmd: Command) =>
    run(handlers.materialize, cmd, { start, end, views: viewsOf(o.views), strict: o.strict === true, ...runFlags(o) }),
  );

  runOptions(
    program
      .command('materialize-incremental')
      .description('materialize each view from where the last run ended (first run: now - ttl) up to END')
      .argument('<end>', 'end of the window, inclusive: ISO 8601 (naive = UTC) or `now`'),
  ).action((end: string, o: RunOpts, cmd: Command) =>
    run(handlers.materializeIncremental, cmd, { end, views: viewsOf(o.views), strict: o.strict === true, ...runFlags(o) }),
  );

  program
    .command('materialize-status')
    .description('show the sharded runs recorded in the registry: shards done, shards missing, whether the interval is recorded')
    .option('--run-id <id>', 'show only this run')
    .action((o: { runId?: string }, cmd: Command) => run(handlers.materializeStatus, cmd, o.runId !== undefined ? { runId: o.runId } : {}));

  const segmentsOption = () =>
    new Option('--segments <n>', 'parallel Scan segments per table (default: one per 16 MiB of table, at most 16)').argParser(parsePositiveInt('--segments'));
  const readViewsOption = (what: string) =>
    new Option('-v, --views <names...>', `feature views to ${what} (default: every online view; repeatable or comma-separated)`);

  program
    .command('export')
    .description('decode the online tables into parquet, CSV or JSON-lines files (one row per entity: join keys, features, event timestamp)')
    .addOption(new Option('--format <format>', 'file format').choices(EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption('--out <path>', 'the file (one view), or a folder with one <view>.<format> per view')
    .addOption(readViewsOption('export'))
    .addOption(segmentsOption())
    .action((o: { format: ExportFormat; out: string; views?: string[]; segments?: number }, cmd: Command) =>
      run(handlers.export, cmd, { format: o.format, out: o.out, views: viewsOf(o.views), ...(o.segments !== undefined ? { segments: o.segments } : {}) }),
    );

  program
    .command('verify')
    .description('compare the online store with the latest offline row per entity in START..END; exit 1 when anything differs')
    .argument('<start>', 'start of the window, inclusive: ISO 8601 (naive = UTC)')
    .argument('<end>', 'end of the window, inclusive: ISO 8601 or `now`')
    .addOption(readViewsOption('verify'))
    .addOption(
      new Option('--sample <n>', 'check n random entities per view by BatchGetItem instead of scanning the tables').argParser(parsePositiveInt('--sample')),
    )
    .addOption(segmentsOption())
    .action((start: string, end: string, o: { views?: string[]; sample?: number; segments?: number }, cmd: Command) =>
      run(handlers.verify, cmd, {
        start,
        end,
        views: viewsOf(o.views),
        ...(o.sample !== undefined ? { sample: o.sample } : {}),
        ...(o.segments !== undefined ? { segments: o.segments } : {}),
      }),
    );

  program
    .command('sql')
    .description('run DuckDB SQL over the decoded online data (each view a table) and the offline sources (offline.<source>)')
    .argument('<query>', 'e.g. "SELECT count(*) FROM driver_hourly_stats WHERE conv_rate > 0.9"')
    .addOption(new Option('-o, --output <format>', 'output format').choices(SQL_OUTPUTS).default('table'))
    .addOption(segmentsOption())
    .action((query: string, o: { output: SqlFlags['output']; segments?: number }, cmd: Command) =>
      run(handlers.sql, cmd, { query, output: o.output, ...(o.segments !== undefined ? { segments: o.segments } : {}) }),
    );

  program
    .command('iam-policy')
    .description("print the least-privilege IAM policy the commands need on exactly the project's tables")
    .option(
      '--for <commands>',
      'comma list of plan, apply, materialize, read (get-online-features), inspect (export, verify, sql), teardown, or all',
      parseIamFor,
    )
    .option('--account-id <id>', 'AWS account of the table ARNs (default: asked of STS GetCallerIdentity)', parseAccountId)
    .option('--region <region>', 'region of the table ARNs (default: online_store.region)')
    .addOption(
      new Option(
        '--format <format>',
        'json: the policy document; terraform: an aws_iam_policy resource; cloudformation: a template with an AWS::IAM::ManagedPolicy',
      )
        .choices(IAM_FORMATS)
        .default('json'),
    )
    .action((o: { for?: IamCommand[]; accountId?: string; region?: string; format: IamFormat }, cmd: Command) =>
      run(handlers.iamPolicy, cmd, {
        for: o.for ?? parseIamFor('all'),
        ...(o.accountId !== undefined ? { accountId: o.accountId } : {}),
        ...(o.region !== undefined ? { region: o.region } : {}),
        format: o.format,
      }),
    );

  program
    .command('version')
    .description('print the versions of dynafeast, Node.js, DuckDB and the AWS SDK (with --json: as one JSON document)')
    .action((_o: unknown, cmd: Command) => run(handlers.version, cmd, {}));

  return program;
}
