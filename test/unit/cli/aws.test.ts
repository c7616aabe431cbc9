// Profiles, regions and endpoints as the AWS CLI resolves them, and S3, KMS and WAF calls sent to the region of
// the resource they name (checked on the wire: the SigV4 credential scope of each request).
import { GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { GetIPSetCommand, GetWebACLCommand } from '@aws-sdk/client-wafv2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { arnRegion, realClients, redirectRegion, resolveTarget, wafRegion } from '../../../cli/aws.ts';
import { EXIT } from '../../../cli/exit.ts';
import { cli, cloudFrontError, type FakeAws, type FakeRequest, fakeAws, KEYS, sandbox } from './fake-aws.ts';

let server: FakeAws | undefined;

afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

describe('resolveTarget: a flag overrides the environment, which overrides the config file', () => {
  const fromConfig = async (profile: string | undefined) => (profile === 'eu' ? 'eu-central-1' : undefined);

  it.each([
    [
      { region: 'ap-south-1' },
      { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' },
      'ap-south-1',
      '--region',
    ],
    [{}, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' }, 'eu-west-1', 'AWS_REGION'],
    [{}, { AWS_DEFAULT_REGION: 'us-west-2', AWS_PROFILE: 'eu' }, 'us-west-2', 'AWS_DEFAULT_REGION'],
    [{}, { AWS_PROFILE: 'eu' }, 'eu-central-1', 'config file'],
    [{ profile: 'eu' }, { AWS_PROFILE: 'other' }, 'eu-central-1', 'config file'],
    [{ profile: 'other' }, { AWS_PROFILE: 'eu' }, 'us-east-1', 'default'],
  ])('%j with %j → %s (%s)', async (flags, env, region, source) => {
    const t = await resolveTarget(flags, env, fromConfig);
    expect(t.region).toBe(region);
    expect(t.regionSource).toBe(source);
  });

  it('takes --profile over AWS_PROFILE, and --endpoint-url as given', async () => {
    const t = await resolveTarget(
      { profile: 'a', endpointUrl: 'http://localhost:4566' },
      { AWS_PROFILE: 'b' },
      fromConfig,
    );
    expect(t).toMatchObject({ profile: 'a', endpoint: 'http://localhost:4566' });
    expect((await resolveTarget({}, { AWS_PROFILE: 'b' }, fromConfig)).profile).toBe('b');
  });

  it("reads the profile's region from the real shared config file through the SDK", async () => {
    sandbox('[default]\nregion = sa-east-1\n[profile eu]\nregion = eu-central-1\n');
    expect((await resolveTarget({ profile: 'eu' })).region).toBe('eu-central-1');
    expect((await resolveTarget({})).region).toBe('sa-east-1');
    vi.stubEnv('AWS_PROFILE', 'eu');
    expect(await resolveTarget({})).toMatchObject({
      profile: 'eu',
      region: 'eu-central-1',
      regionSource: 'config file',
    });
  });
});

describe('endpoints', () => {
  async function closedPort(): Promise<string> {
    const s = await fakeAws(() => ({ status: 200 }));
    await s.close();
    return s.url;
  }

  const notFound = () =>
    cloudFrontError(404, 'NoSuchDistribution', 'The specified distribution does not exist.');

  it('AWS_ENDPOINT_URL_CLOUDFRONT overrides AWS_ENDPOINT_URL', async () => {
    server = await fakeAws(notFound);
    sandbox('', { ...KEYS, AWS_ENDPOINT_URL: await closedPort(), AWS_ENDPOINT_URL_CLOUDFRONT: server.url });
    const r = await cli(['diagnose', '--distribution-id', 'E2QWRUHEXAMPLE']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(server.requests.map((q) => q.path)).toEqual(['/2020-05-31/distribution/E2QWRUHEXAMPLE']);
  });

  it('--endpoint-url overrides the environment', async () => {
    server = await fakeAws(notFound);
    sandbox('', { ...KEYS, AWS_ENDPOINT_URL_CLOUDFRONT: await closedPort() });
    const r = await cli(['diagnose', '--distribution-id', 'E2QWRUHEXAMPLE', '--endpoint-url', server.url]);
    expect(r.code).toBe(EXIT.USAGE);
    expect(server.requests).toHaveLength(1);
  });
});

describe('each call goes to its resource’s region', () => {
  const POLICY = '{"Version":"2012-10-17","Statement":[]}';

  /** S3 redirects a request signed for the wrong region to the bucket's (301 + x-amz-bucket-region). */
  function answer(req: FakeRequest) {
    if (req.service === 's3') {
      if (req.region !== 'eu-west-1')
        return {
          status: 301,
          headers: { 'x-amz-bucket-region': 'eu-west-1', 'content-type': 'application/xml' },
          body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>',
        };
      return { status: 200, body: POLICY };
    }
    if (req.service === 'kms')
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ Policy: POLICY, PolicyName: 'default' }),
      };
    if (req.service === 'wafv2')
      return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: '{}' };
    return cloudFrontError(404, 'NoSuchDistribution', 'no');
  }

  it('S3 learns the bucket region from the first redirect, then goes there directly', async () => {
    server = await fakeAws(answer);
    sandbox('', KEYS);
    const clients = await realClients(
      { region: 'us-east-1', regionSource: '--region', endpoint: server.url },
      ['s3'],
    );
    for (let i = 0; i < 2; i++) {
      const out = await clients.s3.send(new GetBucketPolicyCommand({ Bucket: 'site-eu' }));
      expect(out.Policy).toBe(POLICY);
    }
    expect(server.requests.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1', 'eu-west-1']);
  });

  it('KMS goes to the region of the key ARN, WAF to us-east-1 for CloudFront, CloudFront always to us-east-1', async () => {
    server = await fakeAws(answer);
    sandbox('', KEYS);
    const clients = await realClients(
      { region: 'eu-west-1', regionSource: '--region', endpoint: server.url },
      ['cloudfront', 'kms', 'wafv2'],
    );
    const key = 'arn:aws:kms:ap-southeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await clients.kms.send(new GetKeyPolicyCommand({ KeyId: key, PolicyName: 'default' }));
    await clients.kms.send(new GetKeyPolicyCommand({ KeyId: 'alias/site', PolicyName: 'default' }));
    await clients.wafv2.send(new GetWebACLCommand({ Name: 'acl', Id: 'id', Scope: 'CLOUDFRONT' }));
    await clients.wafv2.send(new GetIPSetCommand({ Name: 'ips', Id: 'id', Scope: 'REGIONAL' }));
    await expect(clients.cloudfront.send(new GetDistributionCommand({ Id: 'E1' }))).rejects.toThrow();
    expect(server.requests.map((r) => `${r.service} ${r.region}`)).toEqual([
      'kms ap-southeast-2',
      'kms eu-west-1',
      'wafv2 us-east-1',
      'wafv2 eu-west-1',
      'cloudfront us-east-1',
    ]);
  });

  it('reads regions from ARNs and redirects, and nothing else', () => {
    expect(arnRegion('arn:aws:kms:eu-west-1:111122223333:key/k')).toBe('eu-west-1');
    expect(arnRegion('arn:aws:cloudfront::111122223333:distribution/E1')).toBeUndefined();
    expect(arnRegion(42)).toBeUndefined();
    expect(wafRegion({ WebAclArn: 'arn:aws:wafv2:us-east-1:1:global/webacl/a/b' }, 'eu-west-1')).toBe(
      'us-east-1',
    );
    expect(wafRegion({ Scope: 'REGIONAL' }, 'eu-west-1')).toBe('eu-west-1');
    const redirect = {
      $metadata: { httpStatusCode: 301 },
      $response: { headers: { 'x-amz-bucket-region': 'eu-west-1' } },
    };
    expect(redirectRegion(redirect)).toBe('eu-west-1');
    expect(redirectRegion({ ...redirect, $metadata: { httpStatusCode: 403 } })).toBeUndefined();
    expect(redirectRegion({ $metadata: { httpStatusCode: 301 } })).toBeUndefined();
  });
});
