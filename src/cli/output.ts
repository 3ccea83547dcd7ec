/**
 * The one module that owns colours and symbols (docs/architecture.md). Everything the CLI prints goes
 * through an `Output`, so --json, --no-color and NO_COLOR are decided once — and so is what may not be
 * printed raw: secrets are redacted (src/core/redact.ts) and control characters in human text are
 * escaped, here at the edge, whatever part of dynafeast or which data the text came from.
 */
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import { redact } from '../core/redact.js';

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
  /** Text as `note` would print it, for writers that print on their own (the listr2 task list). */
  clean(text: string): string;
  readonly symbols: { ok: string; fail: string; warn: string; add: string; change: string; remove: string };
}

export interface OutputStreams {
  stdout: { write(s: string): unknown; destroyed?: boolean };
  stderr: { write(s: string): unknown; destroyed?: boolean };
}

// C0 controls but tab and newline, DEL, C1 controls, and the bidi overrides/isolates that reorder a line
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are escaped before printing
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// colour codes (SGR: ESC [ digits m) change nothing but colour; every other escape can move the cursor,
// rewrite the screen, set the window title or plant a hyperlink
// eslint-disable-next-line no-control-regex -- colour codes and control characters, told apart on purpose
const SGR_OR_CONTROL = /\u001b\[[0-9;]*m|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\r') return '\\r';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Control characters of `text` written as visible escapes (`\x1b`, `\r`, `\u202e`); tab and newline
 * stay. With `keepColor`, colour codes (SGR sequences, which chalk writes) stay too.
 */
export function escapeControl(text: string, keepColor = false): string {
  return keepColor ? text.replace(SGR_OR_CONTROL, (m) => (m.length > 1 ? m : escapeChar(m))) : text.replace(CONTROL, escapeChar);
}

export function createOutput(opts: { json: boolean; color: boolean }, streams: OutputStreams = process): Output {
  // chalk's own detection covers TTY, CI and FORCE_COLOR; --no-color / NO_COLOR force level 0.
  const color = new Chalk({ level: opts.color ? chalk.level : 0 });
  const keepColor = color.level > 0;
  // a reader that went away (`dynafeast … | head`) closes the pipe: the rest is not wanted, nor an error
  const write = (s: OutputStreams['stdout'], t: string) => void (s.destroyed ? undefined : s.write(t));
  const line = (t: string) => (t.endsWith('\n') ? t : t + '\n');
  // stdout may be data (feature values): only unmistakable credential shapes and hidden values go there
  const data = (t: string) => escapeControl(redact(t, false), keepColor);
  const clean = (t: string) => escapeControl(redact(t), keepColor);
  const human = opts.json ? streams.stderr : streams.stdout;
  return {
    color,
    json: opts.json,
    say: (t) => write(human, line(opts.json ? clean(t) : data(t))),
    note: (t) => write(streams.stderr, line(clean(t))),
    warn: (t) => write(streams.stderr, `${color.yellow('warning:')} ${clean(t)}\n`),
    // JSON escapes control characters itself; an Int64 beyond 2^53 is a bigint, printed exactly as a string
    printJson: (v) =>
      write(
        streams.stdout,
        redact(
          JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x), 2),
          false,
        ) + '\n',
      ),
    clean,
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
