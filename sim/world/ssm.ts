// SSM, as far as approvals and the pause switch need it. Automation documents have versions (registered with
// putDocument, as CreateDocument/UpdateDocument would make them); StartAutomationExecution runs the version it
// names (`$DEFAULT` when none), checks the parameters the version declares, and runs its steps in order: an
// `aws:approve` step waits for signals, `aws:executeScript` runs as the identity script (`return events`: its
// outputs select from its InputPayload), any other action succeeds at once. Status changes to a final status
// append the EventBridge event AWS sends to `world.events`. Parameters (GetParameter) back the pause switch.
import type {
  AutomationExecution,
  AutomationExecutionMetadata,
  DescribeAutomationExecutionsCommandInput,
  DescribeAutomationExecutionsCommandOutput,
  DescribeDocumentCommandInput,
  DescribeDocumentCommandOutput,
  GetAutomationExecutionCommandInput,
  GetAutomationExecutionCommandOutput,
  GetParameterCommandInput,
  GetParameterCommandOutput,
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
import type {
  AutomationState,
  AutomationStatus,
  AutomationStepState,
  DocumentState,
  ParameterState,
} from './state.ts';
import type { World } from './world.ts';

export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 86400;
const APPROVE = 'aws:approve';
const EXECUTE_SCRIPT = 'aws:executeScript';
const MAX_APPROVERS = 10;
const MAX_MESSAGE = 4096;
// Automations take at most 5 tags (Systems Manager User Guide, "Tagging automations").
const MAX_AUTOMATION_TAGS = 5;
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

// ---- documents ----

interface DocParameter {
  type?: string;
  default?: unknown;
  allowedPattern?: string;
  minItems?: number;
  maxItems?: number;
  maxChars?: number;
}

interface DocStep {
  name: string;
  action: string;
  timeoutSeconds?: number;
  inputs?: Record<string, unknown>;
  outputs?: { Name?: string; Selector?: string }[];
}

function documents(world: World): Map<string, DocumentState> {
  world.state.documents ??= new Map();
  return world.state.documents;
}

export interface PutDocumentOptions {
  name: string;
  /** the document's JSON content (schema 0.3) */
  content: Record<string, unknown>;
  /** unique within the document, as SSM requires */
  versionName?: string;
  /** make this version the default (a new document's first version always is) */
  makeDefault?: boolean;
}

/**
 * Creates the document (version 1, the default) or adds its next version, as CreateDocument and UpdateDocument
 * would; returns the version number. Not an API of the world: the deployment (the runner) and tests call it.
 */
export function putDocument(world: World, options: PutDocumentOptions): string {
  const docs = documents(world);
  const existing = docs.get(options.name);
  if (existing && options.versionName && existing.versions.some((v) => v.versionName === options.versionName))
    throw new Error(`World: document ${options.name} already has a version named ${options.versionName}`);
  const version = String((existing?.versions.length ?? 0) + 1);
  const entry = {
    version,
    ...(options.versionName ? { versionName: options.versionName } : {}),
    content: structuredClone(options.content),
    createdAt: world.now(),
  };
  if (!existing) {
    docs.set(options.name, { name: options.name, versions: [entry], defaultVersion: version });
  } else {
    existing.versions.push(entry);
    if (options.makeDefault) existing.defaultVersion = version;
  }
  return version;
}

function documentOf(world: World, name: string | undefined) {
  const doc = name === undefined ? undefined : documents(world).get(name);
  if (!doc) throw ssmError('InvalidDocument', `Document with name ${name ?? 'null'} does not exist.`);
  return doc;
}

function versionOf(doc: DocumentState, version: string | undefined, versionName?: string) {
  const wanted =
    version === undefined || version === '$DEFAULT'
      ? versionName === undefined
        ? doc.defaultVersion
        : undefined
      : version === '$LATEST'
        ? String(doc.versions.length)
        : version;
  const found = doc.versions.find(
    (v) =>
      (wanted === undefined || v.version === wanted) &&
      (versionName === undefined || v.versionName === versionName),
  );
  if (!found) {
    throw ssmError(
      'InvalidDocumentVersion',
      `The document version is not valid or does not exist (${doc.name} ${version ?? ''}${versionName ?? ''}).`,
    );
  }
  return found;
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
      DefinitionVersion: Number(a.documentVersion),
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
  for (const s of a.steps) {
    if (s.status === 'Waiting') {
      s.status = status === 'Success' ? 'Success' : status;
      s.endedAt = at;
    }
  }
  world.events.push(automationEvent(world, a, at));
}

/** Runs the steps after the current one until one waits or all are done. */
function proceed(world: World, a: AutomationState, at: number): void {
  for (const step of a.steps) {
    if (step.status !== 'Pending') continue;
    step.startedAt = at;
    if (step.action === APPROVE) {
      step.status = 'Waiting';
      a.status = 'Waiting';
      return;
    }
    step.status = 'Success';
    step.endedAt = at;
  }
  finish(world, a, 'Success', at);
}

/** Times out executions still Waiting past their approve step's start + timeoutSeconds (lazy evaluation). */
export function settleAutomations(world: World): void {
  const deadline = (a: AutomationState) => {
    const step = a.steps.find((s) => s.status === 'Waiting');
    return (step?.startedAt ?? a.startedAt) + a.timeoutSeconds * 1000;
  };
  const due = [...world.state.automations.values()]
    .filter((a) => a.status === 'Waiting' && deadline(a) <= world.now())
    .sort((x, y) => deadline(x) - deadline(y));
  for (const a of due) finish(world, a, 'TimedOut', deadline(a));
}

// ---- views ----

function approvalStatus(a: AutomationState): 'Approved' | 'Rejected' | 'Pending' {
  if (a.decisions.some((d) => d.Decision === 'Reject')) return 'Rejected';
  return a.decisions.filter((d) => d.Decision === 'Approve').length >= a.minApprovals && a.minApprovals > 0
    ? 'Approved'
    : 'Pending';
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

function stepView(a: AutomationState, s: AutomationStepState): StepExecution {
  const step: StepExecution = {
    StepName: s.name,
    Action: s.action,
    StepExecutionId: s.stepExecutionId,
    StepStatus: s.status,
    OnFailure: 'Abort',
    Inputs: { ...s.inputs },
    Outputs:
      s.action === APPROVE
        ? { ApprovalStatus: [approvalStatus(a)], ApproverDecisions: [JSON.stringify(a.decisions)] }
        : structuredClone(s.outputs),
  };
  if (s.timeoutSeconds !== undefined) step.TimeoutSeconds = s.timeoutSeconds;
  if (s.startedAt !== undefined) step.ExecutionStartTime = new Date(s.startedAt);
  if (s.endedAt !== undefined) step.ExecutionEndTime = new Date(s.endedAt);
  if (s.action === APPROVE) {
    const failure = failureMessage(a);
    if (failure) step.FailureMessage = failure;
  }
  return step;
}

function current(a: AutomationState): AutomationStepState | undefined {
  return a.steps.find((s) => s.status === 'Waiting');
}

function executionOf(a: AutomationState): AutomationExecution {
  const out: AutomationExecution = {
    AutomationExecutionId: a.id,
    DocumentName: a.documentName,
    DocumentVersion: a.documentVersion,
    ExecutionStartTime: new Date(a.startedAt),
    AutomationExecutionStatus: a.status,
    StepExecutions: a.steps.filter((s) => s.status !== 'Pending').map((s) => stepView(a, s)),
    StepExecutionsTruncated: false,
    Parameters: structuredClone(a.parameters),
    Outputs: {},
    Mode: 'Auto',
    ExecutedBy: a.executedBy,
  };
  if (a.endedAt !== undefined) out.ExecutionEndTime = new Date(a.endedAt);
  const step = current(a);
  if (a.status === 'Waiting' && step) {
    out.CurrentStepName = step.name;
    out.CurrentAction = step.action;
  }
  const failure = failureMessage(a);
  if (failure) out.FailureMessage = failure;
  return out;
}

function metadataOf(a: AutomationState): AutomationExecutionMetadata {
  const out: AutomationExecutionMetadata = {
    AutomationExecutionId: a.id,
    DocumentName: a.documentName,
    DocumentVersion: a.documentVersion,
    AutomationExecutionStatus: a.status,
    ExecutionStartTime: new Date(a.startedAt),
    ExecutedBy: a.executedBy,
    Mode: 'Auto',
    AutomationType: 'Local',
    Outputs: {},
  };
  if (a.endedAt !== undefined) out.ExecutionEndTime = new Date(a.endedAt);
  const step = current(a);
  if (a.status === 'Waiting' && step) {
    out.CurrentStepName = step.name;
    out.CurrentAction = step.action;
  }
  const failure = failureMessage(a);
  if (failure) out.FailureMessage = failure;
  return out;
}

// ---- parameters ----

/** The execution's parameters: the version's declarations checked, defaults filled in. */
function resolveParameters(
  declared: Record<string, DocParameter>,
  given: Record<string, string[]>,
): Record<string, string[]> {
  for (const name of Object.keys(given)) {
    if (!(name in declared)) throw badParameters(`Parameter "${name}" is not defined in the document.`);
  }
  const out: Record<string, string[]> = {};
  for (const [name, p] of Object.entries(declared)) {
    const values =
      given[name] ??
      (p.default === undefined
        ? undefined
        : Array.isArray(p.default)
          ? p.default.map(String)
          : [String(p.default)]);
    if (values === undefined) throw badParameters(`Parameter "${name}" is required.`);
    if (p.type !== 'StringList' && values.length !== 1)
      throw badParameters(`Parameter "${name}" must be one value, got ${JSON.stringify(values)}.`);
    if (p.type === 'Integer' && !/^-?\d+$/.test(values[0] ?? ''))
      throw badParameters(`Parameter "${name}" must be an integer, got ${JSON.stringify(values)}.`);
    if (p.type === 'StringList') {
      if (p.minItems !== undefined && values.length < p.minItems)
        throw badParameters(`Parameter "${name}" needs at least ${p.minItems} item(s).`);
      if (p.maxItems !== undefined && values.length > p.maxItems)
        throw badParameters(
          `Parameter "${name}" lists ${values.length} items; at most ${p.maxItems} are allowed.`,
        );
    }
    for (const v of values) {
      if (p.maxChars !== undefined && v.length > p.maxChars)
        throw badParameters(
          `Parameter "${name}" is ${v.length} characters; at most ${p.maxChars} are allowed.`,
        );
      if (p.allowedPattern !== undefined && !new RegExp(p.allowedPattern).test(v))
        throw badParameters(
          `Parameter "${name}" value "${v}" does not match the pattern ${p.allowedPattern}.`,
        );
    }
    out[name] = values;
  }
  return out;
}

/** `{{ Name }}` → the parameter's values (a list for a whole-value reference to a StringList). */
function substitute(value: unknown, parameters: Record<string, string[]>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([A-Za-z0-9_]+)\s*\}\}$/.exec(value);
    if (whole?.[1] !== undefined) {
      const v = parameters[whole[1]];
      return v === undefined ? value : v.length === 1 ? v[0] : v;
    }
    return value.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (m, n: string) => parameters[n]?.join(',') ?? m);
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, parameters));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, parameters)]));
  return value;
}

const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** An aws:executeScript step run as `return events`: each output's `$.Payload.x` selects InputPayload.x. */
function scriptOutputs(step: DocStep, inputs: Record<string, unknown>): Record<string, string[]> {
  const payload = inputs.InputPayload;
  const out: Record<string, string[]> = {};
  for (const o of step.outputs ?? []) {
    const path = /^\$\.Payload\.(.+)$/.exec(o.Selector ?? '')?.[1];
    if (!o.Name || path === undefined) continue;
    let v: unknown = payload;
    for (const part of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
    if (v !== undefined) out[o.Name] = Array.isArray(v) ? v.map(asText) : [asText(v)];
  }
  return out;
}

function approverInputs(step: DocStep, inputs: Record<string, unknown>) {
  const raw = inputs.Approvers;
  const approvers = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
  if (approvers.length === 0) throw badParameters('Step input "Approvers" must list at least one ARN.');
  if (approvers.length > MAX_APPROVERS)
    throw badParameters(
      `Step input "Approvers" lists ${approvers.length} approvers; at most ${MAX_APPROVERS} are allowed.`,
    );
  const minRaw = inputs.MinRequiredApprovals ?? '1';
  const minApprovals = Number(minRaw);
  if (!Number.isInteger(minApprovals) || minApprovals < 1)
    throw badParameters(
      `Step input "MinRequiredApprovals" must be a positive integer, got ${String(minRaw)}.`,
    );
  if (minApprovals > approvers.length) {
    throw badParameters(
      `Parameter "MinRequiredApprovals" (${minApprovals}) exceeds the number of approvers (${approvers.length}).`,
    );
  }
  const message = inputs.Message === undefined ? '' : String(inputs.Message);
  if (message.length > MAX_MESSAGE)
    throw badParameters(
      `Parameter "Message" is ${message.length} characters; at most ${MAX_MESSAGE} are allowed.`,
    );
  return {
    approvers,
    minApprovals,
    message,
    timeoutSeconds: step.timeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS,
  };
}

// ---- parameters store ----

/** Sets an SSM parameter (as PutParameter with Overwrite would); not an API of the world. */
export function putParameter(world: World, name: string, value: string): void {
  world.state.parameters ??= new Map();
  const old = world.state.parameters.get(name);
  const next: ParameterState = { name, value, version: (old?.version ?? 0) + 1, modifiedAt: world.now() };
  world.state.parameters.set(name, next);
}

/** The tags of an automation execution (what `aws:ResourceTag/...` sees), or undefined for none such. */
export function automationTags(world: World, id: string): Record<string, string> | undefined {
  const a = world.state.automations.get(id);
  return a ? Object.fromEntries(a.tags.map((t) => [t.Key, t.Value])) : undefined;
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
      const doc = documentOf(world, input.DocumentName);
      const version = versionOf(doc, input.DocumentVersion);
      const content = version.content as { parameters?: Record<string, DocParameter>; mainSteps?: DocStep[] };
      const parameters = resolveParameters(content.parameters ?? {}, structuredClone(input.Parameters ?? {}));
      const tags = (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
      if (tags.length > MAX_AUTOMATION_TAGS)
        throw ssmError('InvalidParameters', `An automation takes at most ${MAX_AUTOMATION_TAGS} tags.`);
      const steps = content.mainSteps ?? [];
      const approveSteps = steps.filter((s) => s.action === APPROVE);
      if (approveSteps.length > 1) throw new Error('World: more than one aws:approve step is not simulated');
      let approval = { approvers: [] as string[], minApprovals: 0, message: '', timeoutSeconds: 0 };
      const stepStates: AutomationStepState[] = steps.map((s) => {
        const inputs = substitute(s.inputs ?? {}, parameters) as Record<string, unknown>;
        if (s.action === APPROVE) approval = approverInputs(s, inputs);
        return {
          name: s.name,
          action: s.action,
          stepExecutionId: world.ids.uuid(),
          status: 'Pending',
          inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, asText(v)])),
          outputs: s.action === EXECUTE_SCRIPT ? scriptOutputs(s, inputs) : {},
          ...(s.timeoutSeconds !== undefined ? { timeoutSeconds: s.timeoutSeconds } : {}),
        };
      });
      const id = world.ids.uuid();
      const a: AutomationState = {
        id,
        documentName: input.DocumentName,
        documentVersion: version.version,
        parameters,
        tags,
        steps: stepStates,
        ...approval,
        status: 'Waiting',
        executedBy: world.callerArn,
        startedAt: world.now(),
        decisions: [],
      };
      world.state.automations.set(id, a);
      proceed(world, a, world.now());
      return { AutomationExecutionId: id };
    }),

    DescribeDocument: handler<DescribeDocumentCommandInput, Out<DescribeDocumentCommandOutput>>((input) => {
      const doc = documentOf(world, input.Name);
      const v = versionOf(doc, input.DocumentVersion, input.VersionName);
      const content = v.content as { schemaVersion?: string; description?: string };
      return {
        Document: {
          Name: doc.name,
          DocumentVersion: v.version,
          ...(v.versionName ? { VersionName: v.versionName } : {}),
          DefaultVersion: doc.defaultVersion,
          LatestVersion: String(doc.versions.length),
          DocumentType: 'Automation',
          DocumentFormat: 'JSON',
          Status: 'Active',
          ...(content.schemaVersion ? { SchemaVersion: content.schemaVersion } : {}),
          ...(content.description ? { Description: content.description } : {}),
          CreatedDate: new Date(v.createdAt),
          Owner: world.account,
        },
      };
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
        const step = current(a);
        if (signal !== 'Approve' && signal !== 'Reject') {
          throw ssmError(
            'InvalidAutomationSignalException',
            `The signal ${signal ?? 'null'} is not valid for the step ${step?.name ?? '?'} (${step?.action ?? '?'}).`,
          );
        }
        // a finished execution no longer has a step waiting for a signal
        if (a.status !== 'Waiting' || !step) {
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
        if (signal === 'Reject') {
          finish(world, a, 'Failed', world.now());
        } else if (a.decisions.filter((d) => d.Decision === 'Approve').length >= a.minApprovals) {
          step.status = 'Success';
          step.endedAt = world.now();
          proceed(world, a, world.now());
        }
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

    GetParameter: handler<GetParameterCommandInput, Out<GetParameterCommandOutput>>((input) => {
      const p = input.Name === undefined ? undefined : world.state.parameters?.get(input.Name);
      if (!p) throw ssmError('ParameterNotFound', `Parameter ${input.Name ?? 'null'} not found.`);
      return {
        Parameter: {
          Name: p.name,
          Type: 'String',
          Value: p.value,
          Version: p.version,
          LastModifiedDate: new Date(p.modifiedAt),
          ARN: `arn:aws:ssm:${world.region}:${world.account}:parameter${p.name.startsWith('/') ? '' : '/'}${p.name}`,
          DataType: 'text',
        },
      };
    }),
  };
}
