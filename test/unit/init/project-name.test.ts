import { DEFAULT_INIT_NAME, projectNameFromDirName } from '../../../src/core/init/project-name.js';

describe('projectNameFromDirName', () => {
  it.each([
    ['my_project', 'my_project'],
    ['driver-features', 'driver_features'],
    ['a', 'a'],
    ['Repo2-x_y', 'Repo2_x_y'],
    ['trueish', 'trueish'],
  ])('%s → %s', (name, project) => {
    expect(projectNameFromDirName(name)).toBe(project);
  });

  it.each([[''], ['1repo'], ['_repo'], ['-repo'], ['my repo'], ['my.repo'], ['a/b'], ['../x'], ['café'], ['true'], ['No'], ['null'], ['x'.repeat(129)]])(
    'rejects %j with init.badName',
    (name) => {
      expect(() => projectNameFromDirName(name)).toThrow(expect.objectContaining({ code: 'init.badName', path: 'NAME' }));
    },
  );

  it('names the offending character', () => {
    expect(() => projectNameFromDirName('my.repo')).toThrow(/"\."/);
  });

  it('has a valid default', () => {
    expect(projectNameFromDirName(DEFAULT_INIT_NAME)).toBe(DEFAULT_INIT_NAME);
  });
});
