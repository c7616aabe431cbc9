// WAF web ACL evaluation: statements, priorities, actions, sampled verdicts for rate/managed rules.
import { describe, expect, it } from 'vitest';
import { cidrContains, evaluateWebAcl, type WafInput } from '../../../sim/edge/waf.ts';
import type {
  Scenario,
  WafRule,
  WafSampledRequest,
  WafStatement,
  WafWebAcl,
} from '../../../sim/scenario/types.ts';
import { expectCloudFrontPage, expectOk, get, loadScenario, REASON } from './helpers.ts';

const ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/site-acl/a1b2c3d4';
const V4_SET = 'arn:aws:wafv2:us-east-1:111122223333:global/ipset/v4/1';
const V6_SET = 'arn:aws:wafv2:us-east-1:111122223333:global/ipset/v6/2';

function scenarioWith(
  rules: WafRule[],
  sampledRequests: WafSampledRequest[] = [],
): {
  scenario: Scenario;
  acl: WafWebAcl;
} {
  const scenario = loadScenario('waf-blocked-ipset');
  const acl: WafWebAcl = {
    ARN: ACL_ARN,
    Id: 'a1b2c3d4',
    Name: 'site-acl',
    DefaultAction: { Allow: {} },
    Rules: rules,
  };
  scenario.wafv2 = {
    webAcls: [acl],
    ipSets: [
      {
        ARN: V4_SET,
        Id: '1',
        Name: 'v4',
        IPAddressVersion: 'IPV4',
        Addresses: ['203.0.113.0/24', '198.51.100.7/32'],
      },
      { ARN: V6_SET, Id: '2', Name: 'v6', IPAddressVersion: 'IPV6', Addresses: ['2001:db8::/32'] },
    ],
    sampledRequests,
  };
  return { scenario, acl };
}

function rule(
  name: string,
  priority: number,
  statement: WafStatement,
  action: 'Block' | 'Allow' | 'Count' = 'Block',
): WafRule {
  return { Name: name, Priority: priority, Action: { [action]: {} }, Statement: statement };
}

const input = (over: Partial<WafInput> = {}): WafInput => ({
  clientIp: '192.0.2.10',
  country: 'US',
  uriPath: '/index.html',
  ...over,
});

const uriMatch = (
  SearchString: string,
  PositionalConstraint: 'EXACTLY' | 'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS' | 'CONTAINS_WORD',
  transforms: string[] = ['NONE'],
): WafStatement => ({
  ByteMatchStatement: {
    SearchString,
    FieldToMatch: { UriPath: {} },
    PositionalConstraint,
    TextTransformations: transforms.map((Type, Priority) => ({ Priority, Type })),
  },
});

describe('cidrContains', () => {
  it('matches IPv4 and IPv6 prefixes and never across families', () => {
    expect(cidrContains('203.0.113.0/24', '203.0.113.77')).toBe(true);
    expect(cidrContains('203.0.113.0/24', '203.0.114.1')).toBe(false);
    expect(cidrContains('198.51.100.7/32', '198.51.100.7')).toBe(true);
    expect(cidrContains('2001:db8::/32', '2001:db8:1::5')).toBe(true);
    expect(cidrContains('2001:db8::/32', '2001:db9::5')).toBe(false);
    expect(cidrContains('203.0.113.0/24', '2001:db8::1')).toBe(false);
    expect(cidrContains('203.0.113.0/99', '203.0.113.1')).toBe(false);
  });
});

describe('evaluateWebAcl', () => {
  it('IP sets block v4 and v6 members', () => {
    const { scenario, acl } = scenarioWith([
      rule('v4', 0, { IPSetReferenceStatement: { ARN: V4_SET } }),
      rule('v6', 1, { IPSetReferenceStatement: { ARN: V6_SET } }),
    ]);
    expect(evaluateWebAcl(scenario, acl, input({ clientIp: '203.0.113.9' }))).toEqual({
      action: 'block',
      rule: 'v4',
    });
    expect(evaluateWebAcl(scenario, acl, input({ clientIp: '2001:db8::9' }))).toEqual({
      action: 'block',
      rule: 'v6',
    });
    expect(evaluateWebAcl(scenario, acl, input())).toEqual({ action: 'allow' });
  });

  it('geo match and Not/And/Or combine exactly', () => {
    const notUsOrCa: WafStatement = {
      NotStatement: { Statement: { GeoMatchStatement: { CountryCodes: ['US', 'CA'] } } },
    };
    const adminFromOffice: WafStatement = {
      AndStatement: {
        Statements: [
          uriMatch('/admin', 'STARTS_WITH'),
          { NotStatement: { Statement: { IPSetReferenceStatement: { ARN: V4_SET } } } },
        ],
      },
    };
    const { scenario, acl } = scenarioWith([
      rule('geo', 0, notUsOrCa),
      rule('admin', 1, adminFromOffice),
      rule('either', 2, {
        OrStatement: { Statements: [uriMatch('.php', 'ENDS_WITH'), uriMatch('/wp-', 'CONTAINS')] },
      }),
    ]);
    expect(evaluateWebAcl(scenario, acl, input({ country: 'DE' })).rule).toBe('geo');
    expect(evaluateWebAcl(scenario, acl, input({ uriPath: '/admin/x' })).rule).toBe('admin');
    expect(
      evaluateWebAcl(scenario, acl, input({ uriPath: '/admin/x', clientIp: '203.0.113.1' })).action,
    ).toBe('allow');
    expect(evaluateWebAcl(scenario, acl, input({ uriPath: '/x.php' })).rule).toBe('either');
    expect(evaluateWebAcl(scenario, acl, input({ uriPath: '/a/wp-login' })).rule).toBe('either');
  });

  it('byte match honours positional constraints and text transformations', () => {
    const check = (statement: WafStatement, uriPath: string) => {
      const { scenario, acl } = scenarioWith([rule('r', 0, statement)]);
      return evaluateWebAcl(scenario, acl, input({ uriPath })).action === 'block';
    };
    expect(check(uriMatch('/secret', 'EXACTLY'), '/secret')).toBe(true);
    expect(check(uriMatch('/secret', 'EXACTLY'), '/secret/')).toBe(false);
    expect(check(uriMatch('/secret', 'EXACTLY'), '/SECRET')).toBe(false);
    expect(check(uriMatch('/secret', 'EXACTLY', ['LOWERCASE']), '/SECRET')).toBe(true);
    expect(check(uriMatch('/a b', 'EXACTLY'), '/a%20b')).toBe(false);
    expect(check(uriMatch('/a b', 'EXACTLY', ['URL_DECODE']), '/a%20b')).toBe(true);
    expect(check(uriMatch('admin', 'CONTAINS_WORD'), '/x/admin/y')).toBe(true);
    expect(check(uriMatch('admin', 'CONTAINS_WORD'), '/x/administrator')).toBe(false);
  });

  it('Allow stops evaluation, Count continues, priority order wins over list order', () => {
    const ip = { IPSetReferenceStatement: { ARN: V4_SET } };
    const { scenario, acl } = scenarioWith([
      rule('block', 2, ip),
      rule('allow', 1, ip, 'Allow'),
      rule('count', 0, ip, 'Count'),
    ]);
    expect(evaluateWebAcl(scenario, acl, input({ clientIp: '203.0.113.1' }))).toEqual({
      action: 'allow',
      rule: 'allow',
    });
    const counted = scenarioWith([rule('count', 0, ip, 'Count')]);
    expect(evaluateWebAcl(counted.scenario, counted.acl, input({ clientIp: '203.0.113.1' })).action).toBe(
      'allow',
    );
  });

  it('rate-based and managed rules block only clients seen blocked in sampled requests', () => {
    const rate = rule('rate-limit', 0, { RateBasedStatement: { Limit: 100, AggregateKeyType: 'IP' } });
    const managed: WafRule = {
      Name: 'common',
      Priority: 1,
      OverrideAction: { None: {} },
      Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
    };
    const sample = (RuleName: string, ClientIP: string) => ({
      WebAclArn: ACL_ARN,
      RuleName,
      Action: 'BLOCK',
      Request: { ClientIP, Country: 'US', URI: '/', Method: 'GET' },
    });
    const { scenario, acl } = scenarioWith(
      [rate, managed],
      [sample('rate-limit', '203.0.113.9'), sample('common', '198.51.100.1')],
    );
    expect(evaluateWebAcl(scenario, acl, input({ clientIp: '203.0.113.9' })).rule).toBe('rate-limit');
    expect(evaluateWebAcl(scenario, acl, input({ clientIp: '198.51.100.1' })).rule).toBe('common');
    expect(evaluateWebAcl(scenario, acl, input()).action).toBe('allow');
    managed.OverrideAction = { Count: {} };
    expect(evaluateWebAcl(scenario, acl, input({ clientIp: '198.51.100.1' })).action).toBe('allow');
  });

  it('a default action of Block blocks what no rule allows', () => {
    const { scenario, acl } = scenarioWith([
      rule('office', 0, { IPSetReferenceStatement: { ARN: V4_SET } }, 'Allow'),
    ]);
    acl.DefaultAction = { Block: {} };
    expect(evaluateWebAcl(scenario, acl, input())).toEqual({ action: 'block' });
    expect(evaluateWebAcl(scenario, acl, input({ clientIp: '203.0.113.5' })).action).toBe('allow');
  });
});

describe('WAF stage in the pipeline', () => {
  it('answers the WAF page for a blocked client and serves others', () => {
    const { scenario } = scenarioWith([rule('geo', 0, { GeoMatchStatement: { CountryCodes: ['RU'] } })]);
    const res = get(scenario, '/index.html', { country: 'RU' });
    expectCloudFrontPage(res, 403, REASON.wafBlocked);
    expect(res.trace).toContain('waf:site-acl:block:geo');
    expectOk(get(scenario, '/index.html'));
  });
});
