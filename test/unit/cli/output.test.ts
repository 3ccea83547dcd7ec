import fc from 'fast-check';
import { createOutput, escapeControl } from '../../../src/cli/output.js';
import { clearHiddenValues, hideValue } from '../../../src/core/redact.js';

afterEach(() => clearHiddenValues());

function capture(opts: { json: boolean; color: boolean }) {
  const seen = { stdout: '', stderr: '' };
  const out = createOutput(opts, { stdout: { write: (s: string) => (seen.stdout += s) }, stderr: { write: (s: string) => (seen.stderr += s) } });
  return { out, seen };
}

// what a terminal acts on: C0 but tab/newline, DEL, C1, bidi overrides
const DANGEROUS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('escapeControl', () => {
  it.each([
    ['\u001b]0;pwned\u0007', '\\x1b]0;pwned\\x07'],
    ['a\rb', 'a\\rb'],
    ['\u001b[2J\u001b[H', '\\x1b[2J\\x1b[H'],
    ['name\u202egnp.exe', 'name\\u202egnp.exe'],
    ['\u009b31m', '\\x9b31m'],
    ['tab\tand\nnewline', 'tab\tand\nnewline'],
  ])('%j is printed as %j', (raw, shown) => {
    expect(escapeControl(raw)).toBe(shown);
  });

  it('no control character a terminal acts on survives, with or without colour', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(escapeControl(s)).not.toMatch(DANGEROUS);
        // with colour only SGR sequences (ESC [ digits m) keep their escape character
        expect(escapeControl(s, true).replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(DANGEROUS);
      }),
    );
  });

  it('keeps colour codes only when colour is on', () => {
    expect(escapeControl('\u001b[31mred\u001b[39m', true)).toBe('\u001b[31mred\u001b[39m');
    expect(escapeControl('\u001b[31mred\u001b[39m')).toBe('\\x1b[31mred\\x1b[39m');
  });
});

describe('createOutput', () => {
  it('escapes control characters in every human channel, JSON stays JSON', () => {
    const { out, seen } = capture({ json: false, color: false });
    const evil = 'view\u001b]8;;http://x\u0007link\u001b[2K';
    out.say(evil);
    out.note(evil);
    out.warn(evil);
    expect(seen.stdout + seen.stderr).not.toMatch(DANGEROUS);
    expect(seen.stdout).toContain('view\\x1b]8;;http://x\\x07link');
    const json = capture({ json: true, color: false });
    json.out.printJson({ name: evil });
    expect(JSON.parse(json.seen.stdout)).toEqual({ name: evil });
    expect(json.seen.stdout).not.toMatch(DANGEROUS);
  });

  it('hides secret values on stdout, stderr and in JSON', () => {
    hideValue('tag-secret-value-123', '${OWNER}');
    const { out, seen } = capture({ json: false, color: false });
    out.say('owner=tag-secret-value-123');
    out.note('debug: tag-secret-value-123');
    out.printJson({ tags: { owner: 'tag-secret-value-123' } });
    expect(seen.stdout + seen.stderr).not.toContain('tag-secret-value-123');
    expect(seen.stdout).toContain('owner=${OWNER}');
  });

  it('writes nothing more to a stream that was closed (a reader that went away)', () => {
    const seen: string[] = [];
    const stdout = { destroyed: false, write: (s: string) => seen.push(s) };
    const out = createOutput({ json: false, color: false }, { stdout, stderr: { write: () => true } });
    out.say('first');
    stdout.destroyed = true;
    out.say('second');
    expect(seen).toEqual(['first\n']);
  });
});
