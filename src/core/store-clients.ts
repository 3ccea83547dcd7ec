/**
 * The clients of one store, built one way for the CLI session and the library's FeatureStore: the
 * embedded DynamoDB started (or joined) when the config asks for it, then the AWS clients pointed at it.
 */
import { createAwsClients, type AwsClientOptions, type AwsClients } from './aws/clients.js';
import type { RepoConfig } from './config/types.js';
import { silentLogger, type Logger } from './context.js';
import { ensureEmbeddedDynamo, type EmbeddedHandle } from './embedded/index.js';

export interface StoreClients {
  aws: AwsClients;
  /** Set when the config uses the embedded store: the one this process started or joined. */
  embedded?: EmbeddedHandle;
  /** Closes the clients' sockets and lets go of the embedded store. */
  close(): Promise<void>;
}

export interface StoreClientOptions {
  logger?: Logger;
  /** Overrides the configured credentials chain (library users). */
  credentials?: AwsClientOptions['credentials'];
}

export async function openStoreClients(config: RepoConfig, opts: StoreClientOptions = {}): Promise<StoreClients> {
  const logger = opts.logger ?? silentLogger;
  const embedded = config.dynafeast.embedded ? await ensureEmbeddedDynamo(config, logger) : undefined;
  try {
    const aws = createAwsClients(config, {
      logger,
      ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
      ...(embedded ? { endpointUrl: embedded.endpoint } : {}),
    });
    return {
      aws,
      ...(embedded ? { embedded } : {}),
      close: async () => {
        aws.destroy();
        await embedded?.close();
      },
    };
  } catch (e) {
    await embedded?.close();
    throw e;
  }
}
