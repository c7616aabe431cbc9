// AWS WAF (web ACL associated with the distribution): rules in Priority order, evaluated exactly for
// IP sets, geo and URI byte matches; rate-based and managed rule groups block only where the
// sampled requests show they did. Any other statement is unknown here, and unknown stays unknown
// through NOT/AND/OR; a rule left unknown blocks only where the sampled requests show it did.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Scenario, WafRule, WafStatement, WafWebAcl } from '../scenario/types.ts';
import { modelledMatch, NOT_MODELLED } from './waf-modelled.ts';

export interface WafInput {
  clientIp: string;
  country: string;
  /** URI path as sent (percent-encoded) */
  uriPath: string;
  /** request headers, lower-case names (header, user-agent and managed-group statements read them) */
  headers?: Readonly<Record<string, string>>;
  /** query string without `?` */
  queryString?: string;
  method?: string;
}

export type WafVerdict = {
  action: 'allow' | 'block';
  rule?: string;
  /** rules skipped because their statement could not be evaluated (absent when none) */
  unknown?: string[];
};

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

function byteMatch(
  statement: NonNullable<WafStatement['ByteMatchStatement']>,
  input: WafInput,
): boolean | undefined {
  if (statement.FieldToMatch.UriPath === undefined) return undefined;
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

function sampledBlock(
  scenario: Scenario,
  acl: WafWebAcl,
  rule: WafRule,
  clientIp: string | undefined,
): boolean {
  return (scenario.wafv2?.sampledRequests ?? []).some(
    (s) =>
      s.Action.toUpperCase() === 'BLOCK' &&
      s.RuleName === rule.Name &&
      (clientIp === undefined || s.Request.ClientIP === clientIp) &&
      (s.WebAclArn === undefined || s.WebAclArn === '' || s.WebAclArn === acl.ARN),
  );
}

/** true, false, or undefined when the statement cannot be evaluated here (Kleene's three values). */
function matches(
  statement: WafStatement,
  input: WafInput,
  scenario: Scenario,
  acl: WafWebAcl,
  rule: WafRule,
): boolean | undefined {
  // headers, query, method, rate-based scope-downs and managed groups whose signals are documented
  const modelled = modelledMatch(statement, input, {
    scenario,
    ruleName: rule.Name,
    matches: (inner) => matches(inner, input, scenario, acl, rule),
    sampled: (anyClient) => sampledBlock(scenario, acl, rule, anyClient ? undefined : input.clientIp),
    transform,
  });
  if (modelled !== NOT_MODELLED) return modelled;
  if (statement.IPSetReferenceStatement !== undefined) {
    const ref = statement.IPSetReferenceStatement.ARN;
    const set = scenario.wafv2?.ipSets?.find((s) => s.ARN === ref);
    return set?.Addresses.some((cidr) => cidrContains(cidr, input.clientIp));
  }
  if (statement.GeoMatchStatement !== undefined) {
    return statement.GeoMatchStatement.CountryCodes.includes(input.country.toUpperCase());
  }
  if (statement.ByteMatchStatement !== undefined) return byteMatch(statement.ByteMatchStatement, input);
  if (statement.NotStatement !== undefined) {
    const inner = matches(statement.NotStatement.Statement, input, scenario, acl, rule);
    return inner === undefined ? undefined : !inner;
  }
  if (statement.AndStatement !== undefined) {
    const parts = statement.AndStatement.Statements.map((s) => matches(s, input, scenario, acl, rule));
    if (parts.includes(false)) return false;
    return parts.includes(undefined) ? undefined : true;
  }
  if (statement.OrStatement !== undefined) {
    const parts = statement.OrStatement.Statements.map((s) => matches(s, input, scenario, acl, rule));
    if (parts.includes(true)) return true;
    return parts.includes(undefined) ? undefined : false;
  }
  if (statement.RateBasedStatement !== undefined || statement.ManagedRuleGroupStatement !== undefined) {
    // the live verdict is unknowable; the sampled requests say whether this client was blocked
    return sampledBlock(scenario, acl, rule, input.clientIp);
  }
  return undefined;
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
  const unknown: string[] = [];
  const verdict = (v: WafVerdict): WafVerdict => (unknown.length > 0 ? { ...v, unknown } : v);
  for (const rule of rules) {
    let matched = matches(rule.Statement, input, scenario, acl, rule);
    if (matched === undefined) {
      // what GetSampledRequests would show is the only evidence of an unknown rule's verdict
      matched = sampledBlock(scenario, acl, rule, input.clientIp);
      if (!matched) unknown.push(rule.Name);
    }
    if (!matched) continue;
    const action = ruleAction(rule);
    if (action === 'block') return verdict({ action: 'block', rule: rule.Name });
    if (action === 'allow') return verdict({ action: 'allow', rule: rule.Name });
  }
  return verdict(acl.DefaultAction.Block !== undefined ? { action: 'block' } : { action: 'allow' });
}
