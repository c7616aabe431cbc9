import { describe, expect, it } from 'vitest';
import { PendingApprovals, reconciledPendingApprovals } from '../../functions/adapters/approvals.ts';
import { synthesizedStack } from '../../sim/runner/definition.ts';
import {
  buildReport,
  defaultAlarmEvent,
  LocalWorkflow,
  operatorArn,
  SIM_APPROVAL_DOCUMENT,
  SIM_TABLE,
  simulate,
} from '../../sim/runner/simulate.ts';
import { STEP_RUNS } from '../../sim/runner/steps.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import { World } from '../../sim/world/index.ts';
import { accountState, scenario } from './helpers.ts';

describe('approval in the console, notifications, audit', () => {
  it('records who approved, from the Systems Manager approval, and writes an audit record', async () => {
    const sc = scenario('origin-access-missing');
    const report = await simulate(sc, { decision: 'approve' });
    expect(report.outcome).toBe('REMEDIATED');
    expect(report.approval.decision).toBe('approved');
    expect(report.approval.approvers?.[0]).toMatchObject({
      approver: `arn:aws:iam::${sc.account}:role/cf403-operator`,
      decision: 'Approve',
    });
    expect(report.auditRecords).toBe(1);
  });

  it('notifies at diagnosis, approval, change and verification, never with the task token', async () => {
    const report = await simulate(scenario('origin-access-missing'), { decision: 'approve' });
    const types = report.notifications.map(
      (n) => (JSON.parse(n.message.split('\n').at(-1) ?? '{}') as { type: string }).type,
    );
    expect(types).toEqual(['diagnosis-done', 'approval-needed', 'change-applied', 'verified']);
    const approval = report.notifications[1]?.message ?? '';
    expect(approval).toMatch(/ORIGIN_ACCESS_MISSING/);
    expect(approval).toMatch(/before: \{/);
    expect(approval).toMatch(/systems-manager\/automation\/execution\//);
    expect(approval).toMatch(/states\/home\?region=us-east-1#\/v2\/executions\/details\//);
    for (const n of report.notifications) expect(n.message).not.toMatch(/sim-task-token/);
  });

  it('records a rejection by the approver and changes nothing', async () => {
    const sc = scenario('origin-access-missing');
    const report = await simulate(sc, { decision: 'reject' });
    expect(report.outcome).toBe('REJECTED');
    expect(report.approval.approvers?.[0]?.decision).toBe('Reject');
    expect(accountState(report.world)).toEqual(accountState(sc));
    expect(report.notifications.at(-1)?.subject).toMatch(/REJECTED/);
  });

  it('never applies anything in plan-only mode', async () => {
    const sc = scenario('origin-access-missing');
    const report = await simulate(sc, { decision: 'approve', env: { CF403_PLAN_ONLY: 'true' } });
    expect(report.outcome).toBe('ESCALATED');
    expect(report.actions.length).toBeGreaterThan(0);
    expect(report.actions.every((a) => !a.applied)).toBe(true);
    expect(accountState(report.world)).toEqual(accountState(sc));
  });

  it('asks no approval for safe fixes unless configured to', async () => {
    const safe = await simulate(scenario('default-root-object-missing'), { decision: 'reject' });
    expect(safe.outcome).toBe('REMEDIATED');
    expect(safe.approval).toMatchObject({ required: false, decision: 'not-required' });
    const strict = await simulate(scenario('default-root-object-missing'), {
      decision: 'reject',
      env: { CF403_APPROVAL_RISKS: 'safe,destructive' },
    });
    expect(strict.outcome).toBe('REJECTED');
  });
});

describe('one remediation per distribution', () => {
  it('ends a second alarm for the same distribution as a duplicate while the first runs', async () => {
    const stack = await synthesizedStack();
    const sc = scenario('origin-access-missing');
    const world = new World(sc);
    const wf = new LocalWorkflow(world, stack);
    const event = defaultAlarmEvent(sc);
    const [first, second] = await Promise.all([
      wf.execute(event, 'first', 'approve'),
      wf.execute(event, 'second', 'approve'),
    ]);
    const outcomes = [first.output.outcome, second.output.outcome].sort();
    expect(outcomes).toEqual(['NO_ACTION_NEEDED', 'REMEDIATED']);
    const dup = [first, second].find((r) => r.output.outcome === 'NO_ACTION_NEEDED');
    expect(dup?.states.map((s) => s.name)).toContain('DuplicateIgnored');
    expect(dup?.states.map((s) => s.name)).not.toContain('Classify');
    // The lock is released at the end: a later alarm runs again (and finds nothing to fix).
    const later = await wf.execute(event, 'third', 'approve');
    expect(later.output.outcome).toBe('NO_ACTION_NEEDED');
    expect(later.states.map((s) => s.name)).toContain('Classify');
    expect(world.tableItems(SIM_TABLE).filter((i) => String(i.pk?.S).startsWith('LOCK#'))).toEqual([]);
  });

  it('starts at most one remediation per distribution in an alarm storm (50 alarms, 20 distributions)', async () => {
    const stack = await synthesizedStack();
    const base = scenario('origin-access-missing');
    const template = base.cloudfront.distributions[0];
    if (!template) throw new Error('fixture');
    const distributions = Array.from({ length: 20 }, (_, i) => {
      const id = `E${String(i).padStart(2, '0')}STORMDIST01`;
      return {
        ...structuredClone(template),
        Id: id,
        ARN: `arn:aws:cloudfront::${base.account}:distribution/${id}`,
        DomainName: `d${i}storm.cloudfront.net`,
      };
    });
    const sc: Scenario = { ...base, name: 'alarm-storm', cloudfront: { ...base.cloudfront, distributions } };
    const world = new World(sc);
    const wf = new LocalWorkflow(world, stack);
    const runs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const d = distributions[i % 20];
        const event = defaultAlarmEvent({
          ...sc,
          cloudfront: { ...sc.cloudfront, distributions: d ? [d] : [] },
        });
        return wf.execute(event, `storm-${i}`, 'approve').then((r) => ({ dist: d?.Id, r }));
      }),
    );
    const acted = runs.filter(({ r }) => r.states.some((s) => s.name === 'Classify'));
    const perDist = new Map<string, number>();
    for (const { dist } of acted) perDist.set(dist ?? '', (perDist.get(dist ?? '') ?? 0) + 1);
    expect(Math.max(...perDist.values())).toBe(1);
    expect(acted).toHaveLength(20);
    expect(runs.filter(({ r }) => r.states.some((s) => s.name === 'DuplicateIgnored'))).toHaveLength(30);
    expect(operatorArn(world)).toMatch(/role\/cf403-operator$/);
  });
});

describe('no decision is lost (issue 12)', () => {
  it('a lost status event: the sweep delivers the decision, and the fix goes ahead', async () => {
    const sc = scenario('origin-access-missing');
    const world = new World(sc);
    const wf = new LocalWorkflow(world, await synthesizedStack());
    const result = await wf.execute(defaultAlarmEvent(sc), 'lost-event', async (ctx) => {
      await ctx.signal('Approve');
      ctx.loseEvents();
    });
    const report = buildReport(sc, world, result);
    expect(report.outcome).toBe('REMEDIATED');
    const answers = report.trace.filter((t) => t.operation === 'SendTaskSuccess');
    expect(answers.map((t) => t.step)).toEqual(['sweep']);
    expect(report.trace.filter((t) => t.step === 'relay')).toEqual([]);
    expect(pendingItems(world)).toEqual([]);
  });

  it('a relay that fails after answering: its retry finds the task answered and only cleans up', async () => {
    const sc = scenario('origin-access-missing');
    const world = new World(sc);
    const wf = new LocalWorkflow(world, await synthesizedStack());
    const result = await wf.execute(defaultAlarmEvent(sc), 'relay-retry', async (ctx) => {
      // the relay's DeleteItem of the record fails once (after SendTaskSuccess succeeded)
      ctx.world.state.faults.push({
        api: 'DeleteItem',
        error: 'ThrottlingException',
        times: 1,
        remaining: 1,
      });
      await ctx.signal('Approve');
    });
    const report = buildReport(sc, world, result);
    expect(report.outcome).toBe('REMEDIATED');
    const relay = report.trace
      .filter((t) => t.step === 'relay')
      .map((t) => `${t.operation}${t.error ? `:${t.error}` : ''}`);
    expect(relay).toEqual([
      'GetItem',
      'GetAutomationExecution',
      'SendTaskSuccess',
      'DeleteItem:ThrottlingException',
      'GetItem',
      'GetAutomationExecution',
      'SendTaskSuccess:TaskTimedOut',
      'DeleteItem',
    ]);
    expect(world.taskSignals).toHaveLength(1);
    expect(pendingItems(world)).toEqual([]);
  });

  it('an approval nobody waits for any more (the workflow timed out): the sweep cancels it and forgets it', async () => {
    const sc = scenario('origin-access-missing');
    const world = new World(sc);
    const wf = new LocalWorkflow(world, await synthesizedStack());
    const result = await wf.execute(defaultAlarmEvent(sc), 'timed-out', 'timeout');
    expect(result.output.outcome).toBe('REJECTED');
    expect(pendingItems(world)).toHaveLength(1);
    const [automation] = world.state.automations.values();
    expect(automation?.status).toBe('Waiting');
    const swept = await STEP_RUNS.sweep({}, wf.depsFor('sweep'));
    expect(swept).toMatchObject({
      checked: 1,
      relayed: [],
      cancelled: [
        { automationExecutionId: automation?.id, reason: expect.stringMatching(/no longer waits/) },
      ],
      waiting: 0,
      failed: [],
    });
    expect(automation?.status).toBe('Cancelled');
    expect(pendingItems(world)).toEqual([]);
  });

  it('a superseded approval (its request failed to record it) is cancelled by the role that started it', async () => {
    const sc = scenario('origin-access-missing');
    const world = new World(sc);
    const wf = new LocalWorkflow(world, await synthesizedStack());
    const first = await wf.execute(defaultAlarmEvent(sc), 'superseded', 'timeout');
    const out = first.output as Record<string, Record<string, unknown>>;
    world.state.faults.push({ api: 'PutItem', error: 'ServiceUnavailable', times: 1, remaining: 1 });
    const input = {
      token: 'sim-task-token-superseded-2',
      executionId: `arn:aws:states:${world.region}:${world.account}:execution:cf403-remediation:superseded`,
      executionName: 'superseded',
      distributionId: out.collect?.distributionId,
      evidenceRef: out.collect?.evidenceRef,
      planRef: out.plan?.planRef,
      plan: out.plan,
      diagnosis: out.diagnosis,
    };
    await expect(STEP_RUNS.requestApproval(input, wf.depsFor('requestApproval'))).rejects.toThrow(
      /ServiceUnavailable/,
    );
    const started = [...world.state.automations.values()].at(-1);
    expect(started?.status).toBe('Cancelled');
    const stop = world.calls.find((c) => c.api === 'StopAutomationExecution');
    expect(stop).toMatchObject({ ok: true, step: 'request-approval' });
  });

  it('the sweep leaves an approval the workflow still waits for, noting when it looked', async () => {
    const sc = scenario('origin-access-missing');
    const world = new World(sc);
    const wf = new LocalWorkflow(world, await synthesizedStack());
    let swept: unknown;
    await wf.execute(defaultAlarmEvent(sc), 'still-waiting', async (ctx) => {
      swept = await STEP_RUNS.sweep({}, wf.depsFor('sweep'));
      await ctx.signal('Reject');
    });
    expect(swept).toMatchObject({ checked: 1, relayed: [], cancelled: [], waiting: 1 });
  });
});

describe('cf403 pending: the reconciled state', () => {
  it('shows what waits for people, what is decided but not relayed, and orphans, never a task token', async () => {
    const sc = scenario('origin-access-missing');
    const world = new World(sc);
    const wf = new LocalWorkflow(world, await synthesizedStack());
    let rows: Awaited<ReturnType<typeof reconciledPendingApprovals>> = [];
    await wf.execute(defaultAlarmEvent(sc), 'pending-view', async (ctx) => {
      const store = new PendingApprovals(wf.deps.clients.dynamodb, SIM_TABLE);
      const ssm = wf.deps.clients.ssm;
      const waiting = await reconciledPendingApprovals(ssm, SIM_APPROVAL_DOCUMENT, store);
      expect(waiting.map((r) => [r.automationExecutionId, r.state])).toEqual([
        [ctx.automationExecutionId, 'waiting for approvers'],
      ]);
      await ctx.signal('Approve');
      ctx.loseEvents();
      rows = await reconciledPendingApprovals(ssm, SIM_APPROVAL_DOCUMENT, store);
    });
    expect(rows).toEqual([
      expect.objectContaining({
        automationStatus: 'Success',
        recorded: true,
        state: 'decided (Success), not relayed yet: the sweep delivers it',
        distributionId: 'E2QWRUHEXAMPLE',
      }),
    ]);
    expect(JSON.stringify(rows)).not.toMatch(/sim-task-token/);
    // the listing asked DynamoDB for the visible attributes only
    const query = world.calls.find((c) => c.api === 'Query' && JSON.stringify(c.input).includes('APPROVALS'));
    expect(query?.input).toMatchObject({ Select: 'SPECIFIC_ATTRIBUTES' });
    expect(JSON.stringify(query?.input)).not.toMatch(/taskToken/);
  });
});

function pendingItems(world: World) {
  return world.tableItems(SIM_TABLE).filter((i) => i.pk?.S === 'APPROVALS');
}
