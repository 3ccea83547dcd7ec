/**
 * The files `dynafeast serve` is pointed at (TLS key and certificate, the bearer token), read through
 * the one checked open for user-named paths. The token may come from DYNAFEAST_SERVE_TOKEN instead; it
 * is never printed.
 */
import { DynafeastError, isDynafeastError } from '../errors.js';
import { describeFsError } from '../fs-error.js';
import { readRegularFileSync } from '../util/checked-file.js';

export const TOKEN_ENV = 'DYNAFEAST_SERVE_TOKEN';

function readNamed(file: string, what: string, flag: string): Buffer {
  try {
    return readRegularFileSync(file, { what, path: flag });
  } catch (e) {
    if (isDynafeastError(e)) throw e;
    throw describeFsError(e, { doing: `read the ${what}`, path: file }) ?? e;
  }
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
    out.tls = { key: readNamed(flags.tlsKeyPath, 'TLS key', '--tls-key-path'), cert: readNamed(flags.tlsCertPath, 'TLS certificate', '--tls-cert-path') };
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
