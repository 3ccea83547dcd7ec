/** The Feast registry (registry.db): what other parts of dynafeast use. */
export { readRegistry, readRegistryIfExists, registryPathOf, writeRegistryAtomic, emptyRegistry } from './registry-file.js';
export { recordMaterialization, recordMaterializations, type MaterializedInterval, latestMaterializedEndMicros, findFeatureView, commitRegistryChanges, removeProject, type CommitResult } from './commit.js';
export { withRegistryLock, type LockOptions } from './lock.js';
export { buildRegistryObjects, valueTypeOf, type DesiredRegistryObjects } from './build.js';
export { reconcileRegistry, removeProjectFromRegistry, type RegistryChange, type RegistryObjectType } from './reconcile.js';
export type { PropertyChange } from './property-diff.js';
export { registryToJson } from './dump.js';
export { timestampFromMicros, timestampToMicros, durationFromMicros, durationToMicros } from './time.js';
