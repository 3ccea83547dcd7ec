/**
 * Stage 2 for the whole repo: names unique across files, references resolved (with suggestions),
 * join-key rules, table names; then the RepoModel objects, including Feast's `__dummy` entity.
 */
import type { RepoConfig } from '../config/types.js';
import { formatLocation } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import type { Diagnostics } from '../yaml/diagnostics.js';
import type { FileDefinitions, Ref, ServiceDef, SourceDef, ViewDef } from './definitions.js';
import { dynamoDBDtypeProblem } from './dynamodb-dtypes.js';
import { DUMMY_ENTITY_ID, DUMMY_ENTITY_NAME } from './model.js';
import type { DataSource, Entity, EntityColumn, FeatureService, FeatureView, RepoModel } from './model.js';

type Objects = Pick<RepoModel, 'entities' | 'sources' | 'featureViews' | 'featureServices'>;

const DUMMY_ENTITY: Entity = {
  name: DUMMY_ENTITY_NAME,
  joinKeys: [DUMMY_ENTITY_ID],
  valueType: undefined,
  description: '',
  tags: {},
  owner: '',
};

/** First definition of each name; later ones are reported with both places. */
function uniqueByName<T>(items: T[], nameOf: (t: T) => Ref, kind: string, diag: Diagnostics): Map<string, T> {
  const byName = new Map<string, T>();
  for (const item of items) {
    const ref = nameOf(item);
    const first = byName.get(ref.name);
    if (first === undefined) {
      byName.set(ref.name, item);
      continue;
    }
    diag.error('repo.duplicateName', `${kind} \`${ref.name}\` is defined twice: first at ${formatLocation(nameOf(first).loc)}, again here.`, {
      location: ref.loc,
      hint: `${kind} names must be unique across all definition files; rename or remove one.`,
    });
  }
  return byName;
}

function tableName(template: string, project: string, view: string): string {
  return template.replace(/\{\{|\}\}|\{project\}|\{table_name\}/g, (t) => (t === '{{' ? '{' : t === '}}' ? '}' : t === '{project}' ? project : view));
}

class RepoResolver {
  constructor(
    private readonly diag: Diagnostics,
    private readonly config: RepoConfig | undefined,
  ) {}

  resolve(all: FileDefinitions[]): Objects {
    const entities = uniqueByName(
      all.flatMap((f) => f.entities),
      (d) => ({ name: d.entity.name, loc: d.nameLoc }),
      'Entity',
      this.diag,
    );
    const sources = uniqueByName(
      all.flatMap((f) => f.sources),
      (d) => ({ name: d.source.name, loc: d.nameLoc }),
      'Data source',
      this.diag,
    );
    const views = uniqueByName(
      all.flatMap((f) => f.views),
      (d) => ({ name: d.view.name, loc: d.nameLoc }),
      'Feature view',
      this.diag,
    );
    const services = uniqueByName(
      all.flatMap((f) => f.services),
      (d) => ({ name: d.name, loc: d.nameLoc }),
      'Feature service',
      this.diag,
    );

    const entityList = [...entities.values()].map((d) => d.entity);
    const sourceList: DataSource[] = [...sources.values()].map((d) => d.source);
    const featureViews = [...views.values()].map((v) => this.view(v, entityList, sources));
    const viewByName = new Map(featureViews.map((v) => [v.name, v]));
    const featureServices = [...services.values()].map((s) => this.service(s, viewByName));
    return { entities: [...entityList, DUMMY_ENTITY], sources: sourceList, featureViews, featureServices };
  }

  private error(code: Parameters<Diagnostics['error']>[0], message: string, loc: SourceLocation, hint?: string): void {
    this.diag.error(code, message, { location: loc, hint });
  }

  private view(def: ViewDef, entities: Entity[], sources: Map<string, SourceDef>): FeatureView {
    const name = def.view.name;
    const columns: EntityColumn[] = [];
    const names: string[] = [];
    const keyOwner = new Map<string, string>();
    for (const ref of def.entities) {
      if (names.includes(ref.name)) {
        this.error('repo.duplicateName', `Feature view \`${name}\` lists entity \`${ref.name}\` twice.`, ref.loc);
        continue;
      }
      names.push(ref.name);
      const entity = entities.find((e) => e.name === ref.name);
      if (!entity) {
        const owner = entities.find((e) => e.joinKeys.includes(ref.name));
        this.error(
          'repo.unknownEntity',
          `Feature view \`${name}\` uses unknown entity \`${ref.name}\`.${
            owner
              ? ''
              : didYouMean(
                  ref.name,
                  entities.map((e) => e.name),
                )
          }`,
          ref.loc,
          owner
            ? `\`${ref.name}\` is the join key of entity \`${owner.name}\`: list entity names in \`entities\`.`
            : 'Define it under `entities:` or fix the name.',
        );
        continue;
      }
      for (const key of entity.joinKeys) {
        const other = keyOwner.get(key);
        if (other !== undefined) {
          this.error(
            'repo.badJoinKey',
            `Feature view \`${name}\`: entities \`${other}\` and \`${entity.name}\` share the join key \`${key}\`.`,
            ref.loc,
            'Each entity of a view needs its own join key column.',
          );
        }
        keyOwner.set(key, entity.name);
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- user entities come from parse-definitions, which refuses one without value_type
        columns.push({ name: key, dtype: entity.valueType! });
      }
    }
    if (!sources.has(def.source.name)) {
      this.error(
        'repo.unknownSource',
        `Feature view \`${name}\` uses unknown source \`${def.source.name}\`.${didYouMean(def.source.name, [...sources.keys()])}`,
        def.source.loc,
        'Define it under `sources:` or fix the name.',
      );
    }
    const source = sources.get(def.source.name);
    for (const f of def.features) {
      const problem = source?.source.type === 'dynamodb' ? dynamoDBDtypeProblem(f.feature.dtype) : undefined;
      if (problem !== undefined) {
        this.error(
          'repo.badDtype',
          `Feature view \`${name}\`: feature \`${f.feature.name}\` comes from DynamoDB table source \`${def.source.name}\`: ${problem}.`,
          f.nameLoc,
          'Change the dtype, or read this feature from a file source.',
        );
      }
      const entity = keyOwner.get(f.feature.name);
      if (entity !== undefined) {
        this.error(
          'repo.badJoinKey',
          `Feature view \`${name}\`: \`${f.feature.name}\` is the join key of entity \`${entity}\` and cannot also be a feature.`,
          f.nameLoc,
          'Remove it from `schema`: join key columns come from the entities.',
        );
      }
    }
    this.checkTableName(name, def.nameLoc);
    const entityless = def.entities.length === 0;
    return {
      ...def.view,
      entities: entityless ? [DUMMY_ENTITY_NAME] : names,
      entityColumns: entityless ? [{ name: DUMMY_ENTITY_ID, dtype: 'String' }] : columns,
      features: def.features.map((f) => f.feature),
    };
  }

  private checkTableName(view: string, loc: SourceLocation): void {
    if (!this.config) return;
    const table = tableName(this.config.onlineStore.tableNameTemplate, this.config.project, view);
    if (table.length >= 3 && table.length <= 255) return;
    this.error(
      'repo.badValue',
      `Feature view \`${view}\` gives the DynamoDB table name \`${table}\` (${table.length} characters); DynamoDB allows 3 to 255.`,
      loc,
      'Shorten the view name (or the project name / table_name_template).',
    );
  }

  private service(def: ServiceDef, views: Map<string, FeatureView>): FeatureService {
    const projections: FeatureService['projections'] = [];
    for (const p of def.projections) {
      const view = views.get(p.view.name);
      if (!view) {
        this.error(
          'repo.unknownFeatureView',
          `Feature service \`${def.name}\` uses unknown feature view \`${p.view.name}\`.${didYouMean(p.view.name, [...views.keys()])}`,
          p.view.loc,
          'Define the view under `feature_views:` or fix the name.',
        );
        continue;
      }
      if (projections.some((q) => q.featureView === view.name)) {
        this.error(
          'repo.duplicateName',
          `Feature service \`${def.name}\` lists feature view \`${view.name}\` twice.`,
          p.view.loc,
          'Merge the two entries into one list.',
        );
        continue;
      }
      const known = view.features.map((f) => f.name);
      const chosen: string[] = [];
      for (const f of p.features ?? known.map((n) => ({ name: n, loc: p.view.loc }))) {
        if (!known.includes(f.name)) {
          this.error(
            'repo.unknownFeature',
            `Feature service \`${def.name}\`: feature view \`${view.name}\` has no feature \`${f.name}\`.${didYouMean(f.name, known)}`,
            f.loc,
            `Its features: ${known.join(', ')}.`,
          );
        } else if (chosen.includes(f.name)) {
          this.error('repo.duplicateName', `Feature service \`${def.name}\` lists \`${view.name}:${f.name}\` twice.`, f.loc);
        } else chosen.push(f.name);
      }
      if (p.features !== undefined && p.features.length === 0) {
        this.error(
          'repo.badValue',
          `Feature service \`${def.name}\` selects no features of \`${view.name}\`.`,
          p.view.loc,
          `List features, or write just \`- ${view.name}\` for all of them.`,
        );
      }
      projections.push({ featureView: view.name, features: chosen });
    }
    return { name: def.name, projections, tags: def.tags, description: def.description, owner: def.owner, location: def.loc };
  }
}

/** Resolves all files' definitions into the repo's objects; problems go to `diag`. */
export function resolveDefinitions(all: FileDefinitions[], diag: Diagnostics, config?: RepoConfig): Objects {
  return new RepoResolver(diag, config).resolve(all);
}
