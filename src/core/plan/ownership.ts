/**
 * Whose table is it? Before apply adopts or updates an existing table, and before apply or teardown
 * deletes one, the table must be this project's (docs/plan.md, "Whose table"):
 *
 * - Feast's key schema (hash key `entity_id` of type S, no range key) — anything else is not a Feast
 *   table at all, and no flag makes it one;
 * - then the project tag dynafeast writes on every table (`dynafeast:project`): equal to the project;
 * - without the tag (endpoints that cannot tag, tables Feast made, apply interrupted between CreateTable
 *   and TagResource): the registry records the project's view of that table, or — for apply only — the
 *   table is empty, so adopting it takes nothing from anyone.
 *
 * Anything else stops the command with `dynamo.notOurs`; `apply --adopt` takes over a table with Feast's
 * key schema explicitly (it then gets this project's tag). Deletions never adopt.
 */
import { DynafeastError } from '../errors.js';
import type { ActualTable } from './introspect.js';

/** The tag naming the project a table belongs to. `aws:` is reserved; dynafeast's own prefix is not. */
export const PROJECT_TAG = 'dynafeast:project';

export type Ownership = { owned: true; by: 'tag' | 'registry' | 'empty' | 'adopt' } | { owned: false; reason: string; adoptable: boolean };

export interface OwnershipQuestion {
  project: string;
  /** The registry records an online view of this project whose table has this name. */
  recorded: boolean;
  /** What the table will be used for: a deletion needs the tag or the record, never less. */
  purpose: 'update' | 'delete';
  /** `apply --adopt`: take over a Feast-shaped table that is not known to be ours. */
  adopt?: boolean;
}

export function ownershipOf(a: ActualTable, q: OwnershipQuestion): Ownership {
  if (a.keySchemaProblem !== undefined) return { owned: false, adoptable: false, reason: a.keySchemaProblem };
  const tags = a.tags?.state === 'known' ? a.tags.value : undefined;
  const tagged = tags?.[PROJECT_TAG];
  if (tagged !== undefined && tagged === q.project) return { owned: true, by: 'tag' };
  if (tagged !== undefined) {
    if (q.adopt && q.purpose === 'update') return { owned: true, by: 'adopt' };
    return { owned: false, adoptable: q.purpose === 'update', reason: `it is tagged ${PROJECT_TAG}=${tagged}: it belongs to project "${tagged}"` };
  }
  if (q.recorded) return { owned: true, by: 'registry' };
  if (q.purpose === 'update' && a.holdsItems === false) return { owned: true, by: 'empty' };
  if (q.adopt && q.purpose === 'update') return { owned: true, by: 'adopt' };
  const why = a.tags?.state === 'known' ? `it has no ${PROJECT_TAG} tag` : `its tags cannot be read here`;
  return {
    owned: false,
    adoptable: q.purpose === 'update',
    reason: `${why}, the registry does not record it for project "${q.project}", and it holds items`,
  };
}

/** Why a DescribeTable key schema is not Feast's, or undefined when it is. */
export function keySchemaProblem(
  keySchema: ReadonlyArray<{ AttributeName?: string; KeyType?: string }> | undefined,
  attributes: ReadonlyArray<{ AttributeName?: string; AttributeType?: string }> | undefined,
): string | undefined {
  // an endpoint that leaves the key schema out tells nothing either way
  if (!keySchema || keySchema.length === 0) return undefined;
  const hash = keySchema.find((k) => k.KeyType === 'HASH');
  const range = keySchema.find((k) => k.KeyType === 'RANGE');
  const type = attributes?.find((d) => d.AttributeName === hash?.AttributeName)?.AttributeType;
  const shown = keySchema
    .map((k) => `${k.KeyType?.toLowerCase()} key ${k.AttributeName} ${attributes?.find((d) => d.AttributeName === k.AttributeName)?.AttributeType ?? '?'}`)
    .join(', ');
  if (hash?.AttributeName !== 'entity_id' || range !== undefined || (type !== undefined && type !== 'S')) {
    return `its key schema is ${shown}, not Feast's (hash key entity_id S, no range key): it is not a Feast online-store table`;
  }
  return undefined;
}

export interface ForeignTable {
  table: string;
  view: string;
  reason: string;
  adoptable: boolean;
}

/** One error naming every table that is not this project's, and how to proceed. */
export function notOursError(project: string, command: 'apply' | 'teardown', tables: ForeignTable[], deleting: boolean): DynafeastError {
  const details = tables.map(
    (t) =>
      new DynafeastError('dynamo.notOurs', `table ${t.table} (view ${t.view}) is not project ${project}'s: ${t.reason}`, {
        hint: t.adoptable
          ? `if it is yours, run \`dynafeast apply --adopt\` to take it over (it gets the tag ${PROJECT_TAG}=${project})`
          : 'rename or delete that table, or choose another table_name_template',
      }),
  );
  const names = tables.map((t) => t.table).join(', ');
  const adoptable = tables.every((t) => t.adoptable);
  const what = deleting ? 'would delete' : 'would adopt or change';
  return new DynafeastError(
    'dynamo.notOurs',
    `${command} ${what} ${tables.length === 1 ? 'a table' : `${tables.length} tables`} that ${tables.length === 1 ? 'is' : 'are'} not project ${project}'s: ${tables.map((t) => `${t.table} (${t.reason})`).join('; ')}; nothing was changed`,
    {
      path: 'online_store.table_name_template',
      hint: deleting
        ? `dynafeast deletes only this project's tables; if ${names} really ${tables.length === 1 ? 'is' : 'are'} project ${project}'s, tag ${tables.length === 1 ? 'it' : 'them'} ${PROJECT_TAG}=${project} (aws dynamodb tag-resource) or delete ${tables.length === 1 ? 'it' : 'them'} by hand, then run ${command} again`
        : adoptable
          ? `if ${tables.length === 1 ? 'it is' : 'they are'} this project's, run \`dynafeast apply --adopt\` to take ${tables.length === 1 ? 'it' : 'them'} over; otherwise change project: or table_name_template so the names do not collide`
          : 'rename or delete those tables, or change project: or table_name_template so the names do not collide',
      details,
    },
  );
}
