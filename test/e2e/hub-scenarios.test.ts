// Issue 15, more hub-and-spoke situations (test/scenarios/hub-*.json): for each, WHERE every call happened (the
// trace's `account`, the answering world, and `callerAccount`, the session's), that IAM refused nothing the
// steps needed, and that the notifications name the account. A member's own scope is what its member stack
// writes; the simulator deploys one member template (scope `account`) everywhere, so the scope cases deploy a
// member stack synthesized with another scope into the one account, as a StackSet with other parameters would.
import { describe, expect, it } from 'vitest';
import { cloudFront4xxAlarmEvent } from '../../functions/domain/alarm-event.ts';
import {
  buildReport,
  defaultAlarmEvent,
  organizationRun,
  type Report,
  simulate,
} from '../../sim/runner/simulate.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import type { Organization } from '../../sim/world/organization.ts';
import type { WorldCall } from '../../sim/world/world.ts';
import { scenario } from './helpers.ts';

const HUB = '111122223333';
const B = '222233334444';
const C = '333344445555';
const OUTSIDE = '999988887777';
const WRITE = /^(Put|Update|Create|Delete)/;

interface Traced {
  operation: string;
  service?: string;
  account?: string;
  callerAccount?: string;
}

const traced = (r: Report) => r.trace as unknown as Traced[];
const writesIn = (r: Report, account: string) =>
  traced(r).filter((t) => WRITE.test(t.operation) && t.account === account);

/** Refusals a step did not ask for: a model or quota error, or a grant missing from a step's own role. */
function unwantedRefusals(org: Organization) {
  return org
    .allWorlds()
    .flatMap((w) => w.refusals.filter((r) => r.kind !== 'iam' || r.policy === 'identity-based'));
}

/** The scenario run through the hub with the operator's approval (each member stack with its `memberScope`). */
async function run(sc: Scenario) {
  const { organization: org, workflow } = await organizationRun(sc);
  const result = await workflow.execute(defaultAlarmEvent(sc), `run-${sc.name}`.slice(0, 80), 'approve');
  return { org, report: buildReport(sc, org.hub, result, org) };
}

describe('hub scenarios: member scopes', () => {
  it('scope none: diagnoses and notifies for the member account, plans, and changes nothing there', async () => {
    const sc = scenario('hub-member-scope-none');
    const { org, report } = await run(sc);
    expect(report.outcome).toBe('ESCALATED');
    expect(report.causes.map((c) => c.id)).toEqual(['ORIGIN_ACCESS_MISSING']);
    // a plan, as recommendations: nothing applied, no approval asked
    expect(report.actions.length).toBeGreaterThan(0);
    expect(report.actions.every((a) => !a.applied)).toBe(true);
    expect(report.approval).toEqual({ required: false, decision: 'not-required' });
    // the member was read through its role (its scope parameter first), and nothing written there
    expect(traced(report).some((t) => t.operation === 'GetParameter' && t.account === B)).toBe(true);
    expect(traced(report).some((t) => t.operation === 'GetDistribution' && t.callerAccount === B)).toBe(true);
    expect(writesIn(report, B)).toEqual([]);
    expect(report.world.accounts?.[0]?.cloudfront).toEqual(sc.accounts?.[0]?.cloudfront);
    expect(report.world.accounts?.[0]?.s3?.buckets[0]?.Policy).toBe(sc.accounts?.[0]?.s3?.buckets[0]?.Policy);
    // every notification names the account; the last one carries the recommendations
    expect(report.notifications.length).toBeGreaterThanOrEqual(2);
    for (const n of report.notifications) expect(n.subject).toContain(`(account ${B})`);
    expect(report.notifications.at(-1)?.message).toMatch(/Recommended:[\s\S]*member-b-catalog/);
    expect(unwantedRefusals(org)).toEqual([]);
  }, 120_000);

  it('a distribution outside the member scope: ignored after reading only the scope, nothing else read there', async () => {
    const sc = scenario('hub-distribution-outside-member-scope');
    const { org, report } = await run(sc);
    expect(report.outcome).toBe('NO_ACTION_NEEDED');
    expect(report.ignored).toMatch(
      /E2UNSCOPEDBLOG1 is outside the member scope of account 222233334444 .*E2SCOPEDSHOP01.*nothing was read or changed/,
    );
    expect(report.states.map((s) => s.name)).not.toContain('AcquireLock');
    // in B: the role assumed and its scope read, not one CloudFront or S3 call
    const inB = traced(report).filter((t) => t.account === B);
    expect([...new Set(inB.map((t) => t.operation))].sort()).toEqual(['AssumeRole', 'GetParameter']);
    expect(org.calls.filter((c) => c.callerAccount === B && c.service !== 'ssm')).toEqual([]);
    expect(org.world(B).distribution('E2UNSCOPEDBLOG1').DistributionConfig).toEqual(
      sc.accounts?.[0]?.cloudfront?.distributions[1]?.DistributionConfig,
    );
    expect(unwantedRefusals(org)).toEqual([]);
  }, 120_000);
});

describe('hub scenarios: where each write lands', () => {
  it('SSE-KMS bucket and key in C behind a distribution in B: the key policy grant is written in C by C', async () => {
    const sc = scenario('hub-cross-account-kms-key');
    const report = await simulate(sc, { decision: 'approve' });
    expect(report.outcome).toBe('REMEDIATED');
    expect(report.causes[0]?.id).toBe('KMS_ACCESS_DENIED');
    expect(report.account).toBe(B);
    const keyId = '5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b';
    expect(report.actions).toEqual([
      expect.objectContaining({ targets: [`key-policy:${keyId}`], account: C, applied: true }),
    ]);
    const puts = traced(report).filter((t) => t.operation === 'PutKeyPolicy');
    expect(puts).toEqual([expect.objectContaining({ account: C, callerAccount: C })]);
    // only the invalidation is written in B; nothing of B's distribution or C's bucket policy changes
    expect(writesIn(report, B).map((t) => t.operation)).toEqual(['CreateInvalidation']);
    expect(writesIn(report, C).map((t) => t.operation)).toEqual(['PutKeyPolicy']);
    const c = report.world.accounts?.find((a) => a.account === C);
    const statements = JSON.parse(c?.kms?.keys[0]?.Policy ?? '{}').Statement as unknown[];
    expect(statements).toHaveLength(2);
    expect(JSON.stringify(statements[1])).toContain('cloudfront.amazonaws.com');
    expect(JSON.stringify(statements[1])).toContain(`arn:aws:cloudfront::${B}:distribution/E2KMSORIGIN01`);
    expect(c?.s3?.buckets[0]?.Policy).toBe(sc.accounts?.[1]?.s3?.buckets[0]?.Policy);
    expect(report.probes.after.length).toBeGreaterThan(0);
    expect(report.probes.after.every((p) => p.status === 200)).toBe(true);
    for (const n of report.notifications) expect(n.subject).toContain(`(account ${B})`);
  }, 120_000);

  it("the hub's own distribution is remediated with the hub's own roles: no AssumeRole, no member call", async () => {
    const sc = scenario('hub-own-distribution');
    const { organization: org, workflow } = await organizationRun(sc);
    const result = await workflow.execute(defaultAlarmEvent(sc), 'hub-own', 'approve');
    const report = buildReport(sc, org.hub, result, org);
    expect(report.outcome).toBe('REMEDIATED');
    expect(report.account).toBe(HUB);
    expect(org.calls.filter((c) => c.service === 'sts')).toEqual([]);
    expect(org.calls.filter((c) => c.account !== HUB || c.callerAccount !== HUB)).toEqual([]);
    expect(org.hub.state.oacs.size).toBe(1);
    expect(org.world(B).state.oacs.size).toBe(1);
    expect(writesIn(report, HUB).map((t) => t.operation)).toEqual(
      expect.arrayContaining(['PutBucketPolicy', 'CreateOriginAccessControl', 'UpdateDistribution']),
    );
    for (const n of report.notifications) expect(n.subject).toContain(`(account ${HUB})`);
    expect(unwantedRefusals(org)).toEqual([]);
  }, 120_000);

  it('rolls back a fix written in two accounts, each restore in the account it wrote', async () => {
    const sc = scenario('hub-cross-account-rollback');
    const { organization: org, workflow } = await organizationRun(sc);
    const result = await workflow.execute(defaultAlarmEvent(sc), 'hub-rollback', 'approve');
    const report = buildReport(sc, org.hub, result, org);
    expect(report.outcome).toBe('ROLLED_BACK');
    expect(report.actions.every((a) => a.applied && a.rolledBack)).toBe(true);
    expect(
      report.actions.find((a) => a.targets.includes('bucket-policy:member-c-partner-feed'))?.account,
    ).toBe(C);
    const ops = (account: string) =>
      writesIn(report, account)
        .filter((t) => t.operation !== 'CreateInvalidation')
        .map((t) => `${t.operation}:${t.callerAccount}`);
    // the fix and its undo, in order, each by the session of the account it writes in
    expect(ops(B)).toEqual([
      `CreateOriginAccessControl:${B}`,
      `UpdateDistribution:${B}`,
      `UpdateDistribution:${B}`,
      `DeleteOriginAccessControl:${B}`,
    ]);
    expect(ops(C)).toEqual([`PutBucketPolicy:${C}`, `PutBucketPolicy:${C}`]);
    expect(report.rollback?.restored).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/bucket member-c-partner-feed policy in account 333344445555/),
      ]),
    );
    // both accounts are as they were
    const before = sc.accounts ?? [];
    expect(org.world(B).distribution('E2ROLLBACKSITE').DistributionConfig).toEqual(
      before[0]?.cloudfront?.distributions[0]?.DistributionConfig,
    );
    expect(org.world(B).state.oacs.size).toBe(0);
    const policy = report.world.accounts?.find((a) => a.account === C)?.s3?.buckets[0]?.Policy ?? '';
    expect(JSON.parse(policy)).toEqual(JSON.parse(before[1]?.s3?.buckets[0]?.Policy ?? ''));
    expect(org.calls.some((c) => c.account === OUTSIDE)).toBe(false);
    expect(unwantedRefusals(org)).toEqual([]);
    expect(report.notifications.at(-1)?.subject).toBe(`cf403: ROLLED_BACK for E2ROLLBACKSITE (account ${B})`);
  }, 120_000);
});

describe('hub scenarios: alarms and locks', () => {
  it('refuses an alarm from an account that is not a member, reading nothing there or anywhere', async () => {
    const sc = scenario('hub-alarm-from-unlisted-account');
    const { organization: org, workflow } = await organizationRun(sc);
    const result = await workflow.execute(defaultAlarmEvent(sc), 'unlisted', 'approve');
    const report = buildReport(sc, org.hub, result, org);
    expect(report.outcome).toBe('FAILED');
    expect(report.error?.cause).toMatch(
      /account 999988887777 is not a member of this hub \(CF403_MEMBER_ACCOUNTS: 222233334444\): nothing of it is read or changed/,
    );
    expect(report.states.map((s) => s.name)).toEqual([
      'CollectEvidence',
      'MarkFailed',
      'NotifyFailure',
      'Failed',
    ]);
    // no STS call, nothing answered by any account but the hub; the only hub call is the notification
    expect(org.calls.filter((c) => c.account !== HUB || c.service === 'sts')).toEqual([]);
    expect(org.calls.map((c) => c.api)).toEqual(['Publish']);
    // the notification names the alarm's distribution and account, and says nothing was changed
    expect(report.notifications).toHaveLength(1);
    expect(report.notifications[0]?.subject).toMatch(
      new RegExp(`^cf403: FAILED for E\\w+ \\(account ${OUTSIDE}\\)$`),
    );
    expect(report.notifications[0]?.message).toContain('it had changed nothing');
  }, 120_000);

  it('two members with the same names: alarms at once act in parallel, a repeat is a duplicate, per account', async () => {
    const sc = scenario('hub-two-members-same-names');
    const { organization: org, workflow } = await organizationRun(sc);
    const event = (account: string, distributionId: string) =>
      cloudFront4xxAlarmEvent({ distributionId, account, region: 'us-east-1' });
    const [b1, c1, b2] = await Promise.all([
      workflow.execute(event(B, 'E2STOREFRONT01'), 'same-b-1', 'approve'),
      workflow.execute(event(C, 'E3STOREFRONT01'), 'same-c-1', 'approve'),
      workflow.execute(event(B, 'E2STOREFRONT01'), 'same-b-2', 'approve'),
    ]);
    expect(c1.output.outcome).toBe('REMEDIATED');
    expect([b1.output.outcome, b2.output.outcome].sort()).toEqual(['NO_ACTION_NEEDED', 'REMEDIATED']);
    const dup = [b1, b2].find((r) => r.output.outcome === 'NO_ACTION_NEEDED');
    expect(dup?.states.map((s) => s.name)).toContain('DuplicateIgnored');
    // the lock items named account and distribution, in the hub's table
    const lockKeys = org.calls
      .filter((c: WorldCall) => c.service === 'dynamodb' && c.api === 'PutItem')
      .map((c) => JSON.stringify(c.input).match(/LOCK#[0-9#A-Z]+/)?.[0])
      .filter((k) => k !== undefined);
    expect(new Set(lockKeys)).toEqual(new Set([`LOCK#${B}#E2STOREFRONT01`, `LOCK#${C}#E3STOREFRONT01`]));
    // each account's fix in that account, by its own session, on its own bucket
    for (const [account, id] of [
      [B, 'E2STOREFRONT01'],
      [C, 'E3STOREFRONT01'],
    ] as const) {
      const writes = org.calls.filter((c) => c.ok && WRITE.test(c.api) && c.account === account);
      expect(writes.map((w) => w.api).sort()).toEqual([
        'CreateInvalidation',
        'CreateOriginAccessControl',
        'PutBucketPolicy',
        'UpdateDistribution',
      ]);
      for (const w of writes) expect(w.callerAccount).toBe(account);
      expect(JSON.stringify(writes.find((w) => w.api === 'PutBucketPolicy')?.input)).toContain(
        `storefront-assets-${account}`,
      );
      expect(JSON.stringify(writes.find((w) => w.api === 'UpdateDistribution')?.input)).toContain(id);
      expect(org.world(account).state.oacs.size).toBe(1);
    }
    expect(org.hub.state.oacs.size).toBe(0);
    expect(unwantedRefusals(org)).toEqual([]);
  }, 120_000);
});
