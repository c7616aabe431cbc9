// A resource policy (bucket policy, key policy) evaluated on its own, with IAM's semantics:
// Principal/NotPrincipal, Action/NotAction, Resource/NotResource, Condition; an explicit Deny wins.
//
// Supported beyond the basics: policy variables (`${aws:username}`, `${key, 'default'}`, `${*}`) in
// Resource and in String*/Arn* condition values of 2012-10-17 policies, taken from the request context;
// an assumed-role session matches its role's ARN. Not modelled: Federated principals (never match),
// IAM unique-id principals (AIDA..., never match), and keys AWS would add by itself (pass them in `context`).
import { conditionMatches } from './conditions.ts';
import {
  type NormalizedStatement,
  normalizePolicy,
  type PolicyDocument,
  type PrincipalEntry,
} from './document.ts';
import { type ContextMap, compilePattern, globMatch, matchTokens, splitArn } from './wildcard.ts';

export type { PolicyDocument, Statement } from './document.ts';
export { PolicyParseError } from './document.ts';

export type PolicyPrincipal =
  | { type: 'Service'; id: string }
  | { type: 'AWS'; id: string /* ARN or account id */ }
  | { type: 'CanonicalUser'; id: string }
  | { type: 'Anonymous' };

export interface PolicyRequest {
  principal: PolicyPrincipal;
  action: string;
  resource: string;
  context: Record<string, string | string[] | boolean>;
  /**
   * Other names of the same caller (e.g. an OAI is both `CanonicalUser` and an IAM user ARN);
   * a Principal entry naming any of them matches.
   */
  principalAliases?: PolicyPrincipal[];
}

export interface StatementMatch {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
}

export interface PolicyDecision {
  decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  allowedBy: StatementMatch[];
  deniedBy: StatementMatch[];
}

const ALL_WILDCARDS = /^\*+$/;
const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:[^:]+:iam::(\d{12}):root$/;
const UNIQUE_ID = /^A[0-9A-Z]+$/;

export function buildContext(context: PolicyRequest['context']): ContextMap {
  const map = new Map<string, string | readonly string[]>();
  for (const [k, v] of Object.entries(context))
    map.set(k.toLowerCase(), typeof v === 'boolean' ? String(v) : v);
  return map;
}

function accountOf(p: PolicyPrincipal): string | undefined {
  if (p.type !== 'AWS') return undefined;
  if (ACCOUNT_ID.test(p.id)) return p.id;
  const account = splitArn(p.id)?.[4];
  return account && ACCOUNT_ID.test(account) ? account : undefined;
}

/** `arn:aws:iam::1:role/path/Name` covers the session `arn:aws:sts::1:assumed-role/Name/session`. */
function sessionOf(entryArn: string, requestArn: string): boolean {
  const e = splitArn(entryArn);
  const r = splitArn(requestArn);
  if (!e || !r || e[1] !== r[1] || e[4] !== r[4] || e[2] !== 'iam' || r[2] !== 'sts') return false;
  const [rKind, rName] = (r[5] ?? '').split('/');
  const eResource = e[5] ?? '';
  const eName = eResource.slice(eResource.lastIndexOf('/') + 1);
  if (rKind === 'assumed-role' && eResource.startsWith('role/')) {
    return (rName ?? '').toLowerCase() === eName.toLowerCase();
  }
  if (rKind === 'federated-user') return eResource === `user/${rName}`;
  return false;
}

export function principalEntryMatches(entry: PrincipalEntry, p: PolicyPrincipal): boolean {
  if (entry.type === 'AWS' && ALL_WILDCARDS.test(entry.id)) return true; // "*" includes anonymous and services
  if (p.type === 'Anonymous') return false;
  switch (entry.type) {
    case 'Service':
      return p.type === 'Service' && p.id === entry.id;
    case 'CanonicalUser':
      return p.type === 'CanonicalUser' && p.id === entry.id;
    case 'Federated':
      return false;
    case 'AWS': {
      const account = ACCOUNT_ID.test(entry.id) ? entry.id : ACCOUNT_ROOT.exec(entry.id)?.[1];
      // An account (id or :root) stands for every principal of that account.
      if (account !== undefined) return accountOf(p) === account;
      if (p.type !== 'AWS' || UNIQUE_ID.test(entry.id)) return false;
      return p.id === entry.id || sessionOf(entry.id, p.id);
    }
  }
}

function principalMatches(s: NormalizedStatement, callers: readonly PolicyPrincipal[]): boolean {
  const named = (entries: PrincipalEntry[]) =>
    entries.some((e) => callers.some((c) => principalEntryMatches(e, c)));
  if (s.principal) return named(s.principal);
  if (s.notPrincipal) return !named(s.notPrincipal);
  return false;
}

export function actionPatternMatches(pattern: string, action: string): boolean {
  if (ALL_WILDCARDS.test(pattern)) return true;
  const pc = pattern.indexOf(':');
  const ac = action.indexOf(':');
  if (pc < 0 || ac < 0) return false;
  const part = pattern.slice(pc + 1);
  if (part === '' || /\s/.test(part)) return false;
  // The service prefix takes no wildcards; the action name matches case-insensitively.
  if (pattern.slice(0, pc).toLowerCase() !== action.slice(0, ac).toLowerCase()) return false;
  return globMatch(part, action.slice(ac + 1), new Map(), {
    wildcards: true,
    variables: false,
    ignoreCase: true,
  });
}

/**
 * true/false, or undefined when a policy variable in the pattern has no value (then the entry matches
 * nothing, and a NotResource holding it does not apply either).
 */
export function resourcePatternMatches(
  pattern: string,
  resource: string,
  ctx: ContextMap,
  variables: boolean,
): boolean | undefined {
  if (ALL_WILDCARDS.test(pattern)) return true;
  let pol = splitArn(pattern);
  const req = splitArn(resource);
  if (!pol) {
    // A short ARN only makes sense with a trailing wildcard, which then spans the missing parts.
    if (!pattern.includes('*') || !req) return false;
    const parts = pattern.split(':');
    while (parts.length < 6) parts.push('*');
    pol = parts;
  }
  if (!req) return false;
  for (let i = 0; i < 6; i++) {
    const m = segmentMatches(pol[i] ?? '', req[i] ?? '', ctx, variables);
    if (m !== true) return m;
  }
  return true;
}

function segmentMatches(
  pattern: string,
  input: string,
  ctx: ContextMap,
  variables: boolean,
): boolean | undefined {
  const tokens = compilePattern(pattern, ctx, { wildcards: true, variables });
  return tokens === undefined ? undefined : matchTokens(tokens, input);
}

function listMatches(
  patterns: string[] | undefined,
  notPatterns: string[] | undefined,
  test: (p: string) => boolean | undefined,
): boolean {
  if (patterns) return patterns.some((p) => test(p) === true);
  if (notPatterns) return notPatterns.every((p) => test(p) === false);
  return false;
}

export function statementApplies(
  s: NormalizedStatement,
  req: PolicyRequest,
  ctx: ContextMap,
  variables: boolean,
): boolean {
  const callers = [req.principal, ...(req.principalAliases ?? [])];
  return (
    principalMatches(s, callers) &&
    listMatches(s.action, s.notAction, (p) => actionPatternMatches(p, req.action)) &&
    listMatches(s.resource, s.notResource, (p) => resourcePatternMatches(p, req.resource, ctx, variables)) &&
    s.conditions.every((c) => conditionMatches(c, ctx, variables))
  );
}

export function statementMatch(s: NormalizedStatement): StatementMatch {
  return { index: s.index, effect: s.effect, ...(s.sid !== undefined ? { sid: s.sid } : {}) };
}

export function evaluateResourcePolicy(
  policy: string | PolicyDocument | null,
  req: PolicyRequest,
): PolicyDecision {
  const doc = normalizePolicy(policy);
  const allowedBy: StatementMatch[] = [];
  const deniedBy: StatementMatch[] = [];
  if (doc) {
    const ctx = buildContext(req.context);
    for (const s of doc.statements) {
      if (!statementApplies(s, req, ctx, doc.variables)) continue;
      (s.effect === 'Deny' ? deniedBy : allowedBy).push(statementMatch(s));
    }
  }
  const decision = deniedBy.length > 0 ? 'ExplicitDeny' : allowedBy.length > 0 ? 'Allow' : 'ImplicitDeny';
  return { decision, allowedBy, deniedBy };
}
