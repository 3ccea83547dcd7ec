/**
 * The one error type of dynafeast (CONTRIBUTING.md convention 7). Core code throws it; the CLI entry point is the only
 * place that turns it into an exit code. Tests assert `code`, never the wording.
 */
export type ErrorKind = 'usage' | 'runtime';

/** Stable error codes. The prefix says which part of dynafeast raised it. */
export type ErrorCode =
  | 'usage.badFlag'
  | 'usage.badArgument'
  | 'usage.confirmationRequired'
  | 'usage.notRegularFile'
  | 'config.notFound'
  | 'config.badYaml'
  | 'config.badBase64'
  | 'config.unknownKey'
  | 'config.missingKey'
  | 'config.badType'
  | 'config.badValue'
  | 'config.undefinedEnvVar'
  | 'repo.badYaml'
  | 'repo.unknownKey'
  | 'repo.missingKey'
  | 'repo.badType'
  | 'repo.badValue'
  | 'repo.duplicateName'
  | 'repo.unknownEntity'
  | 'repo.unknownSource'
  | 'repo.unknownFeatureView'
  | 'repo.unknownFeature'
  | 'repo.unknownFeatureService'
  | 'repo.badDtype'
  | 'repo.badDuration'
  | 'repo.badJoinKey'
  | 'repo.noDefinitions'
  | 'repo.missingColumn'
  | 'repo.badColumnType'
  | 'repo.unreadableSource'
  | 'repo.duplicateColumn'
  | 'init.exists'
  | 'init.badName'
  | 'embedded.portInUse'
  | 'embedded.locked'
  | 'embedded.startFailed'
  | 'embedded.badCredentials'
  | 'dynamo.notOurs'
  | 'codec.badEntityKey'
  | 'codec.badValue'
  | 'codec.badTimestamp'
  | 'codec.itemTooLarge'
  | 'dynamo.accessDenied'
  | 'dynamo.credentials'
  | 'dynamo.unreachable'
  | 'dynamo.failed'
  | 'dynamo.deletionProtected'
  | 'registry.unreadable'
  | 'registry.corrupt'
  | 'registry.conflict'
  | 'registry.locked'
  | 'registry.notApplied'
  | 's3.noSuchBucket'
  | 's3.noSuchKey'
  | 's3.noMatch'
  | 's3.accessDenied'
  | 's3.credentials'
  | 's3.unreachable'
  | 's3.failed'
  | 'materialize.incomplete'
  | 'materialize.runMismatch'
  | 'materialize.scanInUse'
  | 'offline.failed'
  | 'iam.accountUnknown'
  | 'online.badItem'
  | 'online.notFeastTable'
  | 'sql.badQuery'
  | 'fs.permissionDenied'
  | 'fs.readOnly'
  | 'fs.noSpace'
  | 'fs.badPath'
  | 'fs.tooManyOpenFiles'
  | 'serve.badRequest'
  | 'serve.tooLarge'
  | 'serve.unauthorized'
  | 'serve.forbidden'
  | 'serve.notFound'
  | 'serve.timeout'
  | 'serve.unavailable'
  | 'serve.listenFailed'
  | 'aborted'
  | 'internal';

/** A place in a source file, 1-based like editors show it. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export interface DynafeastErrorOptions {
  /** Field path inside the file or object, e.g. `online_store.region` or `feature_views[0].ttl`. */
  path?: string;
  location?: SourceLocation;
  /** What to do next. */
  hint?: string;
  /** More located problems found at the same time (validation reports them all at once). */
  details?: DynafeastError[];
  cause?: unknown;
}

const USAGE_PREFIXES = ['usage.', 'config.', 'repo.', 'init.', 'codec.'];
/** Usage errors outside those prefixes: a registry file that is not a registry is bad input, not a failed operation. */
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'registry.corrupt',
  's3.noMatch',
  'materialize.runMismatch',
  'online.notFeastTable',
  'sql.badQuery',
]);

export class DynafeastError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly location?: SourceLocation;
  readonly hint?: string;
  readonly details: DynafeastError[];

  constructor(code: ErrorCode, message: string, options: DynafeastErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DynafeastError';
    this.code = code;
    this.path = options.path;
    this.location = options.location;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }

  /** usage → exit 2 (bad flags, config, definitions, input data); runtime → exit 1. */
  get kind(): ErrorKind {
    return USAGE_CODES.has(this.code) || USAGE_PREFIXES.some((p) => this.code.startsWith(p)) ? 'usage' : 'runtime';
  }
}

export function isDynafeastError(e: unknown): e is DynafeastError {
  return e instanceof DynafeastError;
}

/** `file:line:column` (as much as is known), for messages. */
export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  return s;
}
