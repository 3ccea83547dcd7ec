import { secretScrubber } from '../../../src/cli/main.js';

describe('secretScrubber', () => {
  it('removes the secret values of the AWS variables wherever they appear', () => {
    const scrub = secretScrubber({ AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY', AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN' });
    const out = scrub('key wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY and token IQoJb3JpZ2luX2VjEXAMPLETOKEN');
    expect(out).not.toContain('wJalrXUtnFEMI');
    expect(out).not.toContain('IQoJb3JpZ2lu');
  });

  it('removes a proxy password, as written in the URL and decoded', () => {
    const scrub = secretScrubber({ HTTPS_PROXY: 'http://alice:s3cr%40t-proxy-pw@proxy.corp:3128', http_proxy: 'bob:another-long-pw@proxy.corp:8080' });
    const out = scrub('failed: s3cr@t-proxy-pw / s3cr%40t-proxy-pw / another-long-pw / http://alice:s3cr%40t-proxy-pw@proxy.corp:3128');
    expect(out).not.toMatch(/s3cr(@|%40)t-proxy-pw|another-long-pw/);
    expect(out).toContain('proxy.corp:3128');
  });

  it('leaves text alone when no secret is set, and ignores proxy URLs without a password or unparsable ones', () => {
    const scrub = secretScrubber({ HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: '::not a url::' });
    expect(scrub('table driver_stats.driver_hourly_stats')).toBe('table driver_stats.driver_hourly_stats');
  });
});
