// "Public" in S3 Block Public Access terms: an Allow to everyone without a condition that pins the caller
// to a fixed account, network or source resource. An OAC grant (service principal + SourceArn) is not public.

/** Condition keys whose fixed values make a statement non-public (S3 user guide, "The meaning of public"). */
const NARROWING_KEYS = new Set([
  'aws:sourcearn',
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceip',
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:userid',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (isRecord(principal)) return asArray(principal.AWS).includes('*');
  return false;
}

function hasNarrowingCondition(condition: unknown): boolean {
  if (!isRecord(condition)) return false;
  for (const operator of Object.values(condition)) {
    if (!isRecord(operator)) continue;
    for (const [key, value] of Object.entries(operator)) {
      if (!NARROWING_KEYS.has(key.toLowerCase())) continue;
      // a wildcard value ("*" or "arn:aws:cloudfront::*") narrows nothing
      if (asArray(value).every((v) => typeof v === 'string' && !v.includes('*'))) return true;
    }
  }
  return false;
}

export function isPublicStatement(statement: unknown): boolean {
  if (!isRecord(statement) || statement.Effect !== 'Allow') return false;
  if (!isEveryone(statement.Principal)) return false;
  return !hasNarrowingCondition(statement.Condition);
}

/** True when any statement of the policy document (JSON text or parsed) is public. */
export function isPublicPolicy(policy: string | Record<string, unknown>): boolean {
  const doc: unknown = typeof policy === 'string' ? JSON.parse(policy) : policy;
  if (!isRecord(doc)) return false;
  return asArray(doc.Statement).some(isPublicStatement);
}
