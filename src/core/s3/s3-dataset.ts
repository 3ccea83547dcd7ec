/**
 * Which objects of an S3 source a window needs (architecture.md §4.1), pure: a FileSource `path` read
 * as one object, a prefix (a folder), a glob (`*` within a path segment, `**` across them, `?`, `[…]`,
 * `{a,b}`, DuckDB's rules), with hive partitions `key=value/` on the way; and the hive pruning that
 * drops partitions of the event-time column outside the window.
 */
export type S3PathKind = 'object-or-prefix' | 'prefix' | 'glob';

export interface S3PathPlan {
  kind: S3PathKind;
  /** What to list: every key under it is a candidate. */
  listPrefix: string;
  /** For a glob: the keys it matches. */
  matcher?: RegExp;
  /** Where hive partitions and spooled paths start: the part of the key before the first glob or the folder. */
  root: string;
}

const GLOB_CHAR = /[*?[{]/;

export function planS3Path(key: string): S3PathPlan {
  const g = key.search(GLOB_CHAR);
  if (g >= 0) {
    const listPrefix = key.slice(0, g);
    const root = listPrefix.slice(0, listPrefix.lastIndexOf('/') + 1);
    return { kind: 'glob', listPrefix, matcher: globToRegExp(key), root };
  }
  if (key === '' || key.endsWith('/')) return { kind: 'prefix', listPrefix: key, root: key };
  return { kind: 'object-or-prefix', listPrefix: `${key}/`, root: `${key}/` };
}

/** DuckDB's glob rules as a regular expression over whole keys. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*') {
      if (glob.charAt(i + 1) === '*') {
        // `**/` matches zero or more whole segments; a bare `**` anything
        if (glob.charAt(i + 2) === '/') {
          re += '(?:[^/]*/)*';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = glob.indexOf('}', i + 1);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(',')
          .map((alt) => alt.replace(/[.+^${}()|\\]/g, '\\$&'))
          .join('|')})`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** `key=value` folders between `root` and the file name, in order. */
export function hivePartitions(key: string, root: string): Map<string, string> {
  const parts = new Map<string, string>();
  const rel = key.startsWith(root) ? key.slice(root.length) : key;
  const segments = rel.split('/').slice(0, -1);
  for (const s of segments) {
    const eq = s.indexOf('=');
    if (eq > 0) parts.set(s.slice(0, eq), decodeURIComponentSafe(s.slice(eq + 1)));
  }
  return parts;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const DAY_MICROS = 86_400_000_000n;

/**
 * The span of event times a partition value stands for, in epoch microseconds (inclusive both ends): a
 * date `2024-01-05` is that whole UTC day; a timestamp is that instant. Undefined when the value is not
 * a date or time (or is Hive's `__HIVE_DEFAULT_PARTITION__`): the partition is then always read.
 */
export function partitionSpanMicros(value: string): { min: bigint; max: bigint } | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (d) {
    const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
    if (Number.isNaN(ms)) return undefined;
    const min = BigInt(ms) * 1000n;
    return { min, max: min + DAY_MICROS - 1n };
  }
  const t = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]00:?00)?$/.exec(value);
  if (t) {
    const ms = Date.UTC(Number(t[1]), Number(t[2]) - 1, Number(t[3]), Number(t[4]), Number(t[5]), Number(t[6]));
    if (Number.isNaN(ms)) return undefined;
    const at = BigInt(ms) * 1000n + BigInt((t[7] ?? '').padEnd(6, '0') || '0');
    return { min: at, max: at };
  }
  return undefined;
}

/** True when a span and the window [start, end] (inclusive) share no instant: the file cannot hold a row of the window. */
export function outsideWindow(span: { min: bigint; max: bigint }, startMicros: bigint, endMicros: bigint): boolean {
  return span.max < startMicros || span.min > endMicros;
}

/**
 * What hive partitioning proves about a file and the window [start, end]: `outside` (it holds no row of
 * the window: not fetched), `inside` (every row it holds is in the window: fetched without reading its
 * footer), or undefined (its footer decides). Only a partition column that is the source's event-time
 * column itself (`event_timestamp=2024-01-05/`) proves anything: one named otherwise (`date=`, `dt=`)
 * may mean ingestion time, so it is never taken for event time; footer statistics (footer-stats.ts)
 * decide those files.
 */
export function partitionVerdict(
  partitions: ReadonlyMap<string, string>,
  timestampField: string,
  startMicros: bigint,
  endMicros: bigint,
): 'outside' | 'inside' | undefined {
  const value = partitions.get(timestampField);
  const span = value === undefined ? undefined : partitionSpanMicros(value);
  if (span === undefined) return undefined;
  if (outsideWindow(span, startMicros, endMicros)) return 'outside';
  return span.min >= startMicros && span.max <= endMicros ? 'inside' : undefined;
}
