/**
 * Checks the SigV4 signature of a request to the embedded DynamoDB against the repo's local key
 * (embedded/local-credentials.ts), with the same `signatureOf` the lean client signs with. Only the
 * Authorization-header form is accepted (no presigned query URLs: no DynamoDB client sends them).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AwsCredentials } from '../aws/identity.js';
import { payloadHashOf, signatureOf } from '../aws/lean/sigv4.js';

/** AWS refuses signatures more than 15 minutes off its clock; so does the embedded store (no replays later). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequest {
  method: string;
  /** Path and query as received, e.g. `/` or `/?a=b`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Why a request's signature is refused, in DynamoDB's error vocabulary; undefined when it is valid. */
export interface SignatureProblem {
  /** DynamoDB's error type: MissingAuthenticationToken, UnrecognizedClientException, InvalidSignatureException. */
  type: 'MissingAuthenticationTokenException' | 'UnrecognizedClientException' | 'InvalidSignatureException';
  message: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;_.-]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function verifySignature(req: SignedRequest, key: AwsCredentials, nowMs: number): SignatureProblem | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || header === '') {
    return { type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' };
  }
  const m = AUTH.exec(header.trim());
  if (!m) return { type: 'InvalidSignatureException', message: 'Authorization header is not a well-formed AWS4-HMAC-SHA256 signature' };
  const [, accessKeyId, day, region, service, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
  if (accessKeyId !== key.accessKeyId) {
    return { type: 'UnrecognizedClientException', message: "The security token included in the request is invalid (not this repo's local access key)" };
  }
  const date = headerValue(req.headers, 'x-amz-date');
  const parsed = date === undefined ? undefined : AMZ_DATE.exec(date);
  if (!date || !parsed || date.slice(0, 8) !== day) {
    return { type: 'InvalidSignatureException', message: 'x-amz-date is missing, malformed or not the day of the credential scope' };
  }
  const [, y, mo, d, h, mi, s] = parsed.map(Number) as [number, number, number, number, number, number, number];
  const signedAt = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Math.abs(nowMs - signedAt) > MAX_CLOCK_SKEW_MS) {
    return { type: 'InvalidSignatureException', message: "Signature expired: x-amz-date is more than 15 minutes from this machine's clock" };
  }
  const signed = signedList.split(';');
  if (!signed.includes('host') || [...signed].sort().join(';') !== signedList) {
    return { type: 'InvalidSignatureException', message: 'SignedHeaders must be sorted and include host' };
  }
  const headers: Array<[string, string]> = [];
  for (const name of signed) {
    const value = headerValue(req.headers, name);
    if (value === undefined) return { type: 'InvalidSignatureException', message: `signed header ${name} is missing from the request` };
    headers.push([name, value]);
  }
  const q = req.url.indexOf('?');
  const expected = signatureOf({
    method: req.method,
    path: q < 0 ? req.url : req.url.slice(0, q),
    query: q < 0 ? '' : canonicalQuery(req.url.slice(q + 1)),
    headers,
    payloadHash: payloadHashOf(req.body),
    date,
    region,
    service,
    secretAccessKey: key.secretAccessKey,
  });
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(signature, 'hex'))) {
    return {
      type: 'InvalidSignatureException',
      message: "The request signature we calculated does not match the signature you provided (wrong secret key for this repo's local store?)",
    };
  }
  return undefined;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

/** Query parameters sorted by name then value, each part RFC 3986 encoded, as SigV4 wants them. */
function canonicalQuery(raw: string): string {
  const enc = (x: string) => encodeURIComponent(x).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const dec = (x: string) => {
    try {
      return decodeURIComponent(x.replace(/\+/g, ' '));
    } catch {
      return x;
    }
  };
  return raw
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? [enc(dec(p)), ''] : [enc(dec(p.slice(0, eq))), enc(dec(p.slice(eq + 1)))];
    })
    .sort(([a = '', av = ''], [b = '', bv = '']) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}
