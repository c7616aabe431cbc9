// The S3 rules when several things are wrong at once: a dead link beside an access cause, an access
// cause hidden behind a CloudFront refusal, a single-page app's error page, a Deny beside a grant gap.
import { describe, expect, it } from 'vitest';
import { bucketPolicyGrantMissing } from '../../../../functions/domain/causes/bucket-policy-grant-missing.ts';
import { objectNotFound } from '../../../../functions/domain/causes/object-not-found.ts';
import { originAccessMissing } from '../../../../functions/domain/causes/origin-access-missing.ts';
import { sourceArnMismatch } from '../../../../functions/domain/causes/source-arn-mismatch.ts';
import { toProbeResult } from '../../../../functions/domain/fingerprint.ts';
import type { ProbeResult } from '../../../../functions/domain/types.ts';
import { cloudFrontPage, nextIds, REASON } from '../../../../sim/edge/pages.ts';
import {
  absent,
  bucketOf,
  ctxOf,
  DEPLOY,
  DIST_ARN,
  evidence,
  GRANT,
  ok,
  policy,
  s3Denied,
  url,
  withoutIdentity,
  withRequests,
} from './fixtures.ts';

function badRequest(path: string): ProbeResult {
  const page = cloudFrontPage(403, REASON.badRequest, nextIds(path), []);
  return toProbeResult(
    { url: url(path), method: 'GET' },
    { status: 403, headers: { ...page.headers, 'x-cache': 'Error from cloudfront' }, body: page.body },
  );
}

const SPA_ERRORS = (code: string, page = '/index.html') => ({
  Quantity: 1,
  Items: [{ ErrorCode: 403, ResponsePagePath: page, ResponseCode: code, ErrorCachingMinTTL: 10 }],
});

describe('an access cause beside a dead link', () => {
  it('keeps ORIGIN_ACCESS_MISSING first when only some requested keys are missing', () => {
    const ev = withoutIdentity(evidence());
    bucketOf(ev).policy = ok(policy(DEPLOY));
    bucketOf(ev).objects['old.html'] = absent('old.html');
    withRequests(ev, [
      ['/index.html', s3Denied],
      ['/old.html', s3Denied],
    ]);
    const ctx = ctxOf(ev);
    const access = originAccessMissing.detect(ctx);
    expect(access?.confidence).toBe(0.95);
    expect(access?.requests).toEqual([0, 1]);
    expect(objectNotFound.detect(ctx)?.requests).toEqual([1]);
    expect(objectNotFound.detect(ctx)?.confidence).toBeLessThan(access?.confidence ?? 0);
  });

  it('drops ORIGIN_ACCESS_MISSING to 0.5 when no requested key exists', () => {
    const ev = withoutIdentity(evidence());
    bucketOf(ev).policy = ok(policy(DEPLOY));
    bucketOf(ev).objects['index.html'] = absent('index.html');
    expect(originAccessMissing.detect(ctxOf(ev))?.confidence).toBe(0.5);
  });
});

describe('an access cause hidden behind a CloudFront refusal', () => {
  it('reports ORIGIN_ACCESS_MISSING from the configuration at 0.7 when the probe never reached S3', () => {
    const ev = withoutIdentity(evidence());
    bucketOf(ev).policy = ok(policy(DEPLOY));
    withRequests(ev, [['/index.html', badRequest]]);
    const f = originAccessMissing.detect(ctxOf(ev));
    expect(f?.confidence).toBe(0.7);
    expect(f?.summary).toContain('hidden for now');
    expect(f?.evidence.some((l) => l.includes('CloudFront refused it before the origin'))).toBe(true);
  });

  it('stays silent when the hidden origin would serve, or the request is not a read', () => {
    const granted = withRequests(evidence(), [['/index.html', badRequest]]);
    expect(originAccessMissing.detect(ctxOf(granted))).toBeNull();
    const post = withoutIdentity(evidence());
    bucketOf(post).policy = ok(policy(DEPLOY));
    withRequests(post, [['/index.html', badRequest]]);
    const [request] = post.requests;
    if (request) request.method = 'POST';
    expect(originAccessMissing.detect(ctxOf(post))).toBeNull();
  });
});

describe("a single-page app's error page", () => {
  function spa(code: string, page?: string) {
    const ev = withoutIdentity(evidence());
    bucketOf(ev).policy = ok(policy(DEPLOY));
    bucketOf(ev).objects['dashboard/settings'] = absent('dashboard/settings');
    ev.distribution.DistributionConfig.CustomErrorResponses = SPA_ERRORS(code, page);
    return withRequests(ev, [
      ['/index.html', s3Denied],
      ['/dashboard/settings', s3Denied],
    ]);
  }

  it('does not report a missing route that CustomErrorResponses turns into the index page', () => {
    const ctx = ctxOf(spa('200'));
    expect(objectNotFound.detect(ctx)).toBeNull();
    expect(originAccessMissing.detect(ctx)?.confidence).toBe(0.95);
  });

  it('still reports it when the error keeps the 403, or its page does not exist either', () => {
    expect(objectNotFound.detect(ctxOf(spa('403')))?.requests).toEqual([1]);
    const gone = spa('200', '/missing.html');
    bucketOf(gone).objects['missing.html'] = absent('missing.html');
    expect(objectNotFound.detect(ctxOf(gone))?.requests).toEqual([1]);
  });
});

describe('a grant gap beside a Deny', () => {
  const DENY_OUTSIDE_VPCE = {
    Sid: 'DenyOutsideVpce',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::example-site/*',
    Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
  };

  it('reports the missing grant below the Deny and names the Deny in its evidence', () => {
    const ev = evidence();
    bucketOf(ev).policy = ok(policy(DEPLOY, DENY_OUTSIDE_VPCE));
    const f = bucketPolicyGrantMissing.detect(ctxOf(ev));
    expect(f?.confidence).toBe(0.9);
    expect(f?.requests).toEqual([0]);
  });

  it('still corrects a grant for another distribution when a Deny stands beside it', () => {
    const ev = evidence();
    const other = DIST_ARN.replace('E2QWRUHEXAMPLE', 'E1OLDDISTEXAMPLE');
    const stale = { ...GRANT, Condition: { StringEquals: { 'AWS:SourceArn': other } } };
    bucketOf(ev).policy = ok(policy(stale, DENY_OUTSIDE_VPCE));
    const ctx = ctxOf(ev);
    const f = sourceArnMismatch.detect(ctx);
    expect(f?.confidence).toBe(0.9);
    if (!f) return;
    const [fix] = sourceArnMismatch.plan(f, ctx);
    expect(fix?.risk).toBe('destructive');
    expect(fix?.change?.type).toBe('replace-bucket-policy-statement');
  });
});
