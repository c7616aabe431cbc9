// Operator approval through Systems Manager Automation's aws:approve step: the console shows Approve/Deny,
// and SSM records who decided. The same calls serve the workflow, the relay and `cf403 approve`.
import {
  DescribeAutomationExecutionsCommand,
  GetAutomationExecutionCommand,
  SendAutomationSignalCommand,
  type SSMClient,
  StartAutomationExecutionCommand,
  StopAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { awsCall } from './aws-call.ts';

export interface ApproverDecision {
  approver: string;
  decision: 'Approve' | 'Reject';
  comment?: string;
  time?: string;
}

export interface ApprovalOutcome {
  status: string;
  decision: 'approved' | 'rejected' | 'timed-out' | 'pending';
  approvers: ApproverDecision[];
  executionId?: string;
}

export interface PendingApproval {
  automationExecutionId: string;
  executionId: string;
  distributionId: string;
  startedAt?: string;
  message?: string;
}

const MAX_MESSAGE = 4096;

export async function startApproval(
  ssm: SSMClient,
  opts: {
    document: string;
    approvers: readonly string[];
    minApprovals: number;
    message: string;
    executionId: string;
    distributionId: string;
  },
): Promise<string> {
  const out = await awsCall(`StartAutomationExecution ${opts.document}`, () =>
    ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: opts.document,
        Parameters: {
          Approvers: [...opts.approvers],
          MinRequiredApprovals: [String(opts.minApprovals)],
          Message: [opts.message.slice(0, MAX_MESSAGE)],
          ExecutionId: [opts.executionId],
          DistributionId: [opts.distributionId],
        },
      }),
    ),
  );
  if (!out.AutomationExecutionId) throw new Error('StartAutomationExecution returned no execution id');
  return out.AutomationExecutionId;
}

/** Cancels an approval automation nobody will answer (its request could not be recorded). */
export async function cancelApproval(ssm: SSMClient, automationExecutionId: string): Promise<void> {
  await awsCall(`StopAutomationExecution ${automationExecutionId}`, () =>
    ssm.send(
      new StopAutomationExecutionCommand({ AutomationExecutionId: automationExecutionId, Type: 'Cancel' }),
    ),
  );
}

/** ApproverDecisions arrive as JSON strings: one array, or one object per element. */
export function parseDecisions(raw: readonly string[] | undefined): ApproverDecision[] {
  const out: ApproverDecision[] = [];
  const push = (d: Record<string, unknown>) => {
    const decision = d.Decision === 'Reject' ? 'Reject' : 'Approve';
    out.push({
      approver: String(d.Approver ?? 'unknown'),
      decision,
      ...(typeof d.Comment === 'string' && d.Comment ? { comment: d.Comment } : {}),
      ...(typeof d.ApprovalDecisionTime === 'string' ? { time: d.ApprovalDecisionTime } : {}),
    });
  };
  for (const item of raw ?? []) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(item);
    } catch {
      continue;
    }
    for (const d of Array.isArray(parsed) ? parsed : [parsed]) {
      if (typeof d === 'object' && d !== null) push(d as Record<string, unknown>);
    }
  }
  return out;
}

export async function approvalOutcome(
  ssm: SSMClient,
  automationExecutionId: string,
): Promise<ApprovalOutcome> {
  const out = await awsCall(`GetAutomationExecution ${automationExecutionId}`, () =>
    ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: automationExecutionId })),
  );
  const a = out.AutomationExecution;
  const status = a?.AutomationExecutionStatus ?? 'Unknown';
  const step = a?.StepExecutions?.find((s) => s.Action === 'aws:approve');
  const approvers = parseDecisions(step?.Outputs?.ApproverDecisions);
  const approval = step?.Outputs?.ApprovalStatus?.[0];
  const decision =
    status === 'Success' || approval === 'Approved'
      ? 'approved'
      : status === 'TimedOut'
        ? 'timed-out'
        : status === 'Failed' || status === 'Cancelled' || approval === 'Rejected'
          ? 'rejected'
          : 'pending';
  return { status, decision, approvers, executionId: a?.Parameters?.ExecutionId?.[0] };
}

export async function pendingApprovals(ssm: SSMClient, document: string): Promise<PendingApproval[]> {
  const out = await awsCall('DescribeAutomationExecutions', () =>
    ssm.send(
      new DescribeAutomationExecutionsCommand({
        Filters: [
          { Key: 'DocumentNamePrefix', Values: [document] },
          { Key: 'ExecutionStatus', Values: ['Waiting'] },
        ],
      }),
    ),
  );
  const pending: PendingApproval[] = [];
  for (const m of out.AutomationExecutionMetadataList ?? []) {
    if (!m.AutomationExecutionId || m.DocumentName !== document) continue;
    const full = await awsCall(`GetAutomationExecution ${m.AutomationExecutionId}`, () =>
      ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: m.AutomationExecutionId })),
    );
    const p = full.AutomationExecution?.Parameters ?? {};
    pending.push({
      automationExecutionId: m.AutomationExecutionId,
      executionId: p.ExecutionId?.[0] ?? '',
      distributionId: p.DistributionId?.[0] ?? '',
      startedAt: m.ExecutionStartTime?.toISOString(),
      message: p.Message?.[0],
    });
  }
  return pending;
}

export class ApprovalNotFoundError extends Error {
  override name = 'ApprovalNotFoundError';
}

/** Approves or rejects as the caller: SSM checks the caller is an approver and records who it was. */
export async function signalApproval(
  ssm: SSMClient,
  document: string,
  execution: string,
  signal: 'Approve' | 'Reject',
  comment?: string,
): Promise<PendingApproval> {
  const pending = await pendingApprovals(ssm, document);
  const match = pending.find(
    (p) =>
      p.automationExecutionId === execution ||
      p.executionId === execution ||
      p.executionId.endsWith(`:${execution}`),
  );
  if (!match) throw new ApprovalNotFoundError(`no approval is waiting for execution '${execution}'`);
  await awsCall(`SendAutomationSignal ${match.automationExecutionId}`, () =>
    ssm.send(
      new SendAutomationSignalCommand({
        AutomationExecutionId: match.automationExecutionId,
        SignalType: signal,
        ...(comment ? { Payload: { Comment: [comment] } } : {}),
      }),
    ),
  );
  return match;
}
