/**
 * The endpoints of Feast's feature server (`feast serve`, Feast 0.67), each a function of the parsed
 * body: reads through the store's one online reader, materialization through the materialize core.
 */
import type { FeatureStore, PushTarget } from '../feature-store.js';
import { DynafeastError } from '../errors.js';
import type { OnlineFeaturesRequest } from '../online/types.js';
import { onlineResponseJson } from './online-response.js';
import { boolField, columnsField, optionalString, optionalStringList, requiredString } from './request-fields.js';

export interface RouteContext {
  store: FeatureStore;
  maxEntities: number;
  /** Aborted when the request times out or the server shuts down past its grace period: its DynamoDB calls are abandoned. */
  signal: AbortSignal;
}

/** A JSON body to answer with, already serialized. */
export type RouteAnswer = { status: number; body: string };

const OK_NULL: RouteAnswer = { status: 200, body: 'null' };

export async function getOnlineFeatures(ctx: RouteContext, doc: Record<string, unknown>): Promise<RouteAnswer> {
  const { columns } = columnsField(doc, 'entities', ctx.maxEntities);
  const featureService = optionalString(doc, 'feature_service');
  const features = optionalStringList(doc, 'features') ?? [];
  const fullFeatureNames = boolField(doc, 'full_feature_names', false);
  boolField(doc, 'include_feature_view_version_metadata', false);
  // Feast reads the service when one is named, whatever `features` holds.
  const request: OnlineFeaturesRequest = {
    ...(featureService !== undefined ? { featureService } : { features }),
    entityRows: columns,
    fullFeatureNames,
    valueFormat: 'feast-json',
  };
  return { status: 200, body: onlineResponseJson(await ctx.store.readOnlineFeatures(request, ctx.signal)) };
}

/** Feast's WriteToFeatureStoreRequest: `df` as columns, written to one view. */
export async function writeToOnlineStore(ctx: RouteContext, doc: Record<string, unknown>): Promise<RouteAnswer> {
  const view = requiredString(doc, 'feature_view_name');
  const { columns, rows } = columnsField(doc, 'df', ctx.maxEntities);
  boolField(doc, 'allow_registry_cache', true);
  boolField(doc, 'transform_on_write', true);
  await ctx.store.writeToOnlineStore(view, columns, rows, ctx.signal);
  return OK_NULL;
}

const PUSH_TARGETS: readonly PushTarget[] = ['online', 'offline', 'online_and_offline'];

/** Feast's PushFeaturesRequest; Feast answers 200 with an empty body. */
export async function push(ctx: RouteContext, doc: Record<string, unknown>): Promise<RouteAnswer> {
  const source = requiredString(doc, 'push_source_name');
  const { columns, rows } = columnsField(doc, 'df', ctx.maxEntities);
  const to = optionalString(doc, 'to') ?? 'online';
  if (!PUSH_TARGETS.includes(to as PushTarget)) {
    throw new DynafeastError('usage.badArgument', `field \`to\` is "${to}"; expected one of ${PUSH_TARGETS.join(', ')}`, {
      path: 'to',
      hint: 'push with `to: online`',
    });
  }
  boolField(doc, 'allow_registry_cache', true);
  boolField(doc, 'transform_on_write', true);
  await ctx.store.push(source, columns, rows, to as PushTarget, ctx.signal);
  return { status: 200, body: '' };
}

/** Feast's MaterializeRequest; `disable_event_timestamp` materializes everything up to now. */
export async function materialize(ctx: RouteContext, doc: Record<string, unknown>): Promise<RouteAnswer> {
  const views = optionalStringList(doc, 'feature_views') ?? [];
  const all = boolField(doc, 'disable_event_timestamp', false);
  boolField(doc, 'full_feature_names', false);
  const start = all ? '1970-01-01T00:00:00Z' : requiredString(doc, 'start_ts');
  const end = all ? 'now' : requiredString(doc, 'end_ts');
  await ctx.store.materialize({ start, end, views }, ctx.signal);
  return OK_NULL;
}

/** Feast's MaterializeIncrementalRequest. */
export async function materializeIncremental(ctx: RouteContext, doc: Record<string, unknown>): Promise<RouteAnswer> {
  const views = optionalStringList(doc, 'feature_views') ?? [];
  boolField(doc, 'full_feature_names', false);
  await ctx.store.materializeIncremental({ end: requiredString(doc, 'end_ts'), views }, ctx.signal);
  return OK_NULL;
}
