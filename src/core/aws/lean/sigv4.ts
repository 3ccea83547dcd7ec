/**
 * AWS Signature Version 4 for the two request shapes the lean clients send: DynamoDB's `POST /` with a
 * JSON body and the `x-amz-target` header, and S3's ranged `GET` of an object (lean-s3.ts). Written for
 * those shapes only (no query string, fixed headers), so signing
 * costs two SHA-256 digests and one HMAC per request; the derived key is cached per day. Tests check the
 * output against the SDK's own signer. The embedded server checks incoming signatures with the same
 * `signatureOf` (embedded/verify-signature.ts), so there is one SigV4 implementation.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentials } from '../identity.js';

export interface SignInput {
  host: string;
  region: string;
  service: string;
  /** e.g. `DynamoDB_20120810.BatchWriteItem`. */
  target: string;
  body: string;
  credentials: AwsCredentials;
  /** Signing time (ms since the epoch; the signature has one-second resolution). */
  nowMs: number;
}

export const CONTENT_TYPE = 'application/x-amz-json-1.0';

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** `20240501T120000Z` of a time in ms. */
export function amzDate(nowMs: number): string {
  return new Date(nowMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

let keyCache: { id: string; key: Buffer } | undefined;

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${secret}\n${day}\n${region}\n${service}`;
  if (keyCache?.id === id) return keyCache.key;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  keyCache = { id, key };
  return key;
}

/** What a SigV4 signature covers, for signing and for checking someone else's signature. */
export interface CanonicalInput {
  method: string;
  /** Canonical URI (already URI-encoded, as sent), e.g. `/`. */
  path: string;
  /** Canonical query string (sorted, encoded); '' when none. */
  query: string;
  /** Signed headers in canonical order: lowercase names, sorted. */
  headers: Array<[string, string]>;
  /** Hex SHA-256 of the body. */
  payloadHash: string;
  /** `20240501T120000Z`. */
  date: string;
  region: string;
  service: string;
  secretAccessKey: string;
}

/** The hex signature of a request (AWS's canonical request → string to sign → HMAC with the derived key). */
export function signatureOf(input: CanonicalInput): string {
  const day = input.date.slice(0, 8);
  const canonical = [
    input.method,
    input.path,
    input.query,
    // header values: trimmed, inner runs of spaces collapsed to one
    input.headers.map(([n, v]) => `${n}:${v.trim().replace(/ +/g, ' ')}\n`).join(''),
    input.headers.map(([n]) => n).join(';'),
    input.payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', input.date, scope, sha256Hex(canonical)].join('\n');
  return createHmac('sha256', signingKey(input.secretAccessKey, day, input.region, input.service))
    .update(toSign, 'utf8')
    .digest('hex');
}

/** Hex SHA-256 of a body (string or bytes). */
export function payloadHashOf(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The headers of a signed request (host and content-length are added by the HTTP client). */
export function signRequest(input: SignInput): Record<string, string> {
  const date = amzDate(input.nowMs);
  const day = date.slice(0, 8);
  const token = input.credentials.sessionToken;
  // Canonical headers: lowercase names, sorted.
  const headers: Array<[string, string]> = [
    ['content-type', CONTENT_TYPE],
    ['host', input.host],
    ['x-amz-date', date],
    ...(token ? ([['x-amz-security-token', token]] as Array<[string, string]>) : []),
    ['x-amz-target', input.target],
  ];
  const signedHeaders = headers.map(([n]) => n).join(';');
  const signature = signatureOf({
    method: 'POST',
    path: '/',
    query: '',
    headers,
    payloadHash: sha256Hex(input.body),
    date,
    region: input.region,
    service: input.service,
    secretAccessKey: input.credentials.secretAccessKey,
  });
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const out: Record<string, string> = {
    'content-type': CONTENT_TYPE,
    'x-amz-date': date,
    'x-amz-target': input.target,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
  if (token) out['x-amz-security-token'] = token;
  return out;
}

/** SHA-256 of an empty body: what a GET signs as its payload. */
export const EMPTY_PAYLOAD_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The headers of a signed S3 `GET` of `path` (already URI-encoded once, as S3 wants: no double encoding)
 * without a query string. Other headers (Range, If-Match) are sent unsigned, as SigV4 allows.
 */
export function signS3Get(input: { host: string; path: string; region: string; credentials: AwsCredentials; nowMs: number }): Record<string, string> {
  const date = amzDate(input.nowMs);
  const day = date.slice(0, 8);
  const token = input.credentials.sessionToken;
  const headers: Array<[string, string]> = [
    ['host', input.host],
    ['x-amz-content-sha256', EMPTY_PAYLOAD_HASH],
    ['x-amz-date', date],
    ...(token ? ([['x-amz-security-token', token]] as Array<[string, string]>) : []),
  ];
  const signature = signatureOf({
    method: 'GET',
    path: input.path,
    query: '',
    headers,
    payloadHash: EMPTY_PAYLOAD_HASH,
    date,
    region: input.region,
    service: 's3',
    secretAccessKey: input.credentials.secretAccessKey,
  });
  const out: Record<string, string> = {
    'x-amz-content-sha256': EMPTY_PAYLOAD_HASH,
    'x-amz-date': date,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${day}/${input.region}/s3/aws4_request, SignedHeaders=${headers.map(([n]) => n).join(';')}, Signature=${signature}`,
  };
  if (token) out['x-amz-security-token'] = token;
  return out;
}
