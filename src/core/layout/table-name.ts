/**
 * The DynamoDB table name of a feature view, computed as Feast does:
 * `table_name_template.format(project=project, table_name=view_name)` (Python `str.format`).
 */
import { DynafeastError } from '../errors.js';
import type { RepoConfig } from '../config/types.js';

const FIELDS = ['project', 'table_name'] as const;

/**
 * Python `str.format` restricted to the two named fields Feast passes. `{{`/`}}` are literal braces.
 * Anything Python would reject (unknown field, positional field, stray brace) is an error here too,
 * because Feast would fail on the same template; conversions and format specs are rejected rather than
 * half-implemented so both tools can never disagree on a name.
 */
export function formatTableName(template: string, project: string, tableName: string): string {
  const values: Record<(typeof FIELDS)[number], string> = { project, table_name: tableName };
  let out = '';
  for (let i = 0; i < template.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < template.length
    const ch = template[i]!;
    if (ch === '{') {
      if (template[i + 1] === '{') {
        out += '{';
        i++;
        continue;
      }
      const close = template.indexOf('}', i);
      if (close < 0) throw badTemplate(template, "a '{' is never closed");
      const field = template.slice(i + 1, close);
      if (!(FIELDS as readonly string[]).includes(field)) {
        throw badTemplate(template, `unsupported replacement field {${field}}`);
      }
      out += values[field as (typeof FIELDS)[number]];
      i = close;
    } else if (ch === '}') {
      if (template[i + 1] !== '}') throw badTemplate(template, "a single '}' is not allowed (write '}}')");
      out += '}';
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

function badTemplate(template: string, why: string): DynafeastError {
  return new DynafeastError('config.badValue', `online_store.table_name_template "${template}": ${why}`, {
    path: 'online_store.table_name_template',
    hint: 'use only {project} and {table_name}, e.g. "{project}.{table_name}"; write {{ and }} for literal braces',
  });
}

/** The table that holds `viewName`'s features for the configured project. */
export function tableNameOf(config: Pick<RepoConfig, 'project' | 'onlineStore'>, viewName: string): string {
  return formatTableName(config.onlineStore.tableNameTemplate, config.project, viewName);
}
