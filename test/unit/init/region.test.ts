import { PLACEHOLDER_REGION, resolveRegion } from '../../../src/core/init/region.js';

describe('resolveRegion', () => {
  it('prefers the flag, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'ap-south-1' };
    expect(resolveRegion('us-gov-west-1', env)).toMatchObject({ value: 'us-gov-west-1', source: 'flag' });
    expect(resolveRegion(undefined, env)).toMatchObject({ value: 'eu-west-1', source: 'AWS_REGION' });
    expect(resolveRegion('', { AWS_REGION: '', AWS_DEFAULT_REGION: 'ap-south-1' })).toMatchObject({
      value: 'ap-south-1',
      source: 'AWS_DEFAULT_REGION',
    });
  });

  it('falls back to a real region marked as a placeholder', () => {
    const r = resolveRegion(undefined, {});
    expect(r).toMatchObject({ value: PLACEHOLDER_REGION, source: 'placeholder' });
    expect(r.comment).toMatch(/^# PLACEHOLDER/);
  });

  it('rejects values that are not region names', () => {
    expect(() => resolveRegion('us east 1', {})).toThrow(expect.objectContaining({ code: 'usage.badFlag', path: '--region' }));
    expect(() => resolveRegion(undefined, { AWS_REGION: 'eu-west-1\nproject: x' })).toThrow(
      expect.objectContaining({ code: 'usage.badArgument', path: 'AWS_REGION' }),
    );
  });
});
