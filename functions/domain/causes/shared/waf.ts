// A small, pure evaluator of a WAFv2 web ACL against one logged request: the statements the edge model
// evaluates exactly (IP set, geo, byte match on the URI path, not/and/or), and rate-based or managed
// rule groups only through GetSampledRequests (a BLOCK sample of that rule for the same client IP).
// Every leaf reports why it (does not) match and the edit that would flip it, so the verdict names
// the rule and the list change a human should make. A statement it cannot evaluate is unknown, and
// stays unknown through NOT/AND/OR (three-valued logic): it never turns into a match.
import type {
  WafFieldToMatch,
  WafIpSet,
  WafRule,
  WafSampledRequest,
  WafStatement,
  WafWebAcl,
} from '../../waf-types.ts';

export interface WafRequest {
  clientIp: string;
  country?: string;
  /** URI path as the viewer sent it, without the query string */
  uriPath: string;
}

export interface WafLookup {
  /** samples of another web ACL are ignored */
  webAclArn?: string;
  ipSets: readonly WafIpSet[];
  sampledRequests: readonly WafSampledRequest[];
}

export interface StatementResult {
  /** false as well when the result is unknown (see `unknown`) */
  matched: boolean;
  /** statements that could not be evaluated and leave the result undetermined; absent or empty when known */
  unknown?: string[];
  /** why the statement holds (or not), for evidence */
  reasons: string[];
  /** edits that would flip the result, for the recommendation */
  fixes: string[];
}

export type WafAction = 'ALLOW' | 'BLOCK';

export interface WafVerdict {
  action: WafAction;
  /** the rule that terminated evaluation; null when the default action applied */
  rule: WafRule | null;
  reasons: string[];
  fixes: string[];
  /** earlier Block/Allow rules whose statement could not be evaluated: each might have decided instead */
  undetermined?: UndeterminedRule[];
}

export interface UndeterminedRule {
  rule: WafRule;
  action: WafAction;
  /** the statements that could not be evaluated, described */
  statements: string[];
}

// ---- IP addresses -------------------------------------------------------------------------

export interface ParsedIp {
  version: 4 | 6;
  value: bigint;
}

function parseIpv4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(s: string): bigint | null {
  let text = s.toLowerCase();
  // An embedded IPv4 tail (::ffff:192.0.2.1) stands for two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const tail = parseIpv4(v4[1]);
    if (tail === null) return null;
    text = `${text.slice(0, -v4[1].length)}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    value = (value << 16n) | BigInt(Number.parseInt(g, 16));
  }
  return value;
}

export function parseIp(s: string): ParsedIp | null {
  const t = s.trim();
  if (t.includes(':')) {
    const value = parseIpv6(t);
    return value === null ? null : { version: 6, value };
  }
  const value = parseIpv4(t);
  return value === null ? null : { version: 4, value };
}

/** `203.0.113.0/24` or `2001:db8::/32` contains the address; a bare address is a /32 or /128. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base = '', lenText] = cidr.trim().split('/');
  const net = parseIp(base);
  const addr = parseIp(ip);
  if (!net || !addr || net.version !== addr.version) return false;
  const bits = net.version === 4 ? 32 : 128;
  const len = lenText === undefined ? bits : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > bits) return false;
  const shift = BigInt(bits - len);
  return net.value >> shift === addr.value >> shift;
}

// ---- statements ---------------------------------------------------------------------------

function transform(value: string, type: string): string {
  switch (type) {
    case 'LOWERCASE':
      return value.toLowerCase();
    case 'URL_DECODE':
    case 'URL_DECODE_UNI':
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    case 'COMPRESS_WHITE_SPACE':
      return value.replace(/\s+/g, ' ');
    case 'NORMALIZE_PATH': {
      const out: string[] = [];
      for (const seg of value.replace(/\/{2,}/g, '/').split('/')) {
        if (seg === '.') continue;
        if (seg === '..') out.pop();
        else out.push(seg);
      }
      return out.join('/');
    }
    default:
      return value;
  }
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

function byteMatches(field: string, search: string, position: string): boolean {
  switch (position) {
    case 'EXACTLY':
      return field === search;
    case 'STARTS_WITH':
      return field.startsWith(search);
    case 'ENDS_WITH':
      return field.endsWith(search);
    case 'CONTAINS':
      return field.includes(search);
    case 'CONTAINS_WORD': {
      for (let i = field.indexOf(search); i >= 0; i = field.indexOf(search, i + 1)) {
        if (!isWordChar(field[i - 1]) && !isWordChar(field[i + search.length])) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

function hostBits(ip: string): number {
  return ip.includes(':') ? 128 : 32;
}

function sampledBlock(lookup: WafLookup, rule: WafRule, req: WafRequest): WafSampledRequest | undefined {
  return lookup.sampledRequests.find(
    (s) =>
      s.RuleName === rule.Name &&
      s.Action.toUpperCase() === 'BLOCK' &&
      s.Request.ClientIP === req.clientIp &&
      (!s.WebAclArn || lookup.webAclArn === undefined || s.WebAclArn === lookup.webAclArn),
  );
}

function fieldName(f: WafFieldToMatch | undefined): string {
  if (!f) return 'a field';
  if (f.SingleHeader) return `header ${f.SingleHeader.Name}`;
  if (f.SingleQueryArgument) return `query argument ${f.SingleQueryArgument.Name}`;
  const [first] = Object.keys(f);
  return first ?? 'a field';
}

/** One line naming a statement and what it inspects, for "could not be evaluated" evidence. */
export function describeStatement(st: WafStatement): string {
  if (st.RegexMatchStatement)
    return `RegexMatchStatement on ${fieldName(st.RegexMatchStatement.FieldToMatch)} /${st.RegexMatchStatement.RegexString}/`;
  if (st.RegexPatternSetReferenceStatement)
    return `RegexPatternSetReferenceStatement ${st.RegexPatternSetReferenceStatement.ARN} on ${fieldName(st.RegexPatternSetReferenceStatement.FieldToMatch)}`;
  if (st.ByteMatchStatement)
    return `ByteMatchStatement on ${fieldName(st.ByteMatchStatement.FieldToMatch)} ${st.ByteMatchStatement.PositionalConstraint} '${st.ByteMatchStatement.SearchString}'`;
  if (st.SizeConstraintStatement)
    return `SizeConstraintStatement on ${fieldName(st.SizeConstraintStatement.FieldToMatch)} ${st.SizeConstraintStatement.ComparisonOperator} ${st.SizeConstraintStatement.Size}`;
  if (st.SqliMatchStatement) return `SqliMatchStatement on ${fieldName(st.SqliMatchStatement.FieldToMatch)}`;
  if (st.XssMatchStatement) return `XssMatchStatement on ${fieldName(st.XssMatchStatement.FieldToMatch)}`;
  if (st.LabelMatchStatement) return `LabelMatchStatement ${st.LabelMatchStatement.Key}`;
  if (st.IPSetReferenceStatement) return `IPSetReferenceStatement ${st.IPSetReferenceStatement.ARN}`;
  return `${Object.keys(st)[0] ?? 'statement'}`;
}

function unknownResult(what: string, why: string): StatementResult {
  return { matched: false, unknown: [what], reasons: [`${what}: ${why}`], fixes: [] };
}

function isUnknown(r: StatementResult): boolean {
  return (r.unknown?.length ?? 0) > 0;
}

/** Evaluates one statement of `rule` against the request (three-valued: see StatementResult.unknown). */
export function evaluateStatement(
  st: WafStatement,
  req: WafRequest,
  rule: WafRule,
  lookup: WafLookup,
): StatementResult {
  if (st.IPSetReferenceStatement) {
    const arn = st.IPSetReferenceStatement.ARN;
    const set = lookup.ipSets.find((s) => s.ARN === arn);
    if (!set) return unknownResult(describeStatement(st), 'the IP set could not be read');
    const cidr = set.Addresses.find((a) => cidrContains(a, req.clientIp));
    const name = `IP set '${set.Name}' (${set.Id})`;
    return cidr
      ? {
          matched: true,
          reasons: [`ClientIP ${req.clientIp} is in ${cidr} of ${name}`],
          fixes: [`remove ${cidr} (it covers ${req.clientIp}) from ${name}`],
        }
      : {
          matched: false,
          reasons: [`ClientIP ${req.clientIp} is not in ${name}`],
          fixes: [`add ${req.clientIp}/${hostBits(req.clientIp)} to ${name}`],
        };
  }
  if (st.GeoMatchStatement) {
    const codes = st.GeoMatchStatement.CountryCodes;
    const list = `GeoMatchStatement CountryCodes [${codes.join(', ')}]`;
    if (req.country === undefined)
      return unknownResult(`GeoMatchStatement [${codes.join(', ')}]`, "the viewer's country is unknown");
    const country = req.country.toUpperCase();
    return codes.includes(country)
      ? {
          matched: true,
          reasons: [`country ${country} is in ${list}`],
          fixes: [`remove ${country} from ${list}`],
        }
      : {
          matched: false,
          reasons: [`country ${country} is not in ${list}`],
          fixes: [`add ${country} to ${list}`],
        };
  }
  if (st.ByteMatchStatement) {
    const bm = st.ByteMatchStatement;
    if (!bm.FieldToMatch.UriPath) return unknownResult(describeStatement(st), 'not evaluated');
    const steps = [...(bm.TextTransformations ?? [])].sort((a, b) => a.Priority - b.Priority);
    const field = steps.reduce((v, t) => transform(v, t.Type), req.uriPath);
    const what = `ByteMatchStatement UriPath ${bm.PositionalConstraint} '${bm.SearchString}'`;
    return byteMatches(field, bm.SearchString, bm.PositionalConstraint)
      ? {
          matched: true,
          reasons: [`URI path ${req.uriPath} matches ${what}`],
          fixes: [`narrow ${what} so it no longer matches ${req.uriPath}`],
        }
      : {
          matched: false,
          reasons: [`URI path ${req.uriPath} does not match ${what}`],
          fixes: [`widen ${what}`],
        };
  }
  if (st.NotStatement) {
    const inner = evaluateStatement(st.NotStatement.Statement, req, rule, lookup);
    // NOT unknown is unknown: inverting "could not evaluate" into a match would blame the rule.
    if (isUnknown(inner)) return inner;
    return { matched: !inner.matched, reasons: inner.reasons, fixes: inner.fixes };
  }
  if (st.AndStatement) {
    const parts = st.AndStatement.Statements.map((s) => evaluateStatement(s, req, rule, lookup));
    const failed = parts.filter((p) => !p.matched && !isUnknown(p));
    const open = parts.filter(isUnknown);
    // A true AND is undone by flipping any one part; a false one needs every false part flipped.
    if (failed.length > 0)
      return {
        matched: false,
        reasons: failed.flatMap((p) => p.reasons),
        fixes: failed.flatMap((p) => p.fixes),
      };
    if (open.length > 0)
      return {
        matched: false,
        unknown: open.flatMap((p) => p.unknown ?? []),
        reasons: parts.flatMap((p) => p.reasons),
        fixes: [],
      };
    return { matched: true, reasons: parts.flatMap((p) => p.reasons), fixes: parts.flatMap((p) => p.fixes) };
  }
  if (st.OrStatement) {
    const parts = st.OrStatement.Statements.map((s) => evaluateStatement(s, req, rule, lookup));
    const hits = parts.filter((p) => p.matched);
    const open = parts.filter(isUnknown);
    if (hits.length > 0)
      return { matched: true, reasons: hits.flatMap((p) => p.reasons), fixes: hits.flatMap((p) => p.fixes) };
    if (open.length > 0)
      return {
        matched: false,
        unknown: open.flatMap((p) => p.unknown ?? []),
        reasons: parts.flatMap((p) => p.reasons),
        fixes: [],
      };
    return { matched: false, reasons: parts.flatMap((p) => p.reasons), fixes: parts.flatMap((p) => p.fixes) };
  }
  if (st.RateBasedStatement) {
    const rb = st.RateBasedStatement;
    const sample = sampledBlock(lookup, rule, req);
    return sample
      ? {
          matched: true,
          reasons: [
            `GetSampledRequests: BLOCK sample of rule ${rule.Name} for ClientIP ${req.clientIp} (${sample.Request.Method} ${sample.Request.URI})`,
          ],
          fixes: [
            `raise the RateBasedStatement limit (${rb.Limit} requests per 5 minutes per ${rb.AggregateKeyType}) or exclude ${req.clientIp} with a scope-down statement`,
          ],
        }
      : {
          matched: false,
          reasons: [`no BLOCK sample of rule ${rule.Name} for ClientIP ${req.clientIp}`],
          fixes: [],
        };
  }
  if (st.ManagedRuleGroupStatement) {
    const group = `${st.ManagedRuleGroupStatement.VendorName}/${st.ManagedRuleGroupStatement.Name}`;
    const sample = sampledBlock(lookup, rule, req);
    if (!sample)
      return {
        matched: false,
        reasons: [`no BLOCK sample of rule ${rule.Name} for ClientIP ${req.clientIp}`],
        fixes: [],
      };
    const inner = sample.RuleNameWithinRuleGroup;
    return {
      matched: true,
      reasons: [
        `GetSampledRequests: BLOCK sample of rule ${rule.Name}${inner ? ` (rule ${inner} of ${group})` : ` (${group})`} for ClientIP ${req.clientIp} (${sample.Request.Method} ${sample.Request.URI})`,
      ],
      fixes: [
        inner
          ? `override rule ${inner} of managed group ${group} to Count, or add a scope-down statement that excludes these requests`
          : `override the blocking rule of managed group ${group} to Count, or add a scope-down statement that excludes these requests`,
      ],
    };
  }
  return unknownResult(describeStatement(st), 'this statement type is not evaluated');
}

function ruleAction(rule: WafRule): WafAction | 'COUNT' {
  // A rule group reference acts through its own rules unless overridden to Count.
  if (rule.Statement.ManagedRuleGroupStatement) return rule.OverrideAction?.Count ? 'COUNT' : 'BLOCK';
  const a = rule.Action ?? {};
  if (a.Block) return 'BLOCK';
  if (a.Allow) return 'ALLOW';
  // Count goes on; CAPTCHA and Challenge answer 405/202, never 403, so they explain no 403 here.
  return 'COUNT';
}

/**
 * Rules in priority order; the first matching non-Count rule decides, else the default action. A rule
 * whose statement is unknown decides only when the sampled requests show it blocking this client;
 * otherwise evaluation goes on past it, and the verdict lists it as undetermined.
 */
export function evaluateWebAcl(acl: WafWebAcl, req: WafRequest, lookup: WafLookup): WafVerdict {
  const rules = [...acl.Rules].sort((a, b) => a.Priority - b.Priority);
  const undetermined: UndeterminedRule[] = [];
  const withOpen = (v: WafVerdict): WafVerdict => (undetermined.length > 0 ? { ...v, undetermined } : v);
  for (const rule of rules) {
    const action = ruleAction(rule);
    if (action === 'COUNT') continue;
    const result = evaluateStatement(rule.Statement, req, rule, lookup);
    if (result.matched) return withOpen({ action, rule, reasons: result.reasons, fixes: result.fixes });
    if (!isUnknown(result)) continue;
    const statements = [...new Set(result.unknown)];
    const sample = action === 'BLOCK' ? sampledBlock(lookup, rule, req) : undefined;
    if (sample) {
      return withOpen({
        action,
        rule,
        reasons: [
          `${statements.join('; ')} could not be evaluated, but GetSampledRequests shows a BLOCK sample of rule ${rule.Name} for ClientIP ${req.clientIp} (${sample.Request.Method} ${sample.Request.URI})`,
        ],
        fixes: [`change rule ${rule.Name} (${statements.join('; ')}) so it no longer matches these requests`],
      });
    }
    undetermined.push({ rule, action, statements });
  }
  if (acl.DefaultAction.Block) {
    return withOpen({
      action: 'BLOCK',
      rule: null,
      reasons: [`no rule of web ACL ${acl.Name} allows the request and its DefaultAction is Block`],
      fixes: [`add an Allow rule to web ACL ${acl.Name} that matches these requests`],
    });
  }
  return withOpen({ action: 'ALLOW', rule: null, reasons: [], fixes: [] });
}

export function uriPathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
