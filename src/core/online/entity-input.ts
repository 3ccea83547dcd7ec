/**
 * Entity rows from the command line: `-e key=value` flags, or a file of rows (CSV with a header, a
 * JSON array of objects or object of columns, JSONL). Values stay as given (strings from flags and
 * CSV); the reader converts them with each join key's dtype.
 */
import path from 'node:path';
import { DynafeastError, isDynafeastError } from '../errors.js';
import { readRegularFileSync } from '../util/checked-file.js';
import { parseJsonExact } from '../util/json-exact.js';
import type { EntityRows } from './types.js';

const FLAG_HINT = 'write entities as key=value, e.g. -e driver_id=1001 (repeat -e for more rows)';

/**
 * `-e driver_id=1001 -e driver_id=1002` → two rows. Several keys zip into rows by position; a key given
 * once is repeated on every row (`-e region=eu -e driver_id=1 -e driver_id=2`).
 */
export function parseEntityFlags(flags: readonly string[]): Record<string, string[]> {
  const columns: Record<string, string[]> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) {
      throw new DynafeastError('usage.badArgument', `entity \`${flag}\` is not key=value`, { path: '--entities', hint: FLAG_HINT });
    }
    const key = flag.slice(0, eq).trim();
    (columns[key] ??= []).push(flag.slice(eq + 1));
  }
  const lengths = [...new Set(Object.values(columns).map((v) => v.length))].filter((n) => n !== 1);
  if (lengths.length > 1) {
    const counts = Object.entries(columns)
      .map(([k, v]) => `${k} ×${v.length}`)
      .join(', ');
    throw new DynafeastError('usage.badArgument', `entity keys are given different numbers of times (${counts})`, {
      path: '--entities',
      hint: 'give each join key once per row, in the same order (a key given once applies to every row)',
    });
  }
  const rows = lengths[0] ?? 1;
  for (const k of Object.keys(columns)) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- k comes from the keys of columns; [0] exists since length is 1 (checked on the same line)
    if (columns[k]!.length === 1 && rows > 1) columns[k] = new Array<string>(rows).fill(columns[k]![0]!);
  }
  return columns;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string, file: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
    field = '';
  };
  for (; i < text.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < text.length
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
    } else field += ch;
  }
  if (quoted) {
    throw new DynafeastError('usage.badArgument', `${file}: a quoted field is never closed`, { location: { file, line }, hint: 'close the quote with "' });
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

function csvRows(text: string, file: string): Record<string, string[]> {
  const [header, ...rows] = parseCsv(text, file);
  if (header === undefined) {
    throw new DynafeastError('usage.badArgument', `${file} is empty`, { location: { file }, hint: 'the first line names the join keys, e.g. driver_id' });
  }
  // a name given twice would be read as two rows of that key (or one column would silently win)
  const seen = new Map<string, number>();
  header.forEach((h, j) => {
    const first = seen.get(h.trim());
    if (first !== undefined) {
      throw new DynafeastError('usage.badArgument', `${file}: the header names column "${h.trim()}" twice (columns ${first + 1} and ${j + 1})`, {
        location: { file, line: 1 },
        hint: 'give each join key one column: drop or rename the other one',
      });
    }
    seen.set(h.trim(), j);
  });
  const columns: Record<string, string[]> = Object.fromEntries(header.map((h) => [h.trim(), [] as string[]]));
  rows.forEach((cells, i) => {
    if (cells.length !== header.length) {
      throw new DynafeastError('usage.badArgument', `${file}: row ${i + 1} has ${cells.length} field(s), the header has ${header.length}`, {
        location: { file, line: i + 2 },
        hint: 'give every row one value per header column',
      });
    }
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- columns has an entry for every header name, and the row has one cell per header (checked above)
    header.forEach((h, j) => columns[h.trim()]!.push(cells[j]!));
  });
  return columns;
}

function badJson(file: string, line: number | undefined, why: string): DynafeastError {
  return new DynafeastError('usage.badArgument', `${file}${line === undefined ? '' : ` line ${line}`}: ${why}`, {
    location: { file, ...(line === undefined ? {} : { line }) },
    hint: 'JSON: [{"driver_id": 1001}, ...] or {"driver_id": [1001, ...]}; JSONL: one {"driver_id": 1001} per line',
  });
}

/**
 * The first key that one JSON object of `text` (already known to be valid JSON) names twice, with its
 * line: JSON.parse keeps the last silently, so a join key given twice would lose a value unseen.
 */
export function duplicateJsonKey(text: string): { key: string; line: number } | undefined {
  const objects: Array<Set<string> | undefined> = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < text.length
    const ch = text[i]!;
    if (ch === '\n') line++;
    else if (ch === '{') objects.push(new Set());
    else if (ch === '[') objects.push(undefined);
    else if (ch === '}' || ch === ']') objects.pop();
    else if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      i = j;
      // a string followed by ':' is a key of the innermost object
      let k = j + 1;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- k < text.length
      while (k < text.length && /\s/.test(text[k]!)) k++;
      const keys = objects[objects.length - 1];
      if (text[k] === ':' && keys) {
        const key = JSON.parse(raw) as string;
        if (keys.has(key)) return { key, line };
        keys.add(key);
      }
    }
  }
  return undefined;
}

function assertNoDuplicateKeys(text: string, file: string, line?: number): void {
  const dup = duplicateJsonKey(text);
  if (dup) {
    throw new DynafeastError('usage.badArgument', `${file} line ${line ?? dup.line}: an object names "${dup.key}" twice`, {
      location: { file, line: line ?? dup.line },
      hint: 'give each join key once per row: drop or rename the other one',
    });
  }
}

function jsonRows(text: string, file: string): EntityRows {
  let doc: unknown;
  try {
    doc = parseJsonExact(text);
  } catch (e) {
    throw badJson(file, undefined, `not valid JSON (${(e as Error).message})`);
  }
  assertNoDuplicateKeys(text, file);
  if (Array.isArray(doc) || (doc !== null && typeof doc === 'object')) return doc as EntityRows;
  throw badJson(file, undefined, 'expected an array of rows or an object of columns');
}

function jsonlRows(text: string, file: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = parseJsonExact(line);
    } catch (e) {
      throw badJson(file, i + 1, `not valid JSON (${(e as Error).message})`);
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw badJson(file, i + 1, 'expected one object per line');
    assertNoDuplicateKeys(line, file, i + 1);
    rows.push(row as Record<string, unknown>);
  });
  return rows;
}

export type EntityFileFormat = 'csv' | 'json' | 'jsonl';

/** Parses entity rows from text; the format comes from the file extension. */
export function parseEntityText(text: string, file: string, format: EntityFileFormat): EntityRows {
  if (format === 'csv') return csvRows(text, file);
  if (format === 'json') return jsonRows(text, file);
  return jsonlRows(text, file);
}

export function entityFileFormat(file: string): EntityFileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new DynafeastError('usage.badArgument', `entities file ${file}: unknown format \`${ext || '(no extension)'}\``, {
    path: '--entities-file',
    hint: 'name it *.csv, *.json or *.jsonl',
  });
}

export function readEntityFile(file: string): EntityRows {
  const format = entityFileFormat(file);
  let text: string;
  try {
    text = readRegularFileSync(file, { what: 'entities file', path: '--entities-file' }).toString('utf8');
  } catch (e) {
    if (isDynafeastError(e)) throw e;
    throw new DynafeastError('usage.badArgument', `cannot read entities file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      path: '--entities-file',
      hint: 'check the path (relative paths are taken from the current directory)',
    });
  }
  return parseEntityText(text, file, format);
}
