/**
 * File-system failures (a read-only folder, a full disk, a path that is a file) as DynafeastErrors:
 * which file, what dynafeast was doing, what is already done, and what to do. Used where dynafeast
 * writes files and by the CLI's error mapper for any that escape elsewhere, so none of them is ever
 * reported as "a bug".
 */
import { DynafeastError, type ErrorCode } from './errors.js';

interface FsClass {
  code: ErrorCode;
  what: string;
  hint: (path: string) => string;
}

const CLASSES: Record<string, FsClass> = {
  EACCES: {
    code: 'fs.permissionDenied',
    what: 'permission denied',
    hint: (p) => `Give your user write access to ${p} and its folder (ls -l shows the owner and mode), or run as the user that owns it.`,
  },
  EPERM: {
    code: 'fs.permissionDenied',
    what: 'operation not permitted',
    hint: (p) => `Check the owner, mode and attributes (read-only, immutable) of ${p} and its folder.`,
  },
  EROFS: {
    code: 'fs.readOnly',
    what: 'the file system is read-only',
    hint: () => 'Point the path at a writable file system (e.g. `registry:` in feature_store.yaml), or remount it read-write.',
  },
  ENOSPC: {
    code: 'fs.noSpace',
    what: 'no space left on the device',
    hint: () => 'Free some disk space (df -h shows which file system is full) and run the command again.',
  },
  EDQUOT: { code: 'fs.noSpace', what: 'the disk quota is exhausted', hint: () => 'Free some space within your quota and run the command again.' },
  EISDIR: {
    code: 'fs.badPath',
    what: 'it is a folder, a file was expected',
    hint: (p) => `Remove or rename the folder ${p}, or point the setting at a file path.`,
  },
  ENOTDIR: {
    code: 'fs.badPath',
    what: 'a part of the path is a file, not a folder',
    hint: (p) => `Check each folder on the way to ${p}: one of them is a regular file.`,
  },
  // mkdir -p meets a file where a folder of the path should be
  EEXIST: {
    code: 'fs.badPath',
    what: 'a file of that name is in the way',
    hint: (p) => `Remove or rename the file in the way of ${p}, or point the setting at another path.`,
  },
  EMFILE: {
    code: 'fs.tooManyOpenFiles',
    what: 'too many open files in this process',
    hint: () => 'Raise the open-file limit (`ulimit -n 4096`) or lower the concurrency settings, and run the command again.',
  },
  ENFILE: {
    code: 'fs.tooManyOpenFiles',
    what: 'too many open files on the system',
    hint: () => 'Close other programs or raise the system limit (fs.file-max), and run the command again.',
  },
};

const VERBS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  rename: 'replace',
  mkdir: 'create the folder',
  unlink: 'remove',
  rmdir: 'remove the folder',
  link: 'create',
  copyfile: 'copy',
  fsync: 'flush',
  scandir: 'list',
  stat: 'inspect',
  chmod: 'set the mode of',
};

interface ErrnoLike {
  code?: unknown;
  path?: unknown;
  dest?: unknown;
  syscall?: unknown;
}

/** The errno code of a file-system failure dynafeast explains, or undefined. */
export function fsErrorCode(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as ErrnoLike).code : undefined;
  return typeof code === 'string' && code in CLASSES ? code : undefined;
}

export interface FsErrorContext {
  /** What dynafeast was doing, e.g. `write the registry`. */
  doing?: string;
  /** The file, when the error does not name it. */
  path?: string;
  /** What is already done and what is not, e.g. `the tables are created; the registry was not written`. */
  done?: string;
}

/** A DynafeastError for a file-system failure, or undefined when `e` is not one. */
export function describeFsError(e: unknown, ctx: FsErrorContext = {}): DynafeastError | undefined {
  const errno = fsErrorCode(e);
  if (errno === undefined) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- errno was checked to be a key of CLASSES above
  const cls = CLASSES[errno]!;
  const err = e as ErrnoLike;
  const file = ctx.path ?? (typeof err.path === 'string' ? err.path : undefined);
  const syscall = typeof err.syscall === 'string' ? err.syscall : undefined;
  const action = ctx.doing ?? (syscall ? (VERBS[syscall] ?? syscall) : 'use');
  const message = `Could not ${action}${file ? ` ${file}` : ''}: ${cls.what} (${errno}).${ctx.done ? ` ${capital(ctx.done)}.` : ''}`;
  return new DynafeastError(cls.code, message, { ...(file ? { path: file } : {}), hint: cls.hint(file ?? 'the file'), cause: e });
}

/**
 * `e` with what is already done added, when it is a file-system failure (raw, or described by a lower
 * layer); anything else is returned unchanged.
 */
export function withDone(e: unknown, done: string): unknown {
  if (e instanceof DynafeastError && e.code.startsWith('fs.')) {
    return new DynafeastError(e.code, `${e.message} ${capital(done)}.`, {
      ...(e.path ? { path: e.path } : {}),
      ...(e.hint ? { hint: e.hint } : {}),
      cause: e.cause,
    });
  }
  return describeFsError(e, { done }) ?? e;
}

const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
