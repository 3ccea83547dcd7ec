/**
 * The files `dynafeast serve` is pointed at (TLS key and certificate, the bearer token), read through
 * the one checked open for user-named paths. The token may come from DYNAFEAST_SERVE_TOKEN instead; it
 * is never printed.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { DynafeastError, isDynafeastError } from '../errors.js';
import { describeFsError } from '../fs-error.js';
import { readRegularFileSync } from '../util/checked-file.js';

export const TOKEN_ENV = 'DYNAFEAST_SERVE_TOKEN';

function readNamed(file: string, what: string, flag: string): Buffer {
  try {
    return readRegularFileSync(file, { what, path: flag });
  } catch (e) {
    if (isDynafeastError(e)) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DynafeastError('usage.badFlag', `${flag} ${file}: no such file`, { path: flag, hint: `check the path given to ${flag}` });
    }
    throw describeFsError(e, { doing: `read the ${what}`, path: file }) ?? e;
  }
}

function badTls(flag: string, file: string, what: string, e: unknown): DynafeastError {
  return new DynafeastError('usage.badFlag', `${flag} ${file}: ${what} (${(e as Error).message})`, {
    path: flag,
    hint: 'give a PEM private key (--tls-key-path) and the PEM certificate made for it (--tls-cert-path), e.g. `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout key.pem -out cert.pem -subj /CN=localhost`',
  });
}

/** The key and certificate, checked now so a bad file stops start-up naming it, not the first handshake. */
function checkedTls(keyPath: string, certPath: string): { key: Buffer; cert: Buffer } {
  const key = readNamed(keyPath, 'TLS key', '--tls-key-path');
  const cert = readNamed(certPath, 'TLS certificate', '--tls-cert-path');
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(key);
  } catch (e) {
    throw badTls('--tls-key-path', keyPath, 'not a readable unencrypted PEM private key', e);
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw badTls('--tls-cert-path', certPath, 'not a PEM certificate', e);
  }
  if (!x509.checkPrivateKey(keyObject)) {
    throw badTls('--tls-cert-path', certPath, `the certificate is not for the key in ${keyPath}`, new Error('public key mismatch'));
  }
  return { key, cert };
}

export interface ServeFileFlags {
  tlsKeyPath?: string;
  tlsCertPath?: string;
  authTokenFile?: string;
}

export interface ServeFiles {
  tls?: { key: Buffer; cert: Buffer };
  authToken?: string;
}

export function readServeFiles(flags: ServeFileFlags, env: Record<string, string | undefined>): ServeFiles {
  if ((flags.tlsKeyPath === undefined) !== (flags.tlsCertPath === undefined)) {
    throw new DynafeastError('usage.badFlag', `${flags.tlsKeyPath === undefined ? '--tls-cert-path' : '--tls-key-path'} was given without its pair`, {
      hint: 'HTTPS needs both --tls-key-path and --tls-cert-path',
    });
  }
  const out: ServeFiles = {};
  if (flags.tlsKeyPath !== undefined && flags.tlsCertPath !== undefined) {
    out.tls = checkedTls(flags.tlsKeyPath, flags.tlsCertPath);
  }
  const token =
    flags.authTokenFile !== undefined ? readNamed(flags.authTokenFile, 'token file', '--auth-token-file').toString('utf8').trim() : env[TOKEN_ENV]?.trim();
  if (token !== undefined) {
    if (token.length < 16) {
      throw new DynafeastError('usage.badArgument', `the bearer token (${flags.authTokenFile ?? TOKEN_ENV}) is shorter than 16 characters`, {
        path: flags.authTokenFile !== undefined ? '--auth-token-file' : TOKEN_ENV,
        hint: 'use a long random token, e.g. `openssl rand -hex 32`',
      });
    }
    out.authToken = token;
  }
  return out;
}
