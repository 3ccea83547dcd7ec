import { fromEnv, fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentials, AwsCredentialsProvider } from './identity.js';
import type { CredentialSettings } from '../config/types.js';
import type { Logger } from '../context.js';

/**
 * Signs requests to a local DynamoDB-compatible server when the machine has no AWS credentials at all.
 * Local servers (dynalite, DynamoDB Local, moto) accept any key, so a fresh machine can run `init -t local`.
 */
export const LOCAL_DUMMY_CREDENTIALS: Readonly<AwsCredentials> = {
  accessKeyId: 'dynafeastlocal',
  secretAccessKey: 'dynafeastlocal',
};

/** A fresh copy: the SDK annotates the credentials object it is handed. */
export function localDummyCredentials(): AwsCredentials {
  return { ...LOCAL_DUMMY_CREDENTIALS };
}

export const DEFAULT_ROLE_SESSION_NAME = 'dynafeast';

export interface CredentialProviderOptions {
  region: string;
  /** The endpoint is a server on this machine (embedded store, DynamoDB Local, moto). */
  local: boolean;
  logger: Logger;
  /**
   * The HTTP handler for the chain's own AWS calls (STS AssumeRole, SSO, web identity), so they honour the
   * same proxy and timeouts as every other request; built only when a provider needs it.
   */
  requestHandler?: () => unknown;
}

/**
 * The credential provider for the configured identity (architecture.md §2.1): a named profile, an assumed role on
 * top of it, or the SDK's default chain. Never logs credential values, only where they come from.
 */
export function buildCredentialProvider(settings: CredentialSettings, opts: CredentialProviderOptions): AwsCredentialsProvider {
  const { logger } = opts;
  if (opts.local) return localProvider(settings, logger);
  const handler = opts.requestHandler?.();
  const clientConfig = { region: opts.region, ...(handler ? { requestHandler: handler } : {}) };

  // A named profile must resolve on its own: falling through to other sources would hide a typo.
  const base: AwsCredentialsProvider = settings.profile ? fromIni({ profile: settings.profile, clientConfig }) : fromNodeProviderChain({ clientConfig });
  logger.debug(settings.profile ? `aws credentials: profile "${settings.profile}"` : 'aws credentials: default provider chain');
  if (!settings.roleArn) return base;

  logger.debug(`aws credentials: assuming role ${settings.roleArn}`);
  return fromTemporaryCredentials({
    masterCredentials: base,
    params: {
      RoleArn: settings.roleArn,
      RoleSessionName: settings.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME,
      ...(settings.externalId ? { ExternalId: settings.externalId } : {}),
    },
    clientConfig,
  });
}

/**
 * Against a local server the identity only matters to DynamoDB Local, which keeps one database per access
 * key: reuse the user's env/profile keys when present so the AWS CLI sees the same tables, else sign with
 * dummy keys. The instance-metadata and SSO parts of the chain are skipped on purpose: they can take
 * seconds to time out on a laptop and no local server checks them.
 */
function localProvider(settings: CredentialSettings, logger: Logger): AwsCredentialsProvider {
  if (settings.roleArn) logger.debug('aws credentials: role_arn is not assumed for a local endpoint');
  const sources: AwsCredentialsProvider[] = settings.profile ? [fromIni({ profile: settings.profile })] : [fromEnv(), fromIni()];
  return async () => {
    for (const source of sources) {
      try {
        return await source();
      } catch {
        // next source; a local server needs no real identity
      }
    }
    logger.debug('aws credentials: none found; using dummy credentials for the local endpoint');
    return localDummyCredentials();
  };
}

export { memoizeCredentials } from './memoize-credentials.js';
