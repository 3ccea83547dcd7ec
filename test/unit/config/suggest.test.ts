import { didYouMean, formatChoices, suggest } from '../../../src/core/util/suggest.js';

describe('suggest', () => {
  const keys = ['project', 'registry', 'provider', 'online_store', 'offline_store', 'dynafeast'];

  it.each([
    ['dynafest', 'dynafeast'],
    ['regsitry', 'registry'],
    ['onlinestore', 'online_store'],
    ['Project', 'project'],
    ['PROVIDER', 'provider'],
    ['offline', 'offline_store'],
  ])('%s → %s', (input, expected) => {
    expect(suggest(input, keys)).toBe(expected);
  });

  it('counts an adjacent swap as one edit', () => {
    expect(suggest('dtpye', ['name', 'dtype', 'description', 'tags'])).toBe('dtype');
  });

  it('proposes nothing for unrelated words', () => {
    expect(suggest('colour', keys)).toBeUndefined();
    expect(suggest('ab', keys)).toBeUndefined();
    expect(suggest('', keys)).toBeUndefined();
    expect(suggest('x', [])).toBeUndefined();
  });

  it('prefers a case-only difference over a closer spelling', () => {
    expect(suggest('int64', ['Int32', 'Int64'])).toBe('Int64');
  });

  it('is deterministic on ties (first candidate wins)', () => {
    expect(suggest('bat', ['cat', 'hat'])).toBe('cat');
  });

  it('formats the hint and choice lists', () => {
    expect(didYouMean('dynafest', keys)).toBe(' Did you mean `dynafeast`?');
    expect(didYouMean('zzz', keys)).toBe('');
    expect(formatChoices(['a'])).toBe('`a`');
    expect(formatChoices(['a', 'b', 'c'])).toBe('`a`, `b` or `c`');
  });
});
