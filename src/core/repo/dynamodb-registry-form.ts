/**
 * How a `type: dynamodb` source is kept in Feast's registry (architecture.md §4.11): Feast 0.67 has no
 * DynamoDB source type, and a CUSTOM_SOURCE names a Python class Feast must import to load the
 * registry. So it is a plain FileSource whose uri is `dynamodb://<table>`, with the scan settings in
 * the source's tags under `dynafeast.`: Feast loads, lists and serves such a view, and its proto →
 * Python → proto round trip (a `feast apply` of the same registry) keeps uri and tags. A `feast
 * materialize` of it fails in Feast's file reader (no such file), never reading wrong data.
 */
import { TIMESTAMP_FORMATS, type DynamoDBSource, type TimestampFormat } from './model.js';

export const DYNAMODB_URI_PREFIX = 'dynamodb://';
export const DYNAFEAST_TAG_PREFIX = 'dynafeast.';

const TAG = {
  region: 'dynafeast.region',
  endpointUrl: 'dynafeast.endpoint_url',
  timestampFormat: 'dynafeast.timestamp_format',
  createdTimestampFormat: 'dynafeast.created_timestamp_format',
  segments: 'dynafeast.segments',
  maxReadUnitsPerSecond: 'dynafeast.max_read_units_per_second',
  consistentRead: 'dynafeast.consistent_read',
} as const;

export function isDynamoDBUri(uri: string): boolean {
  return uri.startsWith(DYNAMODB_URI_PREFIX);
}

export function dynamoDBUriOf(table: string): string {
  return `${DYNAMODB_URI_PREFIX}${table}`;
}

/** The registry source's tags: the user's, then the scan settings (only those set). */
export function dynamoDBSourceTags(s: DynamoDBSource): Record<string, string> {
  return {
    ...s.tags,
    ...(s.region !== undefined ? { [TAG.region]: s.region } : {}),
    ...(s.endpointUrl !== undefined ? { [TAG.endpointUrl]: s.endpointUrl } : {}),
    [TAG.timestampFormat]: s.timestampFormat,
    ...(s.createdTimestampFormat !== undefined ? { [TAG.createdTimestampFormat]: s.createdTimestampFormat } : {}),
    ...(s.segments !== undefined ? { [TAG.segments]: String(s.segments) } : {}),
    ...(s.maxReadUnitsPerSecond !== undefined ? { [TAG.maxReadUnitsPerSecond]: String(s.maxReadUnitsPerSecond) } : {}),
    ...(s.consistentRead ? { [TAG.consistentRead]: 'true' } : {}),
  };
}

export interface RegistryFileSourceFields {
  name: string;
  uri: string;
  timestampField: string;
  createdTimestampColumn: string;
  fieldMapping: Record<string, string>;
  description: string;
  tags: Record<string, string>;
  owner: string;
}

const isFormat = (v: string | undefined): v is TimestampFormat => v !== undefined && (TIMESTAMP_FORMATS as readonly string[]).includes(v);
const positiveInt = (v: string | undefined) => (v !== undefined && /^[1-9][0-9]{0,6}$/.test(v) ? Number(v) : undefined);
const positiveNumber = (v: string | undefined) => {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

/** A `dynamodb://` file source of the registry as the model's source, or why its tags cannot be read. */
export function dynamoDBSourceFromRegistry(f: RegistryFileSourceFields): DynamoDBSource | { reason: string } {
  const tags: Record<string, string> = {};
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(f.tags)) (k.startsWith(DYNAFEAST_TAG_PREFIX) ? settings : tags)[k] = v;
  const table = f.uri.slice(DYNAMODB_URI_PREFIX.length);
  const bad = (tag: string) => ({ reason: `its DynamoDB source \`${f.name}\` has an unreadable tag ${tag}=${JSON.stringify(settings[tag] ?? '')}` });
  if (table === '') return { reason: `its DynamoDB source \`${f.name}\` names no table (uri ${f.uri})` };
  const timestampFormat = settings[TAG.timestampFormat];
  if (!isFormat(timestampFormat)) return bad(TAG.timestampFormat);
  const created = settings[TAG.createdTimestampFormat];
  if (created !== undefined && !isFormat(created)) return bad(TAG.createdTimestampFormat);
  const segments = settings[TAG.segments];
  if (segments !== undefined && positiveInt(segments) === undefined) return bad(TAG.segments);
  const rcu = settings[TAG.maxReadUnitsPerSecond];
  if (rcu !== undefined && positiveNumber(rcu) === undefined) return bad(TAG.maxReadUnitsPerSecond);
  const consistent = settings[TAG.consistentRead];
  if (consistent !== undefined && consistent !== 'true' && consistent !== 'false') return bad(TAG.consistentRead);
  return {
    name: f.name,
    type: 'dynamodb',
    table,
    ...(settings[TAG.region] ? { region: settings[TAG.region] } : {}),
    ...(settings[TAG.endpointUrl] ? { endpointUrl: settings[TAG.endpointUrl] } : {}),
    timestampField: f.timestampField,
    timestampFormat,
    createdTimestampColumn: f.createdTimestampColumn,
    ...(created !== undefined ? { createdTimestampFormat: created } : {}),
    fieldMapping: { ...f.fieldMapping },
    ...(segments !== undefined ? { segments: positiveInt(segments) } : {}),
    ...(rcu !== undefined ? { maxReadUnitsPerSecond: positiveNumber(rcu) } : {}),
    consistentRead: consistent === 'true',
    description: f.description,
    tags,
    owner: f.owner,
  };
}
