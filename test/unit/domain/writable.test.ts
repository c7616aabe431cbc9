import { describe, expect, it } from 'vitest';
import type { Action, Evidence } from '../../../functions/domain/types.ts';
import { writableBy } from '../../../functions/domain/writable.ts';

const writer = { roleArn: 'arn:aws:iam::111122223333:role/cf403-apply', account: '111122223333' };
const statement = {
  Sid: 'AllowCloudFront',
  Effect: 'Allow',
  Principal: { Service: 'cloudfront.amazonaws.com' },
};
const bucketGrant: Action = {
  id: 'grant',
  cause: 'BUCKET_POLICY_GRANT_MISSING',
  risk: 'destructive',
  description: 'Merge a grant',
  change: { type: 'merge-bucket-policy-statement', bucket: 'site', statement },
  calls: [],
  diff: [],
};
const keyGrant: Action = {
  ...bucketGrant,
  id: 'key',
  change: { type: 'merge-key-policy-statement', keyId: 'k1', statement },
};

const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const denyPolicyWrites = {
  Sid: 'OnlyDeployRole',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutBucketPolicy',
  Resource: 'arn:aws:s3:::site',
  Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/deploy' } },
};
const rootDelegation = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
  Action: 'kms:*',
  Resource: '*',
};

function evidence(bucketPolicy: string | null, keyPolicy = policy(rootDelegation)): Evidence {
  return {
    buckets: { site: { name: 'site', policy: { ok: true, value: bucketPolicy } } },
    kmsKeys: {
      k1: {
        keyId: 'k1',
        arn: 'arn:aws:kms:us-east-1:111122223333:key/k1',
        policy: { ok: true, value: keyPolicy },
      },
    },
  } as unknown as Evidence;
}

describe('what the apply role may write, as the target policy decides', () => {
  it('keeps a bucket policy merge the bucket policy does not deny', () => {
    expect(writableBy(bucketGrant, evidence(policy(rootDelegation)), writer)).toBe(bucketGrant);
    expect(writableBy(bucketGrant, evidence(null), writer)).toBe(bucketGrant);
  });

  it('escalates a merge the bucket policy denies to everyone but a deploy role, naming the statement', () => {
    const out = writableBy(bucketGrant, evidence(policy(denyPolicyWrites)), writer);
    expect(out.change).toBeUndefined();
    expect(out.risk).toBe('manual');
    expect(out.description).toMatch(
      /denies s3:PutBucketPolicy to .*cf403-apply \(statement OnlyDeployRole\)/,
    );
  });

  it('lets the named exception through: the deny does not apply to the deploy role itself', () => {
    const deploy = { ...writer, roleArn: 'arn:aws:iam::111122223333:role/deploy' };
    expect(writableBy(bucketGrant, evidence(policy(denyPolicyWrites)), deploy)).toBe(bucketGrant);
  });

  it('needs a key policy that allows the role or delegates to the account', () => {
    expect(writableBy(keyGrant, evidence(null), writer)).toBe(keyGrant);
    const closed = writableBy(
      keyGrant,
      evidence(
        null,
        policy({ ...rootDelegation, Principal: { AWS: 'arn:aws:iam::111122223333:role/admin' } }),
      ),
      writer,
    );
    expect(closed.change).toBeUndefined();
    expect(closed.description).toMatch(/neither allows .* nor delegates/);
  });
});
