/**
 * The fields of a request body, checked the way Feast's pydantic models declare them (same names,
 * same defaults, unknown fields ignored) but strictly typed: a wrong type is a 422 naming the field,
 * never a guess.
 */
import { DynafeastError } from '../errors.js';

function wrongType(field: string, expected: string, found: unknown): DynafeastError {
  const what = found === null ? 'null' : Array.isArray(found) ? 'an array' : typeof found;
  return new DynafeastError('usage.badArgument', `field \`${field}\` must be ${expected}, not ${what}`, {
    path: field,
    hint: `send \`${field}\` as ${expected}`,
  });
}

export function boolField(doc: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const v = doc[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw wrongType(field, 'true or false', v);
  return v;
}

/** A string, or undefined when absent or null (pydantic's Optional[str]). */
export function optionalString(doc: Record<string, unknown>, field: string): string | undefined {
  const v = doc[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw wrongType(field, 'a string', v);
  return v;
}

export function requiredString(doc: Record<string, unknown>, field: string): string {
  const v = optionalString(doc, field);
  if (v === undefined) throw new DynafeastError('usage.badArgument', `field \`${field}\` is required`, { path: field, hint: `send \`${field}\` as a string` });
  return v;
}

/** A list of strings, or undefined when absent or null. */
export function optionalStringList(doc: Record<string, unknown>, field: string): string[] | undefined {
  const v = doc[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw wrongType(field, 'a list of strings', v);
  v.forEach((item, i) => {
    if (typeof item !== 'string') throw wrongType(`${field}[${i}]`, 'a string', item);
  });
  return v as string[];
}

/**
 * Columns of equal length (`{"driver_id": [1001, 1002]}`): Feast's `entities` and `df`. Returns the
 * columns and their length; more than `maxRows` rows is a 413.
 */
export function columnsField(doc: Record<string, unknown>, field: string, maxRows: number): { columns: Record<string, unknown[]>; rows: number } {
  const v = doc[field];
  if (v === undefined || v === null) {
    throw new DynafeastError('usage.badArgument', `field \`${field}\` is required`, {
      path: field,
      hint: `send \`${field}\` as an object of columns, e.g. {"driver_id": [1001, 1002]}`,
    });
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw wrongType(field, 'an object of columns ({"name": [values…]})', v);
  const columns = v as Record<string, unknown>;
  let rows: number | undefined;
  let first = '';
  for (const [name, list] of Object.entries(columns)) {
    if (!Array.isArray(list)) throw wrongType(`${field}.${name}`, 'a list of values', list);
    if (rows === undefined) {
      rows = list.length;
      first = name;
    } else if (list.length !== rows) {
      throw new DynafeastError('usage.badArgument', `field \`${field}\`: column \`${name}\` has ${list.length} values, \`${first}\` has ${rows}`, {
        path: `${field}.${name}`,
        hint: 'give every column one value per row',
      });
    }
  }
  if (rows === undefined) {
    throw new DynafeastError('usage.badArgument', `field \`${field}\` has no columns`, {
      path: field,
      hint: `send at least one column, e.g. {"driver_id": [1001]}`,
    });
  }
  if (rows > maxRows) {
    throw new DynafeastError('serve.tooLarge', `field \`${field}\` has ${rows} rows, more than this server's limit of ${maxRows}`, {
      path: field,
      hint: 'split the request, or raise the limit (`dynafeast serve --max-entities`)',
    });
  }
  return { columns: columns as Record<string, unknown[]>, rows };
}
