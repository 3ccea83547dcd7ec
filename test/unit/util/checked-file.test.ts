import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkRegularOrAbsent, readRegularFile, readRegularFileSync } from '../../../src/core/util/checked-file.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

const dir = tempRepoDir('dynafeast-checked-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (name: string) => path.join(dir, name);
const role = { what: 'the thing', path: '--thing' };

beforeAll(() => {
  writeFileSync(at('plain.txt'), 'hello');
  execFileSync('mkfifo', [at('pipe')]);
  symlinkSync(at('pipe'), at('link-to-pipe'));
  symlinkSync('/dev/zero', at('link-to-zero'));
  symlinkSync(at('plain.txt'), at('link-to-plain'));
  mkdirSync(at('folder'));
});

describe('the checked file open', () => {
  it('reads regular files, through symlinks too', async () => {
    expect(readRegularFileSync(at('plain.txt'), role).toString()).toBe('hello');
    expect((await readRegularFile(at('link-to-plain'), role)).toString()).toBe('hello');
  });

  it.each([
    ['pipe', /named pipe/],
    ['link-to-pipe', /named pipe/],
    ['link-to-zero', /character device/],
    ['folder', /directory/],
  ])('refuses %s at once (no blocking read), naming it and the flag', async (name, kind) => {
    for (const read of [() => readRegularFileSync(at(name), role), () => readRegularFile(at(name), role)]) {
      let err: unknown;
      try {
        await read();
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'usage.notRegularFile', path: '--thing', kind: 'usage' });
      expect((err as Error).message).toMatch(kind);
      expect((err as Error).message).toContain(at(name));
    }
    expect(() => checkRegularOrAbsent(at(name), role)).toThrow(kind);
  });

  it('leaves a missing file to the caller (ENOENT), and checkRegularOrAbsent says it is absent', () => {
    expect(() => readRegularFileSync(at('nope'), role)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(checkRegularOrAbsent(at('nope'), role)).toBe(false);
    expect(checkRegularOrAbsent(at('plain.txt'), role)).toBe(true);
  });
});
