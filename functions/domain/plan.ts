// The fix planner: asks each diagnosed cause's module for its actions, merges shared ones.
import { causeModule } from './causes/index.ts';
import { detectContext } from './diagnose.ts';
import type { Action, Diagnosis, Evidence, Plan, Risk } from './types.ts';

export interface PlanOptions {
  /** risks that need a human's approval before they are applied */
  approvalRisks: readonly Risk[];
  /** never apply anything: every change becomes a recommendation */
  planOnly: boolean;
}

export function planFix(ev: Evidence, diagnosis: Diagnosis, options: PlanOptions): Plan {
  const ctx = detectContext(ev);
  const actions: Action[] = [];
  const seen = new Set<string>();
  for (const finding of diagnosis.causes) {
    for (const action of causeModule(finding.id).plan(finding, ctx)) {
      if (seen.has(action.id)) continue;
      seen.add(action.id);
      actions.push(options.planOnly && action.change ? { ...action, change: undefined } : action);
    }
  }
  const changing = actions.filter((a) => a.change !== undefined);
  return {
    actions,
    hasChanges: changing.length > 0,
    requiresApproval: changing.some((a) => options.approvalRisks.includes(a.risk)),
  };
}
