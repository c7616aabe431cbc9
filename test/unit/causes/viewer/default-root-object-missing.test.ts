import { describe, expect, it } from 'vitest';
import { defaultRootObjectMissing } from '../../../../functions/domain/causes/default-root-object-missing.ts';
import {
  addRequest,
  ctxOf,
  makeEvidence,
  markMissing,
  probeCloudFront,
  probeOk,
  probeS3Denied,
  REASON,
  s3OriginConfig,
  syncOrigins,
  url,
} from './fixtures.ts';

function rootFailing() {
  const ev = makeEvidence();
  ev.distribution.DistributionConfig.DefaultRootObject = '';
  ev.requests.push({ url: url('/'), method: 'GET', country: 'US', clientIp: '203.0.113.10' });
  ev.probes.push(probeS3Denied({ url: url('/'), method: 'GET' }));
  return ev;
}

describe('DEFAULT_ROOT_OBJECT_MISSING', () => {
  it('fires when / is refused, DefaultRootObject is empty and index.html exists, and plans the safe edit', () => {
    const ev = rootFailing();
    const ctx = ctxOf(ev);
    const f = defaultRootObjectMissing.detect(ctx);
    expect(f?.id).toBe('DEFAULT_ROOT_OBJECT_MISSING');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.evidence).toContain("GetDistributionConfig: DefaultRootObject = '' (empty)");
    expect(f?.evidence).toContain('HeadObject s3://example-site/index.html: exists');
    expect(f?.evidence.some((l) => l.startsWith('probe GET /: 403 Server=AmazonS3 AccessDenied'))).toBe(true);
    if (!f) return;
    const [a] = defaultRootObjectMissing.plan(f, ctx);
    expect(a).toMatchObject({
      id: `set-default-root-object:${ev.distribution.Id}`,
      risk: 'safe',
      change: {
        type: 'update-distribution',
        edits: [{ op: 'set-default-root-object', value: 'index.html' }],
      },
      diff: [{ path: 'DefaultRootObject', before: '', after: 'index.html' }],
    });
    expect(a?.calls.map((c) => c.api)).toEqual(['GetDistributionConfig', 'UpdateDistribution']);
  });

  it('looks for the index object under the origin path', () => {
    const ev = rootFailing();
    ev.distribution.DistributionConfig.Origins = {
      Quantity: 1,
      Items: [s3OriginConfig('s3-origin', 'example-site', 'E3OACEXAMPLE', '/site')],
    };
    syncOrigins(ev);
    expect(defaultRootObjectMissing.detect(ctxOf(ev))).toBeNull();
    const bucket = ev.buckets['example-site'];
    if (bucket)
      bucket.objects['site/index.html'] = { ok: true, value: { key: 'site/index.html', exists: true } };
    expect(defaultRootObjectMissing.detect(ctxOf(ev))?.evidence).toContain(
      'HeadObject s3://example-site/site/index.html: exists',
    );
  });

  it('does not fire when DefaultRootObject is set, / answers, or index.html is absent', () => {
    const set = rootFailing();
    set.distribution.DistributionConfig.DefaultRootObject = 'index.html';
    expect(defaultRootObjectMissing.detect(ctxOf(set))).toBeNull();

    const ok = rootFailing();
    ok.probes = [probeOk({ url: url('/'), method: 'GET' })];
    expect(defaultRootObjectMissing.detect(ctxOf(ok))).toBeNull();

    const missing = rootFailing();
    const bucket = missing.buckets['example-site'];
    if (bucket) markMissing(bucket, 'index.html');
    expect(defaultRootObjectMissing.detect(ctxOf(missing))).toBeNull();
  });

  it('only guesses (low confidence) when HeadObject could not be read', () => {
    const ev = rootFailing();
    const bucket = ev.buckets['example-site'];
    if (bucket) bucket.objects['index.html'] = { ok: false, code: 'AccessDenied', message: 'denied' };
    const f = defaultRootObjectMissing.detect(ctxOf(ev));
    expect(f?.confidence).toBeLessThan(0.7);
    expect(f?.evidence).toContain('HeadObject s3://example-site/index.html: unreadable (AccessDenied)');
  });
});

describe('DEFAULT_ROOT_OBJECT_MISSING near-miss', () => {
  it('leaves a CloudFront-side refusal of / to other causes', () => {
    const ev = makeEvidence();
    ev.distribution.DistributionConfig.DefaultRootObject = '';
    addRequest(ev, { url: url('/', 'http') }, probeCloudFront(REASON.badRequest));
    expect(defaultRootObjectMissing.detect(ctxOf(ev))).toBeNull();
  });
});
