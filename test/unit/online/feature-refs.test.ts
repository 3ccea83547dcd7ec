import { resolveFeatures } from '../../../src/core/online/feature-refs.js';
import { testRepo } from '../../helpers/online-repo.js';

const repo = testRepo();
const cols = (sel: Parameters<typeof resolveFeatures>[1]) => resolveFeatures(repo, sel).map((r) => [r.view.name, r.feature.name, r.column]);

describe('resolveFeatures', () => {
  it('keeps the order of the references', () => {
    expect(cols({ features: ['user_profile:score', 'driver_hourly_stats:acc_rate', 'driver_hourly_stats:conv_rate'] })).toEqual([
      ['user_profile', 'score', 'score'],
      ['driver_hourly_stats', 'acc_rate', 'acc_rate'],
      ['driver_hourly_stats', 'conv_rate', 'conv_rate'],
    ]);
  });

  it('expands a feature service and names columns view__feature on request', () => {
    expect(cols({ featureService: 'everything', fullFeatureNames: true })).toEqual([
      ['driver_hourly_stats', 'conv_rate', 'driver_hourly_stats__conv_rate'],
      ['user_profile', 'score', 'user_profile__score'],
    ]);
  });

  it.each([
    [{}, 'usage.badArgument', 'no features were asked for'],
    [{ features: ['driver_hourly_stats:conv_rate'], featureService: 'everything' }, 'usage.badArgument', 'both'],
    [{ features: [] }, 'usage.badArgument', 'empty'],
    [{ features: ['driver_hourly_stats'] }, 'usage.badArgument', 'has no view name'],
    [{ features: ['a:b:c'] }, 'usage.badArgument', 'not of the form'],
    [{ features: [':conv_rate'] }, 'usage.badArgument', 'not of the form'],
  ])('rejects %j', (sel, code, text) => {
    expect(() => resolveFeatures(repo, sel)).toThrow(expect.objectContaining({ code, message: expect.stringContaining(text) }));
  });

  it('suggests the view of a bare feature name', () => {
    expect(() => resolveFeatures(repo, { features: ['conv_rate'] })).toThrow(
      expect.objectContaining({ code: 'usage.badArgument', hint: 'did you mean `driver_hourly_stats:conv_rate`?' }),
    );
  });

  it('suggests close names for an unknown view, feature or service', () => {
    expect(() => resolveFeatures(repo, { features: ['driver_hourly_stat:conv_rate'] })).toThrow(
      expect.objectContaining({
        code: 'repo.unknownFeatureView',
        path: 'features[0]',
        message: expect.stringContaining('Did you mean `driver_hourly_stats`?'),
      }),
    );
    expect(() => resolveFeatures(repo, { features: ['driver_hourly_stats:conv_rat'] })).toThrow(
      expect.objectContaining({ code: 'repo.unknownFeature', message: expect.stringContaining('Did you mean `conv_rate`?') }),
    );
    expect(() => resolveFeatures(repo, { featureService: 'driver_activty' })).toThrow(
      expect.objectContaining({ code: 'repo.unknownFeatureService', kind: 'usage', message: expect.stringContaining('Did you mean `driver_activity`?') }),
    );
  });

  it('refuses two columns with the same name, as Feast does', () => {
    expect(() => resolveFeatures(repo, { features: ['driver_hourly_stats:conv_rate', 'driver_hourly_stats:conv_rate'] })).toThrow(
      expect.objectContaining({ code: 'usage.badArgument', hint: 'ask for each feature once' }),
    );
  });

  it('refuses a view that is not online', () => {
    const offline = { ...repo, featureViews: repo.featureViews.map((v) => (v.name === 'user_profile' ? { ...v, online: false } : v)) };
    expect(() => resolveFeatures(offline, { features: ['user_profile:score'] })).toThrow(
      expect.objectContaining({ code: 'usage.badArgument', message: expect.stringContaining('not online') }),
    );
  });
});
