// BUCKET_POLICY_GRANT_MISSING and SOURCE_ARN_MISMATCH: a working OAC that the bucket policy does not let read.
import { describe, expect, it } from 'vitest';
import { bucketPolicyGrantMissing } from '../../../../functions/domain/causes/bucket-policy-grant-missing.ts';
import { explicitDeny } from '../../../../functions/domain/causes/explicit-deny.ts';
import { sourceArnMismatch } from '../../../../functions/domain/causes/source-arn-mismatch.ts';
import {
  absent,
  bucketOf,
  ctxOf,
  DEPLOY,
  DIST_ARN,
  evidence,
  GRANT,
  ok,
  policy,
  unreadable,
  withoutIdentity,
} from './fixtures.ts';

const DENY_HTTP = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: ['arn:aws:s3:::example-site', 'arn:aws:s3:::example-site/*'],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const OTHER_ARN = 'arn:aws:cloudfront::111122223333:distribution/E1OLDDISTEXAMPLE';

function withPolicy(text: string | null) {
  const ev = evidence();
  bucketOf(ev).policy = ok(text);
  return ev;
}

describe('BUCKET_POLICY_GRANT_MISSING', () => {
  it('fires when the OAC is attached and no statement grants CloudFront', () => {
    const ctx = ctxOf(withPolicy(policy(DEPLOY, DENY_HTTP)));
    const f = bucketPolicyGrantMissing.detect(ctx);
    expect(f?.id).toBe('BUCKET_POLICY_GRANT_MISSING');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.evidence).toContain(
      'GetBucketPolicy example-site: no statement allows cloudfront.amazonaws.com s3:GetObject, and none denies it',
    );
    if (!f) throw new Error('no finding');
    const [grant] = bucketPolicyGrantMissing.plan(f, ctx);
    expect(grant?.id).toBe('grant-cloudfront:example-site');
    expect(grant?.change).toEqual({
      type: 'merge-bucket-policy-statement',
      bucket: 'example-site',
      statement: expect.objectContaining({ Condition: { StringEquals: { 'AWS:SourceArn': DIST_ARN } } }),
    });
    const after = JSON.parse(String(grant?.diff[0]?.after)) as { Statement: { Sid: string }[] };
    expect(after.Statement.map((s) => s.Sid)).toEqual([
      'AllowDeployRole',
      'DenyInsecureTransport',
      'AllowCloudFrontServicePrincipal',
    ]);
  });

  it('fires when the bucket has no policy at all', () => {
    const f = bucketPolicyGrantMissing.detect(ctxOf(withPolicy(null)));
    expect(f?.evidence).toContain(
      'GetBucketPolicy example-site: NoSuchBucketPolicy (the bucket has no policy)',
    );
  });

  it('leaves a grant naming another distribution to SOURCE_ARN_MISMATCH', () => {
    const g = { ...GRANT, Condition: { StringEquals: { 'AWS:SourceArn': OTHER_ARN } } };
    expect(bucketPolicyGrantMissing.detect(ctxOf(withPolicy(policy(g, DEPLOY))))).toBeNull();
  });

  it('does not fire when the grant is there, without an OAC, or when the policy is unreadable', () => {
    expect(bucketPolicyGrantMissing.detect(ctxOf(evidence()))).toBeNull();
    const noOac = withoutIdentity(withPolicy(policy(DEPLOY)));
    expect(bucketPolicyGrantMissing.detect(ctxOf(noOac))).toBeNull();
    const ev = evidence();
    bucketOf(ev).policy = unreadable();
    expect(bucketPolicyGrantMissing.detect(ctxOf(ev))).toBeNull();
  });

  const DENY_ALL = {
    Sid: 'DenyAll',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::example-site/*',
  };

  it('does not fire when the grant is there and only a Deny refuses', () => {
    expect(bucketPolicyGrantMissing.detect(ctxOf(withPolicy(policy(GRANT, DEPLOY, DENY_ALL))))).toBeNull();
  });

  it('still reports a missing grant behind a Deny, ranked below EXPLICIT_DENY', () => {
    const ctx = ctxOf(withPolicy(policy(DEPLOY, DENY_ALL)));
    const grant = bucketPolicyGrantMissing.detect(ctx);
    expect(grant?.confidence).toBe(0.9);
    expect(grant?.evidence.join('\n')).toContain('a Deny statement refuses it as well');
    expect(explicitDeny.detect(ctx)?.confidence).toBeGreaterThan(grant?.confidence ?? 1);
  });

  it('drops to 0.5 when the object is missing too', () => {
    const ev = withPolicy(policy(DEPLOY));
    bucketOf(ev).objects['index.html'] = absent('index.html');
    expect(bucketPolicyGrantMissing.detect(ctxOf(ev))?.confidence).toBe(0.5);
  });
});

describe('SOURCE_ARN_MISMATCH', () => {
  it("corrects only the statement that names another distribution, keeping its Sid and that distribution's access", () => {
    const g = {
      ...GRANT,
      Sid: 'CloudFrontRead',
      Condition: { StringEquals: { 'AWS:SourceArn': OTHER_ARN } },
    };
    const ctx = ctxOf(withPolicy(policy(DEPLOY, g, DENY_HTTP)));
    const f = sourceArnMismatch.detect(ctx);
    expect(f?.id).toBe('SOURCE_ARN_MISMATCH');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.subject).toMatchObject({ index: '1', sid: 'CloudFrontRead' });
    expect(f?.evidence[0]).toContain(
      `statement 'CloudFrontRead' allows cloudfront.amazonaws.com s3:GetObject`,
    );
    expect(f?.evidence[0]).toContain(OTHER_ARN);
    if (!f) throw new Error('no finding');
    const [fix] = sourceArnMismatch.plan(f, ctx);
    expect(fix?.risk).toBe('destructive');
    expect(fix?.change).toEqual({
      type: 'replace-bucket-policy-statement',
      bucket: 'example-site',
      index: 1,
      statement: { ...g, Condition: { StringEquals: { 'AWS:SourceArn': [OTHER_ARN, DIST_ARN] } } },
    });
    const after = JSON.parse(String(fix?.diff[1]?.after)) as { Statement: unknown[] };
    expect(after.Statement[0]).toEqual(DEPLOY);
    expect(after.Statement[2]).toEqual(DENY_HTTP);
  });

  it('adds this distribution to a list of ARNs instead of dropping the others', () => {
    const g = { ...GRANT, Condition: { StringEquals: { 'AWS:SourceArn': [OTHER_ARN] } } };
    const ctx = ctxOf(withPolicy(policy(g)));
    const f = sourceArnMismatch.detect(ctx);
    if (!f) throw new Error('no finding');
    const [fix] = sourceArnMismatch.plan(f, ctx);
    expect(fix?.change).toMatchObject({
      statement: { Condition: { StringEquals: { 'AWS:SourceArn': [OTHER_ARN, DIST_ARN] } } },
    });
  });

  it('corrects a wrong account and a Resource that misses the requested key', () => {
    const g = {
      ...GRANT,
      Resource: 'arn:aws:s3:::example-site/assets/*',
      Condition: { StringEquals: { 'aws:SourceAccount': '444455556666' } },
    };
    const ctx = ctxOf(withPolicy(policy(g)));
    const f = sourceArnMismatch.detect(ctx);
    if (!f) throw new Error('no finding');
    const [fix] = sourceArnMismatch.plan(f, ctx);
    expect(fix?.change).toMatchObject({
      index: 0,
      statement: {
        Resource: 'arn:aws:s3:::example-site/*',
        Condition: { StringEquals: { 'aws:SourceAccount': ['444455556666', '111122223333'] } },
      },
    });
  });

  it('keeps a wildcard ArnLike that already matches and fixes only the Resource', () => {
    const g = {
      ...GRANT,
      Resource: 'arn:aws:s3:::example-site/img/*',
      Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/*' } },
    };
    const ctx = ctxOf(withPolicy(policy(g)));
    const f = sourceArnMismatch.detect(ctx);
    if (!f) throw new Error('no finding');
    const [fix] = sourceArnMismatch.plan(f, ctx);
    expect(fix?.change).toMatchObject({
      statement: { Resource: 'arn:aws:s3:::example-site/*', Condition: g.Condition },
    });
  });

  it('recommends by hand when correcting SourceArn, SourceAccount and Resource cannot make it work', () => {
    const g = {
      ...GRANT,
      Condition: { StringEquals: { 'AWS:SourceArn': DIST_ARN, 'aws:SourceVpc': 'vpc-1' } },
    };
    const ctx = ctxOf(withPolicy(policy(g)));
    const f = sourceArnMismatch.detect(ctx);
    expect(f?.confidence).toBe(0.6);
    if (!f) throw new Error('no finding');
    const [fix] = sourceArnMismatch.plan(f, ctx);
    expect(fix?.risk).toBe('manual');
    expect(fix?.change).toBeUndefined();
  });

  it('does not fire without a grant, with a working grant, or without an OAC', () => {
    expect(sourceArnMismatch.detect(ctxOf(withPolicy(policy(DEPLOY))))).toBeNull();
    expect(sourceArnMismatch.detect(ctxOf(evidence()))).toBeNull();
    const g = { ...GRANT, Condition: { StringEquals: { 'AWS:SourceArn': OTHER_ARN } } };
    expect(sourceArnMismatch.detect(ctxOf(withoutIdentity(withPolicy(policy(g)))))).toBeNull();
  });
});
