/**
 * Reads online features with the dynafeast library (docs/library.md). After the demo flow
 *
 *   dynafeast init demo -t local && cd demo/feature_repo
 *   dynafeast apply && dynafeast materialize-incremental now
 *
 * compile it (`tsc` with target ES2022, module NodeNext) and run `node read.js demo/feature_repo`.
 */
import { FeatureStore, isDynafeastError, type OnlineFeaturesResult } from 'dynafeast';

const repoPath = process.argv[2] ?? '.';

// Opened once: config, definitions, the socket pool and (for `-t local` repos) the embedded DynamoDB.
// `await using` closes all of it when this module's body ends, also when a line below throws.
await using store = await FeatureStore.open({ repoPath });

const features: OnlineFeaturesResult = await store.getOnlineFeatures({
  features: ['driver_hourly_stats:conv_rate', 'driver_hourly_stats:avg_daily_trips'],
  entityRows: [{ driver_id: 1001 }, { driver_id: 1002 }],
  includeStatus: true,
});
console.log(JSON.stringify(features));

// Bad requests fail with a DynafeastError whose code is stable; its message says what to fix.
try {
  await store.getOnlineFeatures({ features: ['driver_hourly_stats:no_such_feature'], entityRows: [{ driver_id: 1001 }] });
} catch (e) {
  if (!isDynafeastError(e)) throw e;
  console.log(`${e.code}: ${e.message}`);
}
