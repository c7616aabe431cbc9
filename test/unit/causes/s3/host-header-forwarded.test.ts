import { describe, expect, it } from 'vitest';
import {
  ALL_VIEWER_POLICY_ID,
  CORS_S3_ORIGIN_POLICY_ID,
  hostHeaderForwarded,
} from '../../../../functions/domain/causes/host-header-forwarded.ts';
import type { Evidence } from '../../../../functions/domain/types.ts';
import { ctxOf, evidence, geoBlocked, ok, unreadable, withRequest } from './fixtures.ts';

const CUSTOM = 'a1b2c3d4-0000-4000-8000-000000000001';

function withPolicyId(id: string): Evidence {
  const ev = evidence();
  const behavior = ev.distribution.DistributionConfig.DefaultCacheBehavior;
  if (behavior) behavior.OriginRequestPolicyId = id;
  return ev;
}

function withCustom(headers: {
  HeaderBehavior: 'whitelist' | 'allViewer' | 'allExcept' | 'none';
  Items?: string[];
}): Evidence {
  const ev = withPolicyId(CUSTOM);
  ev.originRequestPolicies[CUSTOM] = ok({
    Name: 'custom',
    HeadersConfig: {
      HeaderBehavior: headers.HeaderBehavior,
      ...(headers.Items ? { Headers: { Quantity: headers.Items.length, Items: headers.Items } } : {}),
    },
    CookiesConfig: { CookieBehavior: 'none' },
    QueryStringsConfig: { QueryStringBehavior: 'none' },
  });
  return ev;
}

describe('HOST_HEADER_FORWARDED', () => {
  it('fires for the managed AllViewer policy on an S3 REST origin and switches to CORS-S3Origin', () => {
    const ctx = ctxOf(withPolicyId(ALL_VIEWER_POLICY_ID));
    const f = hostHeaderForwarded.detect(ctx);
    expect(f?.id).toBe('HOST_HEADER_FORWARDED');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.evidence[0]).toBe(
      `GetDistributionConfig: DefaultCacheBehavior.OriginRequestPolicyId = ${ALL_VIEWER_POLICY_ID} (managed AllViewer: every viewer header, Host included)`,
    );
    if (!f) throw new Error('no finding');
    const [a] = hostHeaderForwarded.plan(f, ctx);
    expect(a?.risk).toBe('destructive');
    expect(a?.change).toEqual({
      type: 'update-distribution',
      edits: [
        { op: 'set-origin-request-policy', pathPattern: 'Default (*)', policyId: CORS_S3_ORIGIN_POLICY_ID },
      ],
    });
    expect(a?.diff).toEqual([
      {
        path: 'DefaultCacheBehavior.OriginRequestPolicyId',
        before: ALL_VIEWER_POLICY_ID,
        after: CORS_S3_ORIGIN_POLICY_ID,
      },
    ]);
  });

  it('fires for a custom policy that whitelists Host in any case, or forwards all viewer headers', () => {
    expect(
      hostHeaderForwarded.detect(
        ctxOf(withCustom({ HeaderBehavior: 'whitelist', Items: ['Origin', 'HOST'] })),
      ),
    ).not.toBeNull();
    expect(hostHeaderForwarded.detect(ctxOf(withCustom({ HeaderBehavior: 'allViewer' })))).not.toBeNull();
    expect(
      hostHeaderForwarded.detect(ctxOf(withCustom({ HeaderBehavior: 'allExcept', Items: ['cookie'] }))),
    ).not.toBeNull();
  });

  const legacy = (headers: string[]) => {
    const ev = evidence();
    const behavior = ev.distribution.DistributionConfig.DefaultCacheBehavior;
    if (behavior) {
      delete behavior.CachePolicyId;
      behavior.ForwardedValues = {
        QueryString: false,
        Cookies: { Forward: 'none' },
        Headers: { Quantity: headers.length, Items: headers },
      };
    }
    const ctx = ctxOf(ev);
    const f = hostHeaderForwarded.detect(ctx);
    if (!f) throw new Error('no finding');
    return hostHeaderForwarded.plan(f, ctx)[0];
  };

  it('drops Host from legacy ForwardedValues, keeping the other headers', () => {
    const a = legacy(['Host', 'Origin']);
    expect(a?.risk).toBe('destructive');
    expect(a?.change).toEqual({
      type: 'update-distribution',
      edits: [{ op: 'remove-forwarded-header', pathPattern: 'Default (*)', header: 'Host' }],
    });
    expect(a?.diff[0]).toMatchObject({ before: ['Host', 'Origin'], after: ['Origin'] });
  });

  it('recommends by hand when legacy settings forward every header (*)', () => {
    const a = legacy(['*']);
    expect(a?.risk).toBe('manual');
    expect(a?.change).toBeUndefined();
  });

  it('does not fire for policies that keep Host, an unreadable policy, or a CloudFront-side 403', () => {
    expect(
      hostHeaderForwarded.detect(ctxOf(withCustom({ HeaderBehavior: 'whitelist', Items: ['origin'] }))),
    ).toBeNull();
    expect(
      hostHeaderForwarded.detect(ctxOf(withCustom({ HeaderBehavior: 'allExcept', Items: ['host'] }))),
    ).toBeNull();
    expect(hostHeaderForwarded.detect(ctxOf(withPolicyId(CORS_S3_ORIGIN_POLICY_ID)))).toBeNull();
    const hidden = withPolicyId(CUSTOM);
    hidden.originRequestPolicies[CUSTOM] = unreadable();
    expect(hostHeaderForwarded.detect(ctxOf(hidden))).toBeNull();
    expect(
      hostHeaderForwarded.detect(
        ctxOf(withRequest(withPolicyId(ALL_VIEWER_POLICY_ID), '/index.html', geoBlocked)),
      ),
    ).toBeNull();
  });
});
