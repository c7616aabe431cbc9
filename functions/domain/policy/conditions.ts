// Condition operators with their IfExists and ForAllValues/ForAnyValue forms, as IAM evaluates them.
import type { BaseOperator, NormalizedCondition } from './document.ts';
import { cidrContains, parseCidr, parseIp } from './ip.ts';
import { type ContextMap, compilePattern, matchTokens, splitArn } from './wildcard.ts';

/** Outcome of comparing one request value with one policy value; undefined = not comparable (bad value). */
type Compare = (
  requestValue: string,
  policyValue: string,
  ctx: ContextMap,
  variables: boolean,
) => boolean | undefined;

function stringCompare(wildcards: boolean, ignoreCase: boolean): Compare {
  return (v, pv, ctx, variables) => {
    const tokens = compilePattern(pv, ctx, { wildcards, variables });
    return tokens === undefined ? undefined : matchTokens(tokens, v, ignoreCase);
  };
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
function parseNumber(s: string): number | undefined {
  return NUMBER.test(s.trim()) ? Number(s) : undefined;
}

/** ISO 8601 date/time, or an integer meaning epoch seconds. */
export function parseDate(s: string): number | undefined {
  const t = s.trim();
  if (/^-?\d+$/.test(t)) return Number(t) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function ordered(
  parse: (s: string) => number | undefined,
  test: (req: number, pol: number) => boolean,
): Compare {
  return (v, pv) => {
    const a = parse(v);
    const b = parse(pv);
    return a === undefined || b === undefined ? undefined : test(a, b);
  };
}

function boolValue(s: string): boolean | undefined {
  const l = s.toLowerCase();
  return l === 'true' ? true : l === 'false' ? false : undefined;
}

const arnCompare: Compare = (v, pv, ctx, variables) => {
  const req = splitArn(v);
  const pol = splitArn(pv);
  if (!req || !pol) return undefined;
  // Each of the six parts is matched on its own, so a wildcard never spans a colon.
  for (let i = 0; i < 6; i++) {
    const tokens = compilePattern(pol[i] ?? '', ctx, { wildcards: true, variables });
    if (tokens === undefined) return undefined;
    if (!matchTokens(tokens, req[i] ?? '')) return false;
  }
  return true;
};

const NEGATED_OF = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
} as const satisfies Partial<Record<BaseOperator, BaseOperator>>;
type NegatedOperator = keyof typeof NEGATED_OF;
type PositiveOperator = Exclude<BaseOperator, NegatedOperator | 'Null'>;

const COMPARE: Record<PositiveOperator, Compare> = {
  StringEquals: stringCompare(false, false),
  StringEqualsIgnoreCase: stringCompare(false, true),
  StringLike: stringCompare(true, false),
  NumericEquals: ordered(parseNumber, (a, b) => a === b),
  NumericLessThan: ordered(parseNumber, (a, b) => a < b),
  NumericLessThanEquals: ordered(parseNumber, (a, b) => a <= b),
  NumericGreaterThan: ordered(parseNumber, (a, b) => a > b),
  NumericGreaterThanEquals: ordered(parseNumber, (a, b) => a >= b),
  DateEquals: ordered(parseDate, (a, b) => a === b),
  DateLessThan: ordered(parseDate, (a, b) => a < b),
  DateLessThanEquals: ordered(parseDate, (a, b) => a <= b),
  DateGreaterThan: ordered(parseDate, (a, b) => a > b),
  DateGreaterThanEquals: ordered(parseDate, (a, b) => a >= b),
  Bool: (v, pv) => {
    const a = boolValue(v);
    const b = boolValue(pv);
    return a === undefined || b === undefined ? undefined : a === b;
  },
  BinaryEquals: (v, pv) => v === pv,
  IpAddress: (v, pv) => {
    const cidr = parseCidr(pv);
    const ip = parseIp(v);
    return cidr && ip ? cidrContains(cidr, ip) : undefined;
  },
  // ArnEquals takes wildcards too, per part, exactly as ArnLike does.
  ArnEquals: arnCompare,
  ArnLike: arnCompare,
};

function isNegated(base: BaseOperator): base is NegatedOperator {
  return base in NEGATED_OF;
}

export function isNegatedOperator(base: BaseOperator): boolean {
  return isNegated(base);
}

/** One request value against all the policy values of a condition: ORed, or for a negated operator NOR-ed. */
function valueMatches(
  base: Exclude<BaseOperator, 'Null'>,
  v: string,
  values: readonly string[],
  ctx: ContextMap,
  variables: boolean,
): boolean {
  if (isNegated(base)) {
    const positive = COMPARE[NEGATED_OF[base]];
    // A value that cannot be compared (bad IP, unresolved variable) fails the negated test too.
    return values.every((pv) => positive(v, pv, ctx, variables) === false);
  }
  const compare = COMPARE[base];
  return values.some((pv) => compare(v, pv, ctx, variables) === true);
}

export function conditionMatches(c: NormalizedCondition, ctx: ContextMap, variables: boolean): boolean {
  const value = ctx.get(c.key.toLowerCase());
  if (c.base === 'Null') {
    const want = value === undefined ? 'true' : 'false';
    return c.values.some((v) => v.toLowerCase() === want);
  }
  const base = c.base;
  if (value === undefined) {
    // Missing key: IfExists and ForAllValues pass, ForAnyValue fails, and so does a positive operator;
    // a negated operator (StringNotEquals, NotIpAddress, ...) passes, as AWS evaluates it.
    if (c.ifExists || c.set === 'ForAllValues') return true;
    if (c.set === 'ForAnyValue') return false;
    return isNegated(base);
  }
  if (c.set) {
    const all = typeof value === 'string' ? [value] : value;
    const test = (v: string) => valueMatches(base, v, c.values, ctx, variables);
    return c.set === 'ForAllValues' ? all.every(test) : all.some(test);
  }
  // A multi-valued key needs a set operator; a single-valued operator never matches it.
  if (typeof value !== 'string') return false;
  return valueMatches(base, value, c.values, ctx, variables);
}
