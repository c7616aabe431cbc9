// Issue 15 end to end: the hub's workflow remediates distributions of member accounts through their member
// roles, approvals stay in the hub, and each write happens in the account that owns the resource, made by that
// account's member-role session (the trace names the caller's and the answering account of every call).
import { describe, expect, it } from 'vitest';
import { cloudFront4xxAlarmEvent } from '../../functions/domain/alarm-event.ts';
import { organizationRun, simulate } from '../../sim/runner/simulate.ts';
import { loadScenario } from '../../sim/scenario/load.ts';
import type { WorldCall } from '../../sim/world/world.ts';

const scenario = (name: string) =>
  loadScenario(new URL(`../scenarios/${name}.json`, import.meta.url).pathname);
const HUB = '111122223333';
const B = '222233334444';
const C = '333344445555';
const WRITES = /^(Put|Update|Create|Delete)/;

const writes = (calls: readonly WorldCall[], service: string) =>
  calls.filter((c) => c.ok && c.service === service && WRITES.test(c.api));

describe('hub and spoke, simulated', () => {
  it('remediates two member accounts through the hub, each approved in the hub', async () => {
    const sc = scenario('hub-two-members');
    const { organization: org, workflow } = await organizationRun(sc);
    for (const [account, distributionId] of [
      [B, 'E2MEMBERBSITE1'],
      [C, 'E3MEMBERCSITE1'],
    ] as const) {
      const before = org.calls.length;
      const result = await workflow.execute(
        cloudFront4xxAlarmEvent({ distributionId, account }),
        `hub-${account}`,
        'approve',
      );
      expect(result.output.outcome).toBe('REMEDIATED');
      expect(result.approvalDecision).toBe('approved');
      const calls = org.calls.slice(before);
      // every CloudFront write in the distribution's account, by that account's member-role session
      const cf = writes(calls, 'cloudfront');
      expect(cf.map((c) => c.api)).toEqual(
        expect.arrayContaining(['CreateOriginAccessControl', 'UpdateDistribution']),
      );
      for (const c of [...cf, ...writes(calls, 's3').filter((w) => w.api === 'PutBucketPolicy')])
        expect(c).toMatchObject({ account, callerAccount: account });
      // the approval, lock and audit are the hub's
      for (const c of calls.filter(
        (x) => ['ssm', 'dynamodb', 'sns', 'sfn'].includes(x.service) && x.account === HUB,
      ))
        expect(c.callerAccount).toBe(HUB);
      expect(calls.some((c) => c.api === 'StartAutomationExecution' && c.account === HUB)).toBe(true);
      expect(
        calls.filter((c) => c.service === 'ssm' && c.api === 'StartAutomationExecution' && c.account !== HUB),
      ).toEqual([]);
      // the fixed distribution now signs with an OAC created in its own account
      const dist = org.world(account).distribution(distributionId);
      const oac = dist.DistributionConfig.Origins?.Items?.[0]?.OriginAccessControlId ?? '';
      expect(org.world(account).state.oacs.has(oac)).toBe(true);
      expect(org.hub.state.oacs.size).toBe(0);
    }
    // nothing was ever refused for lack of a permission
    expect(
      org
        .allWorlds()
        .flatMap((w) => w.refusals.filter((r) => r.kind !== 'iam' || r.policy === 'identity-based')),
    ).toEqual([]);
  }, 120_000);

  it('fixes the cross-account OAC case in the bucket owner account, written by its member session', async () => {
    const report = await simulate(scenario('hub-cross-account-bucket'), { decision: 'approve' });
    expect(report.outcome).toBe('REMEDIATED');
    expect(report.causes.map((c) => c.id)).toEqual(['BUCKET_POLICY_GRANT_MISSING']);
    // the report names the distribution's account, and the account the bucket-policy change writes in
    expect(report.account).toBe(B);
    expect(report.actions.filter((x) => x.targets.some((t) => t.startsWith('bucket-policy:')))).toEqual([
      expect.objectContaining({ account: C, applied: true }),
    ]);
    const put = report.trace.filter((t) => t.operation === 'PutBucketPolicy');
    expect(put).toHaveLength(1);
    expect(put[0]).toMatchObject({ account: C, callerAccount: C });
    // the grant names the distribution in ITS account (B) as AWS:SourceArn, in C's bucket policy
    const bucket = report.world.accounts?.find((a) => a.account === C)?.s3?.buckets[0];
    const policy = JSON.parse(bucket?.Policy ?? '{}') as { Statement: { Condition?: unknown }[] };
    expect(JSON.stringify(policy.Statement)).toContain(
      `arn:aws:cloudfront::${B}:distribution/E2CROSSACCOUNT`,
    );
    // viewers get through again (the edge reads C's policy for B's distribution)
    expect(report.probes.after.every((p) => p.status === 200)).toBe(true);
  }, 120_000);

  it('fails clearly, changing nothing, when the member role does not exist in the alarm account', async () => {
    const report = await simulate(scenario('hub-member-role-missing'), { decision: 'approve' });
    expect(report.outcome).toBe('FAILED');
    expect(report.error?.cause).toMatch(
      /cannot act in account 444455556666: AssumeRole arn:aws:iam::444455556666:role\/cf403-member failed \(AccessDenied\)/,
    );
    expect(
      report.trace.filter(
        (t) => /^(Put|Update|Create|Delete)/.test(t.operation) && t.account === '444455556666',
      ),
    ).toEqual([]);
  }, 120_000);
});
