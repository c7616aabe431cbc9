import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  NotFoundException,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import {
  GetIPSetCommand,
  GetSampledRequestsCommand,
  GetWebACLCommand,
  WAFNonexistentItemException,
} from '@aws-sdk/client-wafv2';
import { describe, expect, it } from 'vitest';
import { canonicalWafId } from '../../../sim/scenario/canonical-ids.ts';
import { clients, rejection, worldOf } from './helpers.ts';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
// the scenario's placeholder ids ("a1b2c3d4") become the UUIDs AWS would have issued
const ACL_ID = canonicalWafId('a1b2c3d4');
const IPSET_ID = canonicalWafId('e5f6a7b8');
const ACL_ARN = `arn:aws:wafv2:us-east-1:111122223333:global/webacl/site-acl/${ACL_ID}`;

function kmsWorld() {
  return worldOf('healthy', (s) => {
    s.kms = {
      keys: [
        { KeyId: KEY_ID, Arn: KEY_ARN, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }) },
      ],
    };
  });
}

describe('KMS', () => {
  it('describes a key by id or ARN and reads its policy', async () => {
    const { kms } = clients(kmsWorld());
    const byId = await kms.send(new DescribeKeyCommand({ KeyId: KEY_ID }));
    expect(byId.KeyMetadata).toMatchObject({
      KeyId: KEY_ID,
      Arn: KEY_ARN,
      KeyState: 'Enabled',
      AWSAccountId: '111122223333',
    });
    const byArn = await kms.send(new DescribeKeyCommand({ KeyId: KEY_ARN }));
    expect(byArn.KeyMetadata?.KeyId).toBe(KEY_ID);
    const policy = await kms.send(new GetKeyPolicyCommand({ KeyId: KEY_ARN }));
    expect(policy.PolicyName).toBe('default');
    expect(JSON.parse(policy.Policy ?? '')).toEqual({ Version: '2012-10-17', Statement: [] });
    expect(await rejection(kms.send(new DescribeKeyCommand({ KeyId: 'nope' })))).toBeInstanceOf(
      NotFoundException,
    );
  });

  it('puts a key policy and refuses one that is not JSON', async () => {
    const world = kmsWorld();
    const { kms } = clients(world);
    const next = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x', Effect: 'Allow' }] });
    await kms.send(new PutKeyPolicyCommand({ KeyId: KEY_ID, Policy: next }));
    expect(world.toScenario().kms?.keys[0]?.Policy).toBe(next);
    const error = await rejection(kms.send(new PutKeyPolicyCommand({ KeyId: KEY_ID, Policy: 'nope' })));
    expect(error.name).toBe('MalformedPolicyDocumentException');
  });
});

describe('WAFv2', () => {
  function wafWorld() {
    return worldOf('waf-blocked-ipset', (s) => {
      s.wafv2?.sampledRequests?.push(
        {
          WebAclArn: ACL_ARN,
          RuleName: 'block-ranges',
          Action: 'BLOCK',
          Request: { ClientIP: '203.0.113.10', Country: 'US', URI: '/index.html', Method: 'GET' },
        },
        {
          WebAclArn: ACL_ARN,
          RuleName: 'other-rule',
          Action: 'BLOCK',
          Request: { ClientIP: '198.51.100.1', URI: '/', Method: 'GET' },
        },
      );
    });
  }

  it('reads the web ACL by name/id/scope (as derived from the ARN) and by ARN', async () => {
    const { waf } = clients(wafWorld());
    const byName = await waf.send(
      new GetWebACLCommand({ Name: 'site-acl', Id: ACL_ID, Scope: 'CLOUDFRONT' }),
    );
    expect(byName.WebACL?.ARN).toBe(ACL_ARN);
    expect(byName.WebACL?.Rules?.[0]?.Statement?.IPSetReferenceStatement?.ARN).toContain('blocked-ranges');
    expect(byName.LockToken).toMatch(/^[0-9a-f-]{36}$/);
    const byArn = await waf.send(new GetWebACLCommand({ ARN: ACL_ARN }));
    expect(byArn.WebACL?.Id).toBe(ACL_ID);
    const wrongScope = await rejection(
      waf.send(new GetWebACLCommand({ Name: 'site-acl', Id: ACL_ID, Scope: 'REGIONAL' })),
    );
    expect(wrongScope).toBeInstanceOf(WAFNonexistentItemException);
  });

  it('reads IP sets and the sampled requests of one rule', async () => {
    const { waf } = clients(wafWorld());
    const ipSet = await waf.send(
      new GetIPSetCommand({ Name: 'blocked-ranges', Id: IPSET_ID, Scope: 'CLOUDFRONT' }),
    );
    expect(ipSet.IPSet?.Addresses).toEqual(['203.0.113.0/24']);
    const window = { StartTime: new Date('2026-11-27T21:00:00Z'), EndTime: new Date('2026-11-28T00:00:00Z') };
    const sampled = await waf.send(
      new GetSampledRequestsCommand({
        WebAclArn: ACL_ARN,
        RuleMetricName: 'block-ranges',
        Scope: 'CLOUDFRONT',
        TimeWindow: window,
        MaxItems: 100,
      }),
    );
    expect(sampled.SampledRequests).toHaveLength(1);
    expect(sampled.SampledRequests?.[0]).toMatchObject({
      Action: 'BLOCK',
      Weight: 1,
      Request: { ClientIP: '203.0.113.10', Country: 'US', URI: '/index.html', Method: 'GET', Headers: [] },
    });
    expect(sampled.TimeWindow).toEqual(window);
  });
});

describe('SNS and Step Functions', () => {
  it('records notifications and task signals', async () => {
    const world = worldOf('healthy');
    const { sns, sfn } = clients(world);
    const published = await sns.send(
      new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111122223333:t', Subject: 's', Message: 'm' }),
    );
    expect(published.MessageId).toBeTruthy();
    await sfn.send(new SendTaskSuccessCommand({ taskToken: 'tok', output: '{"approved":true}' }));
    expect(world.notifications).toEqual([
      { topicArn: 'arn:aws:sns:us-east-1:111122223333:t', subject: 's', message: 'm' },
    ]);
    expect(world.taskSignals).toMatchObject([
      { kind: 'success', taskToken: 'tok', output: '{"approved":true}' },
    ]);
  });
});
