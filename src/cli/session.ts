/**
 * What every repo command needs before it calls core: the config (warnings printed), optionally the
 * definitions, and the AWS clients pointed at the right endpoint — starting or reusing the embedded
 * DynamoDB when the config asks for it. One place, so commands stay thin.
 */
import path from 'node:path';
import { loadConfigWithWarnings } from '../core/config/load-config.js';
import type { EnvValue } from '../core/config/expand-env.js';
import type { RepoConfig } from '../core/config/types.js';
import { hideValue } from '../core/redact.js';
import type { Logger } from '../core/context.js';
import type { AwsClients } from '../core/aws/clients.js';
import type { EmbeddedHandle } from '../core/embedded/index.js';
import { openStoreClients } from '../core/store-clients.js';
import { formatLocation } from '../core/errors.js';
import { describeOrigin, loadDefinitions, type DefinitionOrigin } from '../core/repo/definition-source.js';
import type { RepoModel } from '../core/repo/model.js';
import { running } from './signals.js';
import { createOutput, type Output } from './output.js';
import type { GlobalFlags } from './program.js';

export interface Session {
  config: RepoConfig;
  out: Output;
  logger: Logger;
}

export interface RepoSession extends Session {
  repo: RepoModel;
  /** YAML files, or the registry of a Feast repo (registry-driven mode). */
  origin: DefinitionOrigin;
}

/** Config and clients, without the definitions (teardown works from the registry alone). */
export interface ConfigAwsSession extends Session {
  aws: AwsClients;
  embedded?: EmbeddedHandle;
  close(): Promise<void>;
}

export interface AwsSession extends ConfigAwsSession, RepoSession {}

export function cliLogger(out: Output, debug: boolean): Logger {
  return {
    debug: (m) => {
      if (debug) out.note(out.color.dim(`debug: ${m}`));
    },
    info: (m) => out.note(m),
    warn: (m) => out.warn(m),
  };
}

export function openConfig(g: GlobalFlags): Session {
  const out = createOutput(g);
  const logger = cliLogger(out, g.debug);
  const { config, warnings } = loadConfigWithWarnings({
    repoPath: path.resolve(g.chdir ?? '.'),
    featureStoreYaml: g.featureStoreYaml,
    env: process.env,
  });
  if (!g.showEnvValues) hideEnvValues(config.envValues ?? []);
  for (const w of warnings) {
    const where = formatLocation(w.location);
    out.warn(`${where ? `${where}: ` : ''}${w.message}`);
  }
  return { config, out, logger };
}

/**
 * `${VAR}`-expanded settings may be secrets (a tag holding a key): from here on every output shows
 * their text as written (`team-${TEAM_SECRET}`) instead. A variable's value alone is hidden too.
 */
function hideEnvValues(values: readonly EnvValue[]): void {
  for (const v of values) {
    hideValue(v.value, v.template);
    for (const name of v.names) {
      const raw = process.env[name];
      if (raw !== undefined) hideValue(raw, `\${${name}}`);
    }
  }
}

/** Config and definitions: YAML files, or a Feast repo's registry (said once on stderr). */
export async function openRepo(g: GlobalFlags): Promise<RepoSession> {
  const s = openConfig(g);
  const { repo, origin } = await loadDefinitions(s.config);
  const said = describeOrigin(origin, repo.root);
  if (said !== undefined) {
    if (origin.kind === 'yaml') s.out.warn(said);
    else s.out.note(said);
  }
  return { ...s, repo, origin };
}

/**
 * An AbortSignal that fires on Ctrl-C / SIGTERM. A command that asks for one promises to stop cleanly
 * (finish or abandon requests in flight, record nothing unfinished) and end with an `aborted` error;
 * commands that do not are ended at once by the entry point (see main.ts).
 */
export function stopSignal(): AbortSignal {
  const controller = new AbortController();
  running.stoppable.add(controller);
  return controller.signal;
}

/** Config, definitions and clients; `close()` must be called (it stops an embedded store we started). */
export async function openAwsSession(g: GlobalFlags): Promise<AwsSession> {
  const s = await openRepo(g);
  return { ...(await withAws(s)), repo: s.repo, origin: s.origin };
}

/** Config and clients only: the definitions are not read, so they may be broken or gone. */
export async function openConfigAwsSession(g: GlobalFlags): Promise<ConfigAwsSession> {
  return withAws(openConfig(g));
}

async function withAws(s: Session): Promise<ConfigAwsSession> {
  const clients = await openStoreClients(s.config, { logger: s.logger });
  const token = Symbol('session');
  running.sessions.add(token);
  return {
    ...s,
    aws: clients.aws,
    embedded: clients.embedded,
    close: async () => {
      running.sessions.delete(token);
      await clients.close();
    },
  };
}
