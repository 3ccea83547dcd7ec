/**
 * The library API for Node services (architecture.md §4.3): open a feature repo once, read online features many
 * times. Everything a read needs (config, definitions, the DynamoDB client and its socket pool, the
 * embedded store when the repo uses one, table names, key encoders) is set up in `open`, not per call.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsCredentials, AwsCredentialsProvider } from './aws/identity.js';
import { loadConfigWithWarnings } from './config/load-config.js';
import type { RepoConfig } from './config/types.js';
import { silentLogger, systemClock, type Clock, type Logger } from './context.js';
import { DynafeastError } from './errors.js';
import { OnlineReader } from './online/read-online.js';
import { createReadSender } from './online/transport.js';
import { toFeastDict, type ShapeOptions } from './online/to-dict.js';
import type { OnlineFeaturesColumns, OnlineFeaturesRequest, OnlineFeaturesResult, ReadTransport } from './online/types.js';
import { describeOrigin, loadDefinitions, type DefinitionOrigin } from './repo/definition-source.js';
import { overrideIdentity, type AwsClients } from './aws/clients.js';
import type { DynamoCallObserver } from './aws/call-observer.js';
import { definitionsFingerprint } from './repo/definitions-fingerprint.js';
import { materialize, materializeIncremental, type MaterializeArgs, type MaterializeIncrementalArgs } from './materialize/run-materialize.js';
import type { MaterializeReport } from './materialize/report.js';
import { writeRows, type WriteRowsResult } from './materialize/write-rows.js';
import { leanSenderFor } from './materialize/materialize.js';
import type { LeanBatchSender } from './materialize/lean/lean-sender.js';
import type { FeatureView } from './repo/model.js';
import { didYouMean } from './util/suggest.js';

/** Where pushed rows go: Feast's PushMode. dynafeast has no offline writer, so only `online`. */
export type PushTarget = 'online' | 'offline' | 'online_and_offline';
import { openStoreClients } from './store-clients.js';
import type { RepoModel } from './repo/model.js';

export interface FeatureStoreOptions {
  /** The feature repo folder (holding feature_store.yaml and the definitions); default the cwd. */
  repoPath?: string;
  /** Another feature_store.yaml than `<repoPath>/feature_store.yaml`. */
  featureStoreYaml?: string;
  /** For `${VAR}` expansion and FEATURE_STORE_YAML_BASE64; default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * A DynamoDB client to use instead of building one from the config; the caller keeps ownership
   * (close() does not destroy it) and the embedded store is not started.
   */
  clients?: { dynamo: Pick<DynamoDBClient, 'send'> };
  /** Overrides the configured credentials chain: DynamoDB, the S3 registry and S3 sources all sign with these. */
  credentials?: AwsCredentials | AwsCredentialsProvider;
  /**
   * `lean` (default): dynafeast's own signed HTTP requests, a third of the SDK's CPU per request;
   * `sdk`: the AWS SDK client. Ignored when `clients` is given (its client is used).
   */
  transport?: ReadTransport;
  /** Time source for ttl checks (OUTSIDE_MAX_AGE); default the system clock. */
  clock?: Clock;
  /** Where config warnings and debug messages go; default nowhere. */
  logger?: Logger;
  /**
   * Told of every DynamoDB request and retry: reads (lean transport only) and writes (write-to-online-store,
   * push, materialize). The feature server's metrics.
   */
  observer?: DynamoCallObserver;
}

export interface GetOnlineFeaturesOptions extends OnlineFeaturesRequest, ShapeOptions {}

/**
 * A program that forgets `close()` still ends: idle sockets do not hold the event loop, and an embedded
 * store this process serves closes itself when nothing else is left to do.
 */
export class FeatureStore implements AsyncDisposable {
  private closed = false;
  private writeSender: LeanBatchSender | undefined;
  private current: { repo: RepoModel; origin: DefinitionOrigin; reader: OnlineReader; fingerprint: string };

  private constructor(
    /** The validated feature_store.yaml. */
    readonly config: RepoConfig,
    loaded: { repo: RepoModel; origin: DefinitionOrigin },
    private readonly makeReader: (repo: RepoModel) => OnlineReader,
    private readonly release: () => Promise<void>,
    private readonly logger: Logger,
    private readonly clock: Clock,
    /** Endpoint and credentials for writes; absent when the caller handed in its own client. */
    private readonly aws: Pick<AwsClients, 'endpoint' | 'credentials'> | undefined,
    private readonly observer: DynamoCallObserver | undefined,
  ) {
    this.current = { ...loaded, reader: makeReader(loaded.repo), fingerprint: definitionsFingerprint(config) };
  }

  /** The feature definitions (the latest loaded: see refreshDefinitions). */
  get repo(): RepoModel {
    return this.current.repo;
  }

  /** Loads the repo and prepares the client. Throws DynafeastError (`config.*`, `repo.*`, `embedded.*`). */
  static async open(options: FeatureStoreOptions = {}): Promise<FeatureStore> {
    const logger = options.logger ?? silentLogger;
    const { config, warnings } = loadConfigWithWarnings({
      repoPath: options.repoPath,
      featureStoreYaml: options.featureStoreYaml,
      env: options.env ?? process.env,
    });
    for (const w of warnings) logger.warn(`${w.path ? `${w.path}: ` : ''}${w.message}`);
    // before the definitions load: an S3 registry is read with the override too
    if (options.credentials !== undefined) overrideIdentity(config, options.credentials);
    const loaded = await loadDefinitions(config);
    const said = describeOrigin(loaded.origin, loaded.repo.root);
    if (said !== undefined) (loaded.origin.kind === 'yaml' ? logger.warn : logger.info)(said);
    const clock = options.clock ?? systemClock;

    if (options.clients !== undefined) {
      const dynamo = options.clients.dynamo;
      const makeReader = (repo: RepoModel) => new OnlineReader({ config, repo, dynamo, clock, endpoint: config.onlineStore.endpointUrl });
      return new FeatureStore(config, loaded, makeReader, async () => {}, logger, clock, undefined, undefined);
    }
    // The same clients (and embedded store) the CLI session opens.
    const clients = await openStoreClients(config, { logger, ...(options.credentials !== undefined ? { credentials: options.credentials } : {}) });
    try {
      const sender = createReadSender(config, clients.aws, options.transport, options.observer);
      const makeReader = (repo: RepoModel) => new OnlineReader({ config, repo, send: sender.send, clock, endpoint: clients.aws.endpoint });
      return new FeatureStore(
        config,
        loaded,
        makeReader,
        async () => {
          sender.close();
          await clients.close();
        },
        logger,
        clock,
        clients.aws,
        options.observer,
      );
    } catch (e) {
      await clients.close();
      throw e;
    }
  }

  /**
   * Reloads the definitions (YAML files or the registry) when their files changed since the last load,
   * as Feast's feature server refreshes its registry every `registry_ttl_sec`. Reads already running
   * finish with the definitions they started with. Returns whether anything was reloaded; a broken
   * reload throws and leaves the loaded definitions in place.
   */
  async refreshDefinitions(): Promise<boolean> {
    this.assertOpen();
    const fingerprint = definitionsFingerprint(this.config);
    if (fingerprint === this.current.fingerprint) return false;
    const loaded = await loadDefinitions(this.config);
    this.current = { ...loaded, reader: this.makeReader(loaded.repo), fingerprint: definitionsFingerprint(this.config) };
    return true;
  }

  /** `dynafeast materialize START END [views]` on this store's tables and registry. */
  async materialize(args: MaterializeArgs, signal?: AbortSignal): Promise<MaterializeReport> {
    return materialize(this.materializeContext(signal), args);
  }

  /** `dynafeast materialize-incremental END [views]` on this store's tables and registry. */
  async materializeIncremental(args: MaterializeIncrementalArgs, signal?: AbortSignal): Promise<MaterializeReport> {
    return materializeIncremental(this.materializeContext(signal), args);
  }

  /**
   * Feast's `write_to_online_store(feature_view_name, df)`: rows as columns (join keys, features, the
   * view's event timestamp column), written to the view's table; the latest row per entity key wins.
   */
  async writeToOnlineStore(viewName: string, columns: Record<string, unknown[]>, rows: number, signal?: AbortSignal): Promise<WriteRowsResult> {
    const repo = this.current.repo;
    const view = repo.featureViews.find((v) => v.name === viewName);
    if (view === undefined) {
      const names = repo.featureViews.map((v) => v.name);
      throw new DynafeastError('repo.unknownFeatureView', `no feature view \`${viewName}\`.${didYouMean(viewName, names)}`, {
        path: 'feature_view_name',
        hint: `feature views: ${names.join(', ')}`,
      });
    }
    return this.writeView(view, columns, rows, signal);
  }

  /**
   * Feast's `push(push_source_name, df, to)`: the rows go to every view whose push source is named. Only
   * `online` is served: dynafeast has no offline store writer, so `offline` and `online_and_offline` are
   * refused rather than half done.
   */
  async push(sourceName: string, columns: Record<string, unknown[]>, rows: number, to: PushTarget, signal?: AbortSignal): Promise<WriteRowsResult> {
    if (to !== 'online') {
      throw new DynafeastError('usage.badArgument', `push \`to: ${to}\` needs an offline store writer, which dynafeast does not have`, {
        path: 'to',
        hint: 'push with `to: online`, and append the rows to the batch source yourself (e.g. a parquet file the next materialize reads)',
      });
    }
    const views = this.current.repo.featureViews.filter((v) => v.pushSource === sourceName);
    if (views.length === 0) {
      const names = [...new Set(this.current.repo.featureViews.flatMap((v) => (v.pushSource ? [v.pushSource] : [])))];
      throw new DynafeastError('repo.unknownSource', `no feature view reads push source \`${sourceName}\`.${didYouMean(sourceName, names)}`, {
        path: 'push_source_name',
        hint:
          names.length > 0
            ? `push sources: ${names.join(', ')}`
            : 'push sources come from a Feast registry (`feast apply` of a PushSource); this repo has none',
      });
    }
    const result: WriteRowsResult = { rows, written: 0 };
    for (const view of views) result.written += (await this.writeView(view, columns, rows, signal)).written;
    return result;
  }

  private async writeView(view: FeatureView, columns: Record<string, unknown[]>, rows: number, signal: AbortSignal | undefined): Promise<WriteRowsResult> {
    const ctx = this.materializeContext(signal);
    const source = this.current.repo.sources.find((s) => s.name === view.source);
    if (source === undefined) {
      throw new DynafeastError(
        'usage.badArgument',
        `feature view \`${view.name}\` has no batch source dynafeast can read, so its event timestamp column is unknown`,
        {
          hint: view.notMaterializable ?? 'define the view with a file source',
        },
      );
    }
    this.writeSender ??= leanSenderFor(this.config, ctx.aws);
    return writeRows(
      { config: this.config, aws: ctx.aws, sender: this.writeSender, ...(signal ? { signal } : {}), ...(this.observer ? { observer: this.observer } : {}) },
      view,
      source.timestampField,
      columns,
      rows,
    );
  }

  private materializeContext(signal: AbortSignal | undefined) {
    this.assertOpen();
    if (this.aws === undefined) {
      throw new DynafeastError('usage.badArgument', 'this FeatureStore was opened with a DynamoDB client of its own, so it cannot write', {
        hint: 'open it without `clients` (it then builds its clients from feature_store.yaml)',
      });
    }
    return {
      config: this.config,
      repo: this.current.repo,
      aws: this.aws,
      clock: this.clock,
      logger: this.logger,
      ...(signal ? { signal } : {}),
      ...(this.observer ? { observer: this.observer } : {}),
    };
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new DynafeastError('usage.badArgument', 'this FeatureStore was closed', { hint: 'open a new one with FeatureStore.open()' });
    }
  }

  /**
   * Feast's `get_online_features(...).to_dict()`: `{ driver_id: [1001], conv_rate: [0.5] }`, one value
   * per entity row; `__ts` / `__status` columns when asked for. JSON-safe unless `valueFormat: 'native'`.
   */
  async getOnlineFeatures(options: GetOnlineFeaturesOptions): Promise<OnlineFeaturesResult> {
    return toFeastDict(await this.readOnlineFeatures(options), options);
  }

  /**
   * The same read as columns with values, statuses and event timestamps kept apart. An aborted `signal`
   * abandons it: its DynamoDB requests are cancelled and it rejects with `aborted`.
   */
  async readOnlineFeatures(request: OnlineFeaturesRequest, signal?: AbortSignal): Promise<OnlineFeaturesColumns> {
    this.assertOpen();
    return this.current.reader.read(request, signal);
  }

  /** Closes the client's sockets and lets go of the embedded store. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.writeSender?.close();
    await this.release();
  }

  /** `await using store = await FeatureStore.open(…)` closes the store when the block is left. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
