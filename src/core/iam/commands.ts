/**
 * The commands `iam-policy --for` knows. Kept apart from the action table so the CLI's flag parser can
 * import the names without loading anything else.
 */
export const IAM_COMMANDS = ['plan', 'apply', 'materialize', 'read', 'inspect', 'teardown'] as const;

/**
 * `read` is get-online-features (and the library's getOnlineFeatures); `materialize` covers
 * materialize-incremental; `inspect` is export, verify and sql (they scan the tables).
 */
export type IamCommand = (typeof IAM_COMMANDS)[number];

export const IAM_FORMATS = ['json', 'terraform', 'cloudformation'] as const;
export type IamFormat = (typeof IAM_FORMATS)[number];

/**
 * `--for` as written (`apply,materialize`, `all`) → the commands in canonical order, duplicates dropped.
 * Returns the unknown names instead of throwing, so each caller words its own error.
 */
export function parseIamCommands(list: string): { commands: IamCommand[]; unknown: string[] } {
  const names = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const wanted = new Set<string>();
  const unknown: string[] = [];
  for (const name of names) {
    if (name === 'all') IAM_COMMANDS.forEach((c) => wanted.add(c));
    else if (name === 'get-online-features') wanted.add('read');
    else if (name === 'materialize-incremental') wanted.add('materialize');
    else if (name === 'export' || name === 'verify' || name === 'sql') wanted.add('inspect');
    else if ((IAM_COMMANDS as readonly string[]).includes(name)) wanted.add(name);
    else unknown.push(name);
  }
  if (names.length === 0) unknown.push('(empty)');
  return { commands: IAM_COMMANDS.filter((c) => wanted.has(c)), unknown };
}
