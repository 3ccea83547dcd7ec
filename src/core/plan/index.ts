/** The planner: desired state, introspection, pure diff, steps, apply. */
export { tableNameOf, formatTableName } from './table-name.js';
export { buildDesiredState, type DesiredState, type DesiredTable } from './desired.js';
export { introspectTables, probeEndpointSupport, FULL_SUPPORT, type ActualTable, type EndpointSupport, type Observed } from './introspect.js';
export { diff, diffTables, removedViews, type ActualState, type Diff } from './diff.js';
export { buildPlan, type PlanContext } from './build-plan.js';
export { applyPlan, applyTaskSpecs, confirmPlan, type ApplyOptions, type ApplyResult, type ConfirmFn, type ConfirmRequest, type StepResult } from './apply-plan.js';
export { planToJson, summarize, PLAN_JSON_VERSION, type PlanJson } from './plan-json.js';
export { describeStep, formatBilling } from './describe-step.js';
export type { Plan, PlanStep, PlanNote, TableStep, RegistryStep, Billing } from './steps.js';
