// Runs the synthesized state machine locally: every Task state runs the step's real handler in-process,
// every AWS call is answered by the in-memory world, simulated waits cost no real time.
import { Console } from 'node:console';
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { StateMachine } from 'aws-local-stepfunctions';
import { type ApproverDecision, signalApproval } from '../../functions/adapters/approvals.ts';
import { executionKey, S3ArtifactStore } from '../../functions/adapters/artifacts.ts';
import type { AwsClients } from '../../functions/adapters/clients.ts';
import { type MetricsPort, RecordingMetrics } from '../../functions/adapters/metrics.ts';
import { parseConfig } from '../../functions/config.ts';
import { cloudFront4xxAlarmEvent } from '../../functions/domain/alarm-event.ts';
import type {
  AccessLogSummary,
  ChangeSpec,
  Diagnosis,
  FieldDiff,
  Plan,
  ProbeResult,
  ResourceOwner,
} from '../../functions/domain/types.ts';
import { depsForAccount, type StepDeps } from '../../functions/steps/runtime.ts';
import { STEP_CLIENTS } from '../../functions/steps/step-clients.ts';
import { STEP_FOLDERS, type StepName, TASK_STATES } from '../../lib/workflow/steps.ts';
import type { Scenario } from '../scenario/types.ts';
import {
  type SimulatedStack,
  type StepIdentity,
  stackResourcePolicies,
  stepIdentities,
} from '../world/iam/index.ts';
import { type Caller, World } from '../world/index.ts';
import { closeTask } from '../world/messaging.ts';
import { redactCallInput } from '../world/model/validate.ts';
import { Organization, OrganizationError } from '../world/organization.ts';
import { type Asl, type SynthesizedStack, synthesizedStack } from './definition.ts';
import {
  type AttachTarget,
  deployMemberStacks,
  organizationContext,
  organizationTarget,
  simulatedAccountAccess,
  synthesizedOrganization,
} from './organization.ts';
import { accessLogsOf, EdgeProber } from './ports.ts';
import { deployStack, SIM_APPROVAL_DOCUMENT, SIM_PAUSE_PARAMETER } from './stack.ts';
import { STEP_RUNS } from './steps.ts';
import { type TraceEntry, traceOf } from './trace.ts';
import { type VerificationReport, verificationFields } from './verification-report.ts';

// aws-local-stepfunctions calls Promise.withResolvers (Node 22); package.json promises Node 20 too.
const PromiseCtor = Promise as unknown as { withResolvers?: () => unknown };
if (typeof PromiseCtor.withResolvers !== 'function') {
  PromiseCtor.withResolvers = () => {
    let resolve: (value: unknown) => void = () => {};
    let reject: (reason?: unknown) => void = () => {};
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/**
 * Who answers an approval, and how: the simulated operator approves or rejects in Systems Manager, nobody
 * answers (`timeout`), or a script plays the approver side (attack tests: forged events, other versions...).
 */
export type Decision = 'approve' | 'reject' | 'timeout' | ApprovalAct;

/** The approver side while the workflow waits on `automationExecutionId`; see ApprovalContext. */
export type ApprovalAct = (ctx: ApprovalContext) => Promise<void>;

export interface ApprovalContext {
  readonly world: World;
  /** the approval the workflow started */
  readonly automationExecutionId: string;
  /** signals the approval as `caller` (default: the configured operator), as `cf403 approve` would */
  signal(decision: 'Approve' | 'Reject', caller?: string): Promise<void>;
  /** invokes the relay with an event, as EventBridge (or anyone allowed to invoke it) would */
  deliver(event: unknown): Promise<unknown>;
  /** EventBridge delivers Systems Manager's events on a best-effort basis: lose this approval's */
  loseEvents(): void;
}

export interface SimulateOptions {
  decision: Decision;
  /** use this definition instead of synthesizing the app (tests of the runner itself) */
  definition?: Asl;
  /** Powertools log level for the handlers (logs go to stderr) */
  logLevel?: string;
  /** extra step environment, e.g. `{ CF403_PLAN_ONLY: 'true' }` */
  env?: Record<string, string>;
}

export interface ReportAction {
  id: string;
  cause: string;
  risk: string;
  applied: boolean;
  /** applied, then restored by the rollback */
  rolledBack?: boolean;
  description: string;
  /** the API calls the change makes */
  calls: string[];
  /** before/after of what it changes */
  diff: FieldDiff[];
  /** resources the change touches: `distribution:ID`, `bucket-policy:NAME`, `oac`, `key-policy:ID`, `ownership:NAME` */
  targets: string[];
  /** issue 15: the account the change writes in, when not the distribution's (a bucket of another account) */
  account?: string;
  /** the tool that manages what the change writes (its tags): the fix is held unless configured (issue 12) */
  managedBy?: ResourceOwner;
  /** the same change as an edit to that tool's template, so its next deployment keeps the fix */
  templateChange?: string;
}

export interface Report {
  scenario: string;
  outcome: string;
  /** issue 15: the distribution's account, in a hub's run over an organization (a scenario with `accounts`) */
  account?: string;
  causes: Diagnosis['causes'];
  /** failing requests set aside as noise, with the better alarm to set (issue 11) */
  noise?: Diagnosis['noise'];
  /** no cause explains the 403s: each request's fingerprint and every check found fine (issue 11) */
  unexplained?: Diagnosis['unexplained'];
  actions: ReportAction[];
  approval: {
    required: boolean;
    decision: 'approved' | 'rejected' | 'timed-out' | 'not-required';
    /** who decided, as Systems Manager recorded it */
    approver?: string;
    approvers?: ApproverDecision[];
  };
  /** the execution that held the distribution's lock, when this one ended as a duplicate */
  duplicateOf?: string;
  /** why the alarm was ignored (outside the stack's scope, not a CloudFront error-rate alarm, ...) */
  ignored?: string;
  /** audit records the execution wrote to the table */
  auditRecords: number;
  probes: { before: Omit<ProbeResult, 'bodyExcerpt'>[]; after: Omit<ProbeResult, 'bodyExcerpt'>[] };
  /** what the verification saw, request by request, and what it could not see (issue 10; docs/report-format.md) */
  verification?: VerificationReport;
  /** failing requests the probe could not make as a real viewer would, and why (issue 10) */
  unreproducible?: NonNullable<Diagnosis['unreproducible']>;
  /** which access logs the diagnosis read (issue 10) */
  accessLogs?: AccessLogSummary;
  error?: { error: string; cause: string };
  /** what the rollback put back; `error` when it could not put everything back (never silent) */
  rollback?: { restored: string[]; error?: { error: string; cause: string } };
  /** the final notification, lock release or audit record failed; the outcome stands */
  notifyError?: { error: string; cause: string };
  notifications: { subject?: string; message: string }[];
  simulatedSeconds: number;
  awsCalls: number;
  /** every AWS call, in order, secrets redacted (the contract's `trace`) */
  trace: TraceEntry[];
  world: Scenario;
  states: { name: string; type: string }[];
}

const ARTIFACT_BUCKET = 'cf403-artifacts-sim';

/** The workflow's own artifact bucket: a name the scenario's buckets do not use. */
function artifactBucket(world: World): string {
  const taken = new Set(world.scenario.s3.buckets.map((b) => b.Name));
  let name = ARTIFACT_BUCKET;
  for (let n = 2; taken.has(name); n++) name = `${ARTIFACT_BUCKET}-${n}`;
  return name;
}
/** definitions (as JSON text) the local engine has already validated */
const VALIDATED = new Set<string>();

/**
 * Real SDK clients whose every call the world answers, made as `caller`. `world` may be an organization's
 * target (sim/runner/organization.ts), which routes each call to the account it belongs to (issue 15).
 */
export function simulatedClients(world: AttachTarget, caller: Caller = { step: 'unknown' }): AwsClients {
  const opts = {
    region: world.region,
    credentials: { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' },
  };
  const a = <C extends { middlewareStack: unknown }>(client: C) => world.attach(client, caller);
  return {
    cloudfront: a(new CloudFrontClient({ ...opts, region: 'us-east-1' })),
    s3: a(new S3Client(opts)),
    s3control: a(new S3ControlClient(opts)),
    kms: a(new KMSClient(opts)),
    wafv2: a(new WAFV2Client({ ...opts, region: 'us-east-1' })),
    sns: a(new SNSClient(opts)),
    sfn: a(new SFNClient(opts)),
    ssm: a(new SSMClient(opts)),
    dynamodb: a(new DynamoDBClient(opts)),
    cloudwatch: a(new CloudWatchClient({ ...opts, region: 'us-east-1' })),
    logs: a(new CloudWatchLogsClient({ ...opts, region: 'us-east-1' })),
    kmsIn: async (region: string) => a(new KMSClient({ ...opts, region })),
    lambda: a(new LambdaClient(opts)),
    lambdaIn: async (region: string) => a(new LambdaClient({ ...opts, region })),
  };
}

function stderrLogger(level: string): Logger {
  const logger = new Logger({ serviceName: 'cf403', logLevel: level as 'INFO' });
  // Powertools writes to stdout; the simulator keeps stdout for its report.
  (logger as unknown as { console: Console }).console = new Console({
    stdout: process.stderr,
    stderr: process.stderr,
  });
  return logger;
}

export const SIM_TABLE = 'cf403-remediation-sim';
/** The sweep's schedule (lib: SWEEP_INTERVAL): when an answer has not come, the next sweep is this far away. */
const SWEEP_SECONDS = 300;
const SIM_STATE_MACHINE = 'cf403-remediation';

function topicArn(world: World): string {
  return `arn:aws:sns:${world.region}:${world.account}:cf403-notifications`;
}

/** The physical names of the stack as the simulator deploys it into a world. */
export function simulatedStack(world: World): SimulatedStack {
  return {
    account: world.account,
    region: world.region,
    artifactBucket: artifactBucket(world),
    tableName: SIM_TABLE,
    topicArn: topicArn(world),
    approvalDocument: SIM_APPROVAL_DOCUMENT,
    stateMachineArn: `arn:aws:states:${world.region}:${world.account}:stateMachine:${SIM_STATE_MACHINE}`,
  };
}
export { SIM_APPROVAL_DOCUMENT, SIM_PAUSE_PARAMETER } from './stack.ts';

/** The role an operator assumes to approve, the approvers list the deployment would configure. */
export function operatorArn(world: World): string {
  return `arn:aws:iam::${world.account}:role/cf403-operator`;
}

export function simulationDeps(
  world: World,
  logLevel = 'SILENT',
  env: Record<string, string> = {},
  caller: Caller = { step: 'unknown' },
  // never Powertools here: its EMF lines would land on stdout, which carries the JSON report
  metrics: MetricsPort = new RecordingMetrics(),
  /** issue 15: where the clients' calls go (an organization routes them); default the world itself */
  target: AttachTarget = world,
): StepDeps {
  const bucket = artifactBucket(world);
  world.addSystemBucket(bucket);
  const { versionName } = deployStack(world);
  const clients = simulatedClients(target, caller);
  return {
    config: parseConfig({
      AWS_REGION: world.region,
      CF403_ARTIFACT_BUCKET: bucket,
      CF403_TOPIC_ARN: topicArn(world),
      CF403_APPROVAL_RISKS: 'destructive',
      CF403_PLAN_ONLY: 'false',
      CF403_TABLE_NAME: SIM_TABLE,
      CF403_APPROVAL_DOCUMENT: SIM_APPROVAL_DOCUMENT,
      CF403_APPROVAL_DOCUMENT_VERSION: versionName,
      CF403_PAUSE_PARAMETER: SIM_PAUSE_PARAMETER,
      CF403_APPROVERS: operatorArn(world),
      CF403_MIN_APPROVALS: '1',
      ...env,
    }),
    clients,
    artifacts: new S3ArtifactStore(clients.s3, bucket),
    prober: new EdgeProber(world),
    requestLog: accessLogsOf(world, clients),
    requestLogFor: (c: AwsClients) => accessLogsOf(world, c),
    logger: stderrLogger(logLevel),
    metrics,
    now: () => new Date(world.now()),
    // in-process retry pauses cost simulated time only
    sleep: async (ms: number) => world.advance(Math.max(0, ms) / 1000),
  };
}

/** A Lambda error as Step Functions reports it: Error = errorType, Cause = JSON. */
function lambdaError(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const out = new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message }));
  out.name = e.name;
  return out;
}

export interface ExecutionResult {
  executionName: string;
  output: Record<string, unknown>;
  states: Report['states'];
  approvalDecision: Report['approval']['decision'];
  approvers: ApproverDecision[];
  error?: Report['error'];
}

/**
 * The synthesized state machine running against one world. Several executions may share it (alarm storms):
 * each gets its own name, and the world's lock table decides which one acts.
 */
function isSynthesizedStack(d: Asl | SynthesizedStack): d is SynthesizedStack {
  return 'template' in d && 'asl' in d && !('States' in d);
}

export class LocalWorkflow {
  /** the shared configuration (every step's deps carry the same) */
  readonly deps: StepDeps;
  private readonly asl: Asl;
  private readonly stepDeps = new Map<string, StepDeps>();
  /** every metric point the steps recorded, in order (what Lambda would emit as EMF) */
  readonly metrics = new RecordingMetrics();
  /** each step's role as the template defines it; absent when run from a bare definition (not authorized) */
  readonly identities: Record<StepName, StepIdentity> | undefined;

  /**
   * `deployment`: the synthesized stack (every step then calls AWS as its own role, judged by IAM), or a bare
   * state machine definition (tests of the runner and benchmarks of other designs: calls are not authorized).
   */
  constructor(
    readonly world: World,
    deployment: Asl | SynthesizedStack,
    private readonly logLevel?: string,
    private readonly env?: Record<string, string>,
    /** issue 15: the organization the world is the hub of; steps then act in member accounts through STS */
    readonly organization?: Organization,
  ) {
    if (organization && organization.hub !== world)
      throw new OrganizationError('LocalWorkflow: the world must be the organization hub');
    if (isSynthesizedStack(deployment)) {
      this.asl = deployment.asl;
      const stack = simulatedStack(world);
      const identities = stepIdentities(deployment.template, stack);
      // the hub's principals carry aws:PrincipalOrgID, which the member roles' trust policies require
      if (organization)
        for (const s of Object.keys(identities) as StepName[])
          identities[s] = organization.withOrganization(identities[s]);
      this.identities = identities;
      world.useStack({
        policies: stackResourcePolicies(deployment.template, stack),
        stateMachineArn: stack.stateMachineArn,
      });
    } else {
      this.asl = deployment;
      this.identities = undefined;
    }
    this.deps = this.depsFor('operator');
  }

  /** Each step calls AWS with clients of its own, as its own role, so the world knows and authorizes who calls. */
  depsFor(step: StepName | 'operator'): StepDeps {
    const name = step === 'operator' ? step : STEP_FOLDERS[step];
    let deps = this.stepDeps.get(name);
    if (!deps) {
      const identity = step === 'operator' ? undefined : this.identities?.[step];
      // as the construct sets it: the plan checks what the apply role may write
      const applyRole = this.identities?.apply.roleArn;
      const org = this.organization;
      const env: Record<string, string> = {
        ...(applyRole ? { CF403_APPLY_ROLE_ARN: applyRole } : {}),
        ...(org ? hubEnvironment(org) : {}),
        ...this.env,
      };
      const caller: Caller = { step: name, ...(identity ? { identity } : {}) };
      deps = simulationDeps(
        this.world,
        this.logLevel,
        env,
        caller,
        this.metrics,
        org ? organizationTarget(org) : this.world,
      );
      if (org)
        deps = {
          ...deps,
          accounts: simulatedAccountAccess({
            org,
            step: name,
            identity,
            own: deps.clients,
            clients: simulatedClients,
            world: this.world,
            ...(env.CF403_MEMBER_ROLE_NAME !== undefined ? { roleName: env.CF403_MEMBER_ROLE_NAME } : {}),
          }),
        };
      this.stepDeps.set(name, deps);
    }
    return deps;
  }

  /**
   * EventBridge invokes the relay asynchronously: Lambda retries a failed invocation twice, then the event goes
   * to the dead-letter queue (lib: configureAsyncInvoke, retryAttempts 2). The sweep finishes what is left.
   */
  private async deliverToRelay(event: unknown): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await STEP_RUNS.relay(event, this.depsFor('relay'));
        return;
      } catch {
        // retried, then dead-lettered
      }
    }
  }

  /**
   * The approver side acts (the operator signals, or a script), EventBridge delivers the status events to the
   * relay (unless lost), and the sweep runs once (SWEEP_SECONDS later) if nothing answered the task yet. A task
   * still unanswered then waits until its timeout. `approval`: the automation the step started.
   */
  private async answerApproval(approval: string, token: string, act: ApprovalAct): Promise<unknown> {
    const { world, deps } = this;
    const document = deps.config.approvalDocument ?? SIM_APPROVAL_DOCUMENT;
    const seen = world.events.length;
    let lost = false;
    await act({
      world,
      automationExecutionId: approval,
      signal: async (decision, caller = operatorArn(world)) => {
        await world.asCaller(caller, () =>
          signalApproval(deps.clients.ssm, document, approval, decision, 'simulated operator'),
        );
      },
      deliver: (event) => STEP_RUNS.relay(event, this.depsFor('relay')),
      loseEvents: () => {
        lost = true;
      },
    });
    // EventBridge delivers the automation's status changes to the relay.
    if (!lost) for (const event of world.events.slice(seen)) await this.deliverToRelay(event);
    const answered = () => world.taskSignals.find((t) => t.taskToken === token);
    if (!answered()) {
      world.advance(SWEEP_SECONDS);
      await STEP_RUNS.sweep({}, this.depsFor('sweep'));
    }
    const signal = answered();
    if (!signal) {
      // Nobody answered: the task times out, and its token with it.
      closeTask(world, token);
      const timeout = new Error(`approval ${approval} was not answered in time`);
      timeout.name = 'States.Timeout';
      throw timeout;
    }
    if (signal.kind === 'failure') {
      const err = new Error(signal.cause ?? 'approval failed');
      err.name = signal.error ?? 'States.TaskFailed';
      throw err;
    }
    return JSON.parse(signal.output ?? '{}');
  }

  async execute(event: unknown, executionName: string, decision: Decision): Promise<ExecutionResult> {
    const { world, asl } = this;
    const executionId = `arn:aws:states:${world.region}:${world.account}:execution:${SIM_STATE_MACHINE}:${executionName}`;
    let approvalDecision: Report['approval']['decision'] = 'not-required';
    let approvers: ApproverDecision[] = [];
    const invoke = (stateName: string, step: StepName, resource: string) => async (input: unknown) => {
      const payload = resource.startsWith('arn:aws:states:::lambda:invoke')
        ? (input as { Payload: unknown }).Payload
        : input;
      let out: unknown;
      try {
        // issue 15: in the account the input names, through that account's member role (as lambdaHandler does)
        const base = this.depsFor(step);
        const deps = this.organization ? await depsForAccount(base, payload, STEP_CLIENTS[step]) : base;
        out = await STEP_RUNS[step](payload, deps);
      } catch (err) {
        throw lambdaError(err);
      }
      if (resource.endsWith('.waitForTaskToken')) {
        const token = (payload as { token?: string }).token ?? '';
        if (decision === 'timeout') {
          approvalDecision = 'timed-out';
          closeTask(world, token);
          const timeout = new Error(`approval for ${stateName} timed out`);
          timeout.name = 'States.Timeout';
          throw timeout;
        }
        const started = (out as { automationExecutionId?: unknown } | undefined)?.automationExecutionId;
        const approval = typeof started === 'string' ? started : executionId;
        const act: ApprovalAct =
          typeof decision === 'function'
            ? decision
            : (ctx) => ctx.signal(decision === 'approve' ? 'Approve' : 'Reject');
        let answer: { decision?: string; approvers?: ApproverDecision[] };
        try {
          answer = (await this.answerApproval(approval, token, act)) as typeof answer;
        } catch (err) {
          if ((err as Error).name === 'States.Timeout') approvalDecision = 'timed-out';
          throw err;
        }
        approvalDecision = answer.decision === 'approved' ? 'approved' : 'rejected';
        approvers = answer.approvers ?? [];
        return answer;
      }
      const resultPath = asl.States[stateName]?.ResultPath;
      if (typeof resultPath === 'string') results.set(resultPath, out);
      if (resource === 'arn:aws:states:::lambda:invoke')
        return { Payload: out, StatusCode: 200, ExecutedVersion: '$LATEST' };
      return out as never;
    };
    // Latest handler result per ResultPath: a Wait's SecondsPath points into one of them.
    const results = new Map<string, unknown>();
    const secondsAt = (path: string): number => {
      for (const [prefix, value] of results) {
        if (!path.startsWith(`${prefix}.`)) continue;
        let v: unknown = value;
        for (const key of path.slice(prefix.length + 1).split('.'))
          v = (v as Record<string, unknown> | undefined)?.[key];
        if (typeof v === 'number') return v;
      }
      throw new Error(`Wait SecondsPath ${path} names no number the workflow produced`);
    };

    const taskHandlers: Record<string, (input: unknown) => Promise<never>> = {};
    const waitSeconds: Record<string, number | string> = {};
    for (const [name, state] of Object.entries(asl.States)) {
      if (state.Type === 'Task') {
        const step = (TASK_STATES as Record<string, StepName>)[name];
        if (!step) throw new Error(`Task state ${name} has no step handler in lib/workflow/steps.ts`);
        taskHandlers[name] = invoke(name, step, String(state.Resource)) as (input: unknown) => Promise<never>;
      }
      if (state.Type === 'Wait') {
        waitSeconds[name] =
          typeof state.SecondsPath === 'string' ? state.SecondsPath : Number(state.Seconds ?? 0);
      }
    }
    // Waits and retry pauses advance the simulated clock instead of real time.
    const waitTimeOverrides = new Proxy<Record<string, number>>(
      {},
      {
        get: (_t, name) => {
          if (typeof name !== 'string') return undefined;
          const wait = waitSeconds[name] ?? 0;
          world.advance(typeof wait === 'string' ? secondsAt(wait) : wait);
          return 0;
        },
      },
    );
    const retryIntervalOverrides = new Proxy<Record<string, number>>(
      {},
      {
        get: (_t, name) => {
          if (typeof name !== 'string') return undefined;
          const retry = asl.States[name]?.Retry as { IntervalSeconds?: number }[] | undefined;
          world.advance(retry?.[0]?.IntervalSeconds ?? 1);
          return 0;
        },
      },
    );

    // Validating the definition compiles JSON schemas (most of a run's CPU time): once per definition.
    const text = JSON.stringify(asl);
    const machine = new StateMachine(asl as never, {
      validationOptions: { checkArn: false, checkPaths: false, noValidate: VALIDATED.has(text) },
    });
    VALIDATED.add(text);
    const taskToken = `sim-task-token-${executionName}`;
    world.secrets.add(taskToken);
    const execution = machine.run(event as never, {
      overrides: { taskResourceLocalHandlers: taskHandlers, waitTimeOverrides, retryIntervalOverrides },
      context: {
        Execution: {
          Id: executionId,
          Name: executionName,
          Input: event as never,
          StartTime: new Date(world.now()).toISOString(),
        },
        Task: { Token: taskToken },
      },
    });
    const states: Report['states'] = [];
    let lastInput: Record<string, unknown> = {};
    const logs = (async () => {
      for await (const e of execution.eventLogs) {
        if (e.type === 'StateEntered') {
          states.push({ name: e.state.name, type: e.state.type });
          if (typeof e.state.input === 'object' && e.state.input !== null)
            lastInput = e.state.input as Record<string, unknown>;
        }
      }
    })();
    let output: Record<string, unknown>;
    let error: Report['error'];
    try {
      output = (await execution.result) as Record<string, unknown>;
    } catch (err) {
      output = { ...lastInput, outcome: 'FAILED' };
      const e = lastInput.error as { Error?: string; Cause?: string } | undefined;
      error = { error: e?.Error ?? (err as Error).name, cause: e?.Cause ?? (err as Error).message };
    }
    await logs;
    return { executionName, output, states, approvalDecision, approvers, error };
  }
}

/** The alarm of the first distribution: the hub's, else the first member account's that holds one (issue 15). */
export function defaultAlarmEvent(scenario: Scenario): Record<string, unknown> {
  const holders = [
    { account: scenario.account, distributions: scenario.cloudfront.distributions },
    ...(scenario.accounts ?? []).map((a) => ({
      account: a.account,
      distributions: a.cloudfront?.distributions ?? [],
    })),
  ];
  const first = holders.find((h) => h.distributions.length > 0);
  return (
    scenario.alarmEvent ??
    cloudFront4xxAlarmEvent({
      distributionId: first?.distributions[0]?.Id ?? '',
      account: first?.account ?? scenario.account,
      region: scenario.region,
    })
  );
}

/** What the hub's steps get in an organization (lib: the hub's step environment; functions/config.ts). */
export function hubEnvironment(org: Organization): Record<string, string> {
  return {
    CF403_ACCOUNT: org.hub.account,
    CF403_MEMBER_ACCOUNTS: org.members.join(','),
    CF403_ORGANIZATION_ID: org.id,
  };
}

/** The organization a scenario with `accounts` runs in: its worlds, the member stack in each member account. */
export interface OrganizationRun {
  readonly organization: Organization;
  readonly workflow: LocalWorkflow;
}

/**
 * Issue 15: the hub's workflow over an organization. Synthesizes the hub and member stacks for the scenario's
 * organization, deploys the member stack in every member account (unless `memberStack: false`), and runs the
 * hub's state machine in the hub account.
 */
export async function organizationRun(
  scenario: Scenario,
  options: Pick<SimulateOptions, 'logLevel' | 'env'> = {},
): Promise<OrganizationRun> {
  const templates = await synthesizedOrganization(organizationContext(scenario));
  const organization = new Organization(scenario);
  await deployMemberStacks(organization, templates.member);
  const workflow = new LocalWorkflow(
    organization.hub,
    templates.hub,
    options.logLevel,
    options.env,
    organization,
  );
  return { organization, workflow };
}

export async function simulate(scenario: Scenario, options: SimulateOptions): Promise<Report> {
  if (scenario.accounts !== undefined && options.definition === undefined) {
    const { organization, workflow } = await organizationRun(scenario, options);
    const result = await workflow.execute(
      defaultAlarmEvent(scenario),
      `sim-${scenario.name}`.slice(0, 80),
      options.decision,
    );
    return buildReport(scenario, organization.hub, result, organization);
  }
  const deployment = options.definition ?? (await synthesizedStack());
  const world = new World(scenario);
  const workflow = new LocalWorkflow(world, deployment, options.logLevel, options.env);
  const result = await workflow.execute(
    defaultAlarmEvent(scenario),
    `sim-${scenario.name}`.slice(0, 80),
    options.decision,
  );
  return buildReport(scenario, world, result);
}

/** The account of the scenario's alarm event (the hub's when the event names none). */
function alarmAccount(scenario: Scenario): string {
  const account = defaultAlarmEvent(scenario).account;
  return typeof account === 'string' ? account : scenario.account;
}

function targetsOf(change: ChangeSpec | undefined): string[] {
  switch (change?.type) {
    case undefined:
    case 'wait-for-deployment':
    case 'invalidate-cached-errors':
      return [];
    case 'create-function':
      return [`function:${change.functionName}`];
    case 'add-lambda-permission':
      return [`lambda-policy:${change.permission.functionName}`];
    case 'create-or-reuse-oac':
      return ['oac'];
    case 'merge-bucket-policy-statement':
    case 'replace-bucket-policy-statement':
      return [`bucket-policy:${change.bucket}`];
    case 'update-distribution':
      return ['distribution'];
    case 'merge-key-policy-statement':
      return [`key-policy:${change.keyId.split('/').pop()}`];
    case 'put-ownership-controls':
      return [`ownership:${change.bucket}`];
  }
}

export function buildReport(
  scenario: Scenario,
  world: World,
  result: ExecutionResult,
  /** issue 15: the organization `world` is the hub of: calls and state of every account */
  organization?: Organization,
): Report {
  const planText = world.systemObject(artifactBucket(world), executionKey(result.executionName, 'plan'));
  const fullPlan = planText ? (JSON.parse(planText) as Plan) : undefined;
  const { output, states, approvalDecision: decision, error } = result;
  const collect = output.collect as
    | {
        probes?: ProbeResult[];
        ignored?: boolean;
        reason?: string;
        distributionId?: string;
        account?: string;
      }
    | undefined;
  const diagnosis = output.diagnosis as Diagnosis | undefined;
  const plan = output.plan as
    | {
        requiresApproval: boolean;
        actions: { id: string; cause: string; risk: string; description: string }[];
      }
    | undefined;
  const apply = output.apply as { applied?: { actionId: string }[] } | undefined;
  const verify = output.verify as ({ probes?: ProbeResult[] } & Partial<VerificationReport>) | undefined;
  const lock = output.lock as { acquired?: boolean; holder?: string } | undefined;
  const rollback = output.rollback as { restored?: string[] } | undefined;
  const asError = (v: unknown) => {
    const x = v as { Error?: unknown; Cause?: unknown } | undefined;
    return typeof x?.Error === 'string' ? { error: x.Error, cause: String(x.Cause ?? '') } : undefined;
  };
  const rollbackError = asError(output.rollbackError);
  const notifyError = asError(output.notifyError);
  const appliedIds = new Set((apply?.applied ?? []).map((a) => a.actionId));
  const rolledBack = (rollback?.restored?.length ?? 0) > 0;
  const outcome =
    typeof output.outcome === 'string' ? output.outcome : collect?.ignored ? 'NO_ACTION_NEEDED' : 'FAILED';
  const e = output.error as { Error?: string; Cause?: string } | undefined;
  return {
    scenario: scenario.name,
    outcome,
    ...(organization ? { account: collect?.account ?? alarmAccount(scenario) } : {}),
    causes: diagnosis?.causes ?? [],
    ...(diagnosis?.noise ? { noise: diagnosis.noise } : {}),
    ...(diagnosis?.unexplained ? { unexplained: diagnosis.unexplained } : {}),
    actions: (plan?.actions ?? []).map((a) => ({
      id: a.id,
      cause: a.cause,
      risk: a.risk,
      applied: appliedIds.has(a.id),
      ...(rolledBack && appliedIds.has(a.id) ? { rolledBack: true } : {}),
      description: a.description,
      ...(() => {
        const full = fullPlan?.actions.find((x) => x.id === a.id);
        return {
          calls: (full?.calls ?? []).map((c) => `${c.service}:${c.api} ${c.target}`),
          diff: full?.diff ?? [],
          targets: targetsOf(full?.change).map((t) =>
            t === 'distribution' ? `distribution:${collect?.distributionId ?? ''}` : t,
          ),
          // another tool owns what the change writes: who, and the change to make in its template (issue 12)
          ...(full?.managedBy ? { managedBy: full.managedBy } : {}),
          ...(full?.templateChange ? { templateChange: full.templateChange } : {}),
          ...(full?.account ? { account: full.account } : {}),
        };
      })(),
    })),
    approval: {
      required: plan?.requiresApproval ?? false,
      decision: plan?.requiresApproval ? decision : 'not-required',
      ...(result.approvers.length
        ? { approvers: result.approvers, approver: result.approvers.map((a) => a.approver).join(', ') }
        : {}),
    },
    probes: { before: collect?.probes ?? [], after: appliedIds.size > 0 ? (verify?.probes ?? []) : [] },
    ...verificationFields(
      verify,
      diagnosis,
      world.systemObject(artifactBucket(world), executionKey(result.executionName, 'evidence')),
    ),
    ...((): { error?: { error: string; cause: string } } => {
      const base = error ?? (e?.Error ? { error: e.Error, cause: e.Cause ?? '' } : undefined);
      if (!rollbackError) return base ? { error: base } : {};
      const text = `the rollback did not complete: ${rollbackError.error}: ${rollbackError.cause}`;
      return { error: base ? { error: base.error, cause: `${base.cause}; ${text}` } : { ...rollbackError } };
    })(),
    ...(rollback?.restored || rollbackError
      ? {
          rollback: {
            restored: rollback?.restored ?? [],
            ...(rollbackError ? { error: rollbackError } : {}),
          },
        }
      : {}),
    ...(notifyError ? { notifyError } : {}),
    ...(lock && lock.acquired === false ? { duplicateOf: lock.holder } : {}),
    ...(collect?.ignored && collect.reason ? { ignored: collect.reason } : {}),
    auditRecords: world.tableItems(SIM_TABLE).filter((i) => String(i.pk?.S ?? '').startsWith('AUDIT#'))
      .length,
    notifications: world.notifications.map((n) => ({ subject: n.subject, message: n.message })),
    simulatedSeconds: (world.now() - new Date('2026-11-28T00:00:00Z').getTime()) / 1000,
    awsCalls: (organization?.calls ?? world.calls).length,
    trace: traceOf(organization?.calls ?? world.calls, [...world.secrets], redactCallInput, {
      accounts: organization !== undefined,
    }),
    world: organization?.toScenario() ?? world.toScenario(),
    states,
  };
}
