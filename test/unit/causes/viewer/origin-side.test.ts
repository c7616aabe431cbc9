// Edge functions, custom and stacked origins, pending deployments.
import { describe, expect, it } from 'vitest';
import { customOriginDenied } from '../../../../functions/domain/causes/custom-origin-denied.ts';
import { deploymentInProgress } from '../../../../functions/domain/causes/deployment-in-progress.ts';
import { edgeFunctionDenied } from '../../../../functions/domain/causes/edge-function-denied.ts';
import { stackedDistribution } from '../../../../functions/domain/causes/stacked-distribution.ts';
import {
  addRequest,
  behavior,
  ctxOf,
  makeEvidence,
  probeCloudFront,
  probeCustom,
  probeFunction,
  probeOk,
  probeS3Denied,
  REASON,
  syncOrigins,
  url,
} from './fixtures.ts';

const FN_ARN = 'arn:aws:cloudfront::111122223333:function/block-admin';

function withFunction() {
  const ev = makeEvidence();
  ev.distribution.DistributionConfig.DefaultCacheBehavior = behavior('s3-origin', {
    FunctionAssociations: { Quantity: 1, Items: [{ FunctionARN: FN_ARN, EventType: 'viewer-request' }] },
  });
  return ev;
}

describe('EDGE_FUNCTION_DENIED', () => {
  it('fires when the TestFunction replay and the probe agree, naming the function', () => {
    const ev = withFunction();
    addRequest(ev, { url: url('/admin/') }, probeFunction(403));
    ev.functions.push({
      name: 'block-admin',
      arn: FN_ARN,
      eventType: 'viewer-request',
      replays: [{ url: url('/admin/'), method: 'GET', result: { ok: true, value: { responseStatus: 403 } } }],
    });
    const ctx = ctxOf(ev);
    const f = edgeFunctionDenied.detect(ctx);
    expect(f).toMatchObject({ id: 'EDGE_FUNCTION_DENIED', subject: { functionName: 'block-admin' } });
    expect(f?.confidence).toBeGreaterThanOrEqual(0.97);
    expect(f?.evidence).toContain('TestFunction block-admin with GET /admin/: responseStatus 403');
    if (!f) return;
    const [a] = edgeFunctionDenied.plan(f, ctx);
    expect(a).toMatchObject({ id: 'review-function:block-admin', risk: 'manual' });
    expect(a?.description).toContain("CloudFront Function 'block-admin'");
  });

  it('fires on the fingerprint alone at lower confidence, even if the replay is unreadable', () => {
    const ev = withFunction();
    addRequest(ev, { url: url('/admin/') }, probeFunction(403));
    ev.functions.push({
      name: 'block-admin',
      arn: FN_ARN,
      eventType: 'viewer-request',
      replays: [
        { url: url('/admin/'), method: 'GET', result: { ok: false, code: 'AccessDenied', message: 'x' } },
      ],
    });
    expect(edgeFunctionDenied.detect(ctxOf(ev))?.confidence).toBe(0.8);
  });

  it('does not fire when the function passes the request or returns a redirect', () => {
    const ev = withFunction();
    addRequest(ev, { url: url('/index.html') }, probeOk);
    addRequest(ev, { url: url('/old') }, probeFunction(302));
    ev.functions.push({
      name: 'block-admin',
      arn: FN_ARN,
      eventType: 'viewer-request',
      replays: [{ url: url('/old'), method: 'GET', result: { ok: true, value: { responseStatus: 302 } } }],
    });
    expect(edgeFunctionDenied.detect(ctxOf(ev))).toBeNull();
  });
});

function customOrigin(domain: string) {
  const ev = makeEvidence();
  ev.distribution.DistributionConfig.Origins = {
    Quantity: 1,
    Items: [
      {
        Id: 'app',
        DomainName: domain,
        OriginPath: '',
        CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' },
      },
    ],
  };
  ev.distribution.DistributionConfig.DefaultCacheBehavior = behavior('app');
  syncOrigins(ev);
  return ev;
}

describe('CUSTOM_ORIGIN_DENIED', () => {
  it("fires when a custom origin answers 403 itself, quoting the origin's response", () => {
    const ev = customOrigin('api.example.com');
    addRequest(ev, { url: url('/v1/items') }, probeCustom(403, 'Forbidden: missing X-Origin-Secret'));
    const ctx = ctxOf(ev);
    const f = customOriginDenied.detect(ctx);
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.evidence).toContain('origin response (Server=nginx): Forbidden: missing X-Origin-Secret');
    if (!f) return;
    const [a] = customOriginDenied.plan(f, ctx);
    expect(a?.risk).toBe('manual');
    expect(a?.description).toContain('"Forbidden: missing X-Origin-Secret"');
  });

  it('does not fire for S3 origins or CloudFront-side refusals', () => {
    const s3 = makeEvidence();
    addRequest(s3, { url: url('/x') }, probeS3Denied);
    expect(customOriginDenied.detect(ctxOf(s3))).toBeNull();
    const ev = customOrigin('api.example.com');
    addRequest(ev, { url: url('/v1/items'), method: 'POST' }, probeCloudFront(REASON.methodNotAllowed));
    expect(customOriginDenied.detect(ctxOf(ev))).toBeNull();
  });
});

describe('STACKED_DISTRIBUTION', () => {
  it('fires when a failing request routes to a *.cloudfront.net origin', () => {
    const ev = customOrigin('d2222222abcdef.cloudfront.net');
    addRequest(ev, { url: url('/') }, probeS3Denied);
    const ctx = ctxOf(ev);
    const f = stackedDistribution.detect(ctx);
    expect(f).toMatchObject({
      id: 'STACKED_DISTRIBUTION',
      subject: { originId: 'app', domainName: 'd2222222abcdef.cloudfront.net' },
    });
    expect(f?.evidence[0]).toBe(
      'GetDistributionConfig: origin app DomainName = d2222222abcdef.cloudfront.net (*.cloudfront.net)',
    );
    if (!f) return;
    expect(stackedDistribution.plan(f, ctx)[0]?.risk).toBe('manual');
  });

  it('does not fire while the stacked origin serves', () => {
    const ev = customOrigin('d2222222abcdef.cloudfront.net');
    addRequest(ev, { url: url('/') }, probeOk);
    expect(stackedDistribution.detect(ctxOf(ev))).toBeNull();
  });
});

describe('DEPLOYMENT_IN_PROGRESS', () => {
  it('fires (0.9) while InProgress with 403s and plans a wait, no API change', () => {
    const ev = makeEvidence();
    ev.distribution.Status = 'InProgress';
    addRequest(ev, { url: url('/') }, probeS3Denied);
    const ctx = ctxOf(ev);
    const f = deploymentInProgress.detect(ctx);
    expect(f?.confidence).toBe(0.9);
    expect(f?.evidence[0]).toBe('GetDistribution: Status = InProgress (ETag E1ABC)');
    if (!f) return;
    expect(deploymentInProgress.plan(f, ctx)).toEqual([
      expect.objectContaining({
        id: 'wait-for-deployment:E2QWRUHEXAMPLE',
        risk: 'safe',
        change: { type: 'wait-for-deployment', distributionId: 'E2QWRUHEXAMPLE' },
      }),
    ]);
  });

  it('does not fire when Deployed, or when nothing reproduces', () => {
    const deployed = makeEvidence();
    addRequest(deployed, { url: url('/') }, probeS3Denied);
    expect(deploymentInProgress.detect(ctxOf(deployed))).toBeNull();
    const quiet = makeEvidence();
    quiet.distribution.Status = 'InProgress';
    addRequest(quiet, { url: url('/') }, probeOk);
    expect(deploymentInProgress.detect(ctxOf(quiet))).toBeNull();
  });
});
