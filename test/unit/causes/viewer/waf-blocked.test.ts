import { describe, expect, it } from 'vitest';
import { wafBlocked } from '../../../../functions/domain/causes/waf-blocked.ts';
import type { Evidence, WafEvidence } from '../../../../functions/domain/types.ts';
import { addRequest, ctxOf, makeEvidence, probeCloudFront, probeOk, REASON, url } from './fixtures.ts';

const ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/site-acl/a1b2';
const SET_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/ipset/blocked-ranges/e5f6';

function withWaf(ev: Evidence, waf: Partial<WafEvidence> = {}): Evidence {
  ev.distribution.DistributionConfig.WebACLId = ACL_ARN;
  ev.waf = {
    ok: true,
    value: {
      webAcl: {
        ARN: ACL_ARN,
        Id: 'a1b2',
        Name: 'site-acl',
        DefaultAction: { Allow: {} },
        Rules: [
          {
            Name: 'block-ranges',
            Priority: 0,
            Action: { Block: {} },
            Statement: { IPSetReferenceStatement: { ARN: SET_ARN } },
          },
        ],
      },
      ipSets: [
        {
          ARN: SET_ARN,
          Id: 'e5f6',
          Name: 'blocked-ranges',
          IPAddressVersion: 'IPV4',
          Addresses: ['203.0.113.0/24'],
        },
      ],
      sampledRequests: [],
      ...waf,
    },
  };
  return ev;
}

describe('WAF_BLOCKED', () => {
  it('names the IP-set rule that blocks the logged client, even when the probe passes', () => {
    const ev = withWaf(makeEvidence());
    addRequest(ev, { url: url('/index.html'), clientIp: '203.0.113.77' }, probeOk);
    const ctx = ctxOf(ev);
    const f = wafBlocked.detect(ctx);
    expect(f).toMatchObject({ id: 'WAF_BLOCKED', subject: { rule: 'block-ranges', webAcl: 'site-acl' } });
    expect(f?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f?.evidence).toContain(
      "GetWebACL site-acl block-ranges: ClientIP 203.0.113.77 is in 203.0.113.0/24 of IP set 'blocked-ranges' (e5f6)",
    );
    if (!f) return;
    const [a] = wafBlocked.plan(f, ctx);
    expect(a).toMatchObject({ id: 'waf-rule:site-acl:block-ranges', risk: 'manual' });
    expect(a?.change).toBeUndefined();
    expect(a?.description).toContain(
      "Rule 'block-ranges' (priority 0) of web ACL 'site-acl' blocks 1 logged request(s)",
    );
    expect(a?.description).toContain(
      "remove 203.0.113.0/24 (it covers 203.0.113.77) from IP set 'blocked-ranges' (e5f6)",
    );
  });

  it('is surest when the probe shows the WAF page, and finds rate-based blocks through sampled requests', () => {
    const ev = withWaf(makeEvidence());
    const value = ev.waf.ok ? ev.waf.value : null;
    value?.webAcl.Rules.push({
      Name: 'rate-limit',
      Priority: 1,
      Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: 300, AggregateKeyType: 'IP' } },
    });
    value?.sampledRequests.push({
      WebAclArn: ACL_ARN,
      RuleName: 'rate-limit',
      Action: 'BLOCK',
      Request: { ClientIP: '192.0.2.10', URI: '/', Method: 'GET' },
    });
    addRequest(ev, { url: url('/'), clientIp: '192.0.2.10' }, probeCloudFront(REASON.wafBlocked));
    const f = wafBlocked.detect(ctxOf(ev));
    expect(f?.subject?.rule).toBe('rate-limit');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.97);
  });

  it('does not fire for clients outside the IP set, nor without a web ACL', () => {
    const ev = withWaf(makeEvidence());
    addRequest(ev, { url: url('/'), clientIp: '198.51.100.1' }, probeOk);
    expect(wafBlocked.detect(ctxOf(ev))).toBeNull();

    const none = makeEvidence();
    addRequest(none, { url: url('/'), clientIp: '203.0.113.77' }, probeOk);
    expect(wafBlocked.detect(ctxOf(none))).toBeNull();
  });

  it('with an unreadable web ACL, relies on the probe fingerprint only, at low confidence', () => {
    const ev = makeEvidence();
    ev.distribution.DistributionConfig.WebACLId = ACL_ARN;
    ev.waf = { ok: false, code: 'AccessDeniedException', message: 'no wafv2:GetWebACL' };
    addRequest(ev, { url: url('/'), clientIp: '203.0.113.77' }, probeOk);
    expect(wafBlocked.detect(ctxOf(ev))).toBeNull();
    addRequest(ev, { url: url('/x'), clientIp: '203.0.113.77' }, probeCloudFront(REASON.wafBlocked));
    const f = wafBlocked.detect(ctxOf(ev));
    expect(f?.confidence).toBeLessThan(0.7);
    expect(f?.evidence).toContain('GetWebACL: unreadable (AccessDeniedException)');
  });
});
