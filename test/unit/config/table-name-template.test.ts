import fc from 'fast-check';
import { templateProblem } from '../../../src/core/config/cross-rules.js';

/** Literal text DynamoDB allows in a table name. */
const literal = fc.string({ unit: fc.constantFrom(...'abcXYZ019_.-'.split('')), maxLength: 6 });

describe('table_name_template must keep projects apart', () => {
  it('refuses every template without {project} (two projects would share, adopt and delete one table)', () => {
    fc.assert(
      fc.property(literal, literal, (before, after) => {
        expect(templateProblem(`${before}{table_name}${after}`)).toMatch(/\{project\}/);
        // a literal {{project}} is text, not the field
        expect(templateProblem(`${before}{{project}}{table_name}${after}`)).toBeDefined();
      }),
    );
  });

  it('accepts {project} and {table_name} in any order around allowed text', () => {
    fc.assert(
      fc.property(literal, literal, literal, fc.boolean(), (a, b, c, projectFirst) => {
        const [x, y] = projectFirst ? ['{project}', '{table_name}'] : ['{table_name}', '{project}'];
        expect(templateProblem(`${a}${x}${b}${y}${c}`)).toBeUndefined();
      }),
    );
  });
});
