import { describe, expect, it } from 'vitest';
import { viewerProtocolHttpsOnly } from '../../../../functions/domain/causes/viewer-protocol-https-only.ts';
import {
  addRequest,
  behavior,
  ctxOf,
  makeEvidence,
  probeCloudFront,
  probeOk,
  REASON,
  url,
} from './fixtures.ts';

function httpsOnly() {
  const ev = makeEvidence();
  ev.distribution.DistributionConfig.CacheBehaviors = {
    Quantity: 1,
    Items: [{ PathPattern: '/docs/*', ...behavior('s3-origin', { ViewerProtocolPolicy: 'https-only' }) }],
  };
  return ev;
}

describe('VIEWER_PROTOCOL_HTTPS_ONLY', () => {
  it('fires for http:// requests on an https-only behavior and plans redirect-to-https for it', () => {
    const ev = httpsOnly();
    addRequest(ev, { url: url('/docs/a.html', 'http') }, probeCloudFront(REASON.badRequest));
    const ctx = ctxOf(ev);
    const f = viewerProtocolHttpsOnly.detect(ctx);
    expect(f?.id).toBe('VIEWER_PROTOCOL_HTTPS_ONLY');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.97);
    expect(f?.evidence).toContain(
      'GetDistributionConfig: CacheBehaviors.Items[0].ViewerProtocolPolicy = https-only',
    );
    if (!f) return;
    expect(viewerProtocolHttpsOnly.plan(f, ctx)).toEqual([
      expect.objectContaining({
        id: `set-viewer-protocol:${ev.distribution.Id}:/docs/*`,
        risk: 'safe',
        change: {
          type: 'update-distribution',
          edits: [{ op: 'set-viewer-protocol', pathPattern: '/docs/*', value: 'redirect-to-https' }],
        },
        diff: [
          {
            path: 'CacheBehaviors.Items[0].ViewerProtocolPolicy',
            before: 'https-only',
            after: 'redirect-to-https',
          },
        ],
      }),
    ]);
  });

  it('does not fire for HTTPS requests or for behaviors that redirect', () => {
    const ev = httpsOnly();
    addRequest(ev, { url: url('/docs/a.html') }, probeOk);
    addRequest(ev, { url: url('/index.html', 'http') }, probeOk);
    expect(viewerProtocolHttpsOnly.detect(ctxOf(ev))).toBeNull();
  });
});
