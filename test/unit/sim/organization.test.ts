// Issue 15, simulator side: the scenario format's organization and accounts, routing between accounts, the
// S3 account checks, and STS AssumeRole judged by a (hand-written) member trust policy.
import { readFileSync } from 'node:fs';
import {
  GetBucketPolicyCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { deployMemberStack } from '../../../sim/runner/organization.ts';
import type { Scenario } from '../../../sim/scenario/types.ts';
import { parseScenario, ScenarioError } from '../../../sim/scenario/validate.ts';
import type { CfnTemplate, StepIdentity } from '../../../sim/world/iam/roles.ts';
import { Organization } from '../../../sim/world/organization.ts';

const HUB = '111122223333';
const B = '222233334444';
const C = '333344445555';
const ORG = 'o-a1b2c3d4e5';
const raw = (): Scenario =>
  JSON.parse(
    readFileSync(new URL('../../scenarios/hub-cross-account-bucket.json', import.meta.url), 'utf8'),
  ) as Scenario;

function errorOf(doc: unknown): ScenarioError {
  try {
    parseScenario(doc);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario format: organization and accounts', () => {
  it('accepts a hub without distributions when a member holds one', () => {
    const sc = parseScenario(raw());
    expect(sc.accounts?.map((a) => a.account)).toEqual([B, C]);
    expect(sc.cloudfront.distributions).toEqual([]);
  });

  it('names the JSON path of a duplicate account, the hub account listed as a member, a bad id', () => {
    const dup = raw();
    dup.accounts?.push({ account: B });
    expect(errorOf(dup).path).toBe('accounts[2].account');
    expect(errorOf(dup).message).toMatch(/already listed at accounts\[0\]\.account/);
    const hub = raw();
    hub.accounts?.push({ account: HUB });
    expect(errorOf(hub).message).toMatch(/accounts\[2\]\.account: account 111122223333 is already the hub/);
    const bad = raw();
    (bad.accounts as { account: string }[])[1] = { account: '12345' };
    expect(errorOf(bad).path).toBe('accounts[1].account');
    expect(errorOf(bad).message).toMatch(/12-digit account id/);
  });

  it('takes a member scope as the member stack does, and names the path of a bad one', () => {
    const scoped = raw();
    const first = scoped.accounts?.[0];
    if (!first) throw new Error('fixture without accounts');
    first.memberScope = { kind: 'distributions', distributionIds: ['E2CROSSACCOUNT'] };
    expect(parseScenario(scoped).accounts?.[0]?.memberScope).toEqual(first.memberScope);
    const bad = raw();
    (bad.accounts as { account: string; memberScope?: unknown }[])[0] = {
      account: B,
      memberScope: 'everything',
    };
    expect(errorOf(bad).message).toMatch(/accounts\[0\]\.memberScope: expected "account", "none", or/);
    const empty = raw();
    (empty.accounts as { account: string; memberScope?: unknown }[])[0] = {
      account: B,
      memberScope: { kind: 'distributions', distributionIds: [] },
    };
    expect(errorOf(empty).message).toMatch(/accounts\[0\]\.memberScope/);
  });

  it('refuses accounts without an organization, a bad organization id, an ARN of another account', () => {
    const none = raw();
    delete none.organization;
    expect(errorOf(none).path).toBe('organization');
    const badOrg = raw();
    badOrg.organization = { id: 'org-1' };
    expect(errorOf(badOrg).path).toBe('organization.id');
    const arn = raw();
    const d = arn.accounts?.[0]?.cloudfront?.distributions[0];
    if (d) d.ARN = d.ARN.replace(B, C);
    expect(errorOf(arn).path).toBe('accounts[0].cloudfront.distributions[0].ARN');
  });

  it('refuses a bucket name used in two accounts (names are global) and no distribution anywhere', () => {
    const twice = raw();
    const bucket = twice.accounts?.[1]?.s3?.buckets[0];
    const first = twice.accounts?.[0];
    if (bucket && first) first.s3 = { buckets: [structuredClone(bucket)] };
    expect(errorOf(twice).message).toMatch(/bucket member-c-assets is already at/);
    const empty = raw();
    if (empty.accounts?.[0]) delete empty.accounts[0].cloudfront;
    expect(errorOf(empty).path).toBe('cloudfront.distributions');
  });
});

/** A member stack as lib/member-stack.ts writes it: a role trusting one hub step role, within the org. */
const MEMBER_TEMPLATE: CfnTemplate = {
  Resources: {
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'cf403-member',
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { AWS: `arn:aws:iam::${HUB}:role/Cf403Remediation-apply` },
              Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG, 'aws:PrincipalAccount': HUB } },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'buckets',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:ListBucket'],
                  Resource: '*',
                },
              ],
            },
          },
        ],
      },
    },
    Scope: {
      Type: 'AWS::SSM::Parameter',
      Properties: { Name: '/cf403/member/scope', Type: 'String', Value: '{"kind":"account"}' },
    },
  },
};

function hubIdentity(org: Organization, role: string): StepIdentity {
  return org.withOrganization({
    step: 'apply',
    roleArn: `arn:aws:iam::${HUB}:role/${role}`,
    sessionArn: `arn:aws:sts::${HUB}:assumed-role/${role}/fn`,
    functionArn: `arn:aws:lambda:us-east-1:${HUB}:function:fn`,
    policies: [
      {
        name: 'p',
        document: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/cf403-member' },
            { Effect: 'Allow', Action: 's3:*', Resource: '*' },
          ],
        },
      },
    ],
  });
}

const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

function organization(): Organization {
  const org = new Organization(parseScenario(raw()));
  deployMemberStack(org, C, MEMBER_TEMPLATE);
  return org;
}

async function assume(org: Organization, identity: StepIdentity, account = C) {
  const sts = org.attach(new STSClient(config), { step: 'apply', identity });
  return sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/cf403-member`,
      RoleSessionName: 'cf403-apply',
    }),
  );
}

describe('the simulated organization', () => {
  it('shares one clock: a member world advances with the hub', () => {
    const org = organization();
    org.hub.advance(90);
    expect(org.world(C).now()).toBe(org.hub.now());
  });

  it('deploys the member stack: its role and its scope parameter exist in the member account', () => {
    const org = organization();
    expect(org.role(`arn:aws:iam::${C}:role/cf403-member`)?.policies).toHaveLength(1);
    expect(org.world(C).state.parameters?.get('/cf403/member/scope')).toBeDefined();
  });

  it('AssumeRole: the trusted hub role gets a session whose key maps to the member role in the member account', async () => {
    const org = organization();
    const out = await assume(org, hubIdentity(org, 'Cf403Remediation-apply'));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${C}:assumed-role/cf403-member/cf403-apply`);
    const identity = org.sessionIdentity(out.Credentials?.AccessKeyId ?? '', 's3');
    expect(identity.roleArn).toBe(`arn:aws:iam::${C}:role/cf403-member`);
    expect(identity.organizationId).toBe(ORG);
    // the session expires with its credentials
    org.hub.advance(3600);
    expect(() => org.sessionIdentity(out.Credentials?.AccessKeyId ?? '', 's3')).toThrow(/expired/);
  });

  it('AssumeRole: another hub role, and a role that does not exist, are refused with AccessDenied', async () => {
    const org = organization();
    await expect(assume(org, hubIdentity(org, 'Cf403Remediation-notify'))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(assume(org, hubIdentity(org, 'Cf403Remediation-apply'), B)).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('routes bucket calls to the owner account; the bucket policy APIs answer only the owner account (405)', async () => {
    const org = organization();
    const out = await assume(org, hubIdentity(org, 'Cf403Remediation-apply'));
    const key = out.Credentials?.AccessKeyId ?? '';
    const session = org.attach(
      new S3Client(config),
      org.sessionCaller('apply', async () => ({ accessKeyId: key })),
    );
    await session.send(new GetBucketPolicyCommand({ Bucket: 'member-c-assets' }));
    const call = org.calls.at(-1);
    expect(call).toMatchObject({ api: 'GetBucketPolicy', account: C, callerAccount: C });
    await expect(
      session.send(new HeadBucketCommand({ Bucket: 'member-c-assets', ExpectedBucketOwner: B })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    // the hub's own role: even a bucket policy granting it PutBucketPolicy does not let another account write it
    const world = org.world(C);
    const bucket = world.state.buckets.get('member-c-assets');
    if (!bucket) throw new Error('no bucket');
    bucket.Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${HUB}:root` },
          Action: ['s3:PutBucketPolicy', 's3:GetBucketPolicy'],
          Resource: 'arn:aws:s3:::member-c-assets',
        },
      ],
    });
    const hub = org.attach(new S3Client(config), {
      step: 'apply',
      identity: hubIdentity(org, 'Cf403Remediation-apply'),
    });
    await expect(
      hub.send(new PutBucketPolicyCommand({ Bucket: 'member-c-assets', Policy: bucket.Policy })),
    ).rejects.toMatchObject({ name: 'MethodNotAllowed', $metadata: { httpStatusCode: 405 } });
    expect(org.calls.at(-1)).toMatchObject({ callerAccount: HUB, account: C, ok: false });
  });
});
