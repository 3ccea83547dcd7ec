import fc from 'fast-check';
import { clearHiddenValues, hideEnvSecrets, hideValue, redact, redactSecrets } from '../../src/core/redact.js';

afterEach(() => clearHiddenValues());

describe('hidden values', () => {
  it('removes the secret values of the AWS variables wherever they appear', () => {
    hideEnvSecrets({ AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY', AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN' });
    const out = redact('key wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY and token IQoJb3JpZ2luX2VjEXAMPLETOKEN');
    expect(out).not.toContain('wJalrXUtnFEMI');
    expect(out).not.toContain('IQoJb3JpZ2lu');
  });

  it('removes a proxy password, as written in the URL and decoded', () => {
    hideEnvSecrets({ HTTPS_PROXY: 'http://alice:s3cr%40t-proxy-pw@proxy.corp:3128', http_proxy: 'bob:another-long-pw@proxy.corp:8080' });
    const out = redact('failed: s3cr@t-proxy-pw / s3cr%40t-proxy-pw / another-long-pw / http://alice:s3cr%40t-proxy-pw@proxy.corp:3128');
    expect(out).not.toMatch(/s3cr(@|%40)t-proxy-pw|another-long-pw/);
    expect(out).toContain('proxy.corp:3128');
  });

  it('leaves text alone when no secret is set, and ignores proxy URLs without a password or unparsable ones', () => {
    hideEnvSecrets({ HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: '::not a url::' });
    expect(redact('table driver_stats.driver_hourly_stats')).toBe('table driver_stats.driver_hourly_stats');
  });

  it('shows a ${VAR}-expanded value as written, the longest first', () => {
    hideValue('s3cr3t-value', '${TEAM}');
    hideValue('team-s3cr3t-value', 'team-${TEAM}');
    expect(redact('tag owner="team-s3cr3t-value", also s3cr3t-value')).toBe('tag owner="team-${TEAM}", also ${TEAM}');
  });

  it('ignores values too short to be secrets', () => {
    hideValue('1');
    expect(redact('1 row in 10 s')).toBe('1 row in 10 s');
  });

  it('any planted value of 4+ characters never survives, whatever surrounds it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, maxLength: 40 }), fc.string(), fc.string(), (secret, before, after) => {
        clearHiddenValues();
        hideValue(secret);
        expect(redact(before + secret + after)).not.toContain(secret);
      }),
    );
  });
});

describe('credential shapes', () => {
  const shapes: Array<[string, string]> = [
    ['access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['temporary access key id', 'ASIAY34FZKBOKMUTVV7A'],
    ['secret access key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['session token', 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD'],
    ['legacy session token', 'FwoGZXIvYXdzEBYaDHQa2nNtOF6EXAMPLE'],
    ['long base64 token', 'A'.repeat(60) + 'b9'.repeat(30)],
  ];
  it.each(shapes)('%s is removed from diagnostics', (_what, secret) => {
    for (const text of [`x ${secret} y`, `"${secret}"`, `token=${secret}&a=b`, `${secret}\n`]) expect(redactSecrets(text)).not.toContain(secret);
  });

  it.each([
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', 'eyJhbGciOiJIUzI1NiJ9'],
    ['authorization=Bearer abcdefgh12345678', 'abcdefgh12345678'],
    ['X-Amz-Security-Token: tok-1234-secret', 'tok-1234-secret'],
    ['{"x-amz-security-token":"tok-1234-secret"}', 'tok-1234-secret'],
    ['x-amz-security-token=tok-1234-secret&X-Amz-Date=1', 'tok-1234-secret'],
    ['aws_secret_access_key = plainsecretvalue', 'plainsecretvalue'],
    ['aws_session_token: "plaintokenvalue"', 'plaintokenvalue'],
    ['Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7', '5d672d79c15b'],
  ])('header %s loses its value', (text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
  });

  it('keeps names, hex digests, uuids and numbers', () => {
    const text =
      'table driver_stats.driver_hourly_stats version 3f786850e387550fdab836ed7e6dc881de23001b id 0b1c1a4e-8d1e-4b7e-9d5c-2f7b8e9a1c3d count 9007199254740993';
    expect(redactSecrets(text)).toBe(text);
  });

  it('data mode leaves 40-character base64 (a 30-byte Bytes value) alone', () => {
    const bytes = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk';
    expect(redactSecrets(bytes, false)).toBe(bytes);
    expect(redactSecrets(bytes)).not.toContain(bytes);
  });
});
