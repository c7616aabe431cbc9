// EXPLICIT_DENY, OAI_NOT_GRANTED and OAC_MISCONFIGURED: who CloudFront is towards the bucket, and what refuses it.
import { describe, expect, it } from 'vitest';
import { explicitDeny } from '../../../../functions/domain/causes/explicit-deny.ts';
import { oacMisconfigured } from '../../../../functions/domain/causes/oac-misconfigured.ts';
import { oaiNotGranted } from '../../../../functions/domain/causes/oai-not-granted.ts';
import {
  bucketOf,
  ctxOf,
  DEPLOY,
  evidence,
  GRANT,
  OAC_ID,
  ok,
  originOf,
  PUBLIC_READ,
  policy,
  unreadable,
  withOai,
  withoutIdentity,
} from './fixtures.ts';

const VPCE_DENY = {
  Sid: 'DenyOutsideVpce',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::example-site/*',
  Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
};
const OAI_ARN = 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E3OAIEXAMPLE';
const OAI_GRANT = {
  Sid: 'AllowOAI',
  Effect: 'Allow',
  Principal: { AWS: OAI_ARN },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::example-site/*',
};

describe('EXPLICIT_DENY', () => {
  it('names the Deny statement that refuses the OAC and only recommends', () => {
    const ev = evidence();
    bucketOf(ev).policy = ok(policy(GRANT, DEPLOY, VPCE_DENY));
    const ctx = ctxOf(ev);
    const f = explicitDeny.detect(ctx);
    expect(f?.id).toBe('EXPLICIT_DENY');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.subject).toMatchObject({ statement: `'DenyOutsideVpce'`, index: '2' });
    expect(f?.evidence[0]).toContain(
      `Deny statement 'DenyOutsideVpce' matches s3:GetObject on index.html for OAC ${OAC_ID}`,
    );
    if (!f) throw new Error('no finding');
    const [a] = explicitDeny.plan(f, ctx);
    expect(a?.risk).toBe('manual');
    expect(a?.change).toBeUndefined();
    expect(a?.description).toContain(`'DenyOutsideVpce'`);
  });

  it('names an unnamed statement by its index', () => {
    const ev = evidence();
    const { Sid: _sid, ...unnamed } = VPCE_DENY;
    bucketOf(ev).policy = ok(policy(GRANT, unnamed));
    expect(explicitDeny.detect(ctxOf(ev))?.subject?.statement).toBe('#1');
  });

  it('reports a Deny that would still refuse the OAC the access fix attaches, with lower confidence', () => {
    const ev = withoutIdentity(evidence());
    const denyCloudFront = {
      ...VPCE_DENY,
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: undefined,
    };
    bucketOf(ev).policy = ok(policy(DEPLOY, denyCloudFront));
    const f = explicitDeny.detect(ctxOf(ev));
    expect(f?.confidence).toBe(0.85);
    expect(f?.summary).toContain('(once attached)');
  });

  it('ranks first a Deny that refuses the unsigned requests now and would refuse the OAC too', () => {
    const ev = withoutIdentity(evidence());
    bucketOf(ev).policy = ok(policy(DEPLOY, VPCE_DENY));
    const f = explicitDeny.detect(ctxOf(ev));
    expect(f?.confidence).toBe(0.96);
    expect(f?.summary).toContain('unsigned requests now');
  });

  it('ignores a "deny all but this distribution" statement that only refuses unsigned requests', () => {
    const onlyCloudFront = {
      Sid: 'DenyOthers',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::example-site/*',
      Condition: {
        StringNotEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/E2QWRUHEXAMPLE' },
      },
    };
    const ev = withoutIdentity(evidence());
    bucketOf(ev).policy = ok(policy(DEPLOY, onlyCloudFront));
    expect(explicitDeny.detect(ctxOf(ev))).toBeNull();
  });

  it('does not fire on the TLS-only deny, nor on an unreadable policy', () => {
    const tls = {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: 'arn:aws:s3:::example-site/*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    const ev = evidence();
    bucketOf(ev).policy = ok(policy(DEPLOY, tls));
    expect(explicitDeny.detect(ctxOf(ev))).toBeNull();
    bucketOf(ev).policy = unreadable();
    expect(explicitDeny.detect(ctxOf(ev))).toBeNull();
  });
});

describe('OAI_NOT_GRANTED', () => {
  it('fires when the bucket policy grants another OAI, and migrates to an OAC keeping the OAI statement', () => {
    const ev = withOai(evidence());
    const other = {
      ...OAI_GRANT,
      Sid: 'AllowOldOAI',
      Principal: { AWS: OAI_ARN.replace('E3OAIEXAMPLE', 'E1OLDOAI') },
    };
    bucketOf(ev).policy = ok(policy(other, DEPLOY));
    const ctx = ctxOf(ev);
    const f = oaiNotGranted.detect(ctx);
    expect(f?.id).toBe('OAI_NOT_GRANTED');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.evidence[1]).toContain('no statement grants OAI E3OAIEXAMPLE');
    if (!f) throw new Error('no finding');
    const actions = oaiNotGranted.plan(f, ctx);
    expect(actions.map((a) => a.id)).toEqual([
      'grant-cloudfront:example-site',
      'create-oac:s3-origin',
      'attach-oac:s3-origin',
    ]);
    const after = JSON.parse(String(actions[0]?.diff[0]?.after)) as { Statement: { Sid: string }[] };
    expect(after.Statement.map((s) => s.Sid)).toEqual([
      'AllowOldOAI',
      'AllowDeployRole',
      'AllowCloudFrontServicePrincipal',
    ]);
    expect(actions[2]?.diff).toContainEqual({
      path: 'Origins.Items[0].S3OriginConfig.OriginAccessIdentity',
      before: 'origin-access-identity/cloudfront/E3OAIEXAMPLE',
      after: '',
    });
  });

  it('fires when the OAI was deleted', () => {
    const ev = withOai(evidence(), true);
    bucketOf(ev).policy = ok(policy(OAI_GRANT));
    const f = oaiNotGranted.detect(ctxOf(ev));
    expect(f?.evidence[1]).toContain('NoSuchCloudFrontOriginAccessIdentity');
  });

  it('accepts a grant by canonical user id and does not fire', () => {
    const ev = withOai(evidence());
    const byCanonical = {
      ...OAI_GRANT,
      Principal: { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' },
    };
    bucketOf(ev).policy = ok(policy(byCanonical));
    expect(oaiNotGranted.detect(ctxOf(ev))).toBeNull();
  });

  it('does not fire for an OAC origin, an unreadable OAI, or a public-read bucket', () => {
    expect(oaiNotGranted.detect(ctxOf(evidence()))).toBeNull();
    const ev = withOai(evidence());
    originOf(ev).evidence.oai = unreadable('AccessDenied');
    bucketOf(ev).policy = ok(policy(DEPLOY));
    expect(oaiNotGranted.detect(ctxOf(ev))).toBeNull();
    const pub = withOai(evidence());
    bucketOf(pub).policy = ok(policy(PUBLIC_READ));
    expect(oaiNotGranted.detect(ctxOf(pub))).toBeNull();
  });
});

describe('OAC_MISCONFIGURED', () => {
  it('fires for an OAC that never signs and plans a correct OAC', () => {
    const ev = evidence();
    originOf(ev).evidence.oac = ok({
      Id: OAC_ID,
      OriginAccessControlConfig: {
        Name: 'unsigned',
        SigningProtocol: 'sigv4',
        SigningBehavior: 'never',
        OriginAccessControlOriginType: 's3',
      },
    });
    const ctx = ctxOf(ev);
    const f = oacMisconfigured.detect(ctx);
    expect(f?.id).toBe('OAC_MISCONFIGURED');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.evidence[1]).toBe(`GetOriginAccessControl ${OAC_ID}: has SigningBehavior = never`);
    if (!f) throw new Error('no finding');
    // The grant is already there: only the OAC is replaced.
    expect(oacMisconfigured.plan(f, ctx).map((a) => a.id)).toEqual([
      'create-oac:s3-origin',
      'attach-oac:s3-origin',
    ]);
  });

  it('fires for an OAC id that does not exist and for a non-s3 OAC', () => {
    const gone = evidence();
    originOf(gone).evidence.oac = unreadable('NoSuchOriginAccessControl');
    expect(oacMisconfigured.detect(ctxOf(gone))?.evidence[1]).toContain('does not exist');
    const media = evidence();
    originOf(media).evidence.oac = ok({
      Id: OAC_ID,
      OriginAccessControlConfig: {
        Name: 'm',
        SigningProtocol: 'sigv4',
        SigningBehavior: 'always',
        OriginAccessControlOriginType: 'mediastore',
      },
    });
    expect(oacMisconfigured.detect(ctxOf(media))?.evidence[1]).toContain(
      'OriginAccessControlOriginType = mediastore',
    );
  });

  it('does not fire for a working OAC or an OAC that could not be read', () => {
    expect(oacMisconfigured.detect(ctxOf(evidence()))).toBeNull();
    const ev = evidence();
    originOf(ev).evidence.oac = unreadable('AccessDenied');
    expect(oacMisconfigured.detect(ctxOf(ev))).toBeNull();
  });
});
