/**
 * The CLI entry point: the one place that maps errors to exit codes (CONTRIBUTING.md convention 8).
 * 0 success · 1 the operation failed · 2 usage error (flags, feature_store.yaml, definitions, input data)
 * · 130/143 interrupted.
 */
import { CommanderError } from 'commander';
import { DynafeastError } from '../core/errors.js';
import { packageVersion } from '../core/version.js';
import { hideEnvSecrets, redact } from '../core/redact.js';
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
  // this run's credentials from the environment are never printed, whoever prints them
  hideEnvSecrets(process.env);
  guardPipes();
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
      if (json) process.stdout.write(redact(JSON.stringify({ ok: false, error: { code: 'usage.badFlag', message: e.message } })) + '\n');
      return usageExit;
    }
    // Errors may carry what a server echoed back (a signed request, a token), and under --debug the raw
    // cause's stack: errorToJson redacts its fields, and the Output redacts and escapes what it prints.
    const out = createOutput({ json, color });
    if (json) out.printJson(errorToJson(e));
    out.note(renderError(e, out, { debug, version }));
    if (stop.signal) return SIGNAL_EXIT[stop.signal];
    const code = exitCodeOf(e);
    return code === EXIT_USAGE ? usageExit : code;
  } finally {
    removeStopHandlers();
  }
}

/**
 * `dynafeast … | head` closes the pipe before dynafeast is done writing: Node then raises EPIPE on the
 * stream. The reader has what it wanted, so that is no error to report: the stream is left closed (the
 * Output writes nothing more to it) and the command ends with its own exit code.
 */
let pipesGuarded = false;

function guardPipes(): void {
  // installed once and kept until exit: output still flushing after main returns can fail the same way
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
        stream.destroy();
        return;
      }
      // nothing can be reported on a stream that fails to write; the exit code still tells
      stream.destroy();
      process.exitCode = 1;
    };
    stream.on('error', onError);
  }
}
