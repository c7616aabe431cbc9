import { describe, expect, it } from 'vitest';
import { websiteEndpointOrigin } from '../../../../functions/domain/causes/website-endpoint-origin.ts';
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
  REST_DOMAIN,
  unreadable,
  websiteDenied,
  withRequest,
  withWebsiteOrigin,
} from './fixtures.ts';

describe('WEBSITE_ENDPOINT_ORIGIN', () => {
  it('fires for a website-endpoint origin of a private bucket and plans the switch to REST with an OAC', () => {
    const ctx = ctxOf(withWebsiteOrigin(evidence()));
    const f = websiteEndpointOrigin.detect(ctx);
    expect(f?.id).toBe('WEBSITE_ENDPOINT_ORIGIN');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.evidence[0]).toContain(
      'DomainName = example-site.s3-website-us-east-1.amazonaws.com (S3 website endpoint',
    );
    expect(
      f?.evidence.some((l) => l.startsWith('probe GET /index.html: 403 Server=AmazonS3 AccessDenied')),
    ).toBe(true);
    if (!f) throw new Error('no finding');
    const actions = websiteEndpointOrigin.plan(f, ctx);
    expect(actions.map((a) => a.id)).toEqual([
      'switch-origin-to-rest:s3-origin',
      'grant-cloudfront:example-site',
      'create-oac:s3-origin',
      'attach-oac:s3-origin',
    ]);
    expect(actions[0]?.change).toEqual({
      type: 'update-distribution',
      edits: [{ op: 'switch-origin-to-rest', originId: 's3-origin', domainName: REST_DOMAIN }],
    });
    expect(actions[0]?.diff[0]).toEqual({
      path: 'Origins.Items[0].DomainName',
      before: 'example-site.s3-website-us-east-1.amazonaws.com',
      after: REST_DOMAIN,
    });
  });

  it('also fires for an OAC attached to a website endpoint, keeping that OAC', () => {
    const ev = withWebsiteOrigin(evidence());
    const { config, evidence: origin } = originOf(ev);
    config.OriginAccessControlId = OAC_ID;
    origin.oac = ok({
      Id: OAC_ID,
      OriginAccessControlConfig: {
        Name: 'site-oac',
        SigningProtocol: 'sigv4',
        SigningBehavior: 'always',
        OriginAccessControlOriginType: 's3',
      },
    });
    bucketOf(ev).policy = ok(policy(GRANT, DEPLOY));
    const ctx = ctxOf(ev);
    const f = websiteEndpointOrigin.detect(ctx);
    expect(f?.evidence[1]).toContain(
      `OriginAccessControlId = ${OAC_ID}, which a website endpoint never receives`,
    );
    if (!f) throw new Error('no finding');
    expect(websiteEndpointOrigin.plan(f, ctx).map((a) => a.id)).toEqual(['switch-origin-to-rest:s3-origin']);
  });

  it('adds DefaultRootObject when / fails and the distribution has none', () => {
    const ev = withRequest(withWebsiteOrigin(evidence()), '/', websiteDenied);
    ev.distribution.DistributionConfig.DefaultRootObject = '';
    const ctx = ctxOf(ev);
    const f = websiteEndpointOrigin.detect(ctx);
    if (!f) throw new Error('no finding');
    const root = websiteEndpointOrigin
      .plan(f, ctx)
      .find((a) => a.id === 'set-default-root-object:E2QWRUHEXAMPLE');
    expect(root?.change).toEqual({
      type: 'update-distribution',
      edits: [{ op: 'set-default-root-object', value: 'index.html' }],
    });
  });

  it('escalates when the website configuration has routing rules', () => {
    const ev = withWebsiteOrigin(evidence());
    bucketOf(ev).website = ok({
      IndexDocument: { Suffix: 'index.html' },
      RoutingRules: [
        { Condition: { KeyPrefixEquals: 'docs/' }, Redirect: { ReplaceKeyPrefixWith: 'documents/' } },
      ],
    });
    const ctx = ctxOf(ev);
    const f = websiteEndpointOrigin.detect(ctx);
    if (!f) throw new Error('no finding');
    const actions = websiteEndpointOrigin.plan(f, ctx);
    expect(actions).toHaveLength(1);
    expect(actions[0]?.risk).toBe('manual');
    expect(actions[0]?.change).toBeUndefined();
    expect(actions[0]?.description).toContain('RoutingRules');
  });

  it('escalates when viewers use directory URLs that only the website endpoint resolves', () => {
    const ev = withRequest(withWebsiteOrigin(evidence()), '/about/', websiteDenied);
    const ctx = ctxOf(ev);
    const f = websiteEndpointOrigin.detect(ctx);
    if (!f) throw new Error('no finding');
    expect(f.subject?.escalate).toBe('directories');
    expect(f.evidence.some((l) => l.includes('directory URLs /about/'))).toBe(true);
    const actions = websiteEndpointOrigin.plan(f, ctx);
    expect(actions.every((a) => a.change === undefined)).toBe(true);
    expect(actions[0]?.description).toContain('appends the index document');
  });

  it('lowers confidence when the website configuration cannot be read', () => {
    const ev = withWebsiteOrigin(evidence());
    bucketOf(ev).website = unreadable();
    expect(websiteEndpointOrigin.detect(ctxOf(ev))?.confidence).toBeLessThan(0.9);
  });

  it('does not fire for a publicly readable website bucket, nor for a REST origin', () => {
    const pub = withWebsiteOrigin(evidence());
    const b = bucketOf(pub);
    b.policy = ok(policy(PUBLIC_READ));
    b.publicAccessBlock = ok(null);
    expect(websiteEndpointOrigin.detect(ctxOf(pub))).toBeNull();
    expect(websiteEndpointOrigin.detect(ctxOf(evidence()))).toBeNull();
  });
});
