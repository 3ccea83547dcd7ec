/**
 * Turns any thrown value into the text a user sees and the exit code (CONTRIBUTING.md convention 8). The entry point is
 * the only caller.
 */
import { DynafeastError, formatLocation } from '../core/errors.js';
import { describeFsError } from '../core/fs-error.js';
import { redact } from '../core/redact.js';
import type { Output } from './output.js';

/**
 * The error as the user should see it: a file-system failure that escaped without context (a full disk,
 * a read-only folder) is still explained, never reported as a bug.
 */
function classify(e: unknown): unknown {
  return e instanceof DynafeastError
    ? e
    : (describeFsError(e, { done: 'Steps before this one are done; run the command again once the file can be written' }) ?? e);
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function exitCodeOf(error: unknown): number {
  const e = classify(error);
  if (e instanceof DynafeastError) {
    if (e.code === 'aborted') return 130;
    return e.kind === 'usage' ? EXIT_USAGE : EXIT_FAILED;
  }
  return EXIT_FAILED;
}

function oneError(e: DynafeastError, out: Output, indent = ''): string[] {
  const where = formatLocation(e.location);
  const lines = [`${indent}${where ? out.color.bold(where) + ': ' : ''}${e.message}${e.path && !e.message.includes(e.path) ? ` (at ${e.path})` : ''}`];
  if (e.hint) lines.push(`${indent}  ${out.color.cyan('hint:')} ${e.hint}`);
  return lines;
}

export function renderError(error: unknown, out: Output, opts: { debug: boolean; version: string }): string {
  const e = classify(error);
  if (e instanceof DynafeastError) {
    const lines: string[] = [];
    if (e.details.length > 0) {
      lines.push(`${out.color.red('error:')} ${e.message}`);
      for (const d of e.details) lines.push(...oneError(d, out, '  '));
    } else {
      const [first, ...rest] = oneError(e, out);
      lines.push(`${out.color.red('error:')} ${first}`, ...rest);
    }
    if (opts.debug && e.stack) lines.push(out.color.dim(e.stack));
    if (opts.debug && e.cause instanceof Error && e.cause.stack) lines.push(out.color.dim(`caused by: ${e.cause.stack}`));
    return lines.join('\n');
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const lines = [
    `${out.color.red('error:')} unexpected failure: ${err.message}`,
    `This is a bug in dynafeast ${opts.version} (node ${process.version}, ${process.platform}-${process.arch}).`,
    opts.debug ? out.color.dim(err.stack ?? '') : 'Run again with --debug for the stack trace, and report it with that output.',
  ];
  return lines.join('\n');
}

/** The JSON form of an error for --json runs. */
/** The JSON form of an error for --json runs; its text is redacted (messages may echo a server). */
export function errorToJson(error: unknown): Record<string, unknown> {
  const e = classify(error);
  if (e instanceof DynafeastError) {
    const one = (x: DynafeastError) => ({
      code: x.code,
      message: redact(x.message),
      ...(x.path ? { path: redact(x.path) } : {}),
      ...(x.location ? { location: x.location } : {}),
      ...(x.hint ? { hint: redact(x.hint) } : {}),
    });
    return { ok: false, error: { ...one(e), details: e.details.map(one) } };
  }
  return { ok: false, error: { code: 'internal', message: redact(e instanceof Error ? e.message : String(e)) } };
}
