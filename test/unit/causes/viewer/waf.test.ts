import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  evaluateStatement,
  evaluateWebAcl,
  parseIp,
  type WafLookup,
} from '../../../../functions/domain/causes/shared/waf.ts';
import type { WafRule, WafWebAcl } from '../../../../functions/domain/waf-types.ts';

const IPSET_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/ipset/blocked/1';
const ALLOW_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/ipset/office/2';
const V6_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/ipset/v6/3';
const ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/site-acl/a1';

const lookup: WafLookup = {
  webAclArn: ACL_ARN,
  ipSets: [
    { ARN: IPSET_ARN, Id: '1', Name: 'blocked', IPAddressVersion: 'IPV4', Addresses: ['203.0.113.0/24'] },
    { ARN: ALLOW_ARN, Id: '2', Name: 'office', IPAddressVersion: 'IPV4', Addresses: ['198.51.100.7/32'] },
    { ARN: V6_ARN, Id: '3', Name: 'v6', IPAddressVersion: 'IPV6', Addresses: ['2001:db8:abcd::/48'] },
  ],
  sampledRequests: [
    {
      WebAclArn: ACL_ARN,
      RuleName: 'rate',
      Action: 'BLOCK',
      Request: { ClientIP: '192.0.2.99', Country: 'US', URI: '/index.html', Method: 'GET' },
    },
    {
      WebAclArn: ACL_ARN,
      RuleName: 'common',
      RuleNameWithinRuleGroup: 'SizeRestrictions_BODY',
      Action: 'BLOCK',
      Request: { ClientIP: '192.0.2.98', URI: '/upload', Method: 'POST' },
    },
  ],
};

function rule(name: string, priority: number, statement: WafRule['Statement'], block = true): WafRule {
  return {
    Name: name,
    Priority: priority,
    Action: block ? { Block: {} } : { Allow: {} },
    Statement: statement,
  };
}

function acl(rules: WafRule[], defaultBlock = false): WafWebAcl {
  return {
    ARN: ACL_ARN,
    Id: 'a1',
    Name: 'site-acl',
    DefaultAction: defaultBlock ? { Block: {} } : { Allow: {} },
    Rules: rules,
  };
}

describe('IP parsing and CIDR matching', () => {
  it('parses IPv4 and IPv6 forms, including :: and an embedded IPv4 tail', () => {
    expect(parseIp('203.0.113.77')).toEqual({ version: 4, value: 0xcb00714dn });
    expect(parseIp('::1')).toEqual({ version: 6, value: 1n });
    expect(parseIp('::ffff:192.0.2.1')?.value).toBe(0xffffc0000201n);
    expect(parseIp('2001:db8::')?.value).toBe(0x20010db8n << 96n);
    expect(parseIp('256.1.1.1')).toBeNull();
    expect(parseIp('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(parseIp('1::2::3')).toBeNull();
  });

  it('matches CIDR blocks of the same family only', () => {
    expect(cidrContains('203.0.113.0/24', '203.0.113.77')).toBe(true);
    expect(cidrContains('203.0.113.0/24', '203.0.114.1')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '8.8.8.8')).toBe(true);
    expect(cidrContains('198.51.100.7', '198.51.100.7')).toBe(true);
    expect(cidrContains('2001:db8:abcd::/48', '2001:db8:abcd:12::1')).toBe(true);
    expect(cidrContains('2001:db8:abcd::/48', '2001:db8:abce::1')).toBe(false);
    expect(cidrContains('2001:db8::/32', '203.0.113.77')).toBe(false);
    expect(cidrContains('10.0.0.0/33', '10.0.0.1')).toBe(false);
  });
});

describe('evaluateStatement', () => {
  const r = rule('x', 0, { GeoMatchStatement: { CountryCodes: ['US'] } });

  it('explains an IP set hit and proposes removing the covering block', () => {
    const res = evaluateStatement(
      { IPSetReferenceStatement: { ARN: IPSET_ARN } },
      { clientIp: '203.0.113.77', uriPath: '/' },
      r,
      lookup,
    );
    expect(res.matched).toBe(true);
    expect(res.reasons[0]).toContain("203.0.113.0/24 of IP set 'blocked' (1)");
    expect(res.fixes[0]).toBe("remove 203.0.113.0/24 (it covers 203.0.113.77) from IP set 'blocked' (1)");
  });

  it('under NOT, proposes adding the client to the allow set', () => {
    const res = evaluateStatement(
      { NotStatement: { Statement: { IPSetReferenceStatement: { ARN: ALLOW_ARN } } } },
      { clientIp: '203.0.113.77', uriPath: '/' },
      r,
      lookup,
    );
    expect(res.matched).toBe(true);
    expect(res.fixes).toEqual(["add 203.0.113.77/32 to IP set 'office' (2)"]);
  });

  it('matches IPv6 clients against IPv6 sets', () => {
    const res = evaluateStatement(
      { IPSetReferenceStatement: { ARN: V6_ARN } },
      { clientIp: '2001:db8:abcd::5', uriPath: '/' },
      r,
      lookup,
    );
    expect(res.matched).toBe(true);
  });

  it('applies text transformations before a byte match on the URI path', () => {
    const st = {
      ByteMatchStatement: {
        SearchString: '/admin',
        FieldToMatch: { UriPath: {} },
        TextTransformations: [
          { Priority: 1, Type: 'LOWERCASE' },
          { Priority: 0, Type: 'URL_DECODE' },
        ],
        PositionalConstraint: 'STARTS_WITH' as const,
      },
    };
    expect(evaluateStatement(st, { clientIp: '192.0.2.1', uriPath: '/%41DMIN/x' }, r, lookup).matched).toBe(
      true,
    );
    expect(
      evaluateStatement(st, { clientIp: '192.0.2.1', uriPath: '/public/admin' }, r, lookup).matched,
    ).toBe(false);
  });

  it('CONTAINS_WORD needs word boundaries', () => {
    const st = (s: string) => ({
      ByteMatchStatement: {
        SearchString: s,
        FieldToMatch: { UriPath: {} },
        PositionalConstraint: 'CONTAINS_WORD' as const,
      },
    });
    expect(
      evaluateStatement(st('admin'), { clientIp: '1.1.1.1', uriPath: '/x/admin/y' }, r, lookup).matched,
    ).toBe(true);
    expect(
      evaluateStatement(st('admin'), { clientIp: '1.1.1.1', uriPath: '/administrator' }, r, lookup).matched,
    ).toBe(false);
  });

  it('AND needs every part, OR any', () => {
    const geoDe = { GeoMatchStatement: { CountryCodes: ['DE'] } };
    const ip = { IPSetReferenceStatement: { ARN: IPSET_ARN } };
    const req = { clientIp: '203.0.113.5', country: 'de', uriPath: '/' };
    expect(evaluateStatement({ AndStatement: { Statements: [geoDe, ip] } }, req, r, lookup).matched).toBe(
      true,
    );
    const fr = { ...req, country: 'FR' };
    expect(evaluateStatement({ AndStatement: { Statements: [geoDe, ip] } }, fr, r, lookup).matched).toBe(
      false,
    );
    const or = evaluateStatement({ OrStatement: { Statements: [geoDe, ip] } }, fr, r, lookup);
    expect(or.matched).toBe(true);
    expect(or.fixes).toEqual(["remove 203.0.113.0/24 (it covers 203.0.113.5) from IP set 'blocked' (1)"]);
  });
});

describe('evaluateWebAcl', () => {
  it('lets the first matching rule in priority order decide', () => {
    const a = acl([
      rule('block-ranges', 10, { IPSetReferenceStatement: { ARN: IPSET_ARN } }),
      rule('allow-us', 1, { GeoMatchStatement: { CountryCodes: ['US'] } }, false),
    ]);
    expect(evaluateWebAcl(a, { clientIp: '203.0.113.9', country: 'US', uriPath: '/' }, lookup).action).toBe(
      'ALLOW',
    );
    const v = evaluateWebAcl(a, { clientIp: '203.0.113.9', country: 'DE', uriPath: '/' }, lookup);
    expect(v.action).toBe('BLOCK');
    expect(v.rule?.Name).toBe('block-ranges');
  });

  it('skips Count rules', () => {
    const counted: WafRule = {
      ...rule('c', 0, { IPSetReferenceStatement: { ARN: IPSET_ARN } }),
      Action: { Count: {} },
    };
    expect(evaluateWebAcl(acl([counted]), { clientIp: '203.0.113.9', uriPath: '/' }, lookup).action).toBe(
      'ALLOW',
    );
  });

  it('blocks by a rate-based rule only where a BLOCK sample of the same client exists', () => {
    const a = acl([rule('rate', 0, { RateBasedStatement: { Limit: 100, AggregateKeyType: 'IP' } })]);
    const hit = evaluateWebAcl(a, { clientIp: '192.0.2.99', uriPath: '/' }, lookup);
    expect(hit.action).toBe('BLOCK');
    expect(hit.fixes[0]).toContain('raise the RateBasedStatement limit (100 requests per 5 minutes per IP)');
    expect(evaluateWebAcl(a, { clientIp: '192.0.2.1', uriPath: '/' }, lookup).action).toBe('ALLOW');
  });

  it('ignores samples of another web ACL', () => {
    const other = {
      ...acl([rule('rate', 0, { RateBasedStatement: { Limit: 100, AggregateKeyType: 'IP' } })]),
    };
    const res = evaluateWebAcl(
      other,
      { clientIp: '192.0.2.99', uriPath: '/' },
      { ...lookup, webAclArn: 'arn:other' },
    );
    expect(res.action).toBe('ALLOW');
  });

  it('names the rule inside a managed group, and honours a Count override', () => {
    const group: WafRule = {
      Name: 'common',
      Priority: 0,
      OverrideAction: { None: {} },
      Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
    };
    const v = evaluateWebAcl(acl([group]), { clientIp: '192.0.2.98', uriPath: '/upload' }, lookup);
    expect(v.action).toBe('BLOCK');
    expect(v.fixes[0]).toContain(
      'override rule SizeRestrictions_BODY of managed group AWS/AWSManagedRulesCommonRuleSet to Count',
    );
    const counted = { ...group, OverrideAction: { Count: {} } };
    expect(
      evaluateWebAcl(acl([counted]), { clientIp: '192.0.2.98', uriPath: '/upload' }, lookup).action,
    ).toBe('ALLOW');
  });

  it('falls back to a Block default action', () => {
    const v = evaluateWebAcl(acl([], true), { clientIp: '192.0.2.1', uriPath: '/' }, lookup);
    expect(v).toMatchObject({ action: 'BLOCK', rule: null });
    expect(v.reasons[0]).toContain('DefaultAction is Block');
  });
});
