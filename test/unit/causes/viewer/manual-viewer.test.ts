// The manual viewer-side causes: aliases, methods, disabled distribution.
import { describe, expect, it } from 'vitest';
import { alternateDomainMissing } from '../../../../functions/domain/causes/alternate-domain-missing.ts';
import { distributionDisabled } from '../../../../functions/domain/causes/distribution-disabled.ts';
import { methodNotAllowed } from '../../../../functions/domain/causes/method-not-allowed.ts';
import { addRequest, ctxOf, makeEvidence, probeCloudFront, probeOk, REASON, url } from './fixtures.ts';

describe('ALTERNATE_DOMAIN_MISSING', () => {
  it('fires for a host that is neither the domain nor an alias, and recommends the alias with a certificate', () => {
    const ev = makeEvidence();
    ev.distribution.DistributionConfig.Aliases = { Quantity: 1, Items: ['*.example.org'] };
    addRequest(ev, { url: url('/', 'https', 'www.example.com') }, probeCloudFront(REASON.badRequest));
    const ctx = ctxOf(ev);
    const f = alternateDomainMissing.detect(ctx);
    expect(f).toMatchObject({ id: 'ALTERNATE_DOMAIN_MISSING', subject: { hosts: 'www.example.com' } });
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.evidence[0]).toContain('Aliases.Items = [*.example.org]');
    if (!f) return;
    const [a] = alternateDomainMissing.plan(f, ctx);
    expect(a?.risk).toBe('manual');
    expect(a?.description).toContain('Add www.example.com to Aliases');
    expect(a?.description).toContain('ACM certificate in us-east-1');
  });

  it('does not fire for the distribution domain, an exact alias or a covering wildcard', () => {
    const ev = makeEvidence();
    ev.distribution.DistributionConfig.Aliases = { Quantity: 2, Items: ['www.example.com', '*.example.org'] };
    addRequest(ev, { url: url('/') }, probeOk);
    addRequest(ev, { url: url('/', 'https', 'WWW.example.com') }, probeOk);
    addRequest(ev, { url: url('/', 'https', 'cdn.example.org') }, probeOk);
    expect(alternateDomainMissing.detect(ctxOf(ev))).toBeNull();
    // a wildcard covers one label only
    addRequest(ev, { url: url('/', 'https', 'a.b.example.org') }, probeOk);
    expect(alternateDomainMissing.detect(ctxOf(ev))?.subject?.hosts).toBe('a.b.example.org');
  });
});

describe('METHOD_NOT_ALLOWED', () => {
  it('fires for a method outside AllowedMethods and recommends the smallest set that allows it', () => {
    const ev = makeEvidence();
    addRequest(
      ev,
      { url: url('/fonts/a.woff2'), method: 'OPTIONS' },
      probeCloudFront(REASON.methodNotAllowed),
    );
    const ctx = ctxOf(ev);
    const f = methodNotAllowed.detect(ctx);
    expect(f).toMatchObject({
      id: 'METHOD_NOT_ALLOWED',
      subject: { methods: 'OPTIONS', allowed: 'GET,HEAD' },
    });
    expect(f?.confidence).toBeGreaterThanOrEqual(0.97);
    expect(f?.evidence[0]).toBe(
      'GetDistributionConfig: DefaultCacheBehavior.AllowedMethods.Items = [GET, HEAD]',
    );
    if (!f) return;
    const [a] = methodNotAllowed.plan(f, ctx);
    expect(a?.risk).toBe('manual');
    expect(a?.diff[0]?.after).toEqual(['GET', 'HEAD', 'OPTIONS']);
  });

  it('never recommends allowing a write on a behavior that targets S3 (issue 11)', () => {
    const ev = makeEvidence();
    addRequest(ev, { url: url('/api/form'), method: 'POST' }, probeCloudFront(REASON.methodNotAllowed));
    const ctx = ctxOf(ev);
    const f = methodNotAllowed.detect(ctx);
    expect(f).toMatchObject({ id: 'METHOD_NOT_ALLOWED', subject: { methods: 'POST', allowed: 'GET,HEAD' } });
    if (!f) return;
    const [a] = methodNotAllowed.plan(f, ctx);
    expect(a?.diff).toEqual([]);
    expect(a?.description).toMatch(/S3 serves static objects .* allowing POST there is not proposed/);
  });

  it('does not fire for allowed methods', () => {
    const ev = makeEvidence();
    addRequest(ev, { url: url('/'), method: 'HEAD' }, probeOk);
    expect(methodNotAllowed.detect(ctxOf(ev))).toBeNull();
  });
});

describe('DISTRIBUTION_DISABLED', () => {
  it('fires when Enabled is false and recommends enabling it', () => {
    const ev = makeEvidence();
    ev.distribution.DistributionConfig.Enabled = false;
    addRequest(ev, { url: url('/') }, probeCloudFront(REASON.badRequest));
    const ctx = ctxOf(ev);
    const f = distributionDisabled.detect(ctx);
    expect(f?.confidence).toBeGreaterThanOrEqual(0.97);
    expect(f?.evidence[0]).toBe('GetDistributionConfig: Enabled = false');
    if (!f) return;
    expect(distributionDisabled.plan(f, ctx)[0]).toMatchObject({
      risk: 'manual',
      diff: [{ path: 'Enabled', before: false, after: true }],
    });
  });

  it('does not fire for an enabled distribution', () => {
    const ev = makeEvidence();
    addRequest(ev, { url: url('/') }, probeCloudFront(REASON.badRequest));
    expect(distributionDisabled.detect(ctxOf(ev))).toBeNull();
  });
});
