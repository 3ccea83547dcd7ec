/**
 * One credential resolution shared by every client of a run. No SDK import: the lean HTTP client uses it
 * too.
 */
import type { AwsCredentials, AwsCredentialsProvider } from './identity.js';
import { hideValue } from '../redact.js';

/** Credentials are refreshed this long before they expire, as the SDK does. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * One resolution shared by every client of a run (SDK clients and the lean HTTP client alike), so an
 * assumed role or an SSO lookup happens once; resolved again shortly before the credentials expire, and
 * after a failure.
 */
export function memoizeCredentials(provider: AwsCredentialsProvider, nowMs: () => number = Date.now): AwsCredentialsProvider {
  let pending: Promise<AwsCredentials> | undefined;
  let resolved: AwsCredentials | undefined;
  return async () => {
    const exp = resolved?.expiration?.getTime();
    if (resolved && (exp === undefined || exp - nowMs() > REFRESH_MARGIN_MS)) return resolved;
    pending ??= provider().then(
      (identity) => {
        // whatever source they came from (profile, SSO, assumed role), their values are never printed
        hideValue(identity.secretAccessKey);
        if (identity.sessionToken) hideValue(identity.sessionToken);
        resolved = identity;
        pending = undefined;
        return identity;
      },
      (e: unknown) => {
        pending = undefined;
        throw e;
      },
    );
    return pending;
  };
}
