/**
 * The one table that describes `feature_store.yaml` (CONTRIBUTING.md convention 9): it drives shape validation and
 * defaults (validate-shape.ts) and renders the README reference (`renderConfigReference`). Keys are
 * snake_case as written in YAML; the loaded RepoConfig uses the camelCase of each key.
 */
export type FieldType =
  | { kind: 'string'; nonEmpty?: boolean; pattern?: RegExp; patternRule?: string }
  | {
      kind: 'enum';
      choices: readonly string[];
      /** Lower-cased alternative spellings → choice. */
      aliases?: Readonly<Record<string, string>>;
      caseInsensitive?: boolean;
    }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'number'; min: number; max: number }
  | { kind: 'bool' }
  | { kind: 'stringMap' }
  /** Any mapping, kept as written; a bare string `x` stands for `{type: x}`. */
  | { kind: 'mapping' }
  /** A nested mapping; `omit` leaves the property undefined when the key is absent. */
  | { kind: 'section'; fields: readonly FieldSpec[]; whenAbsent: 'defaults' | 'omit' }
  /**
   * A string (the `path`) or a mapping of `fields`; loads as the path string (Feast's `registry`), the
   * mapping's other fields going to `<key>Settings`.
   */
  | { kind: 'pathOrSection'; fields: readonly FieldSpec[] }
  /** A key Feast knows that dynafeast does not use: accepted with a warning. */
  | { kind: 'ignored' };

export interface FieldSpec {
  key: string;
  type: FieldType;
  required?: boolean;
  default?: unknown;
  description: string;
  /** Appended to errors about this field. */
  hint?: string;
  /**
   * A `${VAR}`-expanded value of this key is printed as it is: it says where things are (an endpoint, a
   * region, a path), which the messages about them must show. Every other expanded value is hidden in
   * output unless `--show-env-values` is given.
   */
  shown?: true;
}

const TIMEOUT = { kind: 'number', min: 0, max: 3600 } as const;

export const REGISTRY_FIELDS: readonly FieldSpec[] = [
  {
    key: 'path',
    type: { kind: 'string', nonEmpty: true },
    required: true,
    shown: true,
    description: 'Registry file path (relative to the repo root, absolute, or s3://).',
  },
  {
    key: 'registry_type',
    type: { kind: 'enum', choices: ['file'] },
    default: 'file',
    description: 'Only `file` (a serialized feast.core.Registry) is supported.',
    hint: 'dynafeast reads and writes Feast file registries only; sql, snowflake and remote registries are not supported.',
  },
  {
    key: 's3_additional_kwargs',
    type: { kind: 'mapping' },
    description:
      'For an `s3://` registry: PutObject parameters applied to every write, by boto3 name (ServerSideEncryption, SSEKMSKeyId, BucketKeyEnabled, …), as in Feast.',
  },
  {
    key: 'cache_ttl_seconds',
    type: { kind: 'number', min: 0, max: 1e9 },
    description:
      'As in Feast (default 600, 0 = never): `dynafeast serve` reloads the definitions at least this often (and every --registry-ttl-sec); other commands read the registry once.',
  },
  ...['registry_store_type', 'cache_mode', 'purge_feast_metadata'].map((key): FieldSpec => ({
    key,
    type: { kind: 'ignored' },
    description: 'Feast registry setting; ignored by dynafeast.',
  })),
];

export const ONLINE_STORE_FIELDS: readonly FieldSpec[] = [
  {
    key: 'type',
    type: {
      kind: 'enum',
      choices: ['dynamodb'],
      aliases: { 'feast.infra.online_stores.dynamodb.dynamodbonlinestore': 'dynamodb' },
    },
    description: 'Must be `dynamodb`. May be omitted with `provider: aws` (Feast then defaults to dynamodb).',
    hint: 'dynafeast only manages DynamoDB online stores.',
  },
  {
    key: 'region',
    type: { kind: 'string', nonEmpty: true },
    required: true,
    shown: true,
    description: 'AWS region of the tables, e.g. `us-east-1`.',
    hint: 'e.g. `region: us-east-1` (any region works with a local endpoint).',
  },
  {
    key: 'endpoint_url',
    type: { kind: 'string', nonEmpty: true },
    shown: true,
    description: 'DynamoDB endpoint (local servers, VPC endpoints); required for the embedded store.',
  },
  {
    key: 'table_name_template',
    type: { kind: 'string', nonEmpty: true },
    shown: true,
    default: '{project}.{table_name}',
    description: 'Python format string for table names; must contain `{project}` and `{table_name}` (so projects never share a table).',
  },
  { key: 'batch_size', type: { kind: 'int', min: 1, max: 100 }, default: 100, description: 'Keys per BatchGetItem request when reading.' },
  { key: 'consistent_reads', type: { kind: 'bool' }, default: false, description: 'Strongly consistent reads.' },
  { key: 'tags', type: { kind: 'stringMap' }, default: {}, description: 'Tags added to every table.' },
  { key: 'session_based_auth', type: { kind: 'bool' }, default: false, description: 'Feast: build clients from a boto3 session. Accepted for compatibility.' },
  { key: 'max_read_workers', type: { kind: 'int', min: 1, max: 1000 }, default: 10, description: 'BatchGetItem requests in flight per read.' },
  {
    key: 'max_pool_connections',
    type: { kind: 'int', min: 1, max: 10000 },
    default: 50,
    description: 'HTTP connections kept per client: the process-wide limit on DynamoDB requests in flight, shared by all reads.',
  },
  { key: 'keepalive_timeout', type: TIMEOUT, default: 30, description: 'Seconds an idle keep-alive connection is kept.' },
  { key: 'connect_timeout', type: TIMEOUT, default: 5, description: 'Seconds to wait for a connection.' },
  { key: 'read_timeout', type: TIMEOUT, default: 10, description: 'Seconds to wait for a response.' },
  {
    key: 'total_max_retry_attempts',
    type: { kind: 'int', min: 1, max: 100 },
    default: 3,
    description: 'Attempts per request, first one included (SDK retry strategy).',
  },
  { key: 'retry_mode', type: { kind: 'enum', choices: ['adaptive', 'standard', 'legacy'] }, default: 'adaptive', description: 'SDK retry mode.' },
  { key: 'warmup_connections', type: { kind: 'bool' }, default: false, description: 'Open connections before the first read.' },
];

const TABLE_FIELDS: readonly FieldSpec[] = [
  {
    key: 'billing_mode',
    type: {
      kind: 'enum',
      choices: ['PAY_PER_REQUEST', 'PROVISIONED'],
      aliases: { on_demand: 'PAY_PER_REQUEST', 'on-demand': 'PAY_PER_REQUEST', ondemand: 'PAY_PER_REQUEST' },
      caseInsensitive: true,
    },
    default: 'PAY_PER_REQUEST',
    description: 'Table billing: `PAY_PER_REQUEST` (also `on_demand`) or `PROVISIONED`.',
  },
  { key: 'read_capacity_units', type: { kind: 'int', min: 1, max: 1_000_000 }, description: 'Provisioned read capacity (PROVISIONED only, required there).' },
  { key: 'write_capacity_units', type: { kind: 'int', min: 1, max: 1_000_000 }, description: 'Provisioned write capacity (PROVISIONED only, required there).' },
  { key: 'point_in_time_recovery', type: { kind: 'bool' }, default: false, description: 'Enable point-in-time recovery (continuous backups).' },
  { key: 'deletion_protection', type: { kind: 'bool' }, default: false, description: 'Enable deletion protection: DeleteTable fails until it is turned off.' },
  {
    key: 'table_class',
    type: { kind: 'enum', choices: ['STANDARD', 'STANDARD_INFREQUENT_ACCESS'] },
    default: 'STANDARD',
    description: 'DynamoDB table class.',
  },
  { key: 'sse_kms_key_id', type: { kind: 'string', nonEmpty: true }, description: 'KMS key id or ARN for server-side encryption; absent = AWS owned key.' },
  {
    key: 'stream_view_type',
    type: { kind: 'enum', choices: ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'] },
    description: 'Enable a DynamoDB stream with this view type; absent = no stream.',
  },
  {
    key: 'ttl_expiry',
    type: { kind: 'bool' },
    default: false,
    description: "Let DynamoDB TTL delete items older than the view's ttl (dynafeast writes a numeric expiry attribute).",
  },
  {
    key: 'ttl_attribute',
    type: {
      kind: 'string',
      nonEmpty: true,
      pattern: /^[A-Za-z_][A-Za-z0-9_.-]{0,254}$/,
      patternRule: 'a DynamoDB attribute name (letters, digits, `_`, `.`, `-`)',
    },
    default: 'expire_at',
    description: 'Name of the numeric expiry attribute used when `ttl_expiry` is on.',
  },
];

const MATERIALIZE_FIELDS: readonly FieldSpec[] = [
  {
    key: 'concurrency',
    type: { kind: 'int', min: 1, max: 256 },
    default: 32,
    description: 'BatchWriteItem (or conditional PutItem) requests in flight; 32 keeps an in-region writer ~20x faster than one at a time.',
  },
  {
    key: 'monotonic_writes',
    type: { kind: 'bool' },
    default: false,
    description: 'Conditional puts that never replace a newer `event_ts` (slower: no batching).',
  },
  {
    key: 'retry_budget',
    type: { kind: 'int', min: 0, max: 1_000_000_000 },
    default: 10000,
    description:
      'Retries (throttling, unprocessed items, 5xx) a run may spend without progress before it fails: each request that writes all its items gives one back, never above this number.',
  },
];

const RETRY_FIELDS: readonly FieldSpec[] = [
  {
    key: 'base_delay_ms',
    type: { kind: 'int', min: 1, max: 60_000 },
    default: 25,
    description: 'First retry waits a random time below this (ms); each further retry doubles it (exponential backoff, full jitter).',
  },
  {
    key: 'max_delay_ms',
    type: { kind: 'int', min: 1, max: 300_000 },
    default: 5000,
    description: 'No retry waits longer than this (ms), unless the service asks for longer (`Retry-After`).',
  },
  {
    key: 'max_attempts',
    type: { kind: 'int', min: 1, max: 1000 },
    default: 10,
    description:
      'Attempts per request, first included, for unprocessed read keys and table settings; failed reads use `online_store.total_max_retry_attempts`, materialize its `retry_budget`.',
  },
  {
    key: 'max_elapsed',
    type: { kind: 'number', min: 0, max: 86_400 },
    default: 120,
    description: 'Seconds after which a request is no longer retried (materialize: seconds without a write).',
  },
  {
    key: 'unreachable_grace',
    type: { kind: 'number', min: 0, max: 3600 },
    default: 3,
    description: 'Seconds an endpoint that refuses connections or has no such host is retried before the command stops with "cannot reach".',
  },
];

const EMBEDDED_FIELDS: readonly FieldSpec[] = [
  {
    key: 'path',
    type: { kind: 'string', nonEmpty: true },
    shown: true,
    default: 'data/online_store',
    description: "Folder (relative to the repo root) holding the embedded store's data.",
  },
];

const CREDENTIAL_FIELDS: readonly FieldSpec[] = [
  {
    key: 'profile',
    type: { kind: 'string', nonEmpty: true },
    shown: true,
    description: 'Named profile from the shared AWS config/credentials files (SSO included).',
  },
  {
    key: 'role_arn',
    type: { kind: 'string', pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, patternRule: 'an IAM role ARN (`arn:aws:iam::<account>:role/<name>`)' },
    description: 'Role to assume with STS after resolving base credentials.',
  },
  { key: 'external_id', type: { kind: 'string', nonEmpty: true }, description: 'External id passed to AssumeRole (needs `role_arn`).' },
  {
    key: 'role_session_name',
    type: { kind: 'string', pattern: /^[\w+=,.@-]{2,64}$/, patternRule: '2–64 characters from letters, digits and `+=,.@_-`' },
    description: 'Session name for AssumeRole (needs `role_arn`); default chosen by dynafeast.',
  },
];

export const DYNAFEAST_FIELDS: readonly FieldSpec[] = [
  { key: 'tables', type: { kind: 'section', fields: TABLE_FIELDS, whenAbsent: 'defaults' }, description: 'Table settings applied by `apply`.' },
  { key: 'materialize', type: { kind: 'section', fields: MATERIALIZE_FIELDS, whenAbsent: 'defaults' }, description: 'Write settings for `materialize`.' },
  {
    key: 'retry',
    type: { kind: 'section', fields: RETRY_FIELDS, whenAbsent: 'defaults' },
    description: 'How every AWS call is retried: backoff, attempts, time budget.',
  },
  {
    key: 'embedded',
    type: { kind: 'section', fields: EMBEDDED_FIELDS, whenAbsent: 'omit' },
    description: 'Run the embedded DynamoDB (dynalite) for this repo; absent = a real endpoint.',
  },
  {
    key: 'credentials',
    type: { kind: 'section', fields: CREDENTIAL_FIELDS, whenAbsent: 'defaults' },
    description: 'How to obtain AWS credentials; absent = the default chain.',
  },
];

/** Feast top-level keys dynafeast accepts and ignores (with a warning). */
export const IGNORED_FEAST_KEYS = [
  'auth',
  'batch_engine',
  'feature_server',
  'flags',
  'repo_path',
  'coerce_tz_aware',
  'materialization',
  'go_feature_serving',
  'go_feature_retrieval',
] as const;

export const PROJECT_NAME_RULE = 'letters, digits and underscores, starting with a letter';

export const CONFIG_SCHEMA: readonly FieldSpec[] = [
  {
    key: 'project',
    type: { kind: 'string', nonEmpty: true, pattern: /^[A-Za-z][A-Za-z0-9_]*$/, patternRule: PROJECT_NAME_RULE },
    required: true,
    shown: true,
    description: 'Project name; prefixes table names and scopes registry objects.',
    hint: 'Feast allows letters, digits and underscores in project names, e.g. `driver_demo`.',
  },
  { key: 'project_description', type: { kind: 'string' }, description: "Description stored in the registry's project entry." },
  {
    key: 'registry',
    type: { kind: 'pathOrSection', fields: REGISTRY_FIELDS },
    required: true,
    shown: true,
    description: 'Feast file registry: a path, or a mapping with `path` (and `registry_type: file`).',
    hint: 'Add `registry: data/registry.db`.',
  },
  {
    key: 'provider',
    type: { kind: 'enum', choices: ['aws', 'local'] },
    default: 'local',
    description: "`aws` or `local` (Feast's default). Only Feast reads it; with `local`, `online_store.type` must be written.",
  },
  {
    key: 'online_store',
    type: { kind: 'section', fields: ONLINE_STORE_FIELDS, whenAbsent: 'omit' },
    required: true,
    description: "Feast's DynamoDBOnlineStoreConfig: only the keys below (Feast rejects others).",
  },
  {
    key: 'offline_store',
    type: { kind: 'mapping' },
    default: { type: 'file' },
    description: 'Kept as written for Feast (a mapping, or a type name such as `file`); dynafeast reads sources itself.',
  },
  {
    key: 'entity_key_serialization_version',
    type: { kind: 'int', min: 1, max: 3 },
    default: 3,
    description: 'Must be 3: the entity key layout dynafeast writes.',
  },
  {
    key: 'dynafeast',
    type: { kind: 'section', fields: DYNAFEAST_FIELDS, whenAbsent: 'defaults' },
    description: "dynafeast's own settings (Feast ignores this key).",
  },
  ...IGNORED_FEAST_KEYS.map((key): FieldSpec => ({
    key,
    type: { kind: 'ignored' },
    description: 'Feast setting; accepted and ignored by dynafeast (warning).',
  })),
];

/** Whether a `${VAR}`-expanded value at `path` (e.g. `online_store.endpoint_url`) is shown in output. */
export function isShownSetting(path: string): boolean {
  let fields: readonly FieldSpec[] = CONFIG_SCHEMA;
  let field: FieldSpec | undefined;
  for (const key of path.split('.')) {
    field = fields.find((f) => f.key === key);
    if (!field) return false;
    fields = field.type.kind === 'section' || field.type.kind === 'pathOrSection' ? field.type.fields : [];
  }
  return field?.shown === true;
}

export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function typeLabel(t: FieldType): string {
  switch (t.kind) {
    case 'string':
      return 'string';
    case 'enum':
      return t.choices.map((c) => `\`${c}\``).join(' \\| ');
    case 'int':
      return `integer ${t.min}–${t.max}`;
    case 'number':
      return `number ${t.min}–${t.max}`;
    case 'bool':
      return 'boolean';
    case 'stringMap':
      return 'map of strings';
    case 'mapping':
    case 'section':
      return 'mapping';
    case 'pathOrSection':
      return 'string or mapping';
    case 'ignored':
      return 'any';
  }
}

function defaultLabel(f: FieldSpec): string {
  if (f.required) return '**required**';
  if (f.default === undefined) return '—';
  return `\`${typeof f.default === 'string' ? f.default : JSON.stringify(f.default)}\``;
}

function rows(fields: readonly FieldSpec[], prefix: string): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const key = prefix === '' ? f.key : `${prefix}.${f.key}`;
    const desc = f.description.replace(/\|/g, '\\|');
    out.push(`| \`${key}\` | ${typeLabel(f.type)} | ${defaultLabel(f)} | ${desc} |`);
    if (f.type.kind === 'section' || f.type.kind === 'pathOrSection') out.push(...rows(f.type.fields, key));
  }
  return out;
}

/** The `feature_store.yaml` reference as a markdown table, generated from {@link CONFIG_SCHEMA}. */
export function renderConfigReference(): string {
  return ['| key | type | default | description |', '|---|---|---|---|', ...rows(CONFIG_SCHEMA, '')].join('\n') + '\n';
}
