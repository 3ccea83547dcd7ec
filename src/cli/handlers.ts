/**
 * The real command handlers, imported lazily so `dynafeast --help` does not load the AWS SDK or DuckDB.
 */
import type { CommandHandlers } from './program.js';

export const defaultHandlers: CommandHandlers = {
  init: async (o, g) => (await import('./commands/init.js')).runInit(o, g),
  local: async (o, g) => (await import('./commands/local.js')).runLocal(o, g),
  serve: async (o, g) => (await import('./commands/serve.js')).runServe(o, g),
  validate: async (o, g) => (await import('./commands/validate.js')).runValidate(o, g),
  plan: async (o, g) => (await import('./commands/plan.js')).runPlan(o, g),
  apply: async (o, g) => (await import('./commands/apply.js')).runApply(o, g),
  teardown: async (o, g) => (await import('./commands/teardown.js')).runTeardownCommand(o, g),
  list: async (o, g) => (await import('./commands/list.js')).runList(o, g),
  import: async (o, g) => (await import('./commands/import.js')).runImport(o, g),
  registryDump: async (o, g) => (await import('./commands/registry-dump.js')).runRegistryDump(o, g),
  iamPolicy: async (o, g) => (await import('./commands/iam-policy.js')).runIamPolicy(o, g),
  getOnlineFeatures: async (o, g) => (await import('./commands/get-online-features.js')).runGetOnlineFeatures(o, g),
  materialize: async (o, g) => (await import('./commands/materialize.js')).runMaterialize(o, g),
  materializeIncremental: async (o, g) => (await import('./commands/materialize-incremental.js')).runMaterializeIncremental(o, g),
  materializeStatus: async (o, g) => (await import('./commands/materialize-status.js')).runMaterializeStatus(o, g),
  export: async (o, g) => (await import('./commands/export.js')).runExport(o, g),
  verify: async (o, g) => (await import('./commands/verify.js')).runVerify(o, g),
  sql: async (o, g) => (await import('./commands/sql.js')).runSqlCommand(o, g),
  version: async (o, g) => (await import('./commands/version.js')).runVersion(o, g),
};
