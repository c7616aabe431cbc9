// Runs the synthesized state machine locally: every Task state runs the step's real handler in-process,
// every AWS call is answered by the in-memory world, simulated waits cost no real time.
import { Console } from 'node:console';
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { StateMachine } from 'aws-local-stepfunctions';
import { S3ArtifactStore } from '../../functions/adapters/artifacts.ts';
import type { AwsClients } from '../../functions/adapters/clients.ts';
import { parseConfig } from '../../functions/config.ts';
import { cloudFront4xxAlarmEvent } from '../../functions/domain/alarm-event.ts';
import type { Diagnosis, ProbeResult } from '../../functions/domain/types.ts';
import type { StepDeps } from '../../functions/steps/runtime.ts';
import { type StepName, TASK_STATES } from '../../lib/workflow/steps.ts';
import type { Scenario } from '../scenario/types.ts';
import { World } from '../world/index.ts';
import { type Asl, synthesizedDefinition } from './definition.ts';
import { EdgeProber, ScenarioRequestLog } from './ports.ts';
import { STEP_RUNS } from './steps.ts';

export type Decision = 'approve' | 'reject' | 'timeout';

export interface SimulateOptions {
  decision: Decision;
  /** use this definition instead of synthesizing the app (tests of the runner itself) */
  definition?: Asl;
  /** Powertools log level for the handlers (logs go to stderr) */
  logLevel?: string;
}

export interface ReportAction {
  id: string;
  cause: string;
  risk: string;
  applied: boolean;
  /** applied, then restored by the rollback */
  rolledBack?: boolean;
  description: string;
}

export interface Report {
  scenario: string;
  outcome: string;
  causes: Diagnosis['causes'];
  actions: ReportAction[];
  approval: {
    required: boolean;
    decision: 'approved' | 'rejected' | 'timed-out' | 'not-required';
    approver?: string;
  };
  probes: { before: Omit<ProbeResult, 'bodyExcerpt'>[]; after: Omit<ProbeResult, 'bodyExcerpt'>[] };
  error?: { error: string; cause: string };
  rollback?: { restored: string[] };
  notifications: { subject?: string; message: string }[];
  simulatedSeconds: number;
  awsCalls: number;
  world: Scenario;
  states: { name: string; type: string }[];
}

const ARTIFACT_BUCKET = 'cf403-artifacts-sim';
const OPERATOR = 'arn:aws:iam::{account}:role/operator';

function simulatedClients(world: World): AwsClients {
  const opts = {
    region: world.region,
    credentials: { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' },
  };
  return {
    cloudfront: world.attach(new CloudFrontClient({ ...opts, region: 'us-east-1' })),
    s3: world.attach(new S3Client(opts)),
    s3control: world.attach(new S3ControlClient(opts)),
    kms: world.attach(new KMSClient(opts)),
    wafv2: world.attach(new WAFV2Client({ ...opts, region: 'us-east-1' })),
    sns: world.attach(new SNSClient(opts)),
    sfn: world.attach(new SFNClient(opts)),
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

export function simulationDeps(world: World, logLevel = 'SILENT'): StepDeps {
  world.addSystemBucket(ARTIFACT_BUCKET);
  const clients = simulatedClients(world);
  return {
    config: parseConfig({
      AWS_REGION: world.region,
      CF403_ARTIFACT_BUCKET: ARTIFACT_BUCKET,
      CF403_TOPIC_ARN: `arn:aws:sns:${world.region}:${world.account}:cf403-notifications`,
      CF403_APPROVAL_RISKS: 'destructive',
      CF403_PLAN_ONLY: 'false',
    }),
    clients,
    artifacts: new S3ArtifactStore(clients.s3, ARTIFACT_BUCKET),
    prober: new EdgeProber(world),
    requestLog: new ScenarioRequestLog(world.scenario.requests),
    logger: stderrLogger(logLevel),
    now: () => new Date(world.now()),
  };
}

/** A Lambda error as Step Functions reports it: Error = errorType, Cause = JSON. */
function lambdaError(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const out = new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message }));
  out.name = e.name;
  return out;
}

export async function simulate(scenario: Scenario, options: SimulateOptions): Promise<Report> {
  const asl = options.definition ?? (await synthesizedDefinition());
  const world = new World(scenario);
  const deps = simulationDeps(world, options.logLevel);
  const executionName = `sim-${scenario.name}`.slice(0, 80);
  const executionId = `arn:aws:states:${world.region}:${world.account}:execution:cf403-remediation:${executionName}`;
  const event =
    scenario.alarmEvent ??
    cloudFront4xxAlarmEvent({
      distributionId: scenario.cloudfront.distributions[0]?.Id ?? '',
      account: scenario.account,
      region: scenario.region,
    });

  let approvalDecision: Report['approval']['decision'] = 'not-required';
  const invoke = (stateName: string, step: StepName, resource: string) => async (input: unknown) => {
    const run = STEP_RUNS[step];
    const payload = resource.startsWith('arn:aws:states:::lambda:invoke')
      ? (input as { Payload: unknown }).Payload
      : input;
    let out: unknown;
    try {
      out = await run(payload, deps);
    } catch (err) {
      throw lambdaError(err);
    }
    if (resource.endsWith('.waitForTaskToken')) {
      // The operator answers the token: the world records the signal an operator's call would send.
      const token = (payload as { token?: string }).token ?? '';
      if (options.decision === 'timeout') {
        approvalDecision = 'timed-out';
        const timeout = new Error(`approval for ${stateName} timed out`);
        timeout.name = 'States.Timeout';
        throw timeout;
      }
      const decision = options.decision === 'approve' ? 'approved' : 'rejected';
      approvalDecision = decision;
      const output = {
        decision,
        approver: OPERATOR.replace('{account}', world.account),
        comment: 'simulated operator',
      };
      world.taskSignals.push({
        kind: 'success',
        taskToken: token,
        output: JSON.stringify(output),
        at: world.now(),
      });
      return output;
    }
    if (resource === 'arn:aws:states:::lambda:invoke') {
      return { Payload: out, StatusCode: 200, ExecutedVersion: '$LATEST' };
    }
    return out as never;
  };

  const taskHandlers: Record<string, (input: unknown) => Promise<never>> = {};
  const waitSeconds: Record<string, number> = {};
  for (const [name, state] of Object.entries(asl.States)) {
    if (state.Type === 'Task') {
      const step = (TASK_STATES as Record<string, StepName>)[name];
      if (!step) throw new Error(`Task state ${name} has no step handler in lib/workflow/steps.ts`);
      taskHandlers[name] = invoke(name, step, String(state.Resource)) as (input: unknown) => Promise<never>;
    }
    if (state.Type === 'Wait') waitSeconds[name] = Number(state.Seconds ?? 0);
  }
  // Waits and retry pauses advance the simulated clock instead of real time.
  const waitTimeOverrides = new Proxy<Record<string, number>>(
    {},
    {
      get: (_t, name) => {
        if (typeof name !== 'string') return undefined;
        world.advance(waitSeconds[name] ?? 0);
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

  const machine = new StateMachine(asl as never, {
    validationOptions: { checkArn: false, checkPaths: false },
  });
  const execution = machine.run(event as never, {
    overrides: { taskResourceLocalHandlers: taskHandlers, waitTimeOverrides, retryIntervalOverrides },
    context: {
      Execution: {
        Id: executionId,
        Name: executionName,
        Input: event as never,
        StartTime: new Date(world.now()).toISOString(),
      },
      Task: { Token: `sim-task-token-${executionName}` },
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
  return buildReport(scenario, world, output, states, approvalDecision, error);
}

function buildReport(
  scenario: Scenario,
  world: World,
  output: Record<string, unknown>,
  states: Report['states'],
  decision: Report['approval']['decision'],
  error: Report['error'],
): Report {
  const collect = output.collect as { probes?: ProbeResult[]; ignored?: boolean } | undefined;
  const diagnosis = output.diagnosis as Diagnosis | undefined;
  const plan = output.plan as
    | {
        requiresApproval: boolean;
        actions: { id: string; cause: string; risk: string; description: string }[];
      }
    | undefined;
  const apply = output.apply as { applied?: { actionId: string }[] } | undefined;
  const verify = output.verify as { probes?: ProbeResult[] } | undefined;
  const approval = output.approval as { approver?: string } | undefined;
  const rollback = output.rollback as { restored?: string[] } | undefined;
  const appliedIds = new Set((apply?.applied ?? []).map((a) => a.actionId));
  const rolledBack = (rollback?.restored?.length ?? 0) > 0;
  const outcome =
    typeof output.outcome === 'string' ? output.outcome : collect?.ignored ? 'NO_ACTION_NEEDED' : 'FAILED';
  const e = output.error as { Error?: string; Cause?: string } | undefined;
  return {
    scenario: scenario.name,
    outcome,
    causes: diagnosis?.causes ?? [],
    actions: (plan?.actions ?? []).map((a) => ({
      id: a.id,
      cause: a.cause,
      risk: a.risk,
      applied: appliedIds.has(a.id),
      ...(rolledBack && appliedIds.has(a.id) ? { rolledBack: true } : {}),
      description: a.description,
    })),
    approval: {
      required: plan?.requiresApproval ?? false,
      decision: plan?.requiresApproval ? decision : 'not-required',
      ...(approval?.approver ? { approver: approval.approver } : {}),
    },
    probes: { before: collect?.probes ?? [], after: appliedIds.size > 0 ? (verify?.probes ?? []) : [] },
    ...(error ? { error } : e?.Error ? { error: { error: e.Error, cause: e.Cause ?? '' } } : {}),
    ...(rollback?.restored ? { rollback: { restored: rollback.restored } } : {}),
    notifications: world.notifications.map((n) => ({ subject: n.subject, message: n.message })),
    simulatedSeconds: (world.now() - new Date('2026-11-28T00:00:00Z').getTime()) / 1000,
    awsCalls: world.calls.length,
    world: world.toScenario(),
    states,
  };
}
