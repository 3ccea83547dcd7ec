/**
 * The commander program, built by a factory so flag parsing is tested alone with stub handlers
 * (CONVENTIONS 2). Every action parses its flags into a typed options object and hands it over; nothing
 * here touches AWS, YAML or the process exit code.
 */
import { Argument, Command, InvalidArgumentError, Option } from 'commander';

export interface GlobalOptions {
  chdir?: string;
  featureStoreYaml?: string;
  json: boolean;
  progress: boolean;
  color: boolean;
  debug: boolean;
}

export interface InitOptions {
  name?: string;
  template: 'local' | 'aws';
  region?: string;
}

export interface LocalOptions {
  port?: number;
}

export type ValidateOptions = Record<string, never>;

export interface PlanOptions {
  /** Terraform's convention: exit 0 no changes, 2 changes pending, 1 error. */
  detailedExitcode: boolean;
}

export interface ApplyOptions {
  /** Confirms deleting tables that hold data without asking. */
  yes: boolean;
}

export interface TeardownOptions {
  yes: boolean;
}

export const LIST_KINDS = ['entities', 'feature-views', 'feature-services'] as const;

export interface ListOptions {
  kind: (typeof LIST_KINDS)[number];
}

export interface RegistryDumpOptions {
  allProjects: boolean;
}

/** A handler returns the exit code it wants (0 when it returns nothing). Errors are thrown. */
export type Handler<O> = (options: O, globals: GlobalOptions) => Promise<number | void>;

export interface CommandHandlers {
  init: Handler<InitOptions>;
  local: Handler<LocalOptions>;
  validate: Handler<ValidateOptions>;
  plan: Handler<PlanOptions>;
  apply: Handler<ApplyOptions>;
  teardown: Handler<TeardownOptions>;
  list: Handler<ListOptions>;
  registryDump: Handler<RegistryDumpOptions>;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) {
    throw new InvalidArgumentError(`expected a TCP port 1-65535, got "${value}"`);
  }
  return n;
}

function globalsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals();
  return {
    chdir: o.chdir,
    featureStoreYaml: o.featureStoreYaml,
    json: Boolean(o.json),
    progress: o.progress !== false,
    color: o.color !== false && !('NO_COLOR' in process.env && process.env.NO_COLOR !== ''),
    debug: Boolean(o.debug),
  };
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
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    // throw CommanderError instead of exiting: the entry point alone decides the exit code
    .exitOverride();

  const run = <O>(handler: Handler<O>, cmd: Command, options: O) =>
    handler(options, globalsOf(cmd)).then((code) => {
      result.exitCode = code ?? 0;
    });

  program
    .command('init')
    .description('create a new feature repo NAME/feature_repo with sample data')
    .argument('[name]', 'folder to create (its name, with - as _, becomes the Feast project name)', 'my_project')
    .addOption(
      new Option('-t, --template <template>', 'local: embedded DynamoDB, no AWS account; aws: real DynamoDB')
        .choices(['local', 'aws'])
        .default('local'),
    )
    .option('--region <region>', 'AWS region for -t aws (default: AWS_REGION)')
    .action((name: string, o: { template: 'local' | 'aws'; region?: string }, cmd: Command) =>
      run(handlers.init, cmd, { name, template: o.template, region: o.region }),
    );

  program
    .command('local')
    .description("serve the repo's embedded DynamoDB on loopback until Ctrl-C (for Feast, the AWS CLI, SDKs)")
    .option('-p, --port <port>', 'port to listen on (default: the port of online_store.endpoint_url)', parsePort)
    .action((o: { port?: number }, cmd: Command) => run(handlers.local, cmd, { port: o.port }));

  program
    .command('validate')
    .description('load feature_store.yaml and the feature definitions and report every problem')
    .action((_o: unknown, cmd: Command) => run(handlers.validate, cmd, {}));

  program
    .command('plan')
    .description('show what apply would change in the DynamoDB tables and the registry')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when changes are pending, 1 on error')
    .action((o: { detailedExitcode?: boolean }, cmd: Command) => run(handlers.plan, cmd, { detailedExitcode: Boolean(o.detailedExitcode) }));

  program
    .command('apply')
    .description('create or update the tables of the online feature views and write the registry')
    .option('-y, --yes', 'delete tables of removed views even when they hold data, without asking')
    .action((o: { yes?: boolean }, cmd: Command) => run(handlers.apply, cmd, { yes: Boolean(o.yes) }));

  program
    .command('teardown')
    .description("delete every table of the project's feature views and remove the project from the registry")
    .option('-y, --yes', 'do not ask for confirmation')
    .action((o: { yes?: boolean }, cmd: Command) => run(handlers.teardown, cmd, { yes: Boolean(o.yes) }));

  program
    .command('list')
    .description("list the registry's entities, feature views or feature services of the project")
    .addArgument(new Argument('<kind>', 'what to list').choices(LIST_KINDS))
    .action((kind: ListOptions['kind'], _o: unknown, cmd: Command) => run(handlers.list, cmd, { kind }));

  program
    .command('registry-dump')
    .description("print the registry as JSON (Feast's field names)")
    .option('--all-projects', 'include the objects of every project, not only this one')
    .action((o: { allProjects?: boolean }, cmd: Command) => run(handlers.registryDump, cmd, { allProjects: Boolean(o.allProjects) }));

  return program;
}
