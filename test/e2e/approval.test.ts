import { describe, expect, it } from 'vitest';
import { synthesizedStack } from '../../sim/runner/definition.ts';
import {
  defaultAlarmEvent,
  LocalWorkflow,
  operatorArn,
  SIM_TABLE,
  simulate,
} from '../../sim/runner/simulate.ts';
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
