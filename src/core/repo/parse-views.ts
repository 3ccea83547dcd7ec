/**
 * Feature views (with their schema) and feature services of one definitions file (architecture.md §2.2).
 */
import { DURATION_FORMS_HINT, tryParseDuration } from '../util/duration.js';
import { joinPath } from '../yaml/read-node.js';
import { describeFound, isNull } from '../yaml/yaml-tree.js';
import type { YMap, YNode } from '../yaml/yaml-tree.js';
import { COLUMN_NAME, COLUMN_NAME_RULE } from './definitions.js';
import type { FeatureDef, ProjectionDef, ServiceDef, ViewDef } from './definitions.js';
import { parseDtype } from './dtype.js';
import { META_KEYS } from './object-reader.js';
import type { ObjectReader } from './object-reader.js';

const VIEW_KEYS = ['name', 'entities', 'ttl', 'source', 'online', 'schema', ...META_KEYS];
const FIELD_KEYS = ['name', 'dtype', 'description', 'tags'];
const SERVICE_KEYS = ['name', 'features', ...META_KEYS];

export class ViewParser {
  constructor(private readonly r: ObjectReader) {}

  view(map: YMap, path: string): ViewDef | undefined {
    this.r.read.checkKeys(map, VIEW_KEYS, path);
    const name = this.r.name(map, path);
    const entitiesNode = this.r.read.optional(map, 'entities');
    const entities = entitiesNode ? this.r.read.stringList(entitiesNode, joinPath(path, 'entities'))?.map((e) => ({ name: e.value, loc: e.node.loc })) : [];
    const ttlMicros = this.ttl(map, path);
    const source = this.r.requiredString(map, 'source', path, 'Name a source defined under `sources:`.');
    const onlineNode = this.r.read.optional(map, 'online');
    const online = onlineNode ? this.r.read.bool(onlineNode, joinPath(path, 'online')) : true;
    const features = this.schema(map, path);
    const meta = this.r.meta(map, path);
    if (!name || !entities || ttlMicros === undefined || !source || online === undefined || !features) return undefined;
    return { view: { name: name.name, ttlMicros, source: source.name, online, ...meta, location: map.loc }, nameLoc: name.loc, entities, source, features };
  }

  private ttl(map: YMap, path: string): bigint | undefined {
    const node = this.r.read.optional(map, 'ttl');
    if (!node) return 0n;
    const p = joinPath(path, 'ttl');
    const result = node.kind === 'scalar' ? tryParseDuration(node.value) : { ok: false as const, reason: `it is ${describeFound(node)}` };
    if (result.ok) return result.micros;
    this.r.diag.error('repo.badDuration', `\`${p}\` is not a valid duration: ${describeFound(node)} (${result.reason}).`, {
      location: node.loc,
      path: p,
      hint: DURATION_FORMS_HINT,
    });
    return undefined;
  }

  private schema(map: YMap, path: string): FeatureDef[] | undefined {
    const p = joinPath(path, 'schema');
    const node = this.r.read.required(map, 'schema', path, 'List the features: `- {name: conv_rate, dtype: Float32}`.');
    const seq = node && this.r.read.seq(node, p);
    if (!seq) return undefined;
    if (seq.items.length === 0) return this.r.read.badValue(seq, p, `\`${p}\` is empty; a feature view needs at least one feature.`);
    const out: FeatureDef[] = [];
    seq.items.forEach((item, i) => {
      const ip = joinPath(p, i);
      const m = this.r.read.map(item, ip);
      const def = m && this.r.clean(() => this.field(m, ip));
      if (!def) return;
      const first = out.find((f) => f.feature.name === def.feature.name);
      if (first) {
        this.r.diag.error('repo.duplicateName', `Feature \`${def.feature.name}\` appears twice in \`${p}\` (first on line ${first.nameLoc.line}).`, {
          location: def.nameLoc,
          path: ip,
          hint: 'Feature names must be unique within a view.',
        });
      }
      out.push(def);
    });
    return out;
  }

  private field(map: YMap, path: string): FeatureDef | undefined {
    this.r.read.checkKeys(map, FIELD_KEYS, path);
    const name = this.r.name(map, path, COLUMN_NAME, COLUMN_NAME_RULE);
    const dtypeRef = this.r.requiredString(map, 'dtype', path, 'e.g. `Float32`, `Int64`, `String` or `Array(Float32)`.');
    let dtype;
    if (dtypeRef) {
      const parsed = parseDtype(dtypeRef.name);
      if (parsed.ok) dtype = parsed.dtype;
      else {
        const p = joinPath(path, 'dtype');
        this.r.diag.error(
          'repo.badDtype',
          `\`${p}\` is \`${dtypeRef.name}\`: ${parsed.reason}.${parsed.suggestion ? ` Did you mean \`${parsed.suggestion}\`?` : ''}`,
          {
            location: dtypeRef.loc,
            path: p,
            hint: 'Feast dtypes: Int32, Int64, Float32, Float64, String, Bytes, Bool, UnixTimestamp, Json, Uuid, TimeUuid, Decimal, PdfBytes, ImageBytes, Map, ScalarMap, ZonedTimestamp, Struct({name: Type, ...}), Array(<type>), Set(<type>) (README, "Feast value types").',
          },
        );
      }
    }
    const meta = this.r.meta(map, path);
    if (!name || !dtype) return undefined;
    return { feature: { name: name.name, dtype, description: meta.description, tags: meta.tags }, nameLoc: name.loc };
  }

  service(map: YMap, path: string): ServiceDef | undefined {
    this.r.read.checkKeys(map, SERVICE_KEYS, path);
    const name = this.r.name(map, path);
    const p = joinPath(path, 'features');
    const node = this.r.read.required(map, 'features', path, 'List views: `- driver_hourly_stats` (all features) or `- driver_hourly_stats: [conv_rate]`.');
    const seq = node && this.r.read.seq(node, p);
    const projections: ProjectionDef[] = [];
    if (seq && seq.items.length === 0) this.r.read.badValue(seq, p, `\`${p}\` is empty; a feature service needs at least one view.`);
    seq?.items.forEach((item, i) => projections.push(...this.projection(item, joinPath(p, i))));
    const meta = this.r.meta(map, path);
    if (!name || !seq) return undefined;
    return { name: name.name, nameLoc: name.loc, loc: map.loc, projections, ...meta };
  }

  private projection(item: YNode, path: string): ProjectionDef[] {
    if (item.kind === 'scalar' && typeof item.value === 'string') return [{ view: { name: item.value, loc: item.loc }, features: undefined }];
    if (item.kind !== 'map') {
      this.r.read.badType(item, path, 'a view name or a mapping `view: [features]`');
      return [];
    }
    return item.entries.map((e) => {
      const view = { name: e.key, loc: e.keyLoc };
      if (isNull(e.value)) return { view, features: undefined };
      const list = this.r.read.stringList(e.value, joinPath(path, e.key));
      return { view, features: list?.map((f) => ({ name: f.value, loc: f.node.loc })) ?? [] };
    });
  }
}
