// The fix planner: asks each diagnosed cause's module for its actions, merges shared ones, and holds
// every change back when a cause that needs a person keeps some probed request at 403.
import { withAccount } from './action-account.ts';
import type { DetectContext } from './causes/cause.ts';
import { causeModule } from './causes/index.ts';
import { detectContext } from './diagnose.ts';
import { withinQuotas } from './quotas.ts';
import type { Action, CauseId, Diagnosis, Evidence, Finding, Plan, Risk } from './types.ts';
import { type Writer, writableBy } from './writable.ts';

export interface PlanOptions {
  /** risks that need a human's approval before they are applied */
  approvalRisks: readonly Risk[];
  /** never apply anything: every change becomes a recommendation */
  planOnly: boolean;
  /**
   * the role that applies fixes: a change its target's own policy refuses it is escalated (absent: not checked).
   * A function gives the writer of each account (a hub writes a member's resources with that member's role).
   */
  writer?: Writer | ((account: string) => Writer | undefined);
}

interface Blocked {
  causes: CauseId[];
  /** every blocking finding looks deliberate (issue 11): the refusals are meant, not a fault to fix */
  deliberate: boolean;
  /** failing requests (indices) that no planned change can cure */
  requests: number[];
}

/**
 * Failing requests that stay refused whatever the workflow applies: a cause whose plan changes nothing
 * (an intentional control, or a fix only a person can make) still explains them. The verification probes
 * every failing request again, so while any of them stays at 403 applying the other changes can only
 * end in a rollback: the plan escalates instead, keeping those changes as recommendations.
 */
function blockedRequests(ctx: DetectContext, planned: { finding: Finding; actions: Action[] }[]): Blocked {
  const failing = new Set(ctx.failing.map((r) => r.index));
  const causes: CauseId[] = [];
  const requests = new Set<number>();
  let deliberate = true;
  for (const { finding, actions } of planned) {
    if (actions.some((a) => a.change !== undefined)) continue;
    const stuck = (finding.requests ?? []).filter((i) => failing.has(i));
    if (stuck.length === 0) continue;
    causes.push(finding.id);
    if (!finding.subject?.intentional) deliberate = false;
    for (const i of stuck) requests.add(i);
  }
  return {
    causes,
    deliberate: deliberate && causes.length > 0,
    requests: [...requests].sort((a, b) => a - b),
  };
}

function heldBack(action: Action, blocked: Blocked, ctx: DetectContext): Action {
  const first = ctx.resolved.find((r) => r.index === blocked.requests[0]);
  const example = first ? ` (e.g. ${first.request.method} ${first.path})` : '';
  const why = blocked.deliberate
    ? `on purpose (${blocked.causes.join(', ')}, likely intentional), so the fix could not be verified by probing them: apply it by hand`
    : `because of ${blocked.causes.join(', ')}, which a person must resolve first, so the fix could not be verified`;
  return {
    ...action,
    change: undefined,
    description: `${action.description}. Not applied: ${blocked.requests.length} failing request(s)${example} would still be refused ${why}`,
  };
}

/**
 * A cause's actions as AWS would take them: a change past a size quota, or one its target's own policy refuses
 * the workflow's role, is escalated; then none of the cause's changes is applied (half a fix, such as an OAC
 * whose grant cannot be written, cures nothing).
 */
function feasible(actions: Action[], ev: Evidence, writers: PlanOptions['writer']): Action[] {
  const checked = actions.map((a) => {
    const sized = withinQuotas(a, ev);
    const writer = typeof writers === 'function' ? writers(a.account ?? ev.account) : writers;
    return writer && sized.change !== undefined ? writableBy(sized, ev, writer) : sized;
  });
  const refused = checked.find((a, i) => a.change === undefined && actions[i]?.change !== undefined);
  if (!refused) return actions;
  return checked.map((a) =>
    a.change === undefined
      ? a
      : {
          ...a,
          change: undefined,
          description: `${a.description}. Not applied: it belongs to the same fix as "${refused.id}", which AWS would refuse`,
        },
  );
}

export function planFix(ev: Evidence, diagnosis: Diagnosis, options: PlanOptions): Plan {
  const ctx = detectContext(ev);
  const planned = diagnosis.causes.map((finding) => ({
    finding,
    actions: feasible(
      causeModule(finding.id)
        .plan(finding, ctx)
        .map((a) => withAccount(a, ev)),
      ev,
      options.writer,
    ),
  }));
  const blocked = blockedRequests(ctx, planned);
  const actions: Action[] = [];
  const seen = new Set<string>();
  for (const { actions: proposed } of planned) {
    for (const action of proposed) {
      if (seen.has(action.id)) continue;
      seen.add(action.id);
      if (action.change === undefined) actions.push(action);
      else if (options.planOnly) actions.push({ ...action, change: undefined });
      else if (blocked.requests.length > 0) actions.push(heldBack(action, blocked, ctx));
      else actions.push(action);
    }
  }
  const changing = actions.filter((a) => a.change !== undefined);
  return {
    actions,
    hasChanges: changing.length > 0,
    requiresApproval: changing.some((a) => options.approvalRisks.includes(a.risk)),
  };
}
