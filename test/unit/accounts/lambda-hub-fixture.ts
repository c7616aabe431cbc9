// A hub step's Lambda environment with mocked AWS: the step's own credentials (AKIDHUBSTEP), a member session
// from STS (ASIAMEMBERSESSION), and every mocked call recorded with the access key that signed it.
// Each test file runs one step: runtime.ts builds a step's dependencies once per module instance (container).
import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll } from 'vitest';
import { MEMBER_SCOPE_PARAMETER } from '../../../functions/domain/accounts.ts';

export const HUB = '111111111111';
export const MEMBER = '222222222222';
export const EXECUTION = `arn:aws:states:us-east-1:${HUB}:execution:cf403:run-7`;

/** The access key id a mocked call was signed with (the step's own: the env's; a member session: ASIA...). */
async function keyOf(getClient: () => { config: { credentials: () => Promise<{ accessKeyId: string }> } }) {
  return (await getClient().config.credentials()).accessKeyId;
}

/** Installs the environment and the mocks for the enclosing describe block; restores the mocks after it. */
export function lambdaHub() {
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
  return { sts, ddb, seen };
}
