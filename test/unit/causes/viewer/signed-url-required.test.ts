import { describe, expect, it } from 'vitest';
import { signedUrlRequired } from '../../../../functions/domain/causes/signed-url-required.ts';
import { toProbeResult } from '../../../../functions/domain/fingerprint.ts';
import { cloudFrontXml } from '../../../../sim/edge/pages.ts';
import { addRequest, behavior, ctxOf, makeEvidence, probeMissingKey, probeOk, url } from './fixtures.ts';

const badSignature = (req: { url: string; method: string }) => {
  const x = cloudFrontXml('AccessDenied', 'Access denied', []);
  return toProbeResult(req, {
    status: 403,
    headers: { ...x.headers, 'x-cache': 'Error from cloudfront' },
    body: x.body,
  });
};

function signedDistribution() {
  const ev = makeEvidence();
  ev.distribution.DistributionConfig.DefaultCacheBehavior = behavior('s3-origin', {
    TrustedKeyGroups: { Enabled: true, Quantity: 1, Items: ['kg-0001'] },
  });
  ev.keyGroups['kg-0001'] = { ok: true, value: { Name: 'download-signers', Items: ['K2PUBKEYEXAMPLE'] } };
  return ev;
}

describe('SIGNED_URL_REQUIRED', () => {
  it('fires for unsigned requests on a behavior with trusted key groups, naming the key group', () => {
    const ev = signedDistribution();
    addRequest(ev, { url: url('/index.html') }, probeMissingKey);
    const ctx = ctxOf(ev);
    const f = signedUrlRequired.detect(ctx);
    expect(f?.id).toBe('SIGNED_URL_REQUIRED');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.97);
    expect(f?.evidence).toContain(
      'GetDistributionConfig: DefaultCacheBehavior.TrustedKeyGroups Enabled = true, Items = [kg-0001]',
    );
    expect(f?.evidence.some((l) => l.includes('MissingKey'))).toBe(true);
    if (!f) return;
    const [a] = signedUrlRequired.plan(f, ctx);
    expect(a?.risk).toBe('manual');
    expect(a?.change).toBeUndefined();
    expect(a?.description).toContain("key group 'download-signers' (kg-0001, public keys K2PUBKEYEXAMPLE)");
    expect(a?.description).toContain('the requirement is kept');
  });

  it('fires from the logs alone at lower confidence', () => {
    const ev = signedDistribution();
    addRequest(ev, { url: url('/a.zip') }, probeOk);
    expect(signedUrlRequired.detect(ctxOf(ev))?.confidence).toBeLessThan(0.9);
  });

  it('does not fire for signed requests (query or cookie) or behaviors without signing', () => {
    const ev = signedDistribution();
    addRequest(ev, { url: url('/a.zip?Expires=1&Signature=abc&Key-Pair-Id=K2PUBKEYEXAMPLE') }, probeOk);
    addRequest(
      ev,
      {
        url: url('/b.zip'),
        headers: {
          Cookie: 'CloudFront-Key-Pair-Id=K2PUBKEYEXAMPLE; CloudFront-Signature=x; CloudFront-Policy=y',
        },
      },
      probeOk,
    );
    expect(signedUrlRequired.detect(ctxOf(ev))).toBeNull();

    const open = makeEvidence();
    addRequest(open, { url: url('/index.html') }, probeOk);
    expect(signedUrlRequired.detect(ctxOf(open))).toBeNull();
  });

  it('survives an unreadable key group', () => {
    const ev = signedDistribution();
    ev.keyGroups['kg-0001'] = { ok: false, code: 'AccessDenied', message: 'x' };
    addRequest(ev, { url: url('/index.html') }, probeMissingKey);
    const f = signedUrlRequired.detect(ctxOf(ev));
    expect(f?.evidence).toContain('GetKeyGroup kg-0001: unreadable (AccessDenied)');
  });

  it('reports a bad signature made with a trusted key, and leaves untrusted keys to SIGNING_KEY_UNTRUSTED', () => {
    const ev = signedDistribution();
    addRequest(ev, { url: url('/a.zip?Expires=1&Signature=abc&Key-Pair-Id=K2PUBKEYEXAMPLE') }, badSignature);
    const ctx = ctxOf(ev);
    const f = signedUrlRequired.detect(ctx);
    expect(f?.confidence).toBe(0.9);
    expect(f?.summary).toContain('signed with key pair K2PUBKEYEXAMPLE');
    expect(f?.requests).toEqual([0]);
    if (!f) return;
    expect(signedUrlRequired.plan(f, ctx)[0]?.description).toContain('add its public key to the key group');
    // a key no trusted key group holds is issue 11's SIGNING_KEY_UNTRUSTED, not this cause
    const foreign = signedDistribution();
    addRequest(
      foreign,
      { url: url('/a.zip?Expires=1&Signature=abc&Key-Pair-Id=K9OLDKEYEXAMPLE') },
      badSignature,
    );
    expect(signedUrlRequired.detect(ctxOf(foreign))).toBeNull();
    // a trusted key with a good signature is not a cause
    const good = signedDistribution();
    addRequest(good, { url: url('/a.zip?Expires=1&Signature=abc&Key-Pair-Id=K2PUBKEYEXAMPLE') }, probeOk);
    expect(signedUrlRequired.detect(ctxOf(good))).toBeNull();
  });
});
