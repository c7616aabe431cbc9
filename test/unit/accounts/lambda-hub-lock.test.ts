// The lock step of a hub in Lambda (its own module: one step per Lambda container): it calls only the hub's
// table, so it never assumes a member role, and its lock is per account and distribution.
import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_SCOPE_PARAMETER } from '../../../functions/domain/accounts.ts';

const HUB = '111111111111';
const MEMBER = '222222222222';
const EXECUTION = `arn:aws:states:us-east-1:${HUB}:execution:cf403:run-7`;

/** The access key id a mocked call was signed with (the step's own: the env's; a member session: ASIA...). */
async function keyOf(getClient: () => { config: { credentials: () => Promise<{ accessKeyId: string }> } }) {
  return (await getClient().config.credentials()).accessKeyId;
}

describe('a hub-only step in Lambda', () => {
  const sts = mockClient(STSClient);
  const cf = mockClient(CloudFrontClient);
  const ssm = mockClient(SSMClient);
  const ddb = mockClient(DynamoDBClient);
  const seen: { api: string; key: string }[] = [];
  beforeAll(() => {
    Object.assign(process.env, {
      CF403_ARTIFACT_BUCKET: 'artifacts',
      CF403_TABLE_NAME: 'locks',
      CF403_ACCOUNT: HUB,
      CF403_MEMBER_ACCOUNTS: MEMBER,
      AWS_ACCESS_KEY_ID: 'AKIDHUBSTEP',
      AWS_SECRET_ACCESS_KEY: 'hub-secret',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAMEMBERSESSION',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 900_000),
      },
    });
    ssm.on(GetParameterCommand, { Name: MEMBER_SCOPE_PARAMETER }).callsFake(async (_i, getClient) => {
      seen.push({ api: 'GetParameter', key: await keyOf(getClient as never) });
      return { Parameter: { Value: '{"kind":"account"}' } };
    });
    cf.on(GetDistributionCommand).callsFake(async (_i, getClient) => {
      seen.push({ api: 'GetDistribution', key: await keyOf(getClient as never) });
      return { Distribution: { Status: 'Deployed' } };
    });
    ddb.on(PutItemCommand).callsFake(async (_i, getClient) => {
      seen.push({ api: 'PutItem', key: await keyOf(getClient as never) });
      return {};
    });
  });
  afterAll(() => {
    for (const m of [sts, cf, ssm, ddb]) m.restore();
  });

  it('a step of the hub only (the lock) never assumes a member role', async () => {
    const before = sts.commandCalls(AssumeRoleCommand).length;
    const { handler } = await import('../../../functions/steps/lock/handler.ts');
    seen.length = 0;
    await expect(
      handler({ distributionId: 'EMEMBERDIST', account: MEMBER, executionId: EXECUTION }),
    ).resolves.toEqual({ acquired: true });
    expect(seen).toEqual([{ api: 'PutItem', key: 'AKIDHUBSTEP' }]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(before);
    const item = ddb.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
    expect(item?.pk).toEqual({ S: `LOCK#${MEMBER}#EMEMBERDIST` });
  });
});
