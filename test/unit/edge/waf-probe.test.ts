// The edge model knows where each request comes from, the workflow's probe included (issue 10): WAF rules on
// headers, Bot Control, the anonymous IP list and rate rules act on the probe as they would on AWS.
import { describe, expect, it } from 'vitest';
import { PROBE_USER_AGENT } from '../../../functions/adapters/prober.ts';
import { DEFAULT_PROBE_ADDRESS, isAwsAddress } from '../../../sim/edge/networks.ts';
import { evaluateWebAcl, type WafInput } from '../../../sim/edge/waf.ts';
import { isBrowserUserAgent } from '../../../sim/edge/waf-modelled.ts';
import type {
  Scenario,
  WafRule,
  WafSampledRequest,
  WafStatement,
  WafWebAcl,
} from '../../../sim/scenario/types.ts';
import { DEFAULT_PROBE, World } from '../../../sim/world/world.ts';
import { loadScenario } from './helpers.ts';

const ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/site-acl/a1b2c3d4';
const DC_SET = 'arn:aws:wafv2:us-east-1:111122223333:global/ipset/data-centres/1';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

function setup(
  rules: WafRule[],
  extra: Partial<Scenario['simulation']> = {},
  samples: WafSampledRequest[] = [],
) {
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
      { ARN: DC_SET, Id: '1', Name: 'data-centres', IPAddressVersion: 'IPV4', Addresses: ['3.80.0.0/12'] },
    ],
    sampledRequests: samples,
  };
  scenario.simulation = { ...(scenario.simulation ?? {}), ...extra };
  return { scenario, acl };
}

const group = (
  Name: string,
  over: Partial<NonNullable<WafStatement['ManagedRuleGroupStatement']>> = {},
): WafRule => ({
  Name: Name.toLowerCase(),
  Priority: 0,
  OverrideAction: { None: {} },
  Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name, ...over } },
});

const probe: WafInput = {
  clientIp: DEFAULT_PROBE.clientIp,
  country: 'US',
  uriPath: '/index.html',
  headers: { 'user-agent': PROBE_USER_AGENT },
};
const viewer: WafInput = {
  clientIp: '198.51.100.21',
  country: 'DE',
  uriPath: '/index.html',
  headers: { 'user-agent': CHROME },
};

describe("the probe's vantage point", () => {
  it('is an AWS address in us-east-1, with its own user agent, unless the scenario says otherwise', () => {
    expect(isAwsAddress(DEFAULT_PROBE_ADDRESS)).toBe(true);
    const sc = loadScenario('waf-blocked-ipset');
    expect(new World(sc).probe).toEqual({
      country: 'US',
      clientIp: DEFAULT_PROBE_ADDRESS,
      userAgent: 'cf403-probe/1.0',
    });
    sc.simulation = { probe: { country: 'FR', clientIp: '192.0.2.44' } };
    expect(new World(sc).probe).toEqual({
      country: 'FR',
      clientIp: '192.0.2.44',
      userAgent: 'cf403-probe/1.0',
    });
  });

  it('tells browsers from HTTP clients by their user agent', () => {
    expect(isBrowserUserAgent(CHROME)).toBe(true);
    expect(isBrowserUserAgent(PROBE_USER_AGENT)).toBe(false);
    expect(
      isBrowserUserAgent('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'),
    ).toBe(false);
    expect(isBrowserUserAgent(undefined)).toBe(false);
  });
});

describe('Bot Control (common level)', () => {
  it('blocks the probe as a non-browser user agent, not a browser', () => {
    const { scenario, acl } = setup([group('AWSManagedRulesBotControlRuleSet')]);
    expect(evaluateWebAcl(scenario, acl, probe)).toMatchObject({
      action: 'block',
      rule: 'awsmanagedrulesbotcontrolruleset',
    });
    expect(evaluateWebAcl(scenario, acl, viewer)).toMatchObject({ action: 'allow' });
  });

  it('lets the probe through when SignalNonBrowserUserAgent is overridden to Count', () => {
    const { scenario, acl } = setup([
      group('AWSManagedRulesBotControlRuleSet', {
        RuleActionOverrides: [{ Name: 'SignalNonBrowserUserAgent', ActionToUse: { Count: {} } }],
      }),
    ]);
    expect(evaluateWebAcl(scenario, acl, probe)).toMatchObject({ action: 'allow' });
    // an HTTP library is still caught by its category rule
    expect(
      evaluateWebAcl(scenario, acl, { ...probe, headers: { 'user-agent': 'curl/8.5.0' } }),
    ).toMatchObject({
      action: 'block',
    });
  });

  it('evaluates only the requests its scope-down statement matches', () => {
    const { scenario, acl } = setup([
      group('AWSManagedRulesBotControlRuleSet', {
        ScopeDownStatement: {
          ByteMatchStatement: {
            SearchString: '/api/',
            FieldToMatch: { UriPath: {} },
            PositionalConstraint: 'STARTS_WITH',
            TextTransformations: [{ Priority: 0, Type: 'NONE' }],
          },
        },
      }),
    ]);
    expect(evaluateWebAcl(scenario, acl, probe)).toMatchObject({ action: 'allow' });
    expect(evaluateWebAcl(scenario, acl, { ...probe, uriPath: '/api/items' })).toMatchObject({
      action: 'block',
    });
  });
});

describe('the anonymous IP list', () => {
  it("never counts AWS's own addresses as a hosting provider", () => {
    const { scenario, acl } = setup([group('AWSManagedRulesAnonymousIpList')], {
      ipReputation: { hostingProviders: ['3.0.0.0/8', '203.0.113.0/24'], anonymous: ['192.0.2.0/24'] },
    });
    expect(evaluateWebAcl(scenario, acl, probe)).toMatchObject({ action: 'allow' });
    expect(evaluateWebAcl(scenario, acl, { ...viewer, clientIp: '203.0.113.9' })).toMatchObject({
      action: 'block',
    });
    expect(evaluateWebAcl(scenario, acl, { ...viewer, clientIp: '192.0.2.9' })).toMatchObject({
      action: 'block',
    });
  });
});

describe('rules on what the probe sends', () => {
  const requireHeader: WafRule = {
    Name: 'require-site-client',
    Priority: 0,
    Action: { Block: {} },
    Statement: {
      NotStatement: {
        Statement: {
          ByteMatchStatement: {
            SearchString: 'web',
            FieldToMatch: { SingleHeader: { Name: 'X-Site-Client' } },
            PositionalConstraint: 'EXACTLY',
            TextTransformations: [{ Priority: 0, Type: 'NONE' }],
          },
        },
      },
    },
  };

  it('a required header blocks the probe, which does not send it', () => {
    const { scenario, acl } = setup([requireHeader]);
    expect(evaluateWebAcl(scenario, acl, probe)).toMatchObject({
      action: 'block',
      rule: 'require-site-client',
    });
    expect(
      evaluateWebAcl(scenario, acl, { ...viewer, headers: { ...viewer.headers, 'x-site-client': 'web' } }),
    ).toMatchObject({ action: 'allow' });
  });

  it('a size constraint reads the header too', () => {
    const { scenario, acl } = setup([
      {
        Name: 'long-ua',
        Priority: 0,
        Action: { Block: {} },
        Statement: {
          SizeConstraintStatement: {
            FieldToMatch: { SingleHeader: { Name: 'user-agent' } },
            ComparisonOperator: 'LT',
            Size: 20,
            TextTransformations: [{ Priority: 0, Type: 'NONE' }],
          },
        },
      },
    ]);
    expect(evaluateWebAcl(scenario, acl, probe)).toMatchObject({ action: 'block' });
    expect(evaluateWebAcl(scenario, acl, viewer)).toMatchObject({ action: 'allow' });
  });

  it('an IP set of data-centre ranges holds the probe', () => {
    const { scenario, acl } = setup([
      {
        Name: 'dc',
        Priority: 0,
        Action: { Block: {} },
        Statement: { IPSetReferenceStatement: { ARN: DC_SET } },
      },
    ]);
    expect(evaluateWebAcl(scenario, acl, probe)).toMatchObject({ action: 'block', rule: 'dc' });
    expect(evaluateWebAcl(scenario, acl, viewer)).toMatchObject({ action: 'allow' });
  });
});

describe('rate-based rules', () => {
  const rate = (AggregateKeyType: string): WafRule => ({
    Name: 'rate',
    Priority: 0,
    Action: { Block: {} },
    Statement: { RateBasedStatement: { Limit: 100, AggregateKeyType } },
  });
  const sample: WafSampledRequest = {
    WebAclArn: ACL_ARN,
    RuleName: 'rate',
    Action: 'BLOCK',
    Request: { ClientIP: '198.51.100.60', URI: '/', Method: 'GET' },
  };

  it('per IP, block only the clients GetSampledRequests shows blocked: never a probe of a few requests', () => {
    const { scenario, acl } = setup([rate('IP')], {}, [sample]);
    expect(evaluateWebAcl(scenario, acl, { ...viewer, clientIp: '198.51.100.60' })).toMatchObject({
      action: 'block',
    });
    expect(evaluateWebAcl(scenario, acl, probe)).toMatchObject({ action: 'allow' });
  });

  it('with one counter for everyone (CONSTANT), block the probe too once the site is over the limit', () => {
    const { scenario, acl } = setup([rate('CONSTANT')], {}, [sample]);
    expect(evaluateWebAcl(scenario, acl, probe)).toMatchObject({ action: 'block', rule: 'rate' });
  });
});
