import { describe, expect, it } from 'vitest';
import { publicAccessBlocked } from '../../../../functions/domain/causes/public-access-blocked.ts';
import {
  ALL_BLOCKED,
  bucketOf,
  ctxOf,
  DEPLOY,
  evidence,
  GRANT,
  ok,
  PUBLIC_READ,
  policy,
  unreadable,
  withOai,
  withoutIdentity,
} from './fixtures.ts';

/** The example: a public-read policy, bucket Block Public Access all on, no OAC. */
function blockedPublicSite() {
  const ev = withoutIdentity(evidence());
  bucketOf(ev).policy = ok(policy(PUBLIC_READ, DEPLOY));
  return ev;
}

describe('PUBLIC_ACCESS_BLOCKED', () => {
  it('fires when a public policy is voided by RestrictPublicBuckets and the origin has no OAC', () => {
    const ctx = ctxOf(blockedPublicSite());
    const f = publicAccessBlocked.detect(ctx);
    expect(f?.id).toBe('PUBLIC_ACCESS_BLOCKED');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.evidence).toContain(
      `GetBucketPolicy example-site: statement 'PublicRead' grants Principal "*" (public)`,
    );
    expect(f?.evidence.some((l) => l.includes('RestrictPublicBuckets = true'))).toBe(true);
    expect(
      f?.evidence.some((l) => l.startsWith('probe GET /index.html: 403 Server=AmazonS3 AccessDenied')),
    ).toBe(true);
  });

  it('plans the OAC, and replaces the void public statement with the grant since BlockPublicPolicy refuses a public policy', () => {
    const ctx = ctxOf(blockedPublicSite());
    const f = publicAccessBlocked.detect(ctx);
    if (!f) throw new Error('no finding');
    const actions = publicAccessBlocked.plan(f, ctx);
    expect(actions.map((a) => a.id)).toEqual([
      'grant-cloudfront:example-site',
      'create-oac:s3-origin',
      'attach-oac:s3-origin',
    ]);
    const grant = actions[0];
    expect(grant?.change).toEqual({
      type: 'replace-bucket-policy-statement',
      bucket: 'example-site',
      index: 0,
      statement: expect.objectContaining({
        Sid: 'AllowCloudFrontServicePrincipal',
        Condition: GRANT.Condition,
      }),
    });
    const after = JSON.parse(String(grant?.diff[0]?.after)) as { Statement: { Sid: string }[] };
    expect(after.Statement.map((s) => s.Sid)).toEqual(['AllowCloudFrontServicePrincipal', 'AllowDeployRole']);
    expect(actions.every((a) => a.risk === 'destructive')).toBe(true);
  });

  it('merges the grant beside the public statement when BlockPublicPolicy is off', () => {
    const ev = blockedPublicSite();
    bucketOf(ev).publicAccessBlock = ok({ ...ALL_BLOCKED, BlockPublicPolicy: false });
    const ctx = ctxOf(ev);
    const f = publicAccessBlocked.detect(ctx);
    if (!f) throw new Error('no finding');
    const grant = publicAccessBlocked.plan(f, ctx)[0];
    expect(grant?.change?.type).toBe('merge-bucket-policy-statement');
  });

  it('fires on an account-level block of a public ACL', () => {
    const ev = withoutIdentity(evidence());
    const b = bucketOf(ev);
    b.policy = ok(policy(DEPLOY));
    b.publicAcl = ok(true);
    b.ownershipControls = ok({ Rules: [{ ObjectOwnership: 'ObjectWriter' }] });
    b.publicAccessBlock = ok(null);
    ev.accountPublicAccessBlock = ok({ IgnorePublicAcls: true });
    const f = publicAccessBlocked.detect(ctxOf(ev));
    expect(f?.evidence).toContain(
      'GetPublicAccessBlock (account): IgnorePublicAcls = true, so the public ACL grants nothing',
    );
  });

  it('does not fire when Block Public Access leaves the public policy working', () => {
    const ev = blockedPublicSite();
    bucketOf(ev).publicAccessBlock = ok({ ...ALL_BLOCKED, RestrictPublicBuckets: false });
    expect(publicAccessBlocked.detect(ctxOf(ev))).toBeNull();
  });

  it('does not fire for a private bucket (ORIGIN_ACCESS_MISSING) or an origin with an OAC', () => {
    const priv = withoutIdentity(evidence());
    bucketOf(priv).policy = ok(policy(DEPLOY));
    expect(publicAccessBlocked.detect(ctxOf(priv))).toBeNull();
    const withOac = evidence();
    bucketOf(withOac).policy = ok(policy(PUBLIC_READ, DEPLOY));
    expect(publicAccessBlocked.detect(ctxOf(withOac))).toBeNull();
  });

  it('does not fire for an OAI that its own statement grants', () => {
    const ev = withOai(evidence());
    const oai = {
      Sid: 'Oai',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E3OAIEXAMPLE' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::example-site/*',
    };
    bucketOf(ev).policy = ok(policy(PUBLIC_READ, oai));
    expect(publicAccessBlocked.detect(ctxOf(ev))).toBeNull();
  });

  it('skips an unreadable policy and drops to 0.5 when the object is missing', () => {
    const ev = blockedPublicSite();
    bucketOf(ev).policy = unreadable();
    expect(publicAccessBlocked.detect(ctxOf(ev))).toBeNull();
    const missing = blockedPublicSite();
    bucketOf(missing).objects['index.html'] = ok({ key: 'index.html', exists: false });
    expect(publicAccessBlocked.detect(ctxOf(missing))?.confidence).toBe(0.5);
  });
});

describe('PUBLIC_ACCESS_BLOCKED with several public statements', () => {
  it('recommends by hand instead of choosing which public statement to drop', () => {
    const ev = withoutIdentity(evidence());
    const list = {
      Sid: 'PublicList',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::example-site',
    };
    bucketOf(ev).policy = ok(policy(PUBLIC_READ, list, DEPLOY));
    const ctx = ctxOf(ev);
    const f = publicAccessBlocked.detect(ctx);
    if (!f) throw new Error('no finding');
    const actions = publicAccessBlocked.plan(f, ctx);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ id: 'grant-cloudfront:example-site', risk: 'manual' });
    expect(actions[0]?.description).toContain(`'PublicRead', 'PublicList'`);
  });
});
