/**
 * Secrets never leave the process: the one place that knows what a secret looks like and which secret
 * values this run holds. Two layers:
 *  - shapes (`redactSecrets`): access key ids, 40-character secret keys, session tokens, signatures,
 *    Authorization / X-Amz-Security-Token headers, bearer tokens, URL and Basic credentials — whatever a
 *    server or a library may echo back;
 *  - values (`hideValue`): the exact values of this run's credentials (environment, profile, assumed
 *    role) and of `${VAR}`-expanded config settings, wherever they appear and whatever their shape.
 * The CLI passes every byte it prints through `redact` (src/cli/output.ts).
 */

// 40 characters of base64 with upper case, lower case and a digit or / +: the shape of an AWS secret
// access key. All-hex strings (SHA-1 digests, git commits) have no upper case and are left alone.
const SECRET_KEY = /(?<![A-Za-z0-9+/])(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g;
// STS session tokens are long base64; the ones AWS issues start with these prefixes.
const TOKEN_PREFIX = /(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|AgoJb3JpZ2lu)[A-Za-z0-9+/=]*/g;
const LONG_BASE64 = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{100,}={0,2}/g;
// a header or parameter written as `name: value`, `name=value` or `"name":"value"`
const headerValue = (name: string): RegExp => new RegExp(`((?:${name})["']?\\s*[=:]\\s*["']?)[^\\s&'",}]+`, 'gi');

/**
 * Removes credential-shaped text: access key ids, session tokens, signatures, security-token and
 * authorization header values, bearer tokens, and the credentials of a URL (a proxy's
 * `http://user:password@host`) or a Basic authorization header. With `loose`, also any 40-character
 * secret-key-shaped or 100+-character base64 run: right for diagnostics (errors, warnings, debug lines),
 * wrong for data (a 30-byte Bytes feature prints as 40 base64 characters). Pure.
 */
export function redactSecrets(text: string, loose = true): string {
  const strict = text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*(?:@[^\s/?#@]*)*@/gi, '$1…@')
    .replace(/((?:proxy-)?authorization["']?\s*[=:]\s*["']?(?:basic|bearer)\s+)[A-Za-z0-9+/=._~-]+/gi, '$1…')
    .replace(/\b(bearer\s+)[A-Za-z0-9+/=._~-]{8,}/gi, '$1…')
    .replace(/\b(AKIA|ASIA|AIDA|AROA|ABIA|ACCA|AGPA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{12,}\b/g, '$1…')
    .replace(headerValue('x-amz-security-token'), '$1…')
    .replace(headerValue('aws_session_token|aws_secret_access_key|secret_?access_?key|session_?token'), '$1…')
    .replace(/(Signature=)[0-9a-f]+/gi, '$1…')
    .replace(/(Credential=)[^\s,]+/gi, '$1…')
    .replace(TOKEN_PREFIX, '…');
  return loose ? strict.replace(LONG_BASE64, '…').replace(SECRET_KEY, '…') : strict;
}

/** Secret value → what is shown in its place. */
const hidden = new Map<string, string>();
let ordered: Array<[string, string]> | undefined;

/**
 * From now on `redact` replaces `value` by `shownAs` wherever it appears. Values shorter than 4
 * characters are ignored: they carry no secret, and replacing them would garble every message.
 */
export function hideValue(value: string, shownAs = '…'): void {
  if (value.length < 4 || hidden.get(value) === shownAs) return;
  hidden.set(value, shownAs);
  ordered = undefined;
}

/** Forgets every hidden value (tests). */
export function clearHiddenValues(): void {
  hidden.clear();
  ordered = undefined;
}

/** The password of a proxy URL, as written and decoded. */
function passwordOf(proxyUrl: string | undefined): string[] {
  if (!proxyUrl) return [];
  try {
    const { password } = new URL(proxyUrl.includes('://') ? proxyUrl : `http://${proxyUrl}`);
    if (!password) return [];
    try {
      return [password, decodeURIComponent(password)];
    } catch {
      return [password];
    }
  } catch {
    return [];
  }
}

/** The secret values an environment holds: AWS secret key and session token, proxy passwords. */
export function envSecretValues(env: NodeJS.ProcessEnv): string[] {
  const proxyPasswords = [env.HTTPS_PROXY, env.https_proxy, env.HTTP_PROXY, env.http_proxy].flatMap(passwordOf);
  return [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, env.AWS_SECURITY_TOKEN, ...proxyPasswords].filter(
    (v): v is string => v !== undefined && v.length >= 8,
  );
}

/** Hides the secret values of `env` (see {@link envSecretValues}). */
export function hideEnvSecrets(env: NodeJS.ProcessEnv): void {
  for (const v of envSecretValues(env)) hideValue(v);
}

/**
 * `text` with every hidden value replaced (longest first, so a value inside another goes with it), then
 * every credential shape (`loose`: see {@link redactSecrets}).
 */
export function redact(text: string, loose = true): string {
  ordered ??= [...hidden].sort((a, b) => b[0].length - a[0].length);
  let t = text;
  for (const [value, shownAs] of ordered) if (t.includes(value)) t = t.split(value).join(shownAs);
  return redactSecrets(t, loose);
}
