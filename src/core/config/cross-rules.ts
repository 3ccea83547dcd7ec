/**
 * Stage 2 of config validation (CONTRIBUTING.md convention 9): rules that relate fields to each other. Runs only on a
 * config whose shape is valid, so every field has its type here.
 */
import type { DynamoDBOnlineStoreConfig, RepoConfig } from './types.js';
import type { Diagnostics } from '../yaml/diagnostics.js';
import { findEntry } from '../yaml/yaml-tree.js';
import type { YMap, YNode } from '../yaml/yaml-tree.js';
import type { SourceLocation } from '../errors.js';

/** RepoConfig as stage 1 leaves it: `online_store.type` may still be implied by the provider. */
export type ShapedConfig = Omit<RepoConfig, 'repoPath' | 'source' | 'onlineStore'> & {
  onlineStore: Omit<DynamoDBOnlineStoreConfig, 'type'> & { type?: 'dynamodb' };
};

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const TABLE_NAME_CHARS = /^[A-Za-z0-9_.-]*$/;
const RESERVED_ATTRIBUTES = new Set(['entity_id', 'event_ts', 'values']);
const REGION_SHAPE = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/** Why a `table_name_template` cannot produce valid table names, or undefined when it can. */
export function templateProblem(template: string): string | undefined {
  let sawTableName = false;
  let sawProject = false;
  let literal = '';
  for (let i = 0; i < template.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < template.length
    const c = template[i]!;
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      literal += c;
      i++;
      continue;
    }
    if (c === '}') return 'it has a single `}` (write `}}` for a literal brace)';
    if (c !== '{') {
      literal += c;
      continue;
    }
    const end = template.indexOf('}', i);
    if (end === -1) return 'it has a `{` without a closing `}`';
    const field = template.slice(i + 1, end);
    if (field === 'table_name') sawTableName = true;
    else if (field === 'project') sawProject = true;
    else return `it uses \`{${field}}\`; only \`{project}\` and \`{table_name}\` are available`;
    i = end;
  }
  if (!sawTableName) return 'it does not contain `{table_name}`, so every view would share one table';
  // NOTE: Feast accepts such templates; two projects on one account would then adopt, change and
  // delete each other's tables (the registry records views, not whose table a name is)
  if (!sawProject) return 'it does not contain `{project}`, so two projects with a view of the same name would share (and delete) one table';
  if (!TABLE_NAME_CHARS.test(literal)) {
    return 'its fixed text has characters DynamoDB does not allow in table names (allowed: letters, digits, `_`, `.`, `-`)';
  }
  return undefined;
}

function at(root: YMap, ...keys: string[]): YNode | undefined {
  let node: YNode | undefined = root;
  for (const k of keys) {
    if (node?.kind !== 'map') return undefined;
    node = findEntry(node, k)?.value;
  }
  return node;
}

function loc(root: YMap, ...keys: string[]): SourceLocation {
  for (let n = keys.length; n >= 0; n--) {
    const node = at(root, ...keys.slice(0, n));
    if (node) return node.loc;
  }
  return root.loc;
}

/** Checks cross-field rules; fills `online_store.type` when the provider implies it. */
export function checkCrossFields(cfg: ShapedConfig, root: YMap, diag: Diagnostics): void {
  const os = cfg.onlineStore;

  if (os.type === undefined) {
    if (cfg.provider === 'aws') os.type = 'dynamodb';
    else {
      diag.error('config.missingKey', '`online_store.type` is missing: with `provider: local` Feast would use its sqlite online store, not DynamoDB.', {
        location: loc(root, 'online_store'),
        path: 'online_store.type',
        hint: 'Add `type: dynamodb` under `online_store:`.',
      });
    }
  }

  if (cfg.entityKeySerializationVersion !== 3) {
    diag.error(
      'config.badValue',
      `\`entity_key_serialization_version\` must be 3, found ${cfg.entityKeySerializationVersion}: older versions lay out entity keys differently, so Feast and dynafeast would not find each other's items.`,
      {
        location: loc(root, 'entity_key_serialization_version'),
        path: 'entity_key_serialization_version',
        hint: "Set `entity_key_serialization_version: 3` (Feast's default) and re-materialize data written with the old version.",
      },
    );
  }

  const templateIssue = templateProblem(os.tableNameTemplate);
  if (templateIssue) {
    diag.error('config.badValue', `\`online_store.table_name_template\` is invalid: ${templateIssue}.`, {
      location: loc(root, 'online_store', 'table_name_template'),
      path: 'online_store.table_name_template',
      hint: 'The default is `{project}.{table_name}`.',
    });
  }

  let endpoint: URL | undefined;
  if (os.endpointUrl !== undefined) {
    endpoint = URL.canParse(os.endpointUrl) ? new URL(os.endpointUrl) : undefined;
    if (!endpoint || (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:')) {
      endpoint = undefined;
      diag.error('config.badValue', '`online_store.endpoint_url` must be an http:// or https:// URL.', {
        location: loc(root, 'online_store', 'endpoint_url'),
        path: 'online_store.endpoint_url',
        hint: 'For example `http://127.0.0.1:4567`.',
      });
    }
  }

  if (cfg.dynafeast.embedded) {
    const where = { location: loc(root, 'online_store', 'endpoint_url'), path: 'online_store.endpoint_url' };
    if (os.endpointUrl === undefined) {
      diag.error('config.missingKey', '`dynafeast.embedded` needs `online_store.endpoint_url`: the embedded store listens on that address.', {
        ...where,
        location: loc(root, 'online_store'),
        hint: 'Add `endpoint_url: http://127.0.0.1:4567` under `online_store:`.',
      });
    } else if (endpoint && (!LOCAL_HOSTS.has(endpoint.hostname) || endpoint.port === '' || endpoint.protocol !== 'http:')) {
      diag.error(
        'config.badValue',
        '`online_store.endpoint_url` must be http://127.0.0.1:<port> or http://localhost:<port> when `dynafeast.embedded` is set: the embedded store only listens locally.',
        {
          ...where,
          hint: 'Use e.g. `http://127.0.0.1:4567`, or remove `dynafeast.embedded` to use a real endpoint.',
        },
      );
    }
  }

  checkTables(cfg, root, diag);
  checkCredentials(cfg, root, diag);

  if (!REGION_SHAPE.test(os.region)) {
    diag.warn(`\`online_store.region\` does not look like an AWS region (e.g. \`us-east-1\`).`, {
      path: 'online_store.region',
      location: loc(root, 'online_store', 'region'),
    });
  }
  const local = cfg.dynafeast.embedded !== undefined || (endpoint !== undefined && LOCAL_HOSTS.has(endpoint.hostname));
  if (cfg.provider === 'local' && !local) {
    diag.warn('`provider: local` with a remote DynamoDB endpoint: Feast treats it like `aws`; `provider: aws` states the intent.', {
      path: 'provider',
      location: loc(root, 'provider'),
    });
  }
}

function checkTables(cfg: ShapedConfig, root: YMap, diag: Diagnostics): void {
  const t = cfg.dynafeast.tables;
  const base = ['dynafeast', 'tables'];
  if (t.billingMode === 'PROVISIONED') {
    for (const [key, value] of [
      ['read_capacity_units', t.readCapacityUnits],
      ['write_capacity_units', t.writeCapacityUnits],
    ] as const) {
      if (value !== undefined) continue;
      diag.error('config.missingKey', `\`dynafeast.tables.${key}\` is required with \`billing_mode: PROVISIONED\`.`, {
        location: loc(root, ...base),
        path: `dynafeast.tables.${key}`,
        hint: 'Set both read_capacity_units and write_capacity_units, or use `billing_mode: PAY_PER_REQUEST`.',
      });
    }
  } else {
    for (const key of ['read_capacity_units', 'write_capacity_units']) {
      if (at(root, ...base, key) === undefined) continue;
      diag.error('config.badValue', `\`dynafeast.tables.${key}\` only applies to \`billing_mode: PROVISIONED\` (DynamoDB rejects it for PAY_PER_REQUEST).`, {
        location: loc(root, ...base, key),
        path: `dynafeast.tables.${key}`,
        hint: 'Remove it, or set `billing_mode: PROVISIONED`.',
      });
    }
  }
  if (RESERVED_ATTRIBUTES.has(t.ttlAttribute)) {
    diag.error('config.badValue', `\`dynafeast.tables.ttl_attribute\` cannot be \`${t.ttlAttribute}\`: Feast's item layout uses that attribute.`, {
      location: loc(root, ...base, 'ttl_attribute'),
      path: 'dynafeast.tables.ttl_attribute',
      hint: 'Keep the default `expire_at` or pick another name.',
    });
  }
}

function checkCredentials(cfg: ShapedConfig, root: YMap, diag: Diagnostics): void {
  const c = cfg.dynafeast.credentials;
  if (c.roleArn !== undefined) return;
  for (const [key, value] of [
    ['external_id', c.externalId],
    ['role_session_name', c.roleSessionName],
  ] as const) {
    if (value === undefined) continue;
    diag.error('config.missingKey', `\`dynafeast.credentials.${key}\` needs \`dynafeast.credentials.role_arn\`: it is a parameter of assuming a role.`, {
      location: loc(root, 'dynafeast', 'credentials', key),
      path: 'dynafeast.credentials.role_arn',
      hint: 'Add `role_arn`, or remove it.',
    });
  }
}
