import { describe, expect, it } from 'vitest';
import { behaviorMisrouted } from '../../../../functions/domain/causes/behavior-misrouted.ts';
import { customOriginDenied } from '../../../../functions/domain/causes/custom-origin-denied.ts';
import { originAccessMissing } from '../../../../functions/domain/causes/origin-access-missing.ts';
import {
  addRequest,
  behavior,
  bucketEvidence,
  ctxOf,
  grantPolicy,
  makeEvidence,
  markMissing,
  probeCloudFront,
  probeCustom,
  probeS3Denied,
  REASON,
  s3OriginConfig,
  syncOrigins,
  url,
} from './fixtures.ts';

/** /assets/* points at legacy-origin (no OAC, empty bucket); the site bucket holds the assets. */
function misrouted() {
  const ev = makeEvidence();
  const config = ev.distribution.DistributionConfig;
  config.Origins = {
    Quantity: 2,
    Items: [
      s3OriginConfig('s3-origin', 'example-site'),
      s3OriginConfig('legacy-origin', 'legacy-assets', ''),
    ],
  };
  config.CacheBehaviors = {
    Quantity: 1,
    Items: [{ PathPattern: '/assets/*', ...behavior('legacy-origin') }],
  };
  syncOrigins(ev);
  ev.buckets['example-site'] = bucketEvidence('example-site', ['index.html', 'assets/logo.svg']);
  const legacy = bucketEvidence('legacy-assets', [], null);
  markMissing(legacy, 'assets/logo.svg');
  ev.buckets['legacy-assets'] = legacy;
  addRequest(ev, { url: url('/assets/logo.svg') }, probeS3Denied);
  return ev;
}

describe('BEHAVIOR_MISROUTED', () => {
  it('fires when the behavior origin lacks the key and another granted origin has it; plans the retarget', () => {
    const ev = misrouted();
    const ctx = ctxOf(ev);
    const f = behaviorMisrouted.detect(ctx);
    expect(f).toMatchObject({
      id: 'BEHAVIOR_MISROUTED',
      subject: { pathPattern: '/assets/*', fromOriginId: 'legacy-origin', toOriginId: 's3-origin' },
    });
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.evidence).toContain(
      'GetDistributionConfig: CacheBehaviors.Items[0].TargetOriginId = legacy-origin (legacy-assets.s3.us-east-1.amazonaws.com)',
    );
    expect(f?.evidence).toContain('HeadObject s3://legacy-assets/assets/logo.svg: not found');
    expect(f?.evidence).toContain('HeadObject s3://example-site/assets/logo.svg: exists');
    expect(f?.evidence.some((l) => l.includes('AllowCloudFrontServicePrincipal'))).toBe(true);
    if (!f) return;
    const [a] = behaviorMisrouted.plan(f, ctx);
    expect(a).toMatchObject({
      id: `set-behavior-target:${ev.distribution.Id}:/assets/*`,
      risk: 'destructive',
      change: {
        type: 'update-distribution',
        edits: [{ op: 'set-behavior-target', pathPattern: '/assets/*', targetOriginId: 's3-origin' }],
      },
      diff: [{ path: 'CacheBehaviors.Items[0].TargetOriginId', before: 'legacy-origin', after: 's3-origin' }],
    });
  });

  it('outranks ORIGIN_ACCESS_MISSING, which is only a symptom here', () => {
    const ctx = ctxOf(misrouted());
    const root = behaviorMisrouted.detect(ctx);
    const symptom = originAccessMissing.detect(ctx);
    expect(symptom).not.toBeNull();
    expect(root?.confidence ?? 0).toBeGreaterThan(symptom?.confidence ?? 1);
  });

  it('does not fire when the other bucket does not grant this distribution', () => {
    const ev = misrouted();
    const site = ev.buckets['example-site'];
    if (site)
      site.policy = {
        ok: true,
        value: grantPolicy('example-site', 'arn:aws:cloudfront::111122223333:distribution/EOTHER'),
      };
    expect(behaviorMisrouted.detect(ctxOf(ev))).toBeNull();
  });

  it('does not fire when no other origin holds the key, or for a viewer-side refusal', () => {
    const ev = misrouted();
    const site = ev.buckets['example-site'];
    if (site) markMissing(site, 'assets/logo.svg');
    expect(behaviorMisrouted.detect(ctxOf(ev))).toBeNull();

    const waf = misrouted();
    waf.probes = [probeCloudFront(REASON.wafBlocked)({ url: url('/assets/logo.svg'), method: 'GET' })];
    expect(behaviorMisrouted.detect(ctxOf(waf))).toBeNull();
  });

  it('is less sure when the current bucket could not be checked', () => {
    const ev = misrouted();
    const legacy = ev.buckets['legacy-assets'];
    if (legacy) legacy.objects['assets/logo.svg'] = { ok: false, code: 'AccessDenied', message: 'x' };
    const f = behaviorMisrouted.detect(ctxOf(ev));
    expect(f?.confidence).toBeLessThan(0.9);
    expect(f?.evidence).toContain('HeadObject s3://legacy-assets/assets/logo.svg: unreadable (AccessDenied)');
  });

  it('outranks and silences CUSTOM_ORIGIN_DENIED when the behavior sends S3 objects to an API server', () => {
    const ev = makeEvidence();
    const config = ev.distribution.DistributionConfig;
    config.Origins = {
      Quantity: 2,
      Items: [
        s3OriginConfig('s3-origin', 'example-site'),
        {
          Id: 'api-origin',
          DomainName: 'api.example.com',
          OriginPath: '',
          CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' },
        },
      ],
    };
    config.CacheBehaviors = { Quantity: 1, Items: [{ PathPattern: '/docs/*', ...behavior('api-origin') }] };
    syncOrigins(ev);
    ev.buckets['example-site'] = bucketEvidence('example-site', ['index.html', 'docs/install.html']);
    addRequest(ev, { url: url('/docs/install.html') }, probeCustom(403, '{"error":"forbidden"}'));
    addRequest(ev, { url: url('/api/orders') }, probeCustom(403, '{"error":"forbidden"}'));
    const ctx = ctxOf(ev);
    const f = behaviorMisrouted.detect(ctx);
    expect(f?.confidence).toBe(0.96);
    expect(f?.subject).toMatchObject({ pathPattern: '/docs/*', toOriginId: 's3-origin' });
    // the API's own 403 for a path it does serve is still its own
    expect(customOriginDenied.detect(ctx)).toBeNull();
    config.CacheBehaviors = {
      Quantity: 2,
      Items: [
        { PathPattern: '/docs/*', ...behavior('api-origin') },
        { PathPattern: '/api/*', ...behavior('api-origin') },
      ],
    };
    expect(customOriginDenied.detect(ctxOf(ev))?.requests).toEqual([1]);
  });
});
