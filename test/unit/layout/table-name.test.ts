import { formatTableName, tableNameOf } from '../../../src/core/layout/table-name.js';
import { makeConfig } from '../../helpers/plan-fixtures.js';

describe('formatTableName (Python str.format with project and table_name)', () => {
  it.each([
    ['{project}.{table_name}', 'p', 'v', 'p.v'],
    ['feast-{project}-{table_name}', 'p', 'v', 'feast-p-v'],
    ['{table_name}', 'p', 'v', 'v'],
    ['{table_name}_{table_name}', 'p', 'v', 'v_v'],
    ['{{x}}{project}', 'p', 'v', '{x}p'],
    ['fixed', 'p', 'v', 'fixed'],
  ])('%s', (template, project, view, expected) => {
    expect(formatTableName(template, project, view)).toBe(expected);
  });

  it.each(['{project', '{other}', '{0}', 'a}b', '{project!r}', '{project:>5}'])('rejects %s like Python would (or would not match)', (template) => {
    expect(() => formatTableName(template, 'p', 'v')).toThrow(expect.objectContaining({ code: 'config.badValue', path: 'online_store.table_name_template' }));
  });

  it('reads the template from the config', () => {
    expect(tableNameOf(makeConfig({ project: 'shop', template: '{project}__{table_name}' }), 'orders')).toBe('shop__orders');
  });
});
