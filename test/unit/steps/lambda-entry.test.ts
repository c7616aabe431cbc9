import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, UndeclaredClientError } from '../../../functions/adapters/clients.ts';

describe('the Lambda entry point of a step', () => {
  const cf = mockClient(CloudFrontClient);
  beforeAll(() => {
    process.env.CF403_ARTIFACT_BUCKET = 'artifacts';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    cf.on(GetDistributionCommand, { Id: 'E2QWRUHEXAMPLE' }).resolves({
      Distribution: { Status: 'InProgress' } as never,
    });
  });
  afterAll(() => cf.restore());

  it('builds its dependencies from the environment and answers through the real SDK client', async () => {
    const { handler } = await import('../../../functions/steps/check-deployment/handler.ts');
    await expect(handler({ distributionId: 'E2QWRUHEXAMPLE' })).resolves.toEqual({
      status: 'InProgress',
      nextPollSeconds: 2,
    });
    await expect(handler({})).rejects.toThrow(/distributionId must be a non-empty string/);
  });

  it('loads only the clients a step declares, and says so when another is used', async () => {
    const clients = await createAwsClients('eu-west-1', ['cloudfront', 's3']);
    expect(await clients.s3.config.region()).toBe('eu-west-1');
    // CloudFront's control plane lives in us-east-1 whatever the region.
    expect(await clients.cloudfront.config.region()).toBe('us-east-1');
    expect(() => clients.ssm).toThrow(UndeclaredClientError);
  });
});
