// Operator approval through Systems Manager Automation's aws:approve step: the console shows Approve/Deny,
// and SSM records who decided. The same calls serve the workflow, the relay, the sweep and `cf403 approve`.
// A decision reaches the workflow only through relayApproval: it judges the execution as SSM reports it and
// deletes the pending record only after Step Functions took the answer.
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import {
  type AutomationExecution,
  DescribeAutomationExecutionsCommand,
  DescribeDocumentCommand,
  GetAutomationExecutionCommand,
  SendAutomationSignalCommand,
  type SSMClient,
  StartAutomationExecutionCommand,
  StopAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  APPROVAL_TAG_KEY,
  type ApprovalExpectation,
  type Decision,
  type ExecutionFacts,
  type Judgement,
  judgeApproval,
  PENDING_APPROVAL_VISIBLE_ATTRIBUTES,
  PENDING_APPROVALS_PARTITION,
  type PendingRow,
  parseDecisions,
  pendingApprovalSortKey,
  reconcilePending,
} from '../domain/approval.ts';
import { awsCall, errorCode } from './aws-call.ts';

export { parseDecisions } from '../domain/approval.ts';
export type ApproverDecision = Decision;

export interface PendingApproval {
  automationExecutionId: string;
  executionId: string;
  distributionId: string;
  startedAt?: string;
  message?: string;
}

/**
 * Each Automation parameter value is 1 to 512 characters (SSM service model, AutomationParameterValue), although
 * aws:approve's own Message may be 4,096: the Message parameter carries at most 512.
 */
export const MAX_PARAMETER_VALUE = 512;
const CLIPPED = ' […] (the full plan is in the notification and the execution)';

/** The approval message as a parameter value: whole lines while they fit, then a note saying where the rest is. */
export function clipMessage(text: string, max = MAX_PARAMETER_VALUE): string {
  if (text.length <= max) return text;
  const room = max - CLIPPED.length;
  const cut = text.lastIndexOf('\n', room);
  return `${text.slice(0, cut > room / 2 ? cut : room)}${CLIPPED}`;
}

export class ApprovalDocumentError extends Error {
  override name = 'ApprovalDocumentError';
}

/** The version number Systems Manager gave the deployed VersionName (unique within a document, never reused). */
export async function pinnedDocumentVersion(
  ssm: SSMClient,
  document: string,
  versionName: string,
): Promise<string> {
  const out = await awsCall(`DescribeDocument ${document} ${versionName}`, () =>
    ssm.send(new DescribeDocumentCommand({ Name: document, VersionName: versionName })),
  );
  const version = out.Document?.DocumentVersion;
  if (!version || out.Document?.VersionName !== versionName) {
    throw new ApprovalDocumentError(
      `document ${document} has no version named ${versionName}: deploy the stack again`,
    );
  }
  return version;
}

/**
 * Starts an approval at the deployed version of the document, tagged so approvers may answer it and only it.
 * Returns the automation and the version number it runs.
 */
export async function startApproval(
  ssm: SSMClient,
  opts: {
    document: string;
    versionName: string;
    approvers: readonly string[];
    minApprovals: number;
    message: string;
    executionId: string;
    distributionId: string;
  },
): Promise<{ automationExecutionId: string; documentVersion: string }> {
  const documentVersion = await pinnedDocumentVersion(ssm, opts.document, opts.versionName);
  const out = await awsCall(`StartAutomationExecution ${opts.document}`, () =>
    ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: opts.document,
        DocumentVersion: documentVersion,
        Parameters: {
          Approvers: [...opts.approvers],
          MinRequiredApprovals: [String(opts.minApprovals)],
          Message: [clipMessage(opts.message)],
          ExecutionId: [opts.executionId],
          DistributionId: [opts.distributionId],
        },
        Tags: [{ Key: APPROVAL_TAG_KEY, Value: opts.document }],
      }),
    ),
  );
  if (!out.AutomationExecutionId) throw new Error('StartAutomationExecution returned no execution id');
  return { automationExecutionId: out.AutomationExecutionId, documentVersion };
}

/**
 * Cancels an approval nobody will answer (superseded, or its workflow no longer waits). False when it had
 * already ended: Systems Manager refuses to stop a finished execution.
 */
export async function cancelApproval(ssm: SSMClient, automationExecutionId: string): Promise<boolean> {
  try {
    await ssm.send(
      new StopAutomationExecutionCommand({ AutomationExecutionId: automationExecutionId, Type: 'Cancel' }),
    );
    return true;
  } catch (err) {
    const code = errorCode(err);
    if (code === 'InvalidAutomationStatusUpdateException' || code === 'AutomationExecutionNotFoundException')
      return false;
    return awsCall(`StopAutomationExecution ${automationExecutionId}`, () => Promise.reject(err));
  }
}

export interface ExecutionView extends ExecutionFacts {
  automationExecutionId: string;
  distributionId?: string;
  startedAt?: string;
  message?: string;
}

/** The execution as Systems Manager reports it; undefined when it does not exist (any more). */
export async function readExecution(
  ssm: SSMClient,
  automationExecutionId: string,
): Promise<ExecutionView | undefined> {
  let a: AutomationExecution | undefined;
  try {
    const out = await ssm.send(
      new GetAutomationExecutionCommand({ AutomationExecutionId: automationExecutionId }),
    );
    a = out.AutomationExecution;
  } catch (err) {
    if (errorCode(err) === 'AutomationExecutionNotFoundException') return undefined;
    return awsCall(`GetAutomationExecution ${automationExecutionId}`, () => Promise.reject(err));
  }
  if (!a) return undefined;
  const p = a.Parameters ?? {};
  return {
    automationExecutionId,
    status: a.AutomationExecutionStatus ?? 'Unknown',
    documentName: a.DocumentName ?? '',
    documentVersion: a.DocumentVersion ?? '',
    ...(p.ExecutionId?.[0] !== undefined ? { workflowExecutionId: p.ExecutionId[0] } : {}),
    ...(p.DistributionId?.[0] !== undefined ? { distributionId: p.DistributionId[0] } : {}),
    ...(a.ExecutionStartTime ? { startedAt: a.ExecutionStartTime.toISOString() } : {}),
    ...(p.Message?.[0] !== undefined ? { message: p.Message[0] } : {}),
    steps: (a.StepExecutions ?? []).map((s) => ({
      name: s.StepName ?? '',
      action: s.Action ?? '',
      status: s.StepStatus ?? '',
      ...(s.Outputs?.ApprovalStatus?.[0] !== undefined
        ? { approvalStatus: s.Outputs.ApprovalStatus[0] }
        : {}),
      decisions: parseDecisions(s.Outputs?.ApproverDecisions),
    })),
  };
}

// ---- pending approvals in the workflow's table ----

/** A workflow task waiting for an approval. The task token never leaves the table but for Step Functions. */
export interface PendingRecord {
  automationExecutionId: string;
  taskToken: string;
  executionId: string;
  distributionId: string;
  /** the document version the approval runs (the pinned VersionName, resolved when it started) */
  documentVersion: string;
  requestedAt: string;
  /** the sweep's last look */
  checkedAt?: string;
  note?: string;
}

/** A pending record without its task token: what people may read. */
export type VisiblePendingRecord = Omit<PendingRecord, 'taskToken'>;

const key = (automationExecutionId: string) =>
  marshall({ pk: PENDING_APPROVALS_PARTITION, sk: pendingApprovalSortKey(automationExecutionId) });

function recordOf(item: Record<string, unknown>): PendingRecord {
  const text = (k: string) => (typeof item[k] === 'string' ? item[k] : '');
  return {
    automationExecutionId: text('automationExecutionId'),
    taskToken: text('taskToken'),
    executionId: text('executionId'),
    distributionId: text('distributionId'),
    documentVersion: text('documentVersion'),
    requestedAt: text('requestedAt'),
    ...(typeof item.checkedAt === 'string' ? { checkedAt: item.checkedAt } : {}),
    ...(typeof item.note === 'string' ? { note: item.note } : {}),
  };
}

export class PendingApprovals {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async put(record: PendingRecord, ttl: number): Promise<void> {
    await awsCall(`PutItem approval ${record.automationExecutionId}`, () =>
      this.ddb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            pk: PENDING_APPROVALS_PARTITION,
            sk: pendingApprovalSortKey(record.automationExecutionId),
            ...record,
            state: 'waiting',
            ttl,
          }),
        }),
      ),
    );
  }

  async get(automationExecutionId: string): Promise<PendingRecord | undefined> {
    const out = await awsCall(`GetItem approval ${automationExecutionId}`, () =>
      this.ddb.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: key(automationExecutionId),
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item ? recordOf(unmarshall(out.Item)) : undefined;
  }

  /** Every pending approval, token included (the sweep's role only). */
  async list(): Promise<PendingRecord[]> {
    return (await this.query(false)).map(recordOf);
  }

  /** Every pending approval without its token: the attributes the approver policy lets people read. */
  async listVisible(): Promise<VisiblePendingRecord[]> {
    return (await this.query(true)).map((item) => {
      const { taskToken: _t, ...rest } = recordOf(item);
      return rest;
    });
  }

  private async query(visibleOnly: boolean): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const names = Object.fromEntries(PENDING_APPROVAL_VISIBLE_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));
      const out = await awsCall('Query pending approvals', () =>
        this.ddb.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: marshall({ ':pk': PENDING_APPROVALS_PARTITION }),
            ...(visibleOnly
              ? {
                  Select: 'SPECIFIC_ATTRIBUTES',
                  ProjectionExpression: Object.keys(names).join(', '),
                  ExpressionAttributeNames: names,
                }
              : {}),
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const i of out.Items ?? []) items.push(unmarshall(i));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Deletes the record of this token only (a retried request for the same automation keeps a newer one). */
  async delete(record: PendingRecord): Promise<boolean> {
    try {
      await this.ddb.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(record.automationExecutionId),
          ConditionExpression: 'taskToken = :token',
          ExpressionAttributeValues: marshall({ ':token': record.taskToken }),
        }),
      );
      return true;
    } catch (err) {
      if (errorCode(err) === 'ConditionalCheckFailedException') return false;
      return awsCall(`DeleteItem approval ${record.automationExecutionId}`, () => Promise.reject(err));
    }
  }

  /** Records the sweep's last look at a record that stays pending. */
  async note(automationExecutionId: string, checkedAt: string, note: string): Promise<void> {
    try {
      await this.ddb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(automationExecutionId),
          UpdateExpression: 'SET checkedAt = :at, note = :note',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: marshall({ ':at': checkedAt, ':note': note }),
        }),
      );
    } catch (err) {
      // relayed meanwhile: nothing left to note
      if (errorCode(err) === 'ConditionalCheckFailedException') return;
      await awsCall(`UpdateItem approval ${automationExecutionId}`, () => Promise.reject(err));
    }
  }
}

// ---- relaying a decision ----

export interface RelayConfig {
  document: string;
  approvers: readonly string[];
  minApprovals: number;
}

export type RelayResult =
  | { relayed: false; reason: string }
  | {
      relayed: true;
      decision: Exclude<Judgement['decision'], 'pending'>;
      executionId: string;
      approvers: Decision[];
      reason?: string;
    };

/** Step Functions' answers for a token whose task is over: answered already, timed out, or its execution ended. */
const TASK_GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** What the workflow receives for an approval that ended. */
function answerFor(j: Exclude<Judgement, { decision: 'pending' }>, automationExecutionId: string) {
  if (j.decision === 'timed-out')
    return { failure: { error: 'States.Timeout', cause: 'the approval timed out in Systems Manager' } };
  const output =
    j.decision === 'refused'
      ? { decision: 'refused', reason: j.reason, approvers: j.approvers, automationExecutionId }
      : { decision: j.decision, approvers: j.approvers, automationExecutionId };
  return { success: JSON.stringify(output) };
}

/**
 * Relays the end of one approval to its waiting task. Reads the pending record and the execution, judges it,
 * answers Step Functions, and only then deletes the record: a failure anywhere leaves the record for a retry or
 * the sweep. Idempotent: a token already answered reads as gone, which finishes the job by deleting the record.
 * `record` skips the read when the caller just listed it.
 */
export async function relayApproval(
  clients: { ssm: SSMClient; sfn: SFNClient },
  store: PendingApprovals,
  config: RelayConfig,
  automationExecutionId: string,
  record?: PendingRecord,
): Promise<RelayResult> {
  const pending = record ?? (await store.get(automationExecutionId));
  if (!pending)
    return { relayed: false, reason: `no workflow waits for automation ${automationExecutionId}` };
  const execution = await readExecution(clients.ssm, automationExecutionId);
  const expected: ApprovalExpectation = {
    documentName: config.document,
    documentVersion: pending.documentVersion,
    workflowExecutionId: pending.executionId,
    approvers: config.approvers,
    minApprovals: config.minApprovals,
  };
  const judgement: Judgement = execution
    ? judgeApproval(execution, expected)
    : { decision: 'refused', reason: `automation ${automationExecutionId} does not exist`, approvers: [] };
  if (judgement.decision === 'pending')
    return { relayed: false, reason: `automation ${automationExecutionId} is ${judgement.status}` };

  const answer = answerFor(judgement, automationExecutionId);
  try {
    if (answer.failure) {
      await clients.sfn.send(new SendTaskFailureCommand({ taskToken: pending.taskToken, ...answer.failure }));
    } else {
      await clients.sfn.send(
        new SendTaskSuccessCommand({ taskToken: pending.taskToken, output: answer.success }),
      );
    }
  } catch (err) {
    // Answered before (a retry, or the relay and the sweep at once) or no longer waited for: done either way.
    if (!TASK_GONE.has(errorCode(err)))
      return awsCall(`SendTask ${automationExecutionId}`, () => Promise.reject(err));
  }
  await store.delete(pending);
  return {
    relayed: true,
    decision: judgement.decision,
    executionId: pending.executionId,
    approvers: judgement.approvers,
    ...(judgement.decision === 'refused' ? { reason: judgement.reason } : {}),
  };
}

/** True while Step Functions still waits on the token (heartbeat accepted); false once the task is over. */
export async function taskStillWaits(sfn: SFNClient, taskToken: string): Promise<boolean> {
  try {
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
    return true;
  } catch (err) {
    if (TASK_GONE.has(errorCode(err))) return false;
    return awsCall('SendTaskHeartbeat', () => Promise.reject(err));
  }
}

// ---- listing and answering, for people ----

export interface ExecutionSummary {
  automationExecutionId: string;
  startedAt?: string;
}

/** Waiting automations of the document (metadata only), newest first. */
export async function listWaitingApprovals(ssm: SSMClient, document: string): Promise<ExecutionSummary[]> {
  const out: ExecutionSummary[] = [];
  let next: string | undefined;
  do {
    const page = await awsCall('DescribeAutomationExecutions', () =>
      ssm.send(
        new DescribeAutomationExecutionsCommand({
          Filters: [
            { Key: 'DocumentNamePrefix', Values: [document] },
            { Key: 'ExecutionStatus', Values: ['Waiting'] },
          ],
          ...(next ? { NextToken: next } : {}),
        }),
      ),
    );
    for (const m of page.AutomationExecutionMetadataList ?? []) {
      if (!m.AutomationExecutionId || m.DocumentName !== document) continue;
      out.push({
        automationExecutionId: m.AutomationExecutionId,
        ...(m.ExecutionStartTime ? { startedAt: m.ExecutionStartTime.toISOString() } : {}),
      });
    }
    next = page.NextToken;
  } while (next);
  return out;
}

/** Waiting automations of the document as Systems Manager reports each, newest first. */
async function waitingAutomations(ssm: SSMClient, document: string): Promise<ExecutionView[]> {
  const out: ExecutionView[] = [];
  for (const m of await listWaitingApprovals(ssm, document)) {
    const view = await readExecution(ssm, m.automationExecutionId);
    if (view) out.push(view);
  }
  return out;
}

/** The automations of the document still waiting for a person. */
export async function pendingApprovals(ssm: SSMClient, document: string): Promise<PendingApproval[]> {
  return (await waitingAutomations(ssm, document)).map((v) => ({
    automationExecutionId: v.automationExecutionId,
    executionId: v.workflowExecutionId ?? '',
    distributionId: v.distributionId ?? '',
    ...(v.startedAt ? { startedAt: v.startedAt } : {}),
    ...(v.message !== undefined ? { message: v.message } : {}),
  }));
}

/**
 * `cf403 pending` with the table: every approval a workflow waits for (decided or not, relayed or not) and
 * every Waiting automation no workflow waits for, each with what happens next.
 */
export async function reconciledPendingApprovals(
  ssm: SSMClient,
  document: string,
  store: PendingApprovals,
): Promise<PendingRow[]> {
  const records = await store.listVisible();
  const automations = new Map<string, ExecutionView>();
  for (const v of await waitingAutomations(ssm, document)) automations.set(v.automationExecutionId, v);
  for (const r of records) {
    if (automations.has(r.automationExecutionId)) continue;
    const v = await readExecution(ssm, r.automationExecutionId);
    if (v) automations.set(r.automationExecutionId, v);
  }
  const view = new Map(
    [...automations].map(([id, v]) => [
      id,
      {
        status: v.status,
        ...(v.workflowExecutionId !== undefined ? { executionId: v.workflowExecutionId } : {}),
        ...(v.distributionId !== undefined ? { distributionId: v.distributionId } : {}),
        ...(v.startedAt !== undefined ? { startedAt: v.startedAt } : {}),
        ...(v.message !== undefined ? { message: v.message } : {}),
      },
    ]),
  );
  return reconcilePending(records, view);
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
