/**
 * The one module that owns colours and symbols (CONVENTIONS 10). Everything the CLI prints for humans goes
 * through an `Output`, so --json, --no-color and NO_COLOR are decided once.
 */
import chalk, { Chalk, type ChalkInstance } from 'chalk';

export interface Output {
  readonly color: ChalkInstance;
  readonly json: boolean;
  /** Human text: stdout normally, stderr under --json (stdout then holds only the JSON document). */
  say(text: string): void;
  /** Diagnostics and progress: always stderr. */
  note(text: string): void;
  warn(text: string): void;
  /** The single JSON document of a --json run. */
  printJson(value: unknown): void;
  readonly symbols: { ok: string; fail: string; warn: string; add: string; change: string; remove: string };
}

export interface OutputStreams {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export function createOutput(opts: { json: boolean; color: boolean }, streams: OutputStreams = process): Output {
  // chalk's own detection covers TTY, CI and FORCE_COLOR; --no-color / NO_COLOR force level 0.
  const color = new Chalk({ level: opts.color ? chalk.level : 0 });
  const human = opts.json ? streams.stderr : streams.stdout;
  return {
    color,
    json: opts.json,
    say: (t) => void human.write(t.endsWith('\n') ? t : t + '\n'),
    note: (t) => void streams.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    warn: (t) => void streams.stderr.write(`${color.yellow('warning:')} ${t}\n`),
    printJson: (v) =>
      void streams.stdout.write(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x), 2) + '\n'),
    symbols: {
      ok: color.green('✔'),
      fail: color.red('✖'),
      warn: color.yellow('⚠'),
      add: color.green('+'),
      change: color.yellow('~'),
      remove: color.red('-'),
    },
  };
}
