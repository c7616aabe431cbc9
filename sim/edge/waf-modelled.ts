// WAF statements the edge model evaluates from the whole request it sees, the workflow's probe included:
// byte and size matches on headers, the query string and the method; rate-based rules with their scope-down
// statement; and the AWS managed rule groups whose documented signals it can compute (Bot Control at the
// common level, the anonymous IP list). Everything else is left to sim/edge/waf.ts (NOT_MODELLED).
import type { Scenario, WafStatement } from '../scenario/types.ts';
import { inAny, ipReputation, isAwsAddress } from './networks.ts';

export const NOT_MODELLED = Symbol('not-modelled');
export type Modelled = boolean | undefined | typeof NOT_MODELLED;

/** The parts of a request the modelled statements read (names of headers in lower case). */
export interface RequestParts {
  clientIp: string;
  uriPath: string;
  headers?: Readonly<Record<string, string>>;
  /** the query string without `?` */
  queryString?: string;
  method?: string;
}

export interface ModelContext {
  scenario: Scenario;
  /** the rule's name (samples are recorded per rule) */
  ruleName: string;
  /** evaluates a nested statement (a scope-down) the way the caller does */
  matches: (statement: WafStatement) => boolean | undefined;
  /** a BLOCK sample of this rule: for this client when `anyClient` is false, else for anyone */
  sampled: (anyClient: boolean) => boolean;
  /** the caller's text transformations (TextTransformation Type → transformed value) */
  transform: (value: string, type: string) => string;
}

type Field = NonNullable<WafStatement['ByteMatchStatement']>['FieldToMatch'];

/** The field's value; undefined when the request lacks it (a missing header); NOT_MODELLED for other fields. */
function fieldValue(field: Field, req: RequestParts): string | undefined | typeof NOT_MODELLED {
  if (field.UriPath !== undefined) return req.uriPath;
  if (field.QueryString !== undefined) return req.queryString ?? '';
  if (field.Method !== undefined) return (req.method ?? 'GET').toUpperCase();
  if (field.SingleHeader !== undefined) return req.headers?.[field.SingleHeader.Name.toLowerCase()];
  return NOT_MODELLED;
}

function transformed(
  value: string,
  steps: readonly { Priority: number; Type: string }[] | undefined,
  ctx: ModelContext,
) {
  return [...(steps ?? [])]
    .sort((a, b) => a.Priority - b.Priority)
    .reduce((v, t) => ctx.transform(v, t.Type), value);
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

function positional(value: string, search: string, position: string): boolean {
  switch (position) {
    case 'EXACTLY':
      return value === search;
    case 'STARTS_WITH':
      return value.startsWith(search);
    case 'ENDS_WITH':
      return value.endsWith(search);
    case 'CONTAINS':
      return value.includes(search);
    case 'CONTAINS_WORD':
      for (let i = value.indexOf(search); i >= 0; i = value.indexOf(search, i + 1)) {
        if (!isWordChar(value[i - 1]) && !isWordChar(value[i + search.length])) return true;
      }
      return false;
    default:
      return false;
  }
}

// A single header the request lacks matches no byte or size constraint: there is nothing to inspect, which is
// what makes NOT(header matches) the usual way to require a header.
function byteMatch(
  st: NonNullable<WafStatement['ByteMatchStatement']>,
  req: RequestParts,
  ctx: ModelContext,
): Modelled {
  if (st.FieldToMatch.UriPath !== undefined) return NOT_MODELLED;
  const value = fieldValue(st.FieldToMatch, req);
  if (value === NOT_MODELLED) return NOT_MODELLED;
  if (value === undefined) return false;
  return positional(
    transformed(value, st.TextTransformations, ctx),
    st.SearchString,
    st.PositionalConstraint,
  );
}

function sizeConstraint(
  st: NonNullable<WafStatement['SizeConstraintStatement']>,
  req: RequestParts,
  ctx: ModelContext,
): Modelled {
  const value = fieldValue(st.FieldToMatch, req);
  if (value === NOT_MODELLED) return NOT_MODELLED;
  if (value === undefined) return false;
  const size = Buffer.byteLength(transformed(value, st.TextTransformations, ctx));
  switch (st.ComparisonOperator) {
    case 'EQ':
      return size === st.Size;
    case 'NE':
      return size !== st.Size;
    case 'LE':
      return size <= st.Size;
    case 'LT':
      return size < st.Size;
    case 'GE':
      return size >= st.Size;
    case 'GT':
      return size > st.Size;
    default:
      return undefined;
  }
}

/**
 * A rate-based rule counts only the requests its scope-down statement matches. Its live count is unknowable
 * here: per client address (IP, FORWARDED_IP, custom keys) it blocks a client that GetSampledRequests shows
 * blocked; with CONSTANT every matching request shares one counter, so a BLOCK sample of anyone means the
 * site is over the limit and everyone in scope is blocked, the workflow's probe too (AWS WAF developer
 * guide, "Rate-based rule statement", aggregation options). A probe that sends a handful of requests never
 * reaches a per-IP limit by itself (the smallest Limit is 10 per evaluation window).
 */
function rateBased(st: NonNullable<WafStatement['RateBasedStatement']>, ctx: ModelContext): Modelled {
  if (st.ScopeDownStatement !== undefined) {
    const inScope = ctx.matches(st.ScopeDownStatement);
    if (inScope !== true) return inScope;
  }
  return ctx.sampled(st.AggregateKeyType === 'CONSTANT');
}

const BOT_CONTROL = 'AWSManagedRulesBotControlRuleSet';
const ANONYMOUS_IP = 'AWSManagedRulesAnonymousIpList';

// User agents of HTTP client libraries and command-line tools (Bot Control category "http_library").
const HTTP_LIBRARY =
  /^(curl|wget|python-requests|python-urllib|python-httpx|aiohttp|go-http-client|okhttp|axios|node-fetch|undici|java\/|apache-httpclient|libwww-perl|postmanruntime|guzzlehttp|ruby)/i;
// A browser's user agent: Mozilla/5.0 (platform) and a browser engine, and no self-declared bot.
const BROWSER = /^Mozilla\/5\.0 \(.+\) .*(AppleWebKit|Gecko|Trident)/;
const SELF_DECLARED_BOT = /bot|crawl|spider|slurp|headless|phantomjs|selenium|puppeteer|playwright/i;

export function isBrowserUserAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && BROWSER.test(userAgent) && !SELF_DECLARED_BOT.test(userAgent);
}

/** The rules of a modelled group that match the request, in the group's order, each with its default action. */
function groupRules(name: string, req: RequestParts, scenario: Scenario): string[] | undefined {
  const facts = ipReputation(scenario);
  const ua = req.headers?.['user-agent'];
  if (name === BOT_CONTROL) {
    // Common level: "The rules label traffic from these bots and block the ones that they cannot verify"
    // (AWS WAF developer guide, "AWS WAF Bot Control components"); SignalNonBrowserUserAgent blocks user
    // agents that don't seem to be from a web browser by default ("Bot Control example: Creating an
    // exception for a blocked user agent"). Rules in the group's documented order.
    const out: string[] = [];
    if (ua !== undefined && HTTP_LIBRARY.test(ua)) out.push('CategoryHttpLibrary');
    if (inAny(facts.botDataCenters, req.clientIp)) out.push('SignalKnownBotDataCenter');
    if (!isBrowserUserAgent(ua)) out.push('SignalNonBrowserUserAgent');
    return out;
  }
  if (name === ANONYMOUS_IP) {
    // AnonymousIPList: VPNs, proxies, Tor; HostingProviderIPList: hosting and cloud providers, and "The IP
    // list does not include AWS IP addresses" (AWS WAF developer guide, "IP reputation rule groups").
    const out: string[] = [];
    if (inAny(facts.anonymous, req.clientIp)) out.push('AnonymousIPList');
    if (inAny(facts.hostingProviders, req.clientIp) && !isAwsAddress(req.clientIp))
      out.push('HostingProviderIPList');
    return out;
  }
  return undefined;
}

/** The first rule of a modelled managed group that blocks the request (Count overrides skipped), or undefined. */
export function managedGroupBlocker(
  st: NonNullable<WafStatement['ManagedRuleGroupStatement']>,
  req: RequestParts,
  scenario: Scenario,
): string | undefined | typeof NOT_MODELLED {
  if (st.VendorName !== 'AWS') return NOT_MODELLED;
  const rules = groupRules(st.Name, req, scenario);
  if (rules === undefined) return NOT_MODELLED;
  const counted = new Set([
    ...(st.ExcludedRules ?? []).map((r) => r.Name),
    ...(st.RuleActionOverrides ?? []).filter((o) => o.ActionToUse.Block === undefined).map((o) => o.Name),
  ]);
  return rules.find((r) => !counted.has(r));
}

function managedGroup(
  st: NonNullable<WafStatement['ManagedRuleGroupStatement']>,
  req: RequestParts,
  ctx: ModelContext,
): Modelled {
  if (st.ScopeDownStatement !== undefined) {
    const inScope = ctx.matches(st.ScopeDownStatement);
    if (inScope !== true) return inScope;
  }
  const blocker = managedGroupBlocker(st, req, ctx.scenario);
  if (blocker === NOT_MODELLED) return NOT_MODELLED;
  // what GetSampledRequests shows for this client stands too (a signal the model does not compute)
  return blocker !== undefined || ctx.sampled(false);
}

/** The match of a statement evaluated here, or NOT_MODELLED to leave it to the caller. */
export function modelledMatch(st: WafStatement, req: RequestParts, ctx: ModelContext): Modelled {
  if (st.ByteMatchStatement !== undefined) return byteMatch(st.ByteMatchStatement, req, ctx);
  if (st.SizeConstraintStatement !== undefined) return sizeConstraint(st.SizeConstraintStatement, req, ctx);
  if (st.RateBasedStatement !== undefined) return rateBased(st.RateBasedStatement, ctx);
  if (st.ManagedRuleGroupStatement !== undefined) return managedGroup(st.ManagedRuleGroupStatement, req, ctx);
  return NOT_MODELLED;
}
