/**
 * TLS for the feature server's tests: a self-signed certificate for 127.0.0.1 made by `openssl` at test
 * time (no committed key, no dependency), and an HTTPS POST that trusts only that certificate.
 */
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';

/** Writes `key.pem` and `cert.pem` (P-256, valid one day, SAN IP:127.0.0.1) into `dir`; returns their paths. */
export function selfSignedCert(dir: string): { key: string; cert: string } {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', ...subject],
    {
      stdio: 'ignore',
    },
  );
  return { key, cert };
}

/** POST `body` as JSON over HTTPS, trusting only `ca`. */
export function httpsPost(url: string, body: unknown, ca: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
