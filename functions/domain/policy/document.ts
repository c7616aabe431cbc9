// IAM policy documents: the JSON shapes, and their normalisation into one form the evaluator can walk.
// Pure data in, data out: this ships in Lambda, so no SDK and no third-party policy library.

export type PrincipalElement =
  | string
  | {
      AWS?: string | string[];
      Service?: string | string[];
      Federated?: string | string[];
      CanonicalUser?: string | string[];
    };

export type ConditionScalar = string | number | boolean;
export type ConditionElement = Record<string, Record<string, ConditionScalar | ConditionScalar[]>>;

/** A policy statement as written in JSON. A type alias (not an interface) so it is a `Record<string, unknown>`. */
export type Statement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PrincipalElement;
  NotPrincipal?: PrincipalElement;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: ConditionElement;
};

export type PolicyDocument = { Version?: string; Id?: string; Statement: Statement | Statement[] };

/** The policy text or document is not a policy AWS would have accepted. */
export class PolicyParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyParseError';
  }
}

export type PrincipalType = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';
export interface PrincipalEntry {
  type: PrincipalType;
  id: string;
}

export const BASE_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
] as const;
export type BaseOperator = (typeof BASE_OPERATORS)[number];

export interface NormalizedCondition {
  /** the operator as written, e.g. `ForAnyValue:StringLikeIfExists` */
  operator: string;
  base: BaseOperator;
  set?: 'ForAllValues' | 'ForAnyValue';
  ifExists: boolean;
  /** the condition key as written (compared case-insensitively) */
  key: string;
  values: string[];
}

export interface NormalizedStatement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  principal?: PrincipalEntry[];
  notPrincipal?: PrincipalEntry[];
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  conditions: NormalizedCondition[];
  raw: Record<string, unknown>;
}

export interface NormalizedPolicy {
  version?: string;
  /** policy variables (`${aws:username}`) are only substituted in 2012-10-17 policies */
  variables: boolean;
  statements: NormalizedStatement[];
}

const BASE_BY_LOWER = new Map<string, BaseOperator>(BASE_OPERATORS.map((op) => [op.toLowerCase(), op]));
const PRINCIPAL_TYPES: readonly PrincipalType[] = ['AWS', 'Service', 'Federated', 'CanonicalUser'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON text without a leading byte-order mark, which JSON.parse refuses. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(stripBom(text));
  } catch (cause) {
    throw new PolicyParseError(`policy is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

function stringList(v: unknown, where: string): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v;
  throw new PolicyParseError(`${where} must be a string or an array of strings`);
}

export function parsePrincipalElement(v: unknown, where: string): PrincipalEntry[] {
  if (typeof v === 'string') return [{ type: 'AWS', id: v }];
  if (!isRecord(v)) throw new PolicyParseError(`${where} must be "*" or an object`);
  const entries: PrincipalEntry[] = [];
  for (const [type, ids] of Object.entries(v)) {
    const known = PRINCIPAL_TYPES.find((t) => t === type);
    if (!known) throw new PolicyParseError(`${where} has an unknown principal type "${type}"`);
    for (const id of stringList(ids, `${where}.${type}`)) entries.push({ type: known, id });
  }
  return entries;
}

/** `ForAnyValue:StringLikeIfExists` → its parts; throws on an operator AWS does not know. */
export function parseOperator(operator: string): Pick<NormalizedCondition, 'base' | 'set' | 'ifExists'> {
  let rest = operator;
  let set: NormalizedCondition['set'];
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const prefix = rest.slice(0, colon).toLowerCase();
    if (prefix === 'forallvalues') set = 'ForAllValues';
    else if (prefix === 'foranyvalue') set = 'ForAnyValue';
    else throw new PolicyParseError(`unknown condition set operator in "${operator}"`);
    rest = rest.slice(colon + 1);
  }
  let lower = rest.toLowerCase();
  let ifExists = false;
  if (lower.endsWith('ifexists') && lower !== 'null') {
    ifExists = true;
    lower = lower.slice(0, -'ifexists'.length);
  }
  const base = BASE_BY_LOWER.get(lower);
  if (!base || (base === 'Null' && ifExists))
    throw new PolicyParseError(`unknown condition operator "${operator}"`);
  return { base, ifExists, ...(set ? { set } : {}) };
}

function conditionValues(v: unknown, where: string): string[] {
  const scalar = (x: unknown): string => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    throw new PolicyParseError(`${where} values must be strings, numbers or booleans`);
  };
  return Array.isArray(v) ? v.map(scalar) : [scalar(v)];
}

function parseConditions(v: unknown, where: string): NormalizedCondition[] {
  if (v === undefined) return [];
  if (!isRecord(v)) throw new PolicyParseError(`${where} must be an object`);
  const out: NormalizedCondition[] = [];
  for (const [operator, block] of Object.entries(v)) {
    const parsed = parseOperator(operator);
    if (!isRecord(block)) throw new PolicyParseError(`${where}.${operator} must be an object`);
    for (const [key, values] of Object.entries(block)) {
      out.push({ operator, ...parsed, key, values: conditionValues(values, `${where}.${operator}.${key}`) });
    }
  }
  return out;
}

function exactlyOne(raw: Record<string, unknown>, a: string, b: string, where: string): void {
  const hasA = raw[a] !== undefined;
  const hasB = raw[b] !== undefined;
  if (hasA && hasB) throw new PolicyParseError(`${where} has both ${a} and ${b}`);
  if (!hasA && !hasB) throw new PolicyParseError(`${where} has neither ${a} nor ${b}`);
}

export function normalizeStatement(raw: unknown, index: number): NormalizedStatement {
  const where = `Statement[${index}]`;
  if (!isRecord(raw)) throw new PolicyParseError(`${where} must be an object`);
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny')
    throw new PolicyParseError(`${where}.Effect must be "Allow" or "Deny"`);
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string')
    throw new PolicyParseError(`${where}.Sid must be a string`);
  // A resource policy names its principal; Resource is required in bucket and key policies alike.
  exactlyOne(raw, 'Principal', 'NotPrincipal', where);
  exactlyOne(raw, 'Action', 'NotAction', where);
  exactlyOne(raw, 'Resource', 'NotResource', where);
  const s: NormalizedStatement = {
    index,
    effect,
    conditions: parseConditions(raw.Condition, `${where}.Condition`),
    raw,
  };
  if (typeof raw.Sid === 'string') s.sid = raw.Sid;
  if (raw.Principal !== undefined) s.principal = parsePrincipalElement(raw.Principal, `${where}.Principal`);
  if (raw.NotPrincipal !== undefined)
    s.notPrincipal = parsePrincipalElement(raw.NotPrincipal, `${where}.NotPrincipal`);
  if (raw.Action !== undefined) s.action = stringList(raw.Action, `${where}.Action`);
  if (raw.NotAction !== undefined) s.notAction = stringList(raw.NotAction, `${where}.NotAction`);
  if (raw.Resource !== undefined) s.resource = stringList(raw.Resource, `${where}.Resource`);
  if (raw.NotResource !== undefined) s.notResource = stringList(raw.NotResource, `${where}.NotResource`);
  return s;
}

/** Parse policy text or a document object; `null` (no policy) stays `null`. */
export function normalizePolicy(policy: string | PolicyDocument | null | undefined): NormalizedPolicy | null {
  if (policy === null || policy === undefined) return null;
  const doc: unknown = typeof policy === 'string' ? parseJsonText(policy) : policy;
  if (!isRecord(doc)) throw new PolicyParseError('policy must be a JSON object');
  if (doc.Version !== undefined && typeof doc.Version !== 'string') {
    throw new PolicyParseError('Version must be a string');
  }
  if (doc.Statement === undefined) throw new PolicyParseError('policy has no Statement');
  const raws = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return {
    ...(typeof doc.Version === 'string' ? { version: doc.Version } : {}),
    variables: doc.Version === '2012-10-17',
    statements: raws.map((raw, i) => normalizeStatement(raw, i)),
  };
}
