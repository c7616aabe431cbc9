// A hub step in Lambda (CF403_ACCOUNT set): it assumes the member role of the invocation's account with the
// real STS client and calls CloudFront there with that session's credentials; the hub's own account and the
// steps that call no member-side service keep the step's own credentials.
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { EXECUTION, HUB, lambdaHub, MEMBER } from './lambda-hub-fixture.ts';

describe('a hub step in Lambda', () => {
  const { sts, seen } = lambdaHub();

  it('acts in the member account through its member role, named after the step and execution', async () => {
    const { handler } = await import('../../../functions/steps/check-deployment/handler.ts');
    seen.length = 0;
    await expect(
      handler({ distributionId: 'EMEMBERDIST', account: MEMBER, executionId: EXECUTION }),
    ).resolves.toMatchObject({ status: 'Deployed' });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: `arn:aws:iam::${MEMBER}:role/cf403-member`,
        RoleSessionName: 'cf403-checkDeployment-run-7',
        DurationSeconds: 900,
      },
    ]);
    // the member scope is read in the member account, the distribution too
    expect(seen).toEqual([
      { api: 'GetParameter', key: 'ASIAMEMBERSESSION' },
      { api: 'GetDistribution', key: 'ASIAMEMBERSESSION' },
    ]);
  });

  it('keeps its own credentials for a distribution of the hub account', async () => {
    const { handler } = await import('../../../functions/steps/check-deployment/handler.ts');
    seen.length = 0;
    await handler({ distributionId: 'EHUBDIST', account: HUB, executionId: EXECUTION });
    expect(seen).toEqual([{ api: 'GetDistribution', key: 'AKIDHUBSTEP' }]);
  });
});
