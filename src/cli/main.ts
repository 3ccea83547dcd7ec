/**
 * The CLI entry point: the one place that maps errors to exit codes (CONVENTIONS 8).
 * 0 success · 1 the operation failed · 2 usage error (flags, feature_store.yaml, definitions, input data)
 * · 130/143 interrupted.
 */
import { CommanderError } from 'commander';
import { redactSecrets } from '../core/aws/errors.js';
import { DynafeastError } from '../core/errors.js';
import { packageVersion } from '../core/version.js';
import { createProgram, type ProgramResult } from './program.js';
import { installStopHandlers, SIGNAL_EXIT, type StopSignal } from './signals.js';
import { defaultHandlers } from './handlers.js';
import { createOutput } from './output.js';
import { EXIT_FAILED, EXIT_USAGE, errorToJson, exitCodeOf, renderError } from './render-error.js';

export async function main(argv: string[]): Promise<number> {
  const version = packageVersion();
  const result: ProgramResult = { exitCode: 0 };
  const program = createProgram(defaultHandlers, version, result);
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  const color = !argv.includes('--no-color') && !(process.env.NO_COLOR ?? '');
  // Terraform's convention for `plan --detailed-exitcode`: 2 means "changes pending", so a usage error
  // exits 1 there (a bad flag included), never 2.
  const usageExit = argv.includes('--detailed-exitcode') ? EXIT_FAILED : EXIT_USAGE;
  const stop: { signal?: StopSignal } = {};
  const removeStopHandlers = installStopHandlers(stop);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.exitCode;
  } catch (e) {
    if (stop.signal && !(e instanceof DynafeastError && e.code === 'aborted')) {
      // the interruption caused this failure (sessions closed under a running command): it is not news
      return SIGNAL_EXIT[stop.signal];
    }
    if (e instanceof CommanderError) {
      // help and version are not errors; commander has already printed its own usage message
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (json) process.stdout.write(JSON.stringify({ ok: false, error: { code: 'usage.badFlag', message: e.message } }) + '\n');
      return usageExit;
    }
    // Errors may carry what a server echoed back (a signed request, a token), and under --debug the raw
    // cause's stack: scrub both the patterns and this process's own secret values before printing.
    const scrub = secretScrubber(process.env);
    const out = createOutput({ json, color }, { stdout: { write: (t: string) => process.stdout.write(scrub(t)) }, stderr: process.stderr });
    if (json) out.printJson(errorToJson(e));
    process.stderr.write(scrub(renderError(e, out, { debug, version })) + '\n');
    if (stop.signal) return SIGNAL_EXIT[stop.signal];
    const code = exitCodeOf(e);
    return code === EXIT_USAGE ? usageExit : code;
  } finally {
    removeStopHandlers();
  }
}

/** The password of a proxy URL, as written and decoded. */
function passwordOf(proxyUrl: string | undefined): string[] {
  if (!proxyUrl) return [];
  try {
    const { password } = new URL(proxyUrl.includes('://') ? proxyUrl : `http://${proxyUrl}`);
    if (!password) return [];
    try {
      return [password, decodeURIComponent(password)];
    } catch {
      return [password];
    }
  } catch {
    return [];
  }
}

/** Removes credential-shaped text and the values of the secret variables in `env` from `text`. */
export function secretScrubber(env: NodeJS.ProcessEnv): (text: string) => string {
  const proxyPasswords = [env.HTTPS_PROXY, env.https_proxy, env.HTTP_PROXY, env.http_proxy].flatMap(passwordOf);
  const values = [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, env.AWS_SECURITY_TOKEN, ...proxyPasswords].filter((v): v is string => v !== undefined && v.length >= 8);
  return (text) => values.reduce((t, v) => t.split(v).join('…'), redactSecrets(text));
}
