/** How often the feature server reloads its definitions: as `feast serve` of Feast 0.67 does. */
import { DEFAULT_REGISTRY_TTL_SEC, FEAST_CACHE_TTL_SECONDS, refreshIntervalSec } from '../../../src/core/serve/definitions-refresh.js';

describe('refreshIntervalSec', () => {
  it("defaults to feast serve's 60 s timer, sooner than the registry cache's 600 s", () => {
    expect([DEFAULT_REGISTRY_TTL_SEC, FEAST_CACHE_TTL_SECONDS]).toEqual([60, 600]);
    expect(refreshIntervalSec(DEFAULT_REGISTRY_TTL_SEC, undefined)).toBe(60);
  });

  it.each([
    [60, 10, 10, 'a cache_ttl_seconds shorter than the timer wins'],
    [5, 600, 5, 'a timer shorter than the cache wins'],
    [0, undefined, 600, 'no timer: the cached definitions still expire after 600 s'],
    [0, 30, 30, 'no timer: the cache ttl set in feature_store.yaml'],
    [60, 0, 60, 'cache_ttl_seconds 0 never expires: the timer alone'],
    [0, 0, undefined, 'both 0: never reloaded'],
  ])('(%s s timer, cache_ttl_seconds %s) → %s: %s', (ttl, cache, expected, _why) => {
    expect(refreshIntervalSec(ttl, cache)).toBe(expected);
  });
});
