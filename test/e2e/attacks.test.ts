// Issue 12: attacks on the approval bridge and the scope, each run through the synthesized workflow against a
// simulated account whose every call is judged by IAM. Each must end refused or ignored, with nothing changed.
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { PendingApprovals } from '../../functions/adapters/approvals.ts';
import { synthesizedStack } from '../../sim/runner/definition.ts';
import {
  type ApprovalAct,
  buildReport,
  defaultAlarmEvent,
  LocalWorkflow,
  operatorArn,
  type Report,
  SIM_APPROVAL_DOCUMENT,
  SIM_TABLE,
} from '../../sim/runner/simulate.ts';
import { simulatedApprovalDocument } from '../../sim/runner/stack.ts';
import { STEP_RUNS } from '../../sim/runner/steps.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import { World } from '../../sim/world/index.ts';
import { putDocument } from '../../sim/world/ssm.ts';
import { accountState, scenario } from './helpers.ts';

const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
const MALLORY = (w: World) => `arn:aws:iam::${w.account}:user/mallory`;
const SCENARIO = 'origin-access-missing';

/** A version of our document with no approve step: a script step named `approve` "approves" at once. */
function forgedVersion(world: World): Record<string, unknown> {
  const { content } = simulatedApprovalDocument(world);
  return {
    ...content,
    mainSteps: [
      {
        name: 'approve',
        action: 'aws:executeScript',
        inputs: {
          Runtime: 'python3.11',
          Handler: 'handler',
          Script: 'def handler(events, context):\n  return events',
          InputPayload: {
            ApprovalStatus: 'Approved',
            ApproverDecisions: JSON.stringify([{ Approver: operatorArn(world), Decision: 'Approve' }]),
          },
        },
        outputs: [
          { Name: 'ApprovalStatus', Selector: '$.Payload.ApprovalStatus', Type: 'String' },
          { Name: 'ApproverDecisions', Selector: '$.Payload.ApproverDecisions', Type: 'String' },
        ],
      },
    ],
  };
}

/** The EventBridge event Systems Manager sends when an automation ends, as anyone could forge it. */
function statusEvent(world: World, executionId: string, status: string, definition = SIM_APPROVAL_DOCUMENT) {
  return {
    version: '0',
    id: 'forged',
    'detail-type': 'EC2 Automation Execution Status-change Notification',
    source: 'aws.ssm',
    account: world.account,
    time: '2026-11-28T00:00:00Z',
    region: world.region,
    resources: [],
    detail: { ExecutionId: executionId, Definition: definition, DefinitionVersion: 1, Status: status },
  };
}

interface Run {
  world: World;
  report: Report;
  relayed: unknown[];
}

/** Runs the workflow on `sc` (an approval is needed) with `act` as the approver side. */
async function run(
  sc: Scenario,
  act: ApprovalAct,
  opts: {
    prepare?: (world: World) => Promise<void> | void;
    context?: Record<string, unknown>;
    env?: Record<string, string>;
  } = {},
): Promise<Run> {
  const world = new World(sc);
  const wf = new LocalWorkflow(world, await synthesizedStack(opts.context), undefined, opts.env);
  await opts.prepare?.(world);
  const relayed: unknown[] = [];
  const recording: ApprovalAct = async (ctx) =>
    act({ ...ctx, deliver: async (event) => relayed.push(await ctx.deliver(event)) });
  const result = await wf.execute(defaultAlarmEvent(sc), `attack-${sc.name}`, recording);
  return { world, report: buildReport(sc, world, result), relayed };
}

function expectNothingChanged(sc: Scenario, r: Run): void {
  expect(r.report.outcome).not.toBe('REMEDIATED');
  expect(r.report.actions.every((a) => !a.applied)).toBe(true);
  expect(accountState(r.report.world)).toEqual(accountState(sc));
  const writes = r.report.trace.filter(
    (t) =>
      !t.error &&
      /^(UpdateDistribution|PutBucketPolicy|DeleteBucketPolicy|PutKeyPolicy|CreateOriginAccessControl)$/.test(
        t.operation,
      ),
  );
  expect(writes).toEqual([]);
}

describe('forged Systems Manager status events', () => {
  it('an event for the pending approval saying Success, from another document: ignored (the execution still waits)', async () => {
    const sc = scenario(SCENARIO);
    const r = await run(sc, async (ctx) => {
      await ctx.deliver(statusEvent(ctx.world, ctx.automationExecutionId, 'Success', 'Attacker-Approval'));
    });
    expect(r.relayed).toEqual([{ relayed: false, reason: expect.stringMatching(/is Waiting$/) }]);
    // nobody approved: the approval times out, as a rejection
    expect(r.report.outcome).toBe('REJECTED');
    expect(r.report.approval.decision).toBe('timed-out');
    expectNothingChanged(sc, r);
  });

  it('Failed or TimedOut events for a Waiting approval decide nothing either way', async () => {
    const sc = scenario(SCENARIO);
    const r = await run(sc, async (ctx) => {
      for (const status of ['Failed', 'TimedOut', 'Cancelled'])
        await ctx.deliver(statusEvent(ctx.world, ctx.automationExecutionId, status));
    });
    expect(r.relayed).toHaveLength(3);
    for (const x of r.relayed) expect(x).toMatchObject({ relayed: false });
    // the workflow was not answered by them: it waited until its own timeout
    expect(r.world.taskSignals).toEqual([]);
    expectNothingChanged(sc, r);
  });

  it("an approval of the attacker's own document, relayed by its event: ignored, no workflow waits for it", async () => {
    const sc = scenario(SCENARIO);
    const r = await run(sc, async (ctx) => {
      const { world } = ctx;
      putDocument(world, {
        name: 'Attacker-Approval',
        content: {
          ...simulatedApprovalDocument(world).content,
          parameters: { ...(simulatedApprovalDocument(world).content.parameters as object) },
        },
      });
      const ssm = world.attach(new SSMClient(config));
      const own = await world.asCaller(MALLORY(world), () =>
        ssm.send(
          new StartAutomationExecutionCommand({
            DocumentName: 'Attacker-Approval',
            Parameters: {
              Approvers: [operatorArn(world)],
              Message: ['approve me'],
              ExecutionId: [
                `arn:aws:states:${world.region}:${world.account}:execution:cf403-remediation:attack`,
              ],
              DistributionId: ['E2QWRUHEXAMPLE'],
            },
          }),
        ),
      );
      await ctx.deliver(statusEvent(world, own.AutomationExecutionId ?? '', 'Success', 'Attacker-Approval'));
    });
    expect(r.relayed).toEqual([{ relayed: false, reason: expect.stringMatching(/no workflow waits/) }]);
    expectNothingChanged(sc, r);
  });

  it('another default version without an approve step: the workflow still runs the pinned version, and the forged one is not ours', async () => {
    const sc = scenario(SCENARIO);
    let forgedRun = '';
    const r = await run(
      sc,
      async (ctx) => {
        const ssm = ctx.world.attach(new SSMClient(config));
        // the attacker runs the new default: it "succeeds" at once, with Approved outputs
        const started = await ctx.world.asCaller(MALLORY(ctx.world), () =>
          ssm.send(
            new StartAutomationExecutionCommand({
              DocumentName: SIM_APPROVAL_DOCUMENT,
              Parameters: {
                Message: ['x'],
                ExecutionId: [
                  `arn:aws:states:${ctx.world.region}:${ctx.world.account}:execution:cf403-remediation:x`,
                ],
                DistributionId: ['E2QWRUHEXAMPLE'],
              },
            }),
          ),
        );
        forgedRun = started.AutomationExecutionId ?? '';
        await ctx.deliver(statusEvent(ctx.world, forgedRun, 'Success'));
      },
      {
        // published before the alarm: the default version is now the attacker's
        prepare: (world) => {
          putDocument(world, {
            name: SIM_APPROVAL_DOCUMENT,
            content: forgedVersion(world),
            makeDefault: true,
          });
        },
      },
    );
    const ours = r.report.trace.find(
      (t) => t.operation === 'StartAutomationExecution' && t.step === 'request-approval',
    );
    expect(ours?.input).toMatchObject({ DocumentVersion: '1' });
    expect(r.world.state.automations.get(forgedRun)).toMatchObject({
      documentVersion: '2',
      status: 'Success',
    });
    expect(r.relayed).toEqual([{ relayed: false, reason: expect.stringMatching(/no workflow waits/) }]);
    expectNothingChanged(sc, r);
  });

  it('a pending approval that ran another version (a start not pinned): refused on the version, and rejected', async () => {
    const sc = scenario(SCENARIO);
    const world = new World(sc);
    const wf = new LocalWorkflow(world, await synthesizedStack());
    const deps = wf.depsFor('relay');
    putDocument(world, { name: SIM_APPROVAL_DOCUMENT, content: forgedVersion(world), makeDefault: true });
    const ssm = world.attach(new SSMClient(config));
    const runId = `arn:aws:states:${world.region}:${world.account}:execution:cf403-remediation:unpinned`;
    const started = await ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: SIM_APPROVAL_DOCUMENT,
        Parameters: { Message: ['x'], ExecutionId: [runId], DistributionId: ['E2QWRUHEXAMPLE'] },
      }),
    );
    const id = started.AutomationExecutionId ?? '';
    const store = new PendingApprovals(wf.deps.clients.dynamodb, SIM_TABLE);
    await store.put(
      {
        automationExecutionId: id,
        taskToken: 'sim-task-token-unpinned',
        executionId: runId,
        distributionId: 'E2QWRUHEXAMPLE',
        documentVersion: '1',
        requestedAt: '',
      },
      0,
    );
    world.secrets.add('sim-task-token-unpinned');
    const out = await STEP_RUNS.relay(statusEvent(world, id, 'Success'), deps);
    expect(out).toMatchObject({
      relayed: true,
      decision: 'refused',
      reason: expect.stringMatching(/version 2 .* not the deployed version 1/),
    });
    const answer = JSON.parse(world.taskSignals[0]?.output ?? '{}');
    expect(answer.decision).toBe('refused');
    expect(accountState(world.toScenario())).toEqual(accountState(sc));
  });
});

describe('replayed decisions', () => {
  it("an earlier approval's event, replayed while a new one waits: ignored", async () => {
    const sc = scenario(SCENARIO);
    let earlier = '';
    const r = await run(sc, async (ctx) => {
      // an approval that really ended Success earlier, for another workflow execution
      const ssm = ctx.world.attach(new SSMClient(config));
      const started = await ssm.send(
        new StartAutomationExecutionCommand({
          DocumentName: SIM_APPROVAL_DOCUMENT,
          DocumentVersion: '1',
          Parameters: {
            Approvers: [operatorArn(ctx.world)],
            Message: ['old'],
            ExecutionId: [
              `arn:aws:states:${ctx.world.region}:${ctx.world.account}:execution:cf403-remediation:old`,
            ],
            DistributionId: ['E2QWRUHEXAMPLE'],
          },
        }),
      );
      earlier = started.AutomationExecutionId ?? '';
      await ctx.world.asCaller(operatorArn(ctx.world), async () => {
        const { SendAutomationSignalCommand } = await import('@aws-sdk/client-ssm');
        await ssm.send(
          new SendAutomationSignalCommand({ AutomationExecutionId: earlier, SignalType: 'Approve' }),
        );
      });
      ctx.loseEvents();
      await ctx.deliver(statusEvent(ctx.world, earlier, 'Success'));
      // and the same event pointed at the waiting approval
      await ctx.deliver(statusEvent(ctx.world, ctx.automationExecutionId, 'Success'));
    });
    expect(r.relayed).toEqual([
      { relayed: false, reason: expect.stringMatching(/no workflow waits/) },
      { relayed: false, reason: expect.stringMatching(/is Waiting$/) },
    ]);
    expectNothingChanged(sc, r);
  });

  it('the event of a decision already relayed, delivered again: ignored, the outcome stands', async () => {
    const sc = scenario(SCENARIO);
    let replay: unknown;
    const r = await run(sc, async (ctx) => {
      await ctx.signal('Reject');
      replay = ctx.world.events.at(-1);
    });
    expect(r.report.outcome).toBe('REJECTED');
    const world = r.world;
    const wf = new LocalWorkflow(world, await synthesizedStack());
    expect(await STEP_RUNS.relay(replay, wf.depsFor('relay'))).toMatchObject({ relayed: false });
    expect(world.taskSignals).toHaveLength(1);
    expectNothingChanged(sc, r);
  });
});

describe('decisions by non-approvers', () => {
  it('someone not configured cannot approve: Systems Manager refuses the signal, the approval times out', async () => {
    const sc = scenario(SCENARIO);
    let refusal: unknown;
    const r = await run(sc, async (ctx) => {
      try {
        await ctx.signal('Approve', MALLORY(ctx.world));
      } catch (err) {
        refusal = err;
      }
    });
    expect((refusal as Error).message).toMatch(
      /InvalidAutomationSignalException: .*mallory is not an approver/,
    );
    expect(r.report.approval.decision).toBe('timed-out');
    expectNothingChanged(sc, r);
  });

  it('an approval whose approver list was not the configured one: the decision does not count', async () => {
    const sc = scenario(SCENARIO);
    const world = new World(sc);
    const wf = new LocalWorkflow(world, await synthesizedStack());
    const ssm = world.attach(new SSMClient(config));
    const runId = `arn:aws:states:${world.region}:${world.account}:execution:cf403-remediation:wrong-list`;
    const started = await ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: SIM_APPROVAL_DOCUMENT,
        DocumentVersion: '1',
        Parameters: {
          Approvers: [MALLORY(world)],
          Message: ['x'],
          ExecutionId: [runId],
          DistributionId: ['E2QWRUHEXAMPLE'],
        },
      }),
    );
    const id = started.AutomationExecutionId ?? '';
    await new PendingApprovals(wf.deps.clients.dynamodb, SIM_TABLE).put(
      {
        automationExecutionId: id,
        taskToken: 'sim-task-token-wrong-list',
        executionId: runId,
        distributionId: 'E2QWRUHEXAMPLE',
        documentVersion: '1',
        requestedAt: '',
      },
      0,
    );
    const { SendAutomationSignalCommand } = await import('@aws-sdk/client-ssm');
    await world.asCaller(MALLORY(world), () =>
      ssm.send(new SendAutomationSignalCommand({ AutomationExecutionId: id, SignalType: 'Approve' })),
    );
    expect(world.state.automations.get(id)?.status).toBe('Success');
    const out = await STEP_RUNS.relay(world.events.at(-1), wf.depsFor('relay'));
    expect(out).toMatchObject({
      relayed: true,
      decision: 'refused',
      reason: expect.stringMatching(/mallory do not count/),
    });
    expect(JSON.parse(world.taskSignals[0]?.output ?? '{}').decision).toBe('refused');
  });
});

describe('alarms for distributions out of scope', () => {
  // A stack scoped to another distribution: its roles may change only that one and its origins.
  const context = { 'cf403:distributionIds': 'E9OTHEREXAMPLE' };
  const env = { CF403_SCOPE: 'distributions', CF403_DISTRIBUTION_IDS: 'E9OTHEREXAMPLE' };

  it('is ignored with the reason, reading and changing nothing', async () => {
    const sc = scenario(SCENARIO);
    const r = await run(sc, async (ctx) => ctx.signal('Approve'), { context, env });
    expect(r.report.outcome).toBe('NO_ACTION_NEEDED');
    expect(r.report.states.map((s) => s.name)).toEqual(['CollectEvidence', 'IsActionable?', 'Ignored']);
    expect(r.report.ignored).toMatch(
      /E2QWRUHEXAMPLE is outside this stack's scope \(cf403:distributionIds: E9OTHEREXAMPLE\)/,
    );
    expect(r.report.trace).toEqual([]);
    expectNothingChanged(sc, r);
  });

  it('and were the check bypassed, IAM refuses every change: the roles hold no grant on it', async () => {
    const sc = scenario(SCENARIO);
    const r = await run(sc, async (ctx) => ctx.signal('Approve'), {
      context,
      env: { CF403_SCOPE: 'account' },
    });
    expect(r.report.outcome).toBe('FAILED');
    const denied = r.report.trace.filter((t) => t.step === 'apply' && /AccessDenied/.test(t.error ?? ''));
    expect(denied.length).toBeGreaterThan(0);
    expectNothingChanged(sc, r);
  });
});

describe('a token used after its decision', () => {
  it('answering it again is refused by Step Functions and changes nothing', async () => {
    const sc = scenario(SCENARIO);
    const r = await run(sc, async (ctx) => ctx.signal('Reject'));
    expect(r.report.outcome).toBe('REJECTED');
    const [answered] = r.world.taskSignals;
    const sfn = r.world.attach(new SFNClient(config));
    let error: unknown;
    try {
      await sfn.send(
        new SendTaskSuccessCommand({
          taskToken: answered?.taskToken ?? '',
          output: JSON.stringify({ decision: 'approved' }),
        }),
      );
    } catch (err) {
      error = err;
    }
    expect((error as Error).name).toBe('TaskTimedOut');
    expect(r.world.taskSignals).toHaveLength(1);
    expectNothingChanged(sc, r);
  });
});
