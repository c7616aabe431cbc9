// WAF statements the reasoning cannot evaluate stay unknown, in the product and in the edge model.
import { describe, expect, it } from 'vitest';
import {
  evaluateStatement,
  evaluateWebAcl,
  type WafLookup,
} from '../../../../functions/domain/causes/shared/waf.ts';
import type { WafRule, WafStatement, WafWebAcl } from '../../../../functions/domain/waf-types.ts';
import { evaluateWebAcl as edgeEvaluate } from '../../../../sim/edge/waf.ts';
import type { Scenario } from '../../../../sim/scenario/types.ts';
import { run } from './helpers.ts';

const ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/site-acl/a1';
const HOST_REGEX: WafStatement = {
  RegexMatchStatement: {
    RegexString: '^(www\\.)?example\\.com$',
    FieldToMatch: { SingleHeader: { Name: 'host' } },
  },
};
const NOT_HOST: WafStatement = { NotStatement: { Statement: HOST_REGEX } };
const GEO_DE: WafStatement = { GeoMatchStatement: { CountryCodes: ['DE'] } };
const ADMIN: WafStatement = {
  ByteMatchStatement: {
    SearchString: '/admin',
    FieldToMatch: { UriPath: {} },
    PositionalConstraint: 'STARTS_WITH',
  },
};

function rule(name: string, statement: WafStatement, priority = 0): WafRule {
  return { Name: name, Priority: priority, Action: { Block: {} }, Statement: statement };
}

function acl(rules: WafRule[]): WafWebAcl {
  return { ARN: ACL_ARN, Id: 'a1', Name: 'site-acl', DefaultAction: { Allow: {} }, Rules: rules };
}

const lookup = (blockedIp?: string, ruleName = 'hosts'): WafLookup => ({
  webAclArn: ACL_ARN,
  ipSets: [],
  sampledRequests: blockedIp
    ? [
        {
          WebAclArn: ACL_ARN,
          RuleName: ruleName,
          Action: 'BLOCK',
          Request: { ClientIP: blockedIp, URI: '/', Method: 'GET' },
        },
      ]
    : [],
});

const req = { clientIp: '203.0.113.10', country: 'US', uriPath: '/index.html' };

describe('product WAF reasoning: three values', () => {
  it('keeps a statement it cannot evaluate unknown, under a NOT too', () => {
    const r = rule('hosts', NOT_HOST);
    const inner = evaluateStatement(HOST_REGEX, req, r, lookup());
    const negated = evaluateStatement(NOT_HOST, req, r, lookup());
    for (const res of [inner, negated]) {
      expect(res.matched).toBe(false);
      expect(res.unknown).toEqual(['RegexMatchStatement on header host /^(www\\.)?example\\.com$/']);
    }
  });

  it('lets a known false part decide an AND, and a known true part an OR', () => {
    const r = rule('x', HOST_REGEX);
    const and = evaluateStatement({ AndStatement: { Statements: [NOT_HOST, GEO_DE] } }, req, r, lookup());
    expect(and).toMatchObject({ matched: false });
    expect(and.unknown ?? []).toEqual([]);
    const or = evaluateStatement(
      { OrStatement: { Statements: [NOT_HOST, GEO_DE] } },
      { ...req, country: 'DE' },
      r,
      lookup(),
    );
    expect(or.matched).toBe(true);
    // Neither part known: the OR stays unknown.
    const open = evaluateStatement({ OrStatement: { Statements: [NOT_HOST, ADMIN] } }, req, r, lookup());
    expect(open.matched).toBe(false);
    expect(open.unknown?.length).toBe(1);
  });

  it('never blocks on an unknown rule: it lists it as undetermined and goes on', () => {
    const v = evaluateWebAcl(acl([rule('hosts', NOT_HOST)]), req, lookup());
    expect(v.action).toBe('ALLOW');
    expect(v.undetermined?.map((u) => u.rule.Name)).toEqual(['hosts']);
    expect(v.undetermined?.[0]?.statements[0]).toContain('RegexMatchStatement on header host');
  });

  it('takes a BLOCK sample of that rule for the client as the verdict of an unknown rule', () => {
    const v = evaluateWebAcl(acl([rule('hosts', NOT_HOST)]), req, lookup('203.0.113.10'));
    expect(v.action).toBe('BLOCK');
    expect(v.rule?.Name).toBe('hosts');
    expect(v.reasons[0]).toMatch(/could not be evaluated, but GetSampledRequests shows a BLOCK sample/);
    expect(evaluateWebAcl(acl([rule('hosts', NOT_HOST)]), req, lookup('198.51.100.1')).action).toBe('ALLOW');
  });

  it('still blocks on a known rule after an unknown one, naming the unknown one', () => {
    const v = evaluateWebAcl(
      acl([rule('hosts', NOT_HOST, 0), rule('admin', ADMIN, 1)]),
      { ...req, uriPath: '/admin/x' },
      lookup(),
    );
    expect(v.action).toBe('BLOCK');
    expect(v.rule?.Name).toBe('admin');
    expect(v.undetermined?.map((u) => u.rule.Name)).toEqual(['hosts']);
  });

  it('treats an IP set it could not read as unknown, not as a miss', () => {
    const st: WafStatement = {
      NotStatement: { Statement: { IPSetReferenceStatement: { ARN: 'arn:missing' } } },
    };
    const res = evaluateStatement(st, req, rule('ips', st), lookup());
    expect(res.matched).toBe(false);
    expect(res.unknown?.[0]).toContain('IPSetReferenceStatement arn:missing');
  });
});

describe('edge model WAF: three values', () => {
  const scenario = (samples: Scenario['wafv2'] extends infer W ? W : never): Scenario =>
    ({ wafv2: samples }) as unknown as Scenario;
  const input = { clientIp: '203.0.113.10', country: 'US', uriPath: '/index.html' };

  it('lets a request pass an unknown rule under a NOT, and records it', () => {
    const a = acl([rule('hosts', NOT_HOST)]);
    expect(edgeEvaluate(scenario({ webAcls: [a] }), a, input)).toEqual({
      action: 'allow',
      unknown: ['hosts'],
    });
  });

  it('blocks by an unknown rule only where a BLOCK sample shows it', () => {
    const a = acl([rule('hosts', NOT_HOST)]);
    const sampled = scenario({
      webAcls: [a],
      sampledRequests: [
        {
          WebAclArn: ACL_ARN,
          RuleName: 'hosts',
          Action: 'BLOCK',
          Request: { ClientIP: '203.0.113.10', URI: '/', Method: 'GET' },
        },
      ],
    });
    expect(edgeEvaluate(sampled, a, input)).toEqual({ action: 'block', rule: 'hosts' });
  });

  it('decides AND/OR with Kleene logic', () => {
    const and = acl([rule('and', { AndStatement: { Statements: [NOT_HOST, GEO_DE] } })]);
    expect(edgeEvaluate(scenario({ webAcls: [and] }), and, input)).toEqual({ action: 'allow' });
    const or = acl([rule('or', { OrStatement: { Statements: [NOT_HOST, GEO_DE] } })]);
    expect(edgeEvaluate(scenario({ webAcls: [or] }), or, { ...input, country: 'DE' })).toEqual({
      action: 'block',
      rule: 'or',
    });
  });
});

describe('WAF_BLOCKED with unknown statements (scenarios)', () => {
  it('does not blame a Host-regex rule it cannot evaluate', async () => {
    const { diagnosis } = await run('healthy-waf-host-regex-not-evaluated');
    expect(diagnosis.causes).toEqual([]);
    expect(diagnosis.reproduced).toBe(false);
  });

  it('names the unevaluable statement and the sampled BLOCK when the rule did block', async () => {
    const { diagnosis } = await run('waf-blocked-regex-pattern-set');
    const waf = diagnosis.causes.find((c) => c.id === 'WAF_BLOCKED');
    expect(waf?.subject?.rule).toBe('block-bad-paths');
    expect(waf?.evidence.join('\n')).toMatch(
      /RegexPatternSetReferenceStatement .* could not be evaluated, but GetSampledRequests/,
    );
  });

  it('repairs the real cause beside a rule it cannot evaluate', async () => {
    const { diagnosis, plan } = await run('combo-origin-access-missing-waf-not-evaluated');
    expect(diagnosis.causes.map((c) => c.id)).toEqual(['ORIGIN_ACCESS_MISSING']);
    expect(plan.hasChanges).toBe(true);
  });
});
