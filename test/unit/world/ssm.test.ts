import {
  AutomationExecutionNotFoundException,
  DescribeAutomationExecutionsCommand,
  GetAutomationExecutionCommand,
  InvalidAutomationExecutionParametersException,
  InvalidAutomationSignalException,
  InvalidAutomationStatusUpdateException,
  SendAutomationSignalCommand,
  SSMClient,
  StartAutomationExecutionCommand,
  StopAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { approvalDocumentContent } from '../../../lib/approval.ts';
import { putDocument } from '../../../sim/world/ssm.ts';
import { WORLD_START_MS, type World } from '../../../sim/world/world.ts';
import { rejection, worldOf } from './helpers.ts';

const ACCOUNT = '111122223333';
const DOC = 'cf403-approval';
const ALICE = `arn:aws:iam::${ACCOUNT}:role/cf403-approver-alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const ALICE_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/cf403-approver-alice/alice@example.com`;
const MALLORY = `arn:aws:sts::${ACCOUNT}:assumed-role/cf403-other/mallory`;
const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

const SHORT_DOC = 'cf403-approval-short';

/** The stack's approval document (deployed as version 1 of each name), one with a 600 s approval step. */
function setup(): { world: World; ssm: SSMClient } {
  const world = worldOf('healthy');
  const content = (seconds: number) =>
    approvalDocumentContent({ approvers: [ALICE], minApprovals: 1, timeout: { toSeconds: () => seconds } });
  for (const name of [DOC, 'another-doc']) putDocument(world, { name, content: content(86_400) });
  putDocument(world, { name: SHORT_DOC, content: content(600) });
  return { world, ssm: world.attach(new SSMClient(config)) };
}

async function start(
  ssm: SSMClient,
  extra: Record<string, string[]> = {},
  approvers = [ALICE, BOB],
  DocumentName = DOC,
): Promise<string> {
  const { AutomationExecutionId } = await ssm.send(
    new StartAutomationExecutionCommand({
      DocumentName,
      Parameters: {
        Approvers: approvers,
        MinRequiredApprovals: ['1'],
        Message: ['Repair E2QWRUHEXAMPLE: restore the bucket policy'],
        ExecutionId: ['arn:aws:states:us-east-1:111122223333:execution:cf403:run-1'],
        DistributionId: ['E2QWRUHEXAMPLE'],
        ...extra,
      },
    }),
  );
  if (!AutomationExecutionId) throw new Error('no AutomationExecutionId');
  return AutomationExecutionId;
}

function signal(ssm: SSMClient, id: string, SignalType: 'Approve' | 'Reject', comment?: string) {
  return ssm.send(
    new SendAutomationSignalCommand({
      AutomationExecutionId: id,
      SignalType,
      Payload: comment === undefined ? undefined : { Comment: [comment] },
    }),
  );
}

async function execution(ssm: SSMClient, id: string) {
  const { AutomationExecution } = await ssm.send(
    new GetAutomationExecutionCommand({ AutomationExecutionId: id }),
  );
  if (!AutomationExecution) throw new Error('no AutomationExecution');
  return AutomationExecution;
}

describe('approval automations', () => {
  it('starts Waiting on one aws:approve step', async () => {
    const { world, ssm } = setup();
    const id = await start(ssm);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const ex = await execution(ssm, id);
    expect(ex).toMatchObject({
      AutomationExecutionId: id,
      DocumentName: DOC,
      AutomationExecutionStatus: 'Waiting',
      ExecutionStartTime: new Date(WORLD_START_MS),
      ExecutedBy: world.callerArn,
      Parameters: { DistributionId: ['E2QWRUHEXAMPLE'] },
    });
    expect(ex.ExecutionEndTime).toBeUndefined();
    expect(ex.StepExecutions).toHaveLength(1);
    expect(ex.StepExecutions?.[0]).toMatchObject({
      StepName: 'approve',
      Action: 'aws:approve',
      StepStatus: 'Waiting',
      Inputs: { Approvers: JSON.stringify([ALICE, BOB]), MinRequiredApprovals: '1' },
      Outputs: { ApprovalStatus: ['Pending'], ApproverDecisions: ['[]'] },
    });
    expect(world.events).toEqual([]);
    expect(world.callerArn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/cf403-simulated-operator/operator`);
  });

  it('succeeds on the approval of a listed approver, with the decision and an event', async () => {
    const { world, ssm } = setup();
    const id = await start(ssm);
    world.advance(120);
    // a session of a listed role counts as that role
    await world.asCaller(ALICE_SESSION, () => signal(ssm, id, 'Approve', 'looks right'));
    expect(world.callerArn).not.toBe(ALICE_SESSION);
    const ex = await execution(ssm, id);
    expect(ex.AutomationExecutionStatus).toBe('Success');
    expect(ex.ExecutionEndTime).toEqual(new Date(WORLD_START_MS + 120_000));
    const step = ex.StepExecutions?.[0];
    expect(step?.StepStatus).toBe('Success');
    expect(step?.Outputs?.ApprovalStatus).toEqual(['Approved']);
    expect(JSON.parse(step?.Outputs?.ApproverDecisions?.[0] ?? '')).toEqual([
      {
        Approver: ALICE_SESSION,
        Decision: 'Approve',
        ApprovalDecisionTime: new Date(WORLD_START_MS + 120_000).toISOString(),
        Comment: 'looks right',
      },
    ]);
    expect(world.events).toEqual([
      {
        version: '0',
        id: expect.any(String),
        'detail-type': 'EC2 Automation Execution Status-change Notification',
        source: 'aws.ssm',
        account: ACCOUNT,
        time: '2026-11-28T00:02:00Z',
        region: 'us-east-1',
        resources: [
          `arn:aws:ssm:us-east-1:${ACCOUNT}:automation-execution/${id}`,
          `arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/${DOC}:$DEFAULT`,
        ],
        detail: {
          ExecutionId: id,
          Definition: DOC,
          DefinitionVersion: 1,
          Status: 'Success',
          StartTime: 'Nov 28, 2026 12:00:00 AM',
          EndTime: 'Nov 28, 2026 12:02:00 AM',
          Time: 120_000,
          ExecutedBy: `arn:aws:sts::${ACCOUNT}:assumed-role/cf403-simulated-operator/operator`,
        },
      },
    ]);
    // the execution is over: no further signal, no stop
    const late = await rejection(world.asCaller(BOB, () => signal(ssm, id, 'Approve')));
    expect(late).toBeInstanceOf(AutomationExecutionNotFoundException);
    const stop = await rejection(ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: id })));
    expect(stop).toBeInstanceOf(InvalidAutomationStatusUpdateException);
    expect(world.events).toHaveLength(1);
  });

  it('fails on a rejection', async () => {
    const { world, ssm } = setup();
    const id = await start(ssm);
    await world.asCaller(BOB, () => signal(ssm, id, 'Reject', 'not during the sale'));
    const ex = await execution(ssm, id);
    expect(ex.AutomationExecutionStatus).toBe('Failed');
    expect(ex.StepExecutions?.[0]?.Outputs?.ApprovalStatus).toEqual(['Rejected']);
    expect(JSON.parse(ex.StepExecutions?.[0]?.Outputs?.ApproverDecisions?.[0] ?? '')).toMatchObject([
      { Approver: BOB, Decision: 'Reject', Comment: 'not during the sale' },
    ]);
    expect(world.events.map((e) => (e.detail as { Status: string }).Status)).toEqual(['Failed']);
  });

  it('refuses the signal of someone who is not an approver', async () => {
    const { world, ssm } = setup();
    const id = await start(ssm);
    for (const caller of [MALLORY, world.callerArn, `arn:aws:iam::${ACCOUNT}:role/cf403-approver-alice-2`]) {
      const error = await rejection(world.asCaller(caller, () => signal(ssm, id, 'Approve')));
      expect(error).toBeInstanceOf(InvalidAutomationSignalException);
      expect(error.message).toContain(caller);
    }
    expect((await execution(ssm, id)).AutomationExecutionStatus).toBe('Waiting');
    expect(world.events).toEqual([]);
    const unknown = await rejection(signal(ssm, '00000000-0000-4000-8000-000000000000', 'Approve'));
    expect(unknown).toBeInstanceOf(AutomationExecutionNotFoundException);
  });

  it('needs two different approvers when MinRequiredApprovals is 2', async () => {
    const { world, ssm } = setup();
    const id = await start(ssm, { MinRequiredApprovals: ['2'] });
    await world.asCaller(ALICE, () => signal(ssm, id, 'Approve'));
    expect((await execution(ssm, id)).AutomationExecutionStatus).toBe('Waiting');
    // the same approver again (another session of the role) does not count twice
    const twice = await rejection(world.asCaller(ALICE_SESSION, () => signal(ssm, id, 'Approve')));
    expect(twice).toBeInstanceOf(InvalidAutomationSignalException);
    await world.asCaller(BOB, () => signal(ssm, id, 'Approve', 'ok'));
    const ex = await execution(ssm, id);
    expect(ex.AutomationExecutionStatus).toBe('Success');
    const decisions = JSON.parse(ex.StepExecutions?.[0]?.Outputs?.ApproverDecisions?.[0] ?? '');
    expect(decisions.map((d: { Approver: string; Comment: string }) => [d.Approver, d.Comment])).toEqual([
      [ALICE, ''],
      [BOB, 'ok'],
    ]);
    const tooMany = await rejection(start(ssm, { MinRequiredApprovals: ['3'] }));
    expect(tooMany).toBeInstanceOf(InvalidAutomationExecutionParametersException);
  });

  it('times out when the clock passes start + TimeoutSeconds', async () => {
    const { world, ssm } = setup();
    const defaultTimeout = await start(ssm);
    const short = await start(ssm, {}, [ALICE, BOB], SHORT_DOC);
    world.advance(599);
    expect((await execution(ssm, short)).AutomationExecutionStatus).toBe('Waiting');
    world.advance(1);
    const ex = await execution(ssm, short);
    expect(ex.AutomationExecutionStatus).toBe('TimedOut');
    expect(ex.ExecutionEndTime).toEqual(new Date(WORLD_START_MS + 600_000));
    expect((await execution(ssm, defaultTimeout)).AutomationExecutionStatus).toBe('Waiting');
    expect(world.events).toHaveLength(1);
    expect(world.events[0]).toMatchObject({
      detail: { ExecutionId: short, Status: 'TimedOut', Time: 600_000 },
    });
    const late = await rejection(world.asCaller(ALICE, () => signal(ssm, short, 'Approve')));
    expect(late).toBeInstanceOf(AutomationExecutionNotFoundException);
    // far past the deadline: the event still carries the deadline as its time
    world.advance(86_400 * 2);
    expect((await execution(ssm, defaultTimeout)).AutomationExecutionStatus).toBe('TimedOut');
    expect(world.events[1]).toMatchObject({
      time: '2026-11-29T00:00:00Z',
      detail: { ExecutionId: defaultTimeout, Status: 'TimedOut' },
    });
  });

  it('cancels on StopAutomationExecution', async () => {
    const { world, ssm } = setup();
    const id = await start(ssm);
    await ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: id, Type: 'Cancel' }));
    expect((await execution(ssm, id)).AutomationExecutionStatus).toBe('Cancelled');
    expect(world.events.map((e) => (e.detail as { Status: string }).Status)).toEqual(['Cancelled']);
  });

  it('lists executions filtered by document prefix and status, newest first', async () => {
    const { world, ssm } = setup();
    const first = await start(ssm);
    world.advance(1);
    const second = await start(ssm);
    world.advance(1);
    const other = await start(ssm, {}, [ALICE], 'another-doc');
    await world.asCaller(ALICE, () => signal(ssm, first, 'Approve'));
    const list = async (
      filters: Array<{ Key: 'DocumentNamePrefix' | 'ExecutionStatus'; Values: string[] }>,
    ) =>
      // the model takes no empty Filters list: no filters is no Filters
      (
        await ssm.send(
          new DescribeAutomationExecutionsCommand(filters.length > 0 ? { Filters: filters } : {}),
        )
      ).AutomationExecutionMetadataList ?? [];
    const waiting = await list([
      { Key: 'DocumentNamePrefix', Values: ['cf403-'] },
      { Key: 'ExecutionStatus', Values: ['Waiting'] },
    ]);
    expect(waiting.map((m) => m.AutomationExecutionId)).toEqual([second]);
    expect(waiting[0]).toMatchObject({
      DocumentName: DOC,
      AutomationExecutionStatus: 'Waiting',
      ExecutionStartTime: new Date(WORLD_START_MS + 1000),
      ExecutedBy: world.callerArn,
    });
    expect(waiting[0]?.Target).toBeUndefined();
    expect(
      (await list([{ Key: 'DocumentNamePrefix', Values: [DOC] }])).map((m) => m.AutomationExecutionId),
    ).toEqual([second, first]);
    expect((await list([])).map((m) => m.AutomationExecutionId)).toEqual([other, second, first]);
    expect(
      (await list([{ Key: 'ExecutionStatus', Values: ['Success', 'Failed'] }])).map(
        (m) => m.AutomationExecutionId,
      ),
    ).toEqual([first]);
  });
});
