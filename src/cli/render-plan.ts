/**
 * Human rendering of a plan: one line per step under "DynamoDB tables" and "Registry", property diffs
 * indented under registry updates, notes, and a Terraform-like summary line.
 */
import type { JsonValue } from '@bufbuild/protobuf';
import { describeStep } from '../core/plan/describe-step.js';
import { summarize } from '../core/plan/plan-json.js';
import type { Plan, PlanStep } from '../core/plan/steps.js';
import type { Output } from './output.js';

function symbolOf(s: PlanStep, out: Output): string {
  const { add, change, remove } = out.symbols;
  switch (s.kind) {
    case 'registry':
      return s.action === 'create' ? add : s.action === 'delete' ? remove : change;
    case 'create_table':
    case 'enable_ttl':
    case 'enable_pitr':
      return add;
    case 'delete_table':
    case 'remove_tags':
    case 'disable_ttl':
    case 'disable_pitr':
      return remove;
    default:
      return change;
  }
}

const show = (v: JsonValue | undefined) => (v === undefined ? '(none)' : JSON.stringify(v));

export function renderPlanSteps(plan: Plan, out: Output): string[] {
  const lines: string[] = [];
  const tables = plan.steps.filter((s) => s.kind !== 'registry');
  const registry = plan.steps.filter((s) => s.kind === 'registry');
  if (tables.length) {
    lines.push(out.color.bold('DynamoDB tables'));
    for (const s of tables) lines.push(`  ${symbolOf(s, out)} ${describeStep(s)}`);
  }
  if (registry.length) {
    if (lines.length) lines.push('');
    lines.push(out.color.bold(`Registry (${plan.registryPath})`));
    for (const s of registry) {
      lines.push(`  ${symbolOf(s, out)} ${describeStep(s)}`);
      if (s.kind !== 'registry') continue;
      for (const c of s.changes) lines.push(out.color.dim(`      ${c.path}: ${show(c.before)} → ${show(c.after)}`));
      if (s.note) lines.push(`      ${out.symbols.warn} ${s.note}`);
    }
  }
  return lines;
}

/** Notes that say the same thing about many tables are shown once, naming the tables. */
export function renderNotes(plan: Plan, out: Output): string[] {
  if (!plan.notes.length) return [];
  const grouped = new Map<string, { level: string; message: string; where: string[] }>();
  for (const n of plan.notes) {
    const key = `${n.level}\u0000${n.message}`;
    const g = grouped.get(key) ?? { level: n.level, message: n.message, where: [] };
    const where = n.table ?? n.view;
    if (where) g.where.push(where);
    grouped.set(key, g);
  }
  const lines = ['', out.color.bold('Notes')];
  for (const g of grouped.values()) {
    const where = g.where.length > 3 ? `${g.where.length} tables` : g.where.join(', ');
    lines.push(`  ${g.level === 'warning' ? out.symbols.warn : 'i'} ${where ? `${where}: ` : ''}${g.message}`);
  }
  return lines;
}

export function renderSummary(plan: Plan): string {
  const { tables, registry } = summarize(plan.steps);
  const r = registry.create + registry.update + registry.delete;
  return (
    `Plan: ${tables.create} table(s) to create, ${tables.update} to update, ${tables.delete} to delete; ` +
    `${r} registry change(s) (${registry.create} create, ${registry.update} update, ${registry.delete} delete).`
  );
}

export function renderPlan(plan: Plan, out: Output): string {
  if (plan.steps.length === 0) {
    return [
      `${out.symbols.ok} No changes: the tables and the registry of project ${out.color.bold(plan.project)} match the repo.`,
      ...renderNotes(plan, out),
    ].join('\n');
  }
  return [`Plan for project ${out.color.bold(plan.project)}:`, '', ...renderPlanSteps(plan, out), ...renderNotes(plan, out), '', renderSummary(plan)].join(
    '\n',
  );
}

export function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
