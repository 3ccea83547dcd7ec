/**
 * The feature server's definitions refresh (architecture.md §4.10), timed as `feast serve` times it:
 * a timer every `registry_ttl_sec` (Feast 0.67's `feast serve` default: 60 s), and cached definitions
 * that expire after the registry's `cache_ttl_seconds` (feature_store.yaml `registry:`, Feast's default
 * 600 s, 0 = never). Feast refreshes on whichever comes first, so the server reloads every
 * min(registry_ttl_sec, cache_ttl_seconds), leaving out a 0. The reload runs off the request path and
 * only when the files changed (FeatureStore.refreshDefinitions); a broken one keeps the last good
 * definitions, is logged, and is counted in /metrics.
 */
import type { Logger } from '../context.js';
import type { FeatureStore } from '../feature-store.js';
import type { ServeMetrics } from './metrics.js';

/** `feast serve --registry_ttl_sec`'s default in Feast 0.67 (feast/cli/serve.py). */
export const DEFAULT_REGISTRY_TTL_SEC = 60;
/** RegistryConfig.cache_ttl_seconds' default in Feast 0.67 (feast/repo_config.py). */
export const FEAST_CACHE_TTL_SECONDS = 600;

/** Seconds between refreshes, or undefined when the definitions are never reloaded. */
export function refreshIntervalSec(registryTtlSec: number, cacheTtlSeconds: number | undefined): number | undefined {
  const periods = [registryTtlSec, cacheTtlSeconds ?? FEAST_CACHE_TTL_SECONDS].filter((s) => s > 0);
  return periods.length === 0 ? undefined : Math.min(...periods);
}

export interface DefinitionsRefresh {
  stop(): void;
}

/** Refreshes `store`'s definitions every `intervalSec` until stopped; the timer never keeps the process alive. */
export function startDefinitionsRefresh(store: FeatureStore, intervalSec: number | undefined, metrics: ServeMetrics, logger: Logger): DefinitionsRefresh {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastError: string | undefined;
  const schedule = (): void => {
    if (intervalSec === undefined || stopped) return;
    timer = setTimeout(() => {
      store
        .refreshDefinitions()
        .then(
          (changed) => {
            metrics.definitionsRefreshed(changed ? 'reloaded' : 'unchanged');
            if (changed) logger.info('definitions reloaded');
            lastError = undefined;
          },
          (e: unknown) => {
            metrics.definitionsRefreshed('failed');
            const message = (e as Error).message;
            // Said once per distinct problem, not every interval while the files stay broken.
            if (message !== lastError) logger.warn(`definitions not reloaded, still serving the previous ones: ${message}`);
            lastError = message;
          },
        )
        .finally(schedule);
    }, intervalSec * 1000);
    timer.unref();
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
