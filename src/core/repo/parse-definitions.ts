/**
 * Stage 1 for one definitions file (architecture.md §2.2): the shape of each entity, source, feature view and
 * feature service, with every problem recorded at its file:line:column. References between objects
 * are resolved later (validate-repo.ts), once all files are read.
 */
import { formatChoices } from '../util/suggest.js';
import type { Diagnostics } from '../yaml/diagnostics.js';
import { joinPath } from '../yaml/read-node.js';
import { describeFound, findEntry, isNull } from '../yaml/yaml-tree.js';
import type { YMap, YNode } from '../yaml/yaml-tree.js';
import { COLUMN_NAME, COLUMN_NAME_RULE, emptyDefinitions } from './definitions.js';
import type { EntityDef, FileDefinitions, Ref, SourceDef } from './definitions.js';
import { parseJoinKeyDtype } from './dtype.js';
import { DYNAFEAST_TAG_PREFIX } from './dynamodb-registry-form.js';
import { JOIN_KEY_DTYPES, TIMESTAMP_FORMATS } from './model.js';
import { META_KEYS, ObjectReader } from './object-reader.js';
import { ViewParser } from './parse-views.js';
import { inferFormat } from './source-format.js';

const TOP_KEYS = ['entities', 'sources', 'feature_views', 'feature_services'];
const CONFIG_KEYS = ['project', 'registry', 'provider', 'online_store', 'offline_store', 'entity_key_serialization_version'];
const ENTITY_KEYS = ['name', 'join_keys', 'join_key', 'value_type', ...META_KEYS];
const SOURCE_KEYS = ['name', 'type', 'path', 'format', 'timestamp_field', 'created_timestamp_column', 's3_endpoint_override', 'field_mapping', ...META_KEYS];
const DYNAMODB_SOURCE_KEYS = [
  'name',
  'type',
  'table',
  'region',
  'endpoint_url',
  'timestamp_field',
  'timestamp_format',
  'created_timestamp_column',
  'created_timestamp_format',
  'field_mapping',
  'segments',
  'max_read_units_per_second',
  'consistent_read',
  ...META_KEYS,
];
// DynamoDB's own limit on TotalSegments
const MAX_SEGMENTS = 1_000_000;
// table names: 3-255 of letters, digits, `_`, `-`, `.` (DynamoDB's rule)
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

class DefinitionParser extends ObjectReader {
  private readonly views = new ViewParser(this);

  file(root: YNode | undefined): FileDefinitions {
    const out = emptyDefinitions();
    if (!root) return out;
    if (root.kind !== 'map') {
      this.diag.shape('badType', `A definitions file must be a mapping with ${formatChoices(TOP_KEYS)} lists, found ${describeFound(root)}.`, {
        location: root.loc,
        hint: 'Start the file with e.g. `entities:` and list the objects under it.',
      });
      return out;
    }
    const looksLikeConfig = root.entries.some((e) => CONFIG_KEYS.includes(e.key));
    this.read.checkKeys(root, TOP_KEYS, '', () =>
      looksLikeConfig
        ? "This file looks like a feature_store.yaml: only the repo's own config file is skipped; move other configs out of the repo (or into a dot-folder)."
        : undefined,
    );
    this.list(root, 'entities', (m, p) => this.entity(m, p), out.entities);
    this.list(root, 'sources', (m, p) => this.source(m, p), out.sources);
    this.list(root, 'feature_views', (m, p) => this.views.view(m, p), out.views);
    this.list(root, 'feature_services', (m, p) => this.views.service(m, p), out.services);
    return out;
  }

  private list<T>(root: YMap, key: string, parse: (m: YMap, path: string) => T | undefined, into: T[]): void {
    const node = this.read.optional(root, key);
    const seq = node && this.read.seq(node, key);
    seq?.items.forEach((item, i) => {
      const path = joinPath(key, i);
      const map = this.read.map(item, path);
      const value = map && this.clean(() => parse(map, path));
      if (value !== undefined) into.push(value);
    });
  }

  private entity(map: YMap, path: string): EntityDef | undefined {
    this.read.checkKeys(map, ENTITY_KEYS, path);
    const name = this.name(map, path);
    const joinKey = this.joinKey(map, path, name);
    const typeNode = this.read.required(map, 'value_type', path, `The join key's type decides its bytes; one of ${formatChoices(JOIN_KEY_DTYPES)}.`);
    const typeText = typeNode && this.read.string(typeNode, joinPath(path, 'value_type'));
    let valueType;
    if (typeNode && typeText !== undefined) {
      const parsed = parseJoinKeyDtype(typeText);
      if (parsed.ok) valueType = parsed.dtype;
      else {
        const p = joinPath(path, 'value_type');
        this.diag.error(
          'repo.badDtype',
          `\`${p}\` must be a join key type (${formatChoices(JOIN_KEY_DTYPES)}), found \`${typeText}\`.${parsed.suggestion ? ` Did you mean \`${parsed.suggestion}\`?` : ''}`,
          {
            location: typeNode.loc,
            path: p,
            hint: 'Entity keys are serialized by type; floats, booleans and lists cannot be join keys.',
          },
        );
      }
    }
    const meta = this.meta(map, path);
    if (!name || !joinKey || !valueType) return undefined;
    return { entity: { name: name.name, joinKeys: [joinKey.name], valueType, ...meta, location: map.loc }, nameLoc: name.loc, joinKeyLoc: joinKey.loc };
  }

  private joinKey(map: YMap, path: string, name: Ref | undefined): Ref | undefined {
    const many = findEntry(map, 'join_keys');
    const one = findEntry(map, 'join_key');
    let key: Ref | undefined;
    if (many && one) {
      return this.read.badValue(one.value, joinPath(path, 'join_key'), `Write either \`join_keys\` or \`join_key\` in \`${path}\`, not both.`);
    } else if (many && !isNull(many.value)) {
      const p = joinPath(path, 'join_keys');
      const list = this.read.stringList(many.value, p);
      if (!list) return undefined;
      if (list.length !== 1) {
        this.diag.error('repo.badJoinKey', `\`${p}\` must list exactly one join key (as in Feast), found ${list.length}.`, {
          location: many.value.loc,
          path: p,
          hint: "For a composite key, define one entity per key column and list all of them in the feature view's `entities`.",
        });
        return undefined;
      }
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- list.length is 1 (checked above)
      key = { name: list[0]!.value, loc: list[0]!.node.loc };
    } else if (one && !isNull(one.value)) {
      key = this.requiredString(map, 'join_key', path);
    } else {
      // Feast's default: the entity's name is its join key.
      key = name;
    }
    if (key && !COLUMN_NAME.test(key.name)) {
      this.diag.error('repo.badJoinKey', `Join key \`${key.name}\` of \`${path}\` must be ${COLUMN_NAME_RULE}.`, {
        location: key.loc,
        path: joinPath(path, 'join_keys'),
      });
      return undefined;
    }
    return key;
  }

  private source(map: YMap, path: string): SourceDef | undefined {
    const typeNode = this.read.optional(map, 'type');
    const type = typeNode ? this.read.oneOf(typeNode, joinPath(path, 'type'), ['file', 'dynamodb']) : 'file';
    if (type === 'dynamodb') return this.dynamoSource(map, path);
    this.read.checkKeys(map, SOURCE_KEYS, path, (key) =>
      DYNAMODB_SOURCE_KEYS.includes(key) ? `\`${key}\` is a setting of a DynamoDB table source: add \`type: dynamodb\`.` : undefined,
    );
    const name = this.name(map, path);
    const filePath = this.requiredString(map, 'path', path, 'A parquet or csv file, a glob, or a folder, relative to the repo root.');
    const formatNode = this.read.optional(map, 'format');
    let format = formatNode && this.read.oneOf(formatNode, joinPath(path, 'format'), ['parquet', 'csv'] as const, { caseInsensitive: true });
    if (!formatNode && filePath) {
      format = inferFormat(filePath.name);
      if (!format) {
        this.read.badValue(
          { kind: 'scalar', value: filePath.name, loc: filePath.loc },
          joinPath(path, 'path'),
          `Cannot tell the format of \`${filePath.name}\` from its extension.`,
          'Add `format: parquet` or `format: csv` to the source.',
        );
      }
    }
    const timestampField = this.requiredString(map, 'timestamp_field', path, 'Name the event timestamp column of the data.');
    const created = this.optionalString(map, 'created_timestamp_column', path) ?? '';
    const s3Endpoint = this.optionalString(map, 's3_endpoint_override', path);
    const mappingNode = this.read.optional(map, 'field_mapping');
    const fieldMapping = (mappingNode && this.fieldMapping(mappingNode, joinPath(path, 'field_mapping'))) ?? {};
    const meta = this.meta(map, path);
    if (!name || !filePath || !format || !timestampField) return undefined;
    return {
      source: {
        name: name.name,
        type: 'file',
        path: filePath.name,
        format,
        ...(formatNode ? { formatDeclared: true } : {}),
        timestampField: timestampField.name,
        createdTimestampColumn: created,
        ...(s3Endpoint ? { s3EndpointOverride: s3Endpoint } : {}),
        fieldMapping,
        ...meta,
        location: map.loc,
      },
      nameLoc: name.loc,
    };
  }

  private dynamoSource(map: YMap, path: string): SourceDef | undefined {
    this.read.checkKeys(map, DYNAMODB_SOURCE_KEYS, path, (key) =>
      SOURCE_KEYS.includes(key) ? `\`${key}\` is a setting of file sources; a DynamoDB source names its \`table\`.` : undefined,
    );
    const name = this.name(map, path);
    const table = this.requiredString(map, 'table', path, 'The name of the DynamoDB table to read (an existing application table).');
    if (table && !TABLE_NAME.test(table.name)) {
      this.read.badValue(
        { kind: 'scalar', value: table.name, loc: table.loc },
        joinPath(path, 'table'),
        `\`${joinPath(path, 'table')}\` must be a DynamoDB table name (3 to 255 letters, digits, \`_\`, \`-\` or \`.\`), found \`${table.name}\`.`,
      );
    }
    const region = this.optionalString(map, 'region', path);
    const endpointUrl = this.optionalString(map, 'endpoint_url', path);
    if (endpointUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(endpointUrl)) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- optionalString read it from this entry
      const node = findEntry(map, 'endpoint_url')!.value;
      this.read.badValue(
        node,
        joinPath(path, 'endpoint_url'),
        `\`${joinPath(path, 'endpoint_url')}\` must be an http(s) URL, found \`${endpointUrl}\`.`,
        "e.g. `http://localhost:8000`; leave it out to read from the online store's endpoint.",
      );
    }
    const timestampField = this.requiredString(map, 'timestamp_field', path, "Name the attribute that holds each item's event time.");
    const formatHint = `How the attribute is written: ${formatChoices(TIMESTAMP_FORMATS)}; dynafeast never guesses it.`;
    const formatNode = this.read.required(map, 'timestamp_format', path, formatHint);
    const timestampFormat = formatNode && this.read.oneOf(formatNode, joinPath(path, 'timestamp_format'), TIMESTAMP_FORMATS, { hint: formatHint });
    const created = this.optionalString(map, 'created_timestamp_column', path) ?? '';
    const createdFormatNode = this.read.optional(map, 'created_timestamp_format');
    const createdFormat =
      createdFormatNode && this.read.oneOf(createdFormatNode, joinPath(path, 'created_timestamp_format'), TIMESTAMP_FORMATS, { hint: formatHint });
    if (createdFormatNode && !created) {
      this.read.badValue(
        createdFormatNode,
        joinPath(path, 'created_timestamp_format'),
        `\`${joinPath(path, 'created_timestamp_format')}\` is set but \`created_timestamp_column\` is not.`,
        'Name the created timestamp attribute, or drop its format.',
      );
    }
    const segmentsNode = this.read.optional(map, 'segments');
    const segments =
      segmentsNode === undefined ||
      !this.positive(segmentsNode, joinPath(path, 'segments'), 'Parallel Scan segments: leave it out for one per 16 MiB of table.')
        ? undefined
        : this.read.int(segmentsNode, joinPath(path, 'segments'), { min: 1, max: MAX_SEGMENTS });
    const rcuNode = this.read.optional(map, 'max_read_units_per_second');
    const rcu =
      rcuNode === undefined ||
      !this.positive(rcuNode, joinPath(path, 'max_read_units_per_second'), 'Read capacity units per second the scan may use; leave it out for no budget.')
        ? undefined
        : this.read.number(rcuNode, joinPath(path, 'max_read_units_per_second'), { min: 1, max: 40_000_000 });
    const consistentNode = this.read.optional(map, 'consistent_read');
    const consistentRead = (consistentNode && this.read.bool(consistentNode, joinPath(path, 'consistent_read'))) ?? false;
    const mappingNode = this.read.optional(map, 'field_mapping');
    const fieldMapping = (mappingNode && this.fieldMapping(mappingNode, joinPath(path, 'field_mapping'))) ?? {};
    const meta = this.meta(map, path);
    const reserved = Object.keys(meta.tags).find((k) => k.startsWith(DYNAFEAST_TAG_PREFIX));
    if (reserved !== undefined) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- meta read the tags from this entry
      const node = findEntry(map, 'tags')!.value;
      this.read.badValue(
        node,
        joinPath(path, `tags.${reserved}`),
        `Tag \`${reserved}\` of a DynamoDB source: tags starting with \`${DYNAFEAST_TAG_PREFIX}\` hold the source's settings in the registry.`,
        'Rename the tag.',
      );
    }
    if (!name || !table || !timestampField || !timestampFormat) return undefined;
    return {
      source: {
        name: name.name,
        type: 'dynamodb',
        table: table.name,
        ...(region !== undefined ? { region } : {}),
        ...(endpointUrl !== undefined ? { endpointUrl } : {}),
        timestampField: timestampField.name,
        timestampFormat,
        createdTimestampColumn: created,
        ...(createdFormat ? { createdTimestampFormat: createdFormat } : {}),
        fieldMapping,
        ...(segments !== undefined ? { segments } : {}),
        ...(rcu !== undefined ? { maxReadUnitsPerSecond: rcu } : {}),
        consistentRead,
        ...meta,
        location: map.loc,
      },
      nameLoc: name.loc,
    };
  }

  /** False (and a located error with `hint`) for a number below 1; other problems are left to the typed read. */
  private positive(node: YNode, path: string, hint: string): boolean {
    const v = node.kind === 'scalar' ? node.value : undefined;
    if ((typeof v === 'number' || typeof v === 'bigint') && v < 1) {
      this.read.badValue(node, path, `\`${path}\` must be at least 1, found \`${String(v)}\`.`, hint);
      return false;
    }
    return true;
  }

  private fieldMapping(node: YNode, path: string): Record<string, string> | undefined {
    const mapping = this.read.stringMap(node, path);
    if (!mapping || node.kind !== 'map') return mapping;
    const seen = new Map<string, string>();
    for (const e of node.entries) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the mapping was read from these entries
      const target = mapping[e.key]!;
      const other = seen.get(target);
      if (other !== undefined) {
        this.read.badValue(
          e.value,
          joinPath(path, e.key),
          `\`${path}\` maps both \`${other}\` and \`${e.key}\` to \`${target}\`.`,
          'Each feature or join key can come from one column only.',
        );
      }
      seen.set(target, e.key);
    }
    return mapping;
  }
}

/** Parses one definitions file's tree (undefined = empty file) into located definitions. */
export function parseDefinitions(root: YNode | undefined, diag: Diagnostics): FileDefinitions {
  return new DefinitionParser(diag).file(root);
}
