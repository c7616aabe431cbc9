// AWS WAF (web ACL associated with the distribution): rules in Priority order, evaluated exactly for
// IP sets, geo and URI byte matches; rate-based and managed rule groups block only where the
// sampled requests show they did.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Scenario, WafRule, WafStatement, WafWebAcl } from '../scenario/types.ts';

export interface WafInput {
  clientIp: string;
  country: string;
  /** URI path as sent (percent-encoded) */
  uriPath: string;
}

export type WafVerdict = { action: 'allow'; rule?: string } | { action: 'block'; rule?: string };

export function findWebAcl(scenario: Scenario, webAclId: string | undefined): WafWebAcl | undefined {
  if (webAclId === undefined || webAclId === '') return undefined;
  return scenario.wafv2?.webAcls?.find((acl) => acl.ARN === webAclId || acl.Id === webAclId);
}

function ipFamily(ip: string): 'ipv4' | 'ipv6' | undefined {
  if (isIPv4(ip)) return 'ipv4';
  if (isIPv6(ip)) return 'ipv6';
  return undefined;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const family = ipFamily(ip);
  const [network = '', prefixText] = cidr.trim().split('/');
  const networkFamily = ipFamily(network);
  if (family === undefined || networkFamily !== family) return false;
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return false;
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return list.check(ip, family);
}

function transform(value: string, type: string): string {
  switch (type) {
    case 'LOWERCASE':
      return value.toLowerCase();
    case 'UPPERCASE':
      return value.toUpperCase();
    case 'URL_DECODE':
    case 'URL_DECODE_UNI':
      return safeDecode(value);
    case 'COMPRESS_WHITE_SPACE':
      return value.replace(/\s+/g, ' ');
    case 'NORMALIZE_PATH':
      return normalizePath(value);
    default:
      return value;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function normalizePath(value: string): string {
  const out: string[] = [];
  for (const part of value.replace(/\/+/g, '/').split('/')) {
    if (part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

const WORD = /[A-Za-z0-9_]/;

function containsWord(haystack: string, needle: string): boolean {
  if (needle === '') return false;
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle, from);
    if (at < 0) return false;
    const before = haystack[at - 1];
    const after = haystack[at + needle.length];
    if ((before === undefined || !WORD.test(before)) && (after === undefined || !WORD.test(after)))
      return true;
    from = at + 1;
  }
}

function byteMatch(statement: NonNullable<WafStatement['ByteMatchStatement']>, input: WafInput): boolean {
  if (statement.FieldToMatch.UriPath === undefined) return false;
  const transformations = [...(statement.TextTransformations ?? [])].sort((a, b) => a.Priority - b.Priority);
  const value = transformations.reduce((v, t) => transform(v, t.Type), input.uriPath);
  const search = statement.SearchString;
  switch (statement.PositionalConstraint) {
    case 'EXACTLY':
      return value === search;
    case 'STARTS_WITH':
      return value.startsWith(search);
    case 'ENDS_WITH':
      return value.endsWith(search);
    case 'CONTAINS':
      return value.includes(search);
    case 'CONTAINS_WORD':
      return containsWord(value, search);
    default:
      return false;
  }
}

function sampledBlock(scenario: Scenario, acl: WafWebAcl, rule: WafRule, clientIp: string): boolean {
  return (scenario.wafv2?.sampledRequests ?? []).some(
    (s) =>
      s.Action.toUpperCase() === 'BLOCK' &&
      s.RuleName === rule.Name &&
      s.Request.ClientIP === clientIp &&
      (s.WebAclArn === undefined || s.WebAclArn === '' || s.WebAclArn === acl.ARN),
  );
}

function matches(
  statement: WafStatement,
  input: WafInput,
  scenario: Scenario,
  acl: WafWebAcl,
  rule: WafRule,
): boolean {
  if (statement.IPSetReferenceStatement !== undefined) {
    const ref = statement.IPSetReferenceStatement.ARN;
    const set = scenario.wafv2?.ipSets?.find((s) => s.ARN === ref);
    return set?.Addresses.some((cidr) => cidrContains(cidr, input.clientIp)) ?? false;
  }
  if (statement.GeoMatchStatement !== undefined) {
    return statement.GeoMatchStatement.CountryCodes.includes(input.country.toUpperCase());
  }
  if (statement.ByteMatchStatement !== undefined) return byteMatch(statement.ByteMatchStatement, input);
  if (statement.NotStatement !== undefined) {
    return !matches(statement.NotStatement.Statement, input, scenario, acl, rule);
  }
  if (statement.AndStatement !== undefined) {
    return statement.AndStatement.Statements.every((s) => matches(s, input, scenario, acl, rule));
  }
  if (statement.OrStatement !== undefined) {
    return statement.OrStatement.Statements.some((s) => matches(s, input, scenario, acl, rule));
  }
  if (statement.RateBasedStatement !== undefined || statement.ManagedRuleGroupStatement !== undefined) {
    // the live verdict is unknowable; the sampled requests say whether this client was blocked
    return sampledBlock(scenario, acl, rule, input.clientIp);
  }
  return false;
}

function ruleAction(rule: WafRule): 'block' | 'allow' | 'count' {
  if (rule.Statement.ManagedRuleGroupStatement !== undefined) {
    // a rule group's own rules block unless the reference overrides them to Count
    return rule.OverrideAction?.Count !== undefined ? 'count' : 'block';
  }
  if (rule.Action?.Block !== undefined) return 'block';
  if (rule.Action?.Allow !== undefined) return 'allow';
  // Count, and CAPTCHA/Challenge (not modelled), let evaluation continue
  return 'count';
}

export function evaluateWebAcl(scenario: Scenario, acl: WafWebAcl, input: WafInput): WafVerdict {
  const rules = [...acl.Rules].sort((a, b) => a.Priority - b.Priority);
  for (const rule of rules) {
    if (!matches(rule.Statement, input, scenario, acl, rule)) continue;
    const action = ruleAction(rule);
    if (action === 'block') return { action: 'block', rule: rule.Name };
    if (action === 'allow') return { action: 'allow', rule: rule.Name };
  }
  return acl.DefaultAction.Block !== undefined ? { action: 'block' } : { action: 'allow' };
}
