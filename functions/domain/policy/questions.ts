// The questions the diagnosis asks of bucket and key policies, answered with the resource-policy evaluator.
import type { BaseOperator, NormalizedCondition, NormalizedStatement, PolicyDocument } from './document.ts';
import { normalizePolicy } from './document.ts';
import {
  actionPatternMatches,
  evaluateResourcePolicy,
  type PolicyDecision,
  type PolicyPrincipal,
  type PolicyRequest,
  type StatementMatch,
  statementMatch,
} from './evaluate.ts';
import { parseCidr } from './ip.ts';
import { compilePattern, globMatch, hasWildcard, prefixCoverage, splitArn } from './wildcard.ts';

export const CLOUDFRONT_SERVICE_PRINCIPAL = 'cloudfront.amazonaws.com';

type PolicyInput = string | PolicyDocument | null;

export function s3ObjectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

/** Keys AWS puts in the request context whenever a service principal calls. */
function serviceContext(service: string): Record<string, string | boolean> {
  return { 'aws:PrincipalServiceName': service, 'aws:PrincipalIsAWSService': true };
}

export interface CloudFrontReadQuery {
  bucket: string;
  /** the S3 object key (no leading slash) */
  key: string;
  distributionArn: string;
  /** the distribution's account id */
  account: string;
}

/** The request CloudFront makes to S3 through an OAC. */
export function cloudFrontReadRequest(q: CloudFrontReadQuery): PolicyRequest {
  return {
    principal: { type: 'Service', id: CLOUDFRONT_SERVICE_PRINCIPAL },
    action: 's3:GetObject',
    resource: s3ObjectArn(q.bucket, q.key),
    context: {
      ...serviceContext(CLOUDFRONT_SERVICE_PRINCIPAL),
      'aws:SourceArn': q.distributionArn,
      'aws:SourceAccount': q.account,
      'aws:SecureTransport': true,
    },
  };
}

export function cloudFrontCanRead(policy: PolicyInput, q: CloudFrontReadQuery): PolicyDecision {
  return evaluateResourcePolicy(policy, cloudFrontReadRequest(q));
}

export function oaiPrincipalArn(oaiId: string): string {
  return `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ${oaiId}`;
}

/**
 * May a legacy OAI read the object? The OAI is matched both by its canonical user id and by its IAM ARN,
 * since S3 rewrites one into the other when it stores a policy.
 */
export function oaiCanRead(
  policy: PolicyInput,
  q: {
    bucket: string;
    key: string;
    oaiId: string;
    canonicalUserId: string;
    context?: PolicyRequest['context'];
  },
): PolicyDecision {
  return evaluateResourcePolicy(policy, {
    principal: { type: 'AWS', id: oaiPrincipalArn(q.oaiId) },
    principalAliases: [{ type: 'CanonicalUser', id: q.canonicalUserId }],
    action: 's3:GetObject',
    resource: s3ObjectArn(q.bucket, q.key),
    context: { 'aws:SecureTransport': true, ...q.context },
  });
}

export function canList(
  policy: PolicyInput,
  principal: PolicyPrincipal,
  bucket: string,
  context: PolicyRequest['context'] = {},
): PolicyDecision {
  return evaluateResourcePolicy(policy, {
    principal,
    action: 's3:ListBucket',
    resource: `arn:aws:s3:::${bucket}`,
    context,
  });
}

// Keys that, pinned to a fixed value, make a wildcard-principal statement non-public (S3's rule).
const FIXED_VALUE_KEYS = new Set([
  'aws:sourcearn',
  'aws:sourceaccount',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:principalaccount',
  'aws:principalorgid',
  'aws:userid',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
]);
const FIXING_OPERATORS: ReadonlySet<BaseOperator> = new Set([
  'StringEquals',
  'StringEqualsIgnoreCase',
  'StringLike',
  'ArnEquals',
  'ArnLike',
]);

/** Narrower than /8 for IPv4; for IPv6 (no documented threshold) narrower than /32. */
function narrowCidr(v: string): boolean {
  const c = parseCidr(v);
  return c !== undefined && c.prefix > (c.version === 4 ? 8 : 32);
}

function narrowsToFixedValue(c: NormalizedCondition): boolean {
  // IfExists and ForAllValues pass when the key is absent, so they pin nothing.
  if (c.ifExists || c.set === 'ForAllValues' || c.values.length === 0) return false;
  const key = c.key.toLowerCase();
  if (key === 'aws:sourceip') return c.base === 'IpAddress' && c.values.every(narrowCidr);
  return (
    FIXED_VALUE_KEYS.has(key) &&
    FIXING_OPERATORS.has(c.base) &&
    c.values.every((v) => !hasWildcard(v) && !v.includes('${'))
  );
}

function isPublicStatement(s: NormalizedStatement): boolean {
  if (s.effect !== 'Allow') return false;
  const everyone =
    s.notPrincipal !== undefined || (s.principal ?? []).some((p) => p.type === 'AWS' && /^\*+$/.test(p.id));
  return everyone && !s.conditions.some(narrowsToFixedValue);
}

/** The Allow statements that make the policy public in S3's sense (wildcard principal, nothing pinned). */
export function publicStatements(policy: PolicyInput): StatementMatch[] {
  return (normalizePolicy(policy)?.statements ?? []).filter(isPublicStatement).map(statementMatch);
}

export function isPublicPolicy(policy: PolicyInput): boolean {
  return publicStatements(policy).length > 0;
}

export type Coverage = 'all' | 'partial' | 'none';

export interface GrantStatement extends StatementMatch {
  effect: 'Allow';
  /** the statement as written */
  statement: Record<string, unknown>;
  /** values of any condition on aws:SourceArn / aws:SourceAccount (whatever the operator) */
  sourceArns: string[];
  sourceAccounts: string[];
  /** Resource (or NotResource) as written */
  resources: string[];
  notResource: boolean;
  /** how much of the bucket's objects the statement's resources cover */
  bucketCoverage: Coverage;
}

function patternCoverage(pattern: string, bucket: string): Coverage {
  if (/^\*+$/.test(pattern)) return 'all';
  let parts = splitArn(pattern);
  if (!parts) {
    if (!pattern.includes('*')) return 'none';
    parts = pattern.split(':');
    while (parts.length < 6) parts.push('*');
  }
  const none = new Map<string, string>();
  const fixed = (p: string | undefined, v: string) =>
    globMatch(p ?? '', v, none, { wildcards: true, variables: false });
  // Any partition; service s3, and S3 bucket/object ARNs carry no region or account.
  if (!fixed(parts[0], 'arn') || !fixed(parts[2], 's3') || !fixed(parts[3], '') || !fixed(parts[4], '')) {
    return 'none';
  }
  const tokens = compilePattern(parts[5] ?? '', none, { wildcards: true, variables: false }) ?? [];
  return prefixCoverage(tokens, `${bucket}/`);
}

function coverageOf(s: NormalizedStatement, bucket: string): Coverage {
  const rank = { none: 0, partial: 1, all: 2 } as const;
  if (s.resource) {
    return s.resource
      .map((p) => patternCoverage(p, bucket))
      .reduce<Coverage>((a, b) => (rank[b] > rank[a] ? b : a), 'none');
  }
  const excluded = (s.notResource ?? []).map((p) => patternCoverage(p, bucket));
  return excluded.includes('all') ? 'none' : excluded.includes('partial') ? 'partial' : 'all';
}

/**
 * Allow statements naming the CloudFront service principal for s3:GetObject, whatever their conditions
 * and resources: the candidates for SOURCE_ARN_MISMATCH (another distribution, account, bucket or prefix).
 */
export function findGrantStatements(policy: PolicyInput, bucket: string): GrantStatement[] {
  const out: GrantStatement[] = [];
  for (const s of normalizePolicy(policy)?.statements ?? []) {
    if (s.effect !== 'Allow') continue;
    if (!(s.principal ?? []).some((p) => p.type === 'Service' && p.id === CLOUDFRONT_SERVICE_PRINCIPAL))
      continue;
    const grantsGet = s.action
      ? s.action.some((a) => actionPatternMatches(a, 's3:GetObject'))
      : !(s.notAction ?? []).some((a) => actionPatternMatches(a, 's3:GetObject'));
    if (!grantsGet) continue;
    const valuesOf = (key: string) =>
      s.conditions.filter((c) => c.key.toLowerCase() === key).flatMap((c) => c.values);
    out.push({
      index: s.index,
      ...(s.sid !== undefined ? { sid: s.sid } : {}),
      effect: 'Allow',
      statement: s.raw,
      sourceArns: valuesOf('aws:sourcearn'),
      sourceAccounts: valuesOf('aws:sourceaccount'),
      resources: s.resource ?? s.notResource ?? [],
      notResource: s.resource === undefined,
      bucketCoverage: coverageOf(s, bucket),
    });
  }
  return out;
}

/** May CloudFront (for this distribution) decrypt with the key? Key policies name the key as Resource "*". */
export function kmsDecryptAllowed(
  keyPolicy: PolicyInput,
  q: { distributionArn: string; account: string; keyArn?: string },
): PolicyDecision {
  return evaluateResourcePolicy(keyPolicy, {
    principal: { type: 'Service', id: CLOUDFRONT_SERVICE_PRINCIPAL },
    action: 'kms:Decrypt',
    resource: q.keyArn ?? '*',
    context: {
      ...serviceContext(CLOUDFRONT_SERVICE_PRINCIPAL),
      'aws:SourceArn': q.distributionArn,
      'aws:SourceAccount': q.account,
      'aws:SecureTransport': true,
    },
  });
}
