import { readFileSync } from 'node:fs';
import {
  CloudFrontClient,
  GetDistributionCommand,
  GetOriginAccessControlCommand,
} from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { GetBucketPolicyCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { collectEvidence } from '../../../functions/adapters/collector.ts';
import { StaticRequestLog } from '../../../functions/adapters/request-log.ts';
import { DistributionNotFoundError } from '../../../functions/errors.ts';
import type { Scenario } from '../../../sim/scenario/types.ts';

const scenario = JSON.parse(
  readFileSync(
    new URL('../../../../shared/scenarios/bucket-policy-grant-missing.json', import.meta.url),
    'utf-8',
  ),
) as Scenario;
const dist = scenario.cloudfront.distributions[0];
if (!dist) throw new Error('fixture has no distribution');

const MUTATING = /^(Create|Update|Put|Delete|Associate|Disassociate|Tag|Untag|Publish|Send|Start|Stop)/;

function failEverything(m: { onAnyCommand(): { callsFake(fn: () => never): unknown } }) {
  // Any command not answered by a test fails.
  m.onAnyCommand().callsFake(() => {
    throw new Error('unexpected command');
  });
}

function clients() {
  const c = {
    cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
    s3: new S3Client({ region: 'us-east-1' }),
    s3control: new S3ControlClient({ region: 'us-east-1' }),
    kms: new KMSClient({ region: 'us-east-1' }),
    wafv2: new WAFV2Client({ region: 'us-east-1' }),
    sns: new SNSClient({ region: 'us-east-1' }),
    sfn: new SFNClient({ region: 'us-east-1' }),
    ssm: new SSMClient({ region: 'us-east-1' }),
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
    cloudwatch: new CloudWatchClient({ region: 'us-east-1' }),
    logs: new CloudWatchLogsClient({ region: 'us-east-1' }),
  };
  const cf = mockClient(c.cloudfront);
  const s3 = mockClient(c.s3);
  const others = [
    mockClient(c.s3control),
    mockClient(c.kms),
    mockClient(c.wafv2),
    mockClient(c.sns),
    mockClient(c.sfn),
  ];
  for (const m of [cf, s3, ...others]) failEverything(m as never);
  const all: { restore(): void; calls(): { args: unknown[] }[] }[] = [cf, s3, ...others];
  return { clients: c, cf, s3, all };
}

const prober = {
  probe: async () => ({
    status: 403,
    headers: { server: 'AmazonS3', 'x-cache': 'Error from cloudfront' },
    body: '<Error><Code>AccessDenied</Code></Error>',
  }),
};
const requests = new StaticRequestLog([{ url: `https://${dist.DomainName}/index.html`, method: 'GET' }]);

describe('collectEvidence', () => {
  let mocks: { restore(): void }[] = [];
  afterEach(() => {
    for (const m of mocks) m.restore();
  });

  it('sends only read commands, and records unreadable sources instead of failing', async () => {
    const made = clients();
    mocks = made.all;
    const { cf, s3 } = made;
    cf.on(GetDistributionCommand).resolves({
      ETag: dist.ETag,
      Distribution: {
        Id: dist.Id,
        ARN: dist.ARN,
        DomainName: dist.DomainName,
        Status: 'Deployed',
        DistributionConfig: dist.DistributionConfig,
        LastModifiedTime: new Date(),
        InProgressInvalidationBatches: 0,
      },
    });
    cf.on(GetOriginAccessControlCommand).resolves({
      ETag: 'E1',
      OriginAccessControl: {
        Id: 'E3OACEXAMPLE',
        OriginAccessControlConfig: {
          Name: 'oac',
          SigningProtocol: 'sigv4',
          SigningBehavior: 'always',
          OriginAccessControlOriginType: 's3',
        },
      },
    });
    s3.on(GetBucketPolicyCommand).rejects(
      new S3ServiceException({
        name: 'NoSuchBucketPolicy',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
        message: 'none',
      }),
    );
    s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'AES256' });
    const ev = await collectEvidence(made.clients, prober, requests, {
      distributionId: dist.Id,
      account: scenario.account,
      region: 'us-east-1',
    });

    const sent = made.all.flatMap((m) =>
      m.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name),
    );
    expect(sent.length).toBeGreaterThan(8);
    expect(sent.filter((n) => MUTATING.test(n))).toEqual([]);
    const bucket = ev.buckets['example-site'];
    expect(bucket?.policy).toEqual({ ok: true, value: null });
    expect(bucket?.objects['index.html']).toEqual({
      ok: true,
      value: expect.objectContaining({ key: 'index.html', exists: true }),
    });
    // GetBucketOwnershipControls was not answered: recorded as unreadable, the rest went on.
    expect(bucket?.ownershipControls.ok).toBe(false);
    expect(ev.origins[0]?.oac).toMatchObject({ ok: true, value: { Id: 'E3OACEXAMPLE' } });
    expect(ev.probes[0]?.fingerprint.kind).toBe('s3-access-denied');
  });

  it('names a distribution that does not exist', async () => {
    const made = clients();
    mocks = made.all;
    const err = Object.assign(new Error('The specified distribution does not exist.'), {
      name: 'NoSuchDistribution',
    });
    made.cf.on(GetDistributionCommand).rejects(err);
    await expect(
      collectEvidence(made.clients, prober, requests, {
        distributionId: 'ENOPE12345',
        account: '111122223333',
        region: 'us-east-1',
      }),
    ).rejects.toThrow(DistributionNotFoundError);
  });
});
