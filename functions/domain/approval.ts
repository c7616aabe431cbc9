// What an approval automation decided, judged from what Systems Manager reports about the execution, never
// from the event that announced it: an event can be forged or lost, the execution record cannot be written by
// anyone but Systems Manager. Pure: the relay, the sweep and `cf403 pending` feed it what they read.

/** The approval step's action. SSM sets `StepExecutions[].Action` from the document that ran. */
export const APPROVE_ACTION = 'aws:approve';

/**
 * Tag on every approval execution (value: the document name). Automation execution ARNs do not name their
 * document, so the approver policy and the cancel grants condition on it (`aws:ResourceTag/${TagKey}` on
 * automation-execution: Service Authorization Reference, AWS Systems Manager).
 */
export const APPROVAL_TAG_KEY = 'cf403:approval-document';

/** Partition key of the pending approvals in the workflow's table; one item per approval, sort key below. */
export const PENDING_APPROVALS_PARTITION = 'APPROVALS';
export const pendingApprovalSortKey = (automationExecutionId: string) => `APPROVAL#${automationExecutionId}`;

/** Attributes of a pending approval people may read (`cf403 pending`): everything but the task token. */
export const PENDING_APPROVAL_VISIBLE_ATTRIBUTES = [
  'pk',
  'sk',
  'automationExecutionId',
  'executionId',
  'distributionId',
  'documentVersion',
  'requestedAt',
  'checkedAt',
  'state',
  'note',
] as const;

export interface Decision {
  approver: string;
  decision: 'Approve' | 'Reject';
  comment?: string;
  time?: string;
}

/** One step of the execution as GetAutomationExecution reports it. */
export interface StepFacts {
  name: string;
  action: string;
  status: string;
  /** the step's `ApprovalStatus` output (aws:approve: Approved, Rejected, Pending) */
  approvalStatus?: string;
  decisions: Decision[];
}

/** What GetAutomationExecution says about an approval execution. */
export interface ExecutionFacts {
  status: string;
  documentName: string;
  documentVersion: string;
  /** the `ExecutionId` parameter: the workflow execution the approval was started for */
  workflowExecutionId?: string;
  steps: StepFacts[];
}

/** What this stack asked for when it started the approval. */
export interface ApprovalExpectation {
  documentName: string;
  /** the version number the pinned VersionName resolved to when the approval started */
  documentVersion: string;
  workflowExecutionId: string;
  approvers: readonly string[];
  minApprovals: number;
}

export type Judgement =
  /** not decided yet: nothing to relay */
  | { decision: 'pending'; status: string }
  | { decision: 'approved' | 'rejected' | 'timed-out'; approvers: Decision[] }
  /** decided, but not in a way this stack accepts: answered as a rejection, with the reason */
  | { decision: 'refused'; reason: string; approvers: Decision[] };

const FINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/**
 * True when `who` is the configured approver `approver`, or a session of the role it names. An assumed-role ARN
 * drops the role's path, so roles match by partition, account and name (IAM User Guide, "IAM identifiers").
 */
export function isConfiguredApprover(who: string, approver: string): boolean {
  if (who === approver) return true;
  const session = ASSUMED_ROLE.exec(who);
  const role = ROLE.exec(approver);
  return (
    session !== null &&
    role !== null &&
    session[1] === role[1] &&
    session[2] === role[2] &&
    session[3] === role[3]
  );
}

/**
 * Judges an approval execution against what this stack started. Approved only when every check holds: this
 * document at the pinned version, started for this workflow execution, ended in Success, and its one
 * `aws:approve` step shows `ApprovalStatus` Approved with at least `minApprovals` distinct configured approvers
 * approving. Rejected only by a configured approver's Reject; TimedOut is a timeout. Anything else is refused.
 */
export function judgeApproval(facts: ExecutionFacts, expected: ApprovalExpectation): Judgement {
  const refuse = (reason: string, approvers: Decision[] = []): Judgement => ({
    decision: 'refused',
    reason,
    approvers,
  });
  if (facts.documentName !== expected.documentName)
    return refuse(`the execution ran document ${facts.documentName}, not ${expected.documentName}`);
  if (facts.documentVersion !== expected.documentVersion) {
    return refuse(
      `the execution ran version ${facts.documentVersion} of ${facts.documentName}, not the deployed version ${expected.documentVersion}`,
    );
  }
  if (facts.workflowExecutionId !== expected.workflowExecutionId) {
    return refuse(
      `the execution was started for ${facts.workflowExecutionId ?? 'no workflow execution'}, not ${expected.workflowExecutionId}`,
    );
  }
  const approveSteps = facts.steps.filter((s) => s.action === APPROVE_ACTION);
  if (facts.steps.length !== 1 || approveSteps.length !== 1) {
    return refuse(
      `the execution has ${approveSteps.length} aws:approve step(s) among ${facts.steps.length}; exactly one, and nothing else, is expected`,
    );
  }
  if (!FINAL.has(facts.status)) return { decision: 'pending', status: facts.status };
  const [step] = approveSteps;
  if (!step) return refuse('the execution has no aws:approve step');

  // Decisions count only from configured approvers, once per approver.
  const byApprover = new Map<string, Decision>();
  const strangers: string[] = [];
  for (const d of step.decisions) {
    const listed = expected.approvers.find((a) => isConfiguredApprover(d.approver, a));
    if (!listed) strangers.push(d.approver);
    else if (!byApprover.has(listed)) byApprover.set(listed, d);
  }
  const counted = [...byApprover.values()];
  const approvals = counted.filter((d) => d.decision === 'Approve').length;
  const rejections = counted.filter((d) => d.decision === 'Reject');
  const others = strangers.length > 0 ? `; decisions by ${strangers.join(', ')} do not count` : '';

  switch (facts.status) {
    case 'Success':
      if (step.approvalStatus !== 'Approved')
        return refuse(
          `the automation succeeded but its approve step shows ${step.approvalStatus ?? 'no status'}`,
          counted,
        );
      if (approvals < expected.minApprovals) {
        return refuse(
          `${approvals} configured approver(s) approved; ${expected.minApprovals} needed${others}`,
          counted,
        );
      }
      return { decision: 'approved', approvers: counted };
    case 'Failed':
      if (rejections.length > 0 && step.approvalStatus === 'Rejected')
        return { decision: 'rejected', approvers: counted };
      return refuse(`the automation failed without a rejection by a configured approver${others}`, counted);
    case 'TimedOut':
      return { decision: 'timed-out', approvers: counted };
    default:
      return refuse(`the automation ended ${facts.status}`, counted);
  }
}

/** ApproverDecisions arrive as JSON strings: one array, or one object per element (AWS documents a map list). */
export function parseDecisions(raw: readonly string[] | undefined): Decision[] {
  const out: Decision[] = [];
  for (const item of raw ?? []) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(item);
    } catch {
      continue;
    }
    for (const d of Array.isArray(parsed) ? parsed : [parsed]) {
      if (typeof d !== 'object' || d === null) continue;
      const o = d as Record<string, unknown>;
      if (typeof o.Approver !== 'string') continue;
      // anything but an explicit Approve is not an approval
      const decision = o.Decision === 'Approve' ? 'Approve' : 'Reject';
      out.push({
        approver: o.Approver,
        decision,
        ...(typeof o.Comment === 'string' && o.Comment ? { comment: o.Comment } : {}),
        ...(typeof o.ApprovalDecisionTime === 'string' ? { time: o.ApprovalDecisionTime } : {}),
      });
    }
  }
  return out;
}

/** One row of `cf403 pending`: a pending record, the automation behind it, or both. */
export interface PendingRow {
  automationExecutionId: string;
  executionId: string;
  distributionId: string;
  /** the automation's status, or `missing` when Systems Manager no longer knows it */
  automationStatus: string;
  /** a workflow task waits for this approval (a pending record exists) */
  recorded: boolean;
  startedAt?: string;
  /** what happens next, in words */
  state: string;
  message?: string;
  /** the sweep's last word on it */
  note?: string;
}

/**
 * Reconciles the table's pending approvals with the Waiting automations of the document: what waits for a
 * person, what was decided but not relayed yet, and what nobody waits for any more.
 */
export function reconcilePending(
  records: readonly {
    automationExecutionId: string;
    executionId: string;
    distributionId: string;
    requestedAt?: string;
    note?: string;
  }[],
  automations: ReadonlyMap<
    string,
    { status: string; executionId?: string; distributionId?: string; startedAt?: string; message?: string }
  >,
): PendingRow[] {
  const rows: PendingRow[] = [];
  for (const r of records) {
    const a = automations.get(r.automationExecutionId);
    const status = a?.status ?? 'missing';
    rows.push({
      automationExecutionId: r.automationExecutionId,
      executionId: r.executionId,
      distributionId: r.distributionId,
      automationStatus: status,
      recorded: true,
      ...((a?.startedAt ?? r.requestedAt) ? { startedAt: a?.startedAt ?? r.requestedAt } : {}),
      state:
        status === 'Waiting'
          ? 'waiting for approvers'
          : status === 'missing'
            ? 'automation not found: the sweep will answer the workflow as refused'
            : `decided (${status}), not relayed yet: the sweep delivers it`,
      ...(a?.message ? { message: a.message } : {}),
      ...(r.note ? { note: r.note } : {}),
    });
  }
  const recorded = new Set(records.map((r) => r.automationExecutionId));
  for (const [id, a] of automations) {
    if (recorded.has(id) || a.status !== 'Waiting') continue;
    rows.push({
      automationExecutionId: id,
      executionId: a.executionId ?? '',
      distributionId: a.distributionId ?? '',
      automationStatus: a.status,
      recorded: false,
      ...(a.startedAt ? { startedAt: a.startedAt } : {}),
      state: 'no workflow waits for it: the sweep cancels it',
      ...(a.message ? { message: a.message } : {}),
    });
  }
  return rows;
}
