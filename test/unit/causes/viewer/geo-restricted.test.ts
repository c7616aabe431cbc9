import { describe, expect, it } from 'vitest';
import { geoRestricted } from '../../../../functions/domain/causes/geo-restricted.ts';
import { addRequest, ctxOf, makeEvidence, probeCloudFront, probeOk, REASON, url } from './fixtures.ts';

function allowList(items: string[], type: 'whitelist' | 'blacklist' = 'whitelist') {
  const ev = makeEvidence();
  ev.distribution.DistributionConfig.Restrictions = {
    GeoRestriction: { RestrictionType: type, Quantity: items.length, Items: items },
  };
  return ev;
}

describe('GEO_RESTRICTED', () => {
  it('fires from the logged country even when the US probe passes, and recommends the list change', () => {
    const ev = allowList(['US', 'CA']);
    addRequest(ev, { url: url('/index.html'), country: 'DE', clientIp: '198.51.100.23' }, probeOk);
    const ctx = ctxOf(ev);
    const f = geoRestricted.detect(ctx);
    expect(f).toMatchObject({
      id: 'GEO_RESTRICTED',
      subject: { countries: 'DE', restrictionType: 'whitelist' },
    });
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.confidence).toBeLessThan(0.97);
    expect(f?.evidence[0]).toBe(
      'GetDistributionConfig: Restrictions.GeoRestriction.RestrictionType = whitelist, Items = [US, CA]',
    );
    if (!f) return;
    const [a] = geoRestricted.plan(f, ctx);
    expect(a?.risk).toBe('manual');
    expect(a?.change).toBeUndefined();
    expect(a?.description).toContain('add DE to the allow list');
    expect(a?.diff).toEqual([
      { path: 'Restrictions.GeoRestriction.Items', before: ['US', 'CA'], after: ['US', 'CA', 'DE'] },
    ]);
  });

  it('is surest when the probe shows the geo page too, and handles block lists', () => {
    const ev = allowList(['DE'], 'blacklist');
    addRequest(ev, { url: url('/'), country: 'de' }, probeCloudFront(REASON.geoBlocked));
    const ctx = ctxOf(ev);
    const f = geoRestricted.detect(ctx);
    expect(f?.confidence).toBeGreaterThanOrEqual(0.97);
    if (!f) return;
    expect(geoRestricted.plan(f, ctx)[0]?.description).toContain('remove DE from the block list');
  });

  it('does not fire for allowed countries or without a restriction', () => {
    const ev = allowList(['US', 'CA']);
    addRequest(ev, { url: url('/'), country: 'US' }, probeOk);
    expect(geoRestricted.detect(ctxOf(ev))).toBeNull();

    const none = makeEvidence();
    addRequest(none, { url: url('/'), country: 'DE' }, probeOk);
    expect(geoRestricted.detect(ctxOf(none))).toBeNull();
  });
});
