/**
 * Collects located problems so a loader reports all of them at once, then throws a single
 * DynafeastError whose `details` holds each one (CONTRIBUTING.md convention 7 and 9).
 */
import { DynafeastError } from '../errors.js';
import type { ErrorCode, SourceLocation } from '../errors.js';

/** Which loader is speaking: selects the `config.*` or `repo.*` error codes. */
export type YamlDomain = 'config' | 'repo';
export type ShapeProblem = 'unknownKey' | 'missingKey' | 'badType' | 'badValue' | 'badYaml';

export function shapeCode(domain: YamlDomain, problem: ShapeProblem): ErrorCode {
  return `${domain}.${problem}`;
}

export interface Problem {
  location?: SourceLocation;
  path?: string;
  hint?: string;
}

export interface Warning {
  message: string;
  path?: string;
  location?: SourceLocation;
}

export class Diagnostics {
  readonly errors: DynafeastError[] = [];
  readonly warnings: Warning[] = [];

  constructor(readonly domain: YamlDomain) {}

  error(code: ErrorCode, message: string, at: Problem = {}): void {
    this.errors.push(new DynafeastError(code, message, at));
  }

  shape(problem: ShapeProblem, message: string, at: Problem = {}): void {
    this.error(shapeCode(this.domain, problem), message, at);
  }

  warn(message: string, at: Omit<Problem, 'hint'> = {}): void {
    this.warnings.push({ message, ...at });
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }

  /** Throws the collected errors (if any) as one error. `subject` names what was loaded. */
  throwIfErrors(subject: string, fileOrder: readonly string[] = []): void {
    if (this.errors.length > 0) throw combineErrors(this.errors, subject, fileOrder);
  }
}

function compareLocations(order: readonly string[]) {
  const rank = (f: string | undefined): number => {
    const i = f === undefined ? -1 : order.indexOf(f);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  return (a: DynafeastError, b: DynafeastError): number => {
    const la = a.location;
    const lb = b.location;
    return (
      rank(la?.file) - rank(lb?.file) || (la?.line ?? Number.MAX_SAFE_INTEGER) - (lb?.line ?? Number.MAX_SAFE_INTEGER) || (la?.column ?? 0) - (lb?.column ?? 0)
    );
  };
}

/**
 * One error standing for many: the top code, location, path and hint are the first problem's (in
 * file order, then line); the message is a summary; `details` holds every problem, each with its own
 * location, message and hint (the CLI prints them one per line).
 */
export function combineErrors(errors: readonly DynafeastError[], subject: string, fileOrder: readonly string[] = []): DynafeastError {
  // Stable sort keeps discovery order among problems without a line.
  const sorted = [...errors].sort(compareLocations(fileOrder));
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- only called with at least one error
  const first = sorted[0]!;
  const message = `${sorted.length} ${sorted.length === 1 ? 'problem' : 'problems'} in ${subject}.`;
  return new DynafeastError(first.code, message, {
    location: first.location,
    path: first.path,
    hint: first.hint,
    details: sorted,
  });
}
