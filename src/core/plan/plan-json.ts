/**
 * The `plan --json` document (documented in docs/plan.md). Its shape is a contract for CI scripts:
 * add fields, never rename or remove them; bump `version` if that ever has to happen.
 */
import type { Plan, PlanNote, PlanStep } from './steps.js';

export const PLAN_JSON_VERSION = 1;

export interface Counts {
  create: number;
  update: number;
  delete: number;
}

export interface PlanJson {
  version: typeof PLAN_JSON_VERSION;
  project: string;
  registryPath: string;
  /** True when apply would change anything (the `--detailed-exitcode` 2 case). */
  changes: boolean;
  summary: { tables: Counts; registry: Counts };
  steps: PlanStep[];
  notes: PlanNote[];
}

export function summarize(steps: PlanStep[]): PlanJson['summary'] {
  const created = new Set<string>();
  const deleted = new Set<string>();
  const touched = new Set<string>();
  const registry: Counts = { create: 0, update: 0, delete: 0 };
  for (const s of steps) {
    if (s.kind === 'registry') registry[s.action]++;
    else if (s.kind === 'create_table') created.add(s.table);
    else if (s.kind === 'delete_table') deleted.add(s.table);
    else touched.add(s.table);
  }
  const updated = [...touched].filter((t) => !created.has(t) && !deleted.has(t));
  return { tables: { create: created.size, update: updated.length, delete: deleted.size }, registry };
}

export function planToJson(plan: Plan): PlanJson {
  return {
    version: PLAN_JSON_VERSION,
    project: plan.project,
    registryPath: plan.registryPath,
    changes: plan.steps.length > 0,
    summary: summarize(plan.steps),
    steps: plan.steps,
    notes: plan.notes,
  };
}
