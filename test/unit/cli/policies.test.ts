// The permission files in docs/policies are what tools/cli-policies.ts generates from the commands' calls and
// the simulator's IAM table; the exit-code table in the docs is the one the CLI uses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_TABLE } from '../../../cli/exit.ts';
import {
  generalise,
  generatePolicies,
  POLICY_DIR,
  POLICY_NAMES,
  policyOf,
  policyText,
} from '../../../tools/cli-policies.ts';

describe('docs/policies', () => {
  it('are exactly what the generator produces (run `npx tsx tools/cli-policies.ts` after a change)', async () => {
    const generated = await generatePolicies();
    for (const name of POLICY_NAMES) {
      expect(readFileSync(`${POLICY_DIR}${name}.json`, 'utf-8'), `docs/policies/${name}.json`).toBe(
        policyText(generated[name]),
      );
    }
  });

  it('grant reads only: no action that writes, deletes or signals except the decision itself', () => {
    for (const name of ['diagnose', 'scan', 'pending'] as const) {
      const doc = JSON.parse(readFileSync(`${POLICY_DIR}${name}.json`, 'utf-8')) as {
        Statement: { Action: string[] }[];
      };
      const actions = doc.Statement.flatMap((s) => s.Action);
      expect(actions.length).toBeGreaterThan(0);
      // TestFunction runs the function on a test event; it changes nothing
      expect(
        actions.filter((a) => !/:(Get|List|Describe|TestFunction)/.test(a)),
        name,
      ).toEqual([]);
    }
    const approve = JSON.parse(readFileSync(`${POLICY_DIR}approve.json`, 'utf-8')) as {
      Statement: { Action: string[] }[];
    };
    expect(approve.Statement.flatMap((s) => s.Action).filter((a) => !/:(Get|Describe)/.test(a))).toEqual([
      'ssm:SendAutomationSignal',
    ]);
  });
});

describe('generalising resources to the Service Authorization Reference formats', () => {
  it.each([
    [
      'cloudfront:GetDistribution',
      'arn:aws:cloudfront::111122223333:distribution/E2QWRUHEXAMPLE',
      'arn:aws:cloudfront::*:distribution/*',
    ],
    ['s3:GetBucketPolicy', 'arn:aws:s3:::example-site', 'arn:aws:s3:::*'],
    ['s3:GetObject', 'arn:aws:s3:::example-site/a/b/index.html', 'arn:aws:s3:::*/*'],
    ['kms:GetKeyPolicy', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd', 'arn:aws:kms:*:*:key/*'],
    [
      'wafv2:GetWebACL',
      'arn:aws:wafv2:us-east-1:111122223333:global/webacl/site/abc',
      'arn:aws:wafv2:*:*:global/webacl/*/*',
    ],
    ['ssm:DescribeAutomationExecutions', '*', '*'],
  ])('%s %s → %s', async (action, resource, pattern) => {
    expect((await generalise(action, resource)).pattern).toBe(pattern);
  });

  it('refuses a resource that fits none of the action’s resource types', async () => {
    await expect(generalise('s3:GetBucketPolicy', 'arn:aws:kms:eu-west-1:1:key/k')).rejects.toThrow(
      /matches no resource type of s3:GetBucketPolicy/,
    );
  });

  it('groups actions by service and resource set, sorted', async () => {
    const doc = await policyOf([
      { action: 's3:GetBucketPolicy', resource: 'arn:aws:s3:::b' },
      { action: 's3:GetBucketAcl', resource: 'arn:aws:s3:::c' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' },
      { action: 's3:GetAccountPublicAccessBlock', resource: '*' },
    ]);
    expect(doc.Statement).toEqual([
      { Sid: 'S3AnyResource', Effect: 'Allow', Action: ['s3:GetAccountPublicAccessBlock'], Resource: ['*'] },
      {
        Sid: 'S3Bucket',
        Effect: 'Allow',
        Action: ['s3:GetBucketAcl', 's3:GetBucketPolicy'],
        Resource: ['arn:aws:s3:::*'],
      },
      { Sid: 'S3Object', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::*/*'] },
    ]);
  });
});

describe('the documented exit codes', () => {
  const docs = [
    ['README.md', readFileSync(new URL('../../../README.md', import.meta.url), 'utf-8')],
    ['docs/cli.md', readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf-8')],
  ] as const;

  it.each(docs)('%s has the table the CLI uses, and lists the policy files', (_name, text) => {
    for (const { code, meaning } of EXIT_TABLE) expect(text).toContain(`| ${code} | ${meaning} |`);
    for (const name of POLICY_NAMES) expect(text).toContain(`docs/policies/${name}.json`);
  });
});
