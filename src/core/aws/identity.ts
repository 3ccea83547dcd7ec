/**
 * AWS credentials as dynafeast takes and passes them: the same shape as the SDK's
 * AwsCredentialIdentity and AwsCredentialIdentityProvider (each is assignable to the other), declared
 * here so dynafeast's own code and its published types do not depend on `@smithy/types`, which is the
 * SDK's dependency, not ours.
 */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly credentialScope?: string;
  readonly accountId?: string;
  /** When temporary credentials stop working; refreshed shortly before. */
  readonly expiration?: Date;
}

/** Resolves the current credentials; called again when they near `expiration`. */
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;
