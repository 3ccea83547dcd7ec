import { DynafeastError, formatLocation } from '../../src/core/errors.js';

describe('DynafeastError', () => {
  it.each([
    ['config.unknownKey', 'usage'],
    ['repo.duplicateName', 'usage'],
    ['usage.badFlag', 'usage'],
    ['dynamo.accessDenied', 'runtime'],
    ['internal', 'runtime'],
  ] as const)('%s is a %s error', (code, kind) => {
    expect(new DynafeastError(code, 'x').kind).toBe(kind);
  });

  it('formats a location', () => {
    expect(formatLocation({ file: 'a.yaml', line: 3, column: 5 })).toBe('a.yaml:3:5');
    expect(formatLocation({ file: 'a.yaml' })).toBe('a.yaml');
  });
});
