// SSM Automation, as far as approvals need it: every document is one `aws:approve` step named `approve`
// (the document content is not modeled), with inputs from the parameters Approvers, MinRequiredApprovals and
// Message. Status changes to a final status append the EventBridge event AWS sends to `world.events`.
import type {
  AutomationExecution,
  AutomationExecutionMetadata,
  DescribeAutomationExecutionsCommandInput,
  DescribeAutomationExecutionsCommandOutput,
  GetAutomationExecutionCommandInput,
  GetAutomationExecutionCommandOutput,
  SendAutomationSignalCommandInput,
  SendAutomationSignalCommandOutput,
  StartAutomationExecutionCommandInput,
  StartAutomationExecutionCommandOutput,
  StepExecution,
  StopAutomationExecutionCommandInput,
  StopAutomationExecutionCommandOutput,
} from '@aws-sdk/client-ssm';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import type { AutomationState, AutomationStatus } from './state.ts';
import type { World } from './world.ts';

export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 86400;
const STEP_NAME = 'approve';
const STEP_ACTION = 'aws:approve';
const MAX_APPROVERS = 10;
const MAX_MESSAGE = 4096;
const FINAL: readonly AutomationStatus[] = ['Success', 'Failed', 'TimedOut', 'Cancelled'];
const STATUSES: readonly string[] = ['Waiting', ...FINAL];
export const AUTOMATION_EVENT_DETAIL_TYPE = 'EC2 Automation Execution Status-change Notification';

function ssmError(name: string, message: string, status = 400): Error {
  return serviceError({ service: 'ssm', name, message, status });
}

function badParameters(message: string): Error {
  return ssmError('InvalidAutomationExecutionParametersException', message);
}

function notFound(id: string | undefined): Error {
  return ssmError('AutomationExecutionNotFoundException', `Automation execution ${id ?? 'null'} not found.`);
}

// ---- identities ----

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/**
 * True when `caller` is `approver`, or is a session of the role `approver` names (an assumed-role ARN drops
 * the role's path, so roles match by partition, account and name).
 */
export function isApprover(caller: string, approver: string): boolean {
  if (caller === approver) return true;
  const session = ASSUMED_ROLE.exec(caller);
  const role = ROLE.exec(approver);
  return (
    session !== null &&
    role !== null &&
    session[1] === role[1] &&
    session[2] === role[2] &&
    session[3] === role[3]
  );
}

// ---- times ----

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ISO without milliseconds, as EventBridge writes `time`. */
function eventTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The detail's StartTime/EndTime as SSM writes them, e.g. "Nov 29, 2026 7:43:20 PM" (UTC). */
function detailTime(ms: number): string {
  const d = new Date(ms);
  const hours = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${hours % 12 || 12}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

// ---- state changes ----

function automationEvent(world: World, a: AutomationState, endedAt: number): Record<string, unknown> {
  const arn = (kind: string, rest: string) => `arn:aws:ssm:${world.region}:${world.account}:${kind}/${rest}`;
  return {
    version: '0',
    id: world.ids.uuid(),
    'detail-type': AUTOMATION_EVENT_DETAIL_TYPE,
    source: 'aws.ssm',
    account: world.account,
    time: eventTime(endedAt),
    region: world.region,
    resources: [
      arn('automation-execution', a.id),
      arn('automation-definition', `${a.documentName}:$DEFAULT`),
    ],
    detail: {
      ExecutionId: a.id,
      Definition: a.documentName,
      DefinitionVersion: 1.0,
      Status: a.status,
      StartTime: detailTime(a.startedAt),
      EndTime: detailTime(endedAt),
      // the execution's duration in ms
      Time: endedAt - a.startedAt,
      ExecutedBy: a.executedBy,
    },
  };
}

function finish(world: World, a: AutomationState, status: AutomationStatus, at: number): void {
  a.status = status;
  a.endedAt = at;
  world.events.push(automationEvent(world, a, at));
}

/** Times out executions still Waiting past start + TimeoutSeconds; World.settle calls it (lazy evaluation). */
export function settleAutomations(world: World): void {
  const due = [...world.state.automations.values()]
    .filter((a) => a.status === 'Waiting' && a.startedAt + a.timeoutSeconds * 1000 <= world.now())
    .sort((x, y) => x.startedAt + x.timeoutSeconds * 1000 - (y.startedAt + y.timeoutSeconds * 1000));
  for (const a of due) finish(world, a, 'TimedOut', a.startedAt + a.timeoutSeconds * 1000);
}

// ---- views ----

function approvalStatus(a: AutomationState): 'Approved' | 'Rejected' | 'Pending' {
  if (a.decisions.some((d) => d.Decision === 'Reject')) return 'Rejected';
  return a.status === 'Success' ? 'Approved' : 'Pending';
}

function failureMessage(a: AutomationState): string | undefined {
  switch (a.status) {
    case 'Failed': {
      const by = a.decisions.find((d) => d.Decision === 'Reject')?.Approver ?? 'an approver';
      return `Step fails when it is rejected. The approval was rejected by ${by}.`;
    }
    case 'TimedOut':
      return `Step timed out while step is verifying approvals after ${a.timeoutSeconds} seconds.`;
    default:
      return undefined;
  }
}

function stepOf(a: AutomationState): StepExecution {
  const step: StepExecution = {
    StepName: STEP_NAME,
    Action: STEP_ACTION,
    StepExecutionId: a.stepExecutionId,
    StepStatus: a.status,
    TimeoutSeconds: a.timeoutSeconds,
    OnFailure: 'Abort',
    ExecutionStartTime: new Date(a.startedAt),
    // inputs are JSON texts, as SSM shows them
    Inputs: {
      Approvers: JSON.stringify(a.approvers),
      MinRequiredApprovals: String(a.minApprovals),
      Message: JSON.stringify(a.message),
    },
    Outputs: {
      ApprovalStatus: [approvalStatus(a)],
      ApproverDecisions: [JSON.stringify(a.decisions)],
    },
  };
  if (a.endedAt !== undefined) step.ExecutionEndTime = new Date(a.endedAt);
  const failure = failureMessage(a);
  if (failure) step.FailureMessage = failure;
  return step;
}

function executionOf(a: AutomationState): AutomationExecution {
  const out: AutomationExecution = {
    AutomationExecutionId: a.id,
    DocumentName: a.documentName,
    DocumentVersion: '1',
    ExecutionStartTime: new Date(a.startedAt),
    AutomationExecutionStatus: a.status,
    StepExecutions: [stepOf(a)],
    StepExecutionsTruncated: false,
    Parameters: structuredClone(a.parameters),
    Outputs: {},
    Mode: 'Auto',
    ExecutedBy: a.executedBy,
  };
  if (a.endedAt !== undefined) out.ExecutionEndTime = new Date(a.endedAt);
  if (a.status === 'Waiting') {
    out.CurrentStepName = STEP_NAME;
    out.CurrentAction = STEP_ACTION;
  }
  const failure = failureMessage(a);
  if (failure) out.FailureMessage = failure;
  return out;
}

function metadataOf(a: AutomationState): AutomationExecutionMetadata {
  const out: AutomationExecutionMetadata = {
    AutomationExecutionId: a.id,
    DocumentName: a.documentName,
    DocumentVersion: '1',
    AutomationExecutionStatus: a.status,
    ExecutionStartTime: new Date(a.startedAt),
    ExecutedBy: a.executedBy,
    Mode: 'Auto',
    AutomationType: 'Local',
    Outputs: {},
  };
  if (a.endedAt !== undefined) out.ExecutionEndTime = new Date(a.endedAt);
  if (a.status === 'Waiting') {
    out.CurrentStepName = STEP_NAME;
    out.CurrentAction = STEP_ACTION;
  }
  const failure = failureMessage(a);
  if (failure) out.FailureMessage = failure;
  return out;
}

// ---- parameters ----

function positiveInteger(name: string, values: string[] | undefined, fallback: number): number {
  if (values === undefined) return fallback;
  const [text, ...rest] = values;
  if (text === undefined || rest.length > 0 || !/^\d+$/.test(text) || Number(text) < 1)
    throw badParameters(`Parameter "${name}" must be one positive integer, got ${JSON.stringify(values)}.`);
  return Number(text);
}

function parseParameters(parameters: Record<string, string[]>): {
  approvers: string[];
  minApprovals: number;
  message: string;
  timeoutSeconds: number;
} {
  const approvers = parameters.Approvers ?? [];
  if (approvers.length === 0)
    throw badParameters('Parameter "Approvers" is required and must list at least one ARN.');
  if (approvers.length > MAX_APPROVERS)
    throw badParameters(
      `Parameter "Approvers" lists ${approvers.length} approvers; at most ${MAX_APPROVERS} are allowed.`,
    );
  const minApprovals = positiveInteger('MinRequiredApprovals', parameters.MinRequiredApprovals, 1);
  if (minApprovals > approvers.length) {
    throw badParameters(
      `Parameter "MinRequiredApprovals" (${minApprovals}) exceeds the number of approvers (${approvers.length}).`,
    );
  }
  const messageValues = parameters.Message ?? [];
  if (messageValues.length > 1) throw badParameters('Parameter "Message" must be one string.');
  const message = messageValues[0] ?? '';
  if (message.length > MAX_MESSAGE)
    throw badParameters(
      `Parameter "Message" is ${message.length} characters; at most ${MAX_MESSAGE} are allowed.`,
    );
  const timeoutSeconds = positiveInteger(
    'TimeoutSeconds',
    parameters.TimeoutSeconds,
    DEFAULT_APPROVAL_TIMEOUT_SECONDS,
  );
  return { approvers, minApprovals, message, timeoutSeconds };
}

// ---- handlers ----

export function ssmHandlers(world: World): Handlers {
  const automation = (id: string | undefined): AutomationState => {
    const a = id === undefined ? undefined : world.state.automations.get(id);
    if (!a) throw notFound(id);
    return a;
  };

  return {
    StartAutomationExecution: handler<
      StartAutomationExecutionCommandInput,
      Out<StartAutomationExecutionCommandOutput>
    >((input) => {
      if (!input.DocumentName) throw ssmError('ValidationException', 'DocumentName is required.');
      if (input.TargetParameterName || input.Targets || input.TargetMaps || input.TargetLocations)
        throw new Error('World: rate-controlled automation executions are not simulated');
      const parameters = structuredClone(input.Parameters ?? {});
      const parsed = parseParameters(parameters);
      const id = world.ids.uuid();
      world.state.automations.set(id, {
        id,
        documentName: input.DocumentName,
        parameters,
        ...parsed,
        status: 'Waiting',
        executedBy: world.callerArn,
        stepExecutionId: world.ids.uuid(),
        startedAt: world.now(),
        decisions: [],
      });
      return { AutomationExecutionId: id };
    }),

    GetAutomationExecution: handler<
      GetAutomationExecutionCommandInput,
      Out<GetAutomationExecutionCommandOutput>
    >((input) => ({ AutomationExecution: executionOf(automation(input.AutomationExecutionId)) })),

    DescribeAutomationExecutions: handler<
      DescribeAutomationExecutionsCommandInput,
      Out<DescribeAutomationExecutionsCommandOutput>
    >((input) => {
      const tests: Array<(a: AutomationState) => boolean> = [];
      for (const filter of input.Filters ?? []) {
        const values = filter.Values ?? [];
        if (values.length === 0)
          throw ssmError('InvalidFilterValue', `The filter ${filter.Key} has no values.`);
        switch (filter.Key) {
          case 'DocumentNamePrefix':
            tests.push((a) => values.some((v) => a.documentName.startsWith(v)));
            break;
          case 'ExecutionStatus': {
            const bad = values.find((v) => !STATUSES.includes(v) && v !== 'InProgress' && v !== 'Pending');
            if (bad)
              throw ssmError(
                'InvalidFilterValue',
                `The filter value ${bad} is not valid for ExecutionStatus.`,
              );
            tests.push((a) => values.includes(a.status));
            break;
          }
          case 'ExecutionId':
            tests.push((a) => values.includes(a.id));
            break;
          case 'StartTimeBefore':
          case 'StartTimeAfter': {
            const limits = values.map((v) => Date.parse(v));
            if (limits.some((t) => Number.isNaN(t)))
              throw ssmError('InvalidFilterValue', `The filter ${filter.Key} needs ISO times.`);
            tests.push((a) =>
              limits.some((t) => (filter.Key === 'StartTimeBefore' ? a.startedAt < t : a.startedAt > t)),
            );
            break;
          }
          case undefined:
            throw ssmError('InvalidFilterKey', 'A filter needs a Key.');
          default:
            throw new Error(`World: DescribeAutomationExecutions filter ${filter.Key} is not simulated`);
        }
      }
      // newest first, as the console and the API list them
      const matching = [...world.state.automations.values()]
        .filter((a) => tests.every((t) => t(a)))
        .reverse();
      const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
      if (!Number.isInteger(start) || start < 0 || start > matching.length)
        throw ssmError('InvalidNextToken', 'The specified token isn\u2019t valid.');
      const size = input.MaxResults ?? 50;
      const page = matching.slice(start, start + size);
      const out: Out<DescribeAutomationExecutionsCommandOutput> = {
        AutomationExecutionMetadataList: page.map(metadataOf),
      };
      if (start + size < matching.length) out.NextToken = String(start + size);
      return out;
    }),

    SendAutomationSignal: handler<SendAutomationSignalCommandInput, Out<SendAutomationSignalCommandOutput>>(
      (input) => {
        const a = automation(input.AutomationExecutionId);
        const signal = input.SignalType;
        if (signal !== 'Approve' && signal !== 'Reject') {
          throw ssmError(
            'InvalidAutomationSignalException',
            `The signal ${signal ?? 'null'} is not valid for the step ${STEP_NAME} (${STEP_ACTION}).`,
          );
        }
        // a finished execution no longer has a step waiting for a signal
        if (a.status !== 'Waiting') {
          throw ssmError(
            'AutomationExecutionNotFoundException',
            `Automation execution ${a.id} is not waiting for a signal; its status is ${a.status}.`,
          );
        }
        const caller = world.callerArn;
        const listed = a.approvers.find((approver) => isApprover(caller, approver));
        if (!listed) {
          throw ssmError(
            'InvalidAutomationSignalException',
            `${caller} is not an approver of automation execution ${a.id}.`,
          );
        }
        if (a.decisions.some((d) => d.Approver === caller || isApprover(d.Approver, listed))) {
          throw ssmError(
            'InvalidAutomationSignalException',
            `${caller} has already sent a decision for automation execution ${a.id}.`,
          );
        }
        const comments = input.Payload?.Comment ?? [];
        a.decisions.push({
          Approver: caller,
          Decision: signal,
          ApprovalDecisionTime: new Date(world.now()).toISOString(),
          Comment: comments.join('\n'),
        });
        if (signal === 'Reject') finish(world, a, 'Failed', world.now());
        else if (a.decisions.filter((d) => d.Decision === 'Approve').length >= a.minApprovals)
          finish(world, a, 'Success', world.now());
        return {};
      },
    ),

    StopAutomationExecution: handler<
      StopAutomationExecutionCommandInput,
      Out<StopAutomationExecutionCommandOutput>
    >((input) => {
      const a = automation(input.AutomationExecutionId);
      if (input.Type !== undefined && input.Type !== 'Cancel')
        throw new Error(`World: StopAutomationExecution Type ${input.Type} is not simulated`);
      if (a.status !== 'Waiting') {
        throw ssmError(
          'InvalidAutomationStatusUpdateException',
          `Automation execution ${a.id} cannot be stopped; its status is ${a.status}.`,
        );
      }
      finish(world, a, 'Cancelled', world.now());
      return {};
    }),
  };
}
