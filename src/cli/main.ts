/**
 * The CLI entry point: the one place that maps errors to exit codes (CONVENTIONS 8).
 * 0 success · 1 the operation failed · 2 usage error (flags, feature_store.yaml, definitions, input data)
 * · 130/143 interrupted.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { createProgram, type ProgramResult } from './program.js';
import { defaultHandlers } from './handlers.js';
import { createOutput } from './output.js';
import { EXIT_USAGE, errorToJson, exitCodeOf, renderError } from './render-error.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const version = packageVersion();
  const result: ProgramResult = { exitCode: 0 };
  const program = createProgram(defaultHandlers, version, result);
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  const color = !argv.includes('--no-color') && !(process.env.NO_COLOR ?? '');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are not errors; commander has already printed its own usage message
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (json) process.stdout.write(JSON.stringify({ ok: false, error: { code: 'usage.badFlag', message: e.message } }) + '\n');
      return EXIT_USAGE;
    }
    const out = createOutput({ json, color });
    if (json) out.printJson(errorToJson(e));
    process.stderr.write(renderError(e, out, { debug, version }) + '\n');
    return exitCodeOf(e);
  }
}
