// Who CloudFront is towards an S3 origin (OAC, OAI or nobody), and what the bucket policy lets that
// identity do: the questions the S3 group of rules asks about the failing requests.
import type { Origin } from '@aws-sdk/client-cloudfront';
import { describeProbe } from '../../fingerprint.ts';
import { normalizePolicy } from '../../policy/document.ts';
import {
  evaluateResourcePolicy,
  type PolicyDecision,
  type PolicyPrincipal,
  type StatementMatch,
} from '../../policy/evaluate.ts';
import { cloudFrontGrantStatement, mergeStatement, replaceStatement } from '../../policy/merge.ts';
import {
  CLOUDFRONT_SERVICE_PRINCIPAL,
  canList,
  cloudFrontCanRead,
  findGrantStatements,
  type GrantStatement,
  isPublicPolicy,
  oaiCanRead,
  oaiPrincipalArn,
  publicStatements,
} from '../../policy/questions.ts';
import { objectKey, type ResolvedRequest } from '../../routing.ts';
import type {
  Action,
  ApiCall,
  BucketEvidence,
  CauseId,
  Evidence,
  OriginAccessControl,
  OriginEvidence,
} from '../../types.ts';
import { grantAction, oacActions } from './origin-access.ts';
import { bpaFlag, objectExists } from './s3-origin.ts';

/** How CloudFront signs its requests to an S3 origin, as the config and the OAC/OAI look-ups show it. */
export type OriginIdentity =
  | { kind: 'oac'; oac: OriginAccessControl }
  /** an OAC id is set but CloudFront cannot sign with it: requests go out unsigned */
  | { kind: 'oac-broken'; id: string; problem: string }
  | { kind: 'oai'; id: string; canonicalUserId: string }
  /** an OAI is named that no longer exists */
  | { kind: 'oai-missing'; id: string }
  | { kind: 'none' }
  /** the OAC or OAI could not be read */
  | { kind: 'unknown'; detail: string };

export function configOrigin(ev: Evidence, originId: string): { origin: Origin; index: number } | undefined {
  const items = ev.distribution.DistributionConfig.Origins?.Items ?? [];
  const index = items.findIndex((o) => o.Id === originId);
  const origin = items[index];
  return origin ? { origin, index } : undefined;
}

const NOT_FOUND = /NoSuch|NotFound/i;

export function originIdentity(ev: Evidence, origin: OriginEvidence): OriginIdentity {
  const config = configOrigin(ev, origin.id)?.origin;
  const oacId = config?.OriginAccessControlId ?? '';
  if (oacId !== '' || (origin.oac.ok && origin.oac.value !== null)) {
    if (!origin.oac.ok) {
      return NOT_FOUND.test(origin.oac.code)
        ? {
            kind: 'oac-broken',
            id: oacId,
            problem: `does not exist (GetOriginAccessControl: ${origin.oac.code})`,
          }
        : { kind: 'unknown', detail: `GetOriginAccessControl ${oacId}: ${origin.oac.code}` };
    }
    const oac = origin.oac.value;
    if (oac === null) return { kind: 'oac-broken', id: oacId, problem: 'does not exist' };
    const c = oac.OriginAccessControlConfig;
    if (c.SigningBehavior === 'never')
      return { kind: 'oac-broken', id: oac.Id, problem: 'has SigningBehavior = never' };
    if (c.OriginAccessControlOriginType !== 's3') {
      return {
        kind: 'oac-broken',
        id: oac.Id,
        problem: `has OriginAccessControlOriginType = ${c.OriginAccessControlOriginType}`,
      };
    }
    return { kind: 'oac', oac };
  }
  const oaiRef = config?.S3OriginConfig?.OriginAccessIdentity ?? '';
  if (oaiRef !== '' || (origin.oai.ok && origin.oai.value !== null)) {
    const id = oaiRef.split('/').pop() ?? '';
    if (!origin.oai.ok) {
      return NOT_FOUND.test(origin.oai.code)
        ? { kind: 'oai-missing', id }
        : { kind: 'unknown', detail: `GetCloudFrontOriginAccessIdentity ${id}: ${origin.oai.code}` };
    }
    const oai = origin.oai.value;
    if (oai === null) return { kind: 'oai-missing', id };
    return { kind: 'oai', id: oai.Id, canonicalUserId: oai.S3CanonicalUserId };
  }
  if (!origin.oac.ok) return { kind: 'unknown', detail: `GetOriginAccessControl: ${origin.oac.code}` };
  return { kind: 'none' };
}

export function describeIdentity(identity: OriginIdentity): string {
  switch (identity.kind) {
    case 'oac':
      return `OAC ${identity.oac.Id} ('${identity.oac.OriginAccessControlConfig.Name}')`;
    case 'oac-broken':
      return `OAC ${identity.id}, which ${identity.problem}`;
    case 'oai':
      return `OAI ${identity.id}`;
    case 'oai-missing':
      return `OAI ${identity.id}, which no longer exists`;
    case 'none':
      return 'no OAC and no OAI (unsigned requests)';
    case 'unknown':
      return `an identity that could not be read (${identity.detail})`;
  }
}

/** The bucket policy text (`null`: no policy), or undefined when it could not be read or parsed. */
export function readPolicy(bucket: BucketEvidence): string | null | undefined {
  if (!bucket.policy.ok) return undefined;
  const text = bucket.policy.value;
  try {
    normalizePolicy(text);
  } catch {
    return undefined;
  }
  return text;
}

/** A policy question, or undefined when the policy is one the evaluator refuses. */
export function ask<T>(question: () => T): T | undefined {
  try {
    return question();
  } catch {
    return undefined;
  }
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

/**
 * Whether the identity may s3:GetObject the key under the bucket policy alone (Block Public Access,
 * ACLs, KMS and ownership not considered). A broken OAC is asked as the OAC it is meant to be.
 */
export function identityCanRead(
  ev: Evidence,
  identity: OriginIdentity,
  bucket: string,
  policy: string | null,
  key: string,
): PolicyDecision | undefined {
  switch (identity.kind) {
    case 'oac':
    case 'oac-broken':
      return cloudFrontDecision(ev, bucket, policy, key);
    case 'oai':
      return ask(() =>
        oaiCanRead(policy, { bucket, key, oaiId: identity.id, canonicalUserId: identity.canonicalUserId }),
      );
    case 'none':
    case 'oai-missing':
      return ask(() =>
        evaluateResourcePolicy(policy, {
          principal: { type: 'Anonymous' },
          action: 's3:GetObject',
          resource: objectArn(bucket, key),
          context: { 'aws:SecureTransport': true },
        }),
      );
    case 'unknown':
      return undefined;
  }
}

/** Whether the identity may s3:ListBucket (then S3 answers 404, not 403, for a missing key). */
export function identityCanList(
  ev: Evidence,
  identity: OriginIdentity,
  bucket: string,
  policy: string | null,
): PolicyDecision | undefined {
  const secure = { 'aws:SecureTransport': true };
  const list = (principal: PolicyPrincipal, context: Record<string, string | boolean>) =>
    ask(() => canList(policy, principal, bucket, context));
  switch (identity.kind) {
    case 'oac':
    case 'oac-broken':
      return list(
        { type: 'Service', id: CLOUDFRONT_SERVICE_PRINCIPAL },
        { ...secure, 'aws:SourceArn': ev.distribution.ARN, 'aws:SourceAccount': ev.account },
      );
    case 'oai': {
      // A policy may name the OAI by its IAM ARN or by its canonical user id.
      const byArn = list({ type: 'AWS', id: oaiPrincipalArn(identity.id) }, secure);
      if (byArn?.decision !== 'ImplicitDeny') return byArn;
      return list({ type: 'CanonicalUser', id: identity.canonicalUserId }, secure);
    }
    case 'none':
    case 'oai-missing':
      return list({ type: 'Anonymous' }, secure);
    case 'unknown':
      return undefined;
  }
}

export function statementName(m: StatementMatch): string {
  return m.sid !== undefined && m.sid !== '' ? `'${m.sid}'` : `#${m.index}`;
}

/** The policy's statements that grant everyone (public in Block Public Access terms). */
export function publicGrants(policy: string | null): StatementMatch[] {
  return ask(() => publicStatements(policy)) ?? [];
}

export interface PublicRead {
  /** a public policy statement grants reads */
  policy: boolean;
  /** a public ACL grants reads and ACLs are in force */
  acl: boolean;
  /** Block Public Access RestrictPublicBuckets (bucket or account) voids the public policy */
  policyBlocked: boolean;
  /** Block Public Access IgnorePublicAcls (bucket or account) voids the public ACL */
  aclBlocked: boolean;
}

/** ACLs count unless Object Ownership is BucketOwnerEnforced. */
function aclsEnabled(bucket: BucketEvidence): boolean {
  const controls = bucket.ownershipControls;
  return !(controls.ok && controls.value?.Rules?.[0]?.ObjectOwnership === 'BucketOwnerEnforced');
}

export function publicRead(ev: Evidence, bucket: BucketEvidence): PublicRead {
  const policy = readPolicy(bucket);
  const publicPolicy = policy !== undefined && policy !== null && ask(() => isPublicPolicy(policy)) === true;
  const publicAcl = bucket.publicAcl.ok && bucket.publicAcl.value && aclsEnabled(bucket);
  return {
    policy: publicPolicy,
    acl: publicAcl,
    policyBlocked: publicPolicy && bpaFlag(ev, bucket, 'RestrictPublicBuckets'),
    aclBlocked: publicAcl && bpaFlag(ev, bucket, 'IgnorePublicAcls'),
  };
}

/** Which Block Public Access configuration sets the flag, for evidence lines. */
export function bpaSource(
  ev: Evidence,
  bucket: BucketEvidence,
  flag: 'RestrictPublicBuckets' | 'IgnorePublicAcls',
): string {
  const onBucket = bucket.publicAccessBlock.ok && bucket.publicAccessBlock.value?.[flag] === true;
  const account = bucket.accountPublicAccessBlock ?? ev.accountPublicAccessBlock;
  const onAccount = account.ok && account.value?.[flag] === true;
  const where = [
    onBucket ? `bucket ${bucket.name}` : '',
    onAccount ? (bucket.account ? `account ${bucket.account}` : 'account') : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return `GetPublicAccessBlock (${where})`;
}

/** Anonymous readers really get the objects: a public grant that Block Public Access does not void. */
export function effectivelyPublic(p: PublicRead): boolean {
  return (p.policy && !p.policyBlocked) || (p.acl && !p.aclBlocked);
}

/** Failing requests (probe 403) that an S3 origin of the given kind refused, grouped by origin id. */
export function s3Refused(
  failing: readonly ResolvedRequest[],
  kinds: readonly ('s3-rest' | 's3-website')[] = ['s3-rest'],
): Map<string, ResolvedRequest[]> {
  const out = new Map<string, ResolvedRequest[]>();
  for (const r of failing) {
    if (!r.origin || (r.origin.kind !== 's3-rest' && r.origin.kind !== 's3-website')) continue;
    if (!kinds.includes(r.origin.kind)) continue;
    const source = r.probe?.fingerprint.source;
    if (source !== 's3' && source !== 's3-website') continue;
    const list = out.get(r.origin.id) ?? [];
    list.push(r);
    out.set(r.origin.id, list);
  }
  return out;
}

/** The S3 REST origins whose bucket refused failing requests, with that bucket's evidence. */
export function* refusedBuckets(
  ev: Evidence,
  failing: readonly ResolvedRequest[],
): Generator<{ originId: string; reqs: ResolvedRequest[]; origin: OriginEvidence; bucket: BucketEvidence }> {
  for (const [originId, reqs] of s3Refused(failing)) {
    const origin = reqs[0]?.origin;
    const bucket = origin?.bucket ? ev.buckets[origin.bucket] : undefined;
    if (origin && bucket) yield { originId, reqs, origin, bucket };
  }
}

/** The distinct non-empty S3 keys the requests ask for. */
export function keysOf(reqs: readonly ResolvedRequest[]): string[] {
  return [...new Set(reqs.map((r) => r.key).filter((k): k is string => k !== undefined && k !== ''))];
}

/** HeadObject answered and says the key does not exist. */
export function keyMissing(bucket: BucketEvidence, key: string): boolean {
  const o = bucket.objects[key];
  return o?.ok === true && !o.value.exists;
}

/**
 * Every key HeadObject says does not exist: restoring access would cure none of these requests. One
 * missing key among existing ones (a dead link) does not weaken an access cause that refuses them all.
 */
export function allMissing(bucket: BucketEvidence, keys: readonly string[]): boolean {
  return keys.length > 0 && keys.every((k) => keyMissing(bucket, k));
}

export function headLine(bucket: BucketEvidence, key: string): string {
  const o = bucket.objects[key];
  const where = `HeadObject s3://${bucket.name}/${key}`;
  if (!o) return `${where}: not checked`;
  if (!o.ok) return `${where}: unreadable (${o.code})`;
  return `${where}: ${o.value.exists ? 'exists' : 'does not exist (404 NoSuchKey)'}`;
}

export function probeLine(r: ResolvedRequest): string {
  return r.probe ? describeProbe(r.probe) : `access log: ${r.request.method} ${r.request.url}`;
}

/** Another S3 origin of the distribution whose bucket holds the object the request asks for. */
export function servedElsewhere(ev: Evidence, r: ResolvedRequest): OriginEvidence | undefined {
  const root = ev.distribution.DistributionConfig.DefaultRootObject;
  return ev.origins.find((o) => {
    if (o.id === r.origin?.id || !o.bucket || (o.kind !== 's3-rest' && o.kind !== 's3-website')) return false;
    const bucket = ev.buckets[o.bucket];
    return bucket !== undefined && objectExists(bucket, objectKey(o.originPath, r.uri, root));
  });
}

export function distributionCalls(ev: Evidence): ApiCall[] {
  return [
    { service: 'cloudfront', api: 'GetDistributionConfig', target: ev.distribution.Id },
    { service: 'cloudfront', api: 'UpdateDistribution', target: ev.distribution.Id },
  ];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The policy without its Deny statements: what it grants, whatever it also denies. */
export function grantsOnly(policy: string | null): string | null {
  if (policy === null) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    return policy;
  }
  if (!isRecord(doc)) return policy;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const allows = statements.filter((st) => !(isRecord(st) && st.Effect === 'Deny'));
  return JSON.stringify({ ...doc, Statement: allows });
}

/** An S3 REST origin signed by a working OAC whose reads the bucket policy does not grant. */
export interface OacReadGap {
  origin: OriginEvidence;
  bucket: BucketEvidence;
  policy: string | null;
  /** the failing requests whose key no statement grants CloudFront */
  reqs: ResolvedRequest[];
  keys: string[];
  /** statements granting CloudFront s3:GetObject, which do not cover these reads */
  grants: GrantStatement[];
  /** a Deny statement refuses these reads as well (EXPLICIT_DENY, which S3 evaluates first) */
  denied: boolean;
}

export function oacReadGaps(ev: Evidence, failing: readonly ResolvedRequest[]): OacReadGap[] {
  const gaps: OacReadGap[] = [];
  for (const reqs of s3Refused(failing).values()) {
    const origin = reqs[0]?.origin;
    const bucket = origin?.bucket ? ev.buckets[origin.bucket] : undefined;
    if (!origin || !bucket) continue;
    const identity = originIdentity(ev, origin);
    const policy = readPolicy(bucket);
    if (identity.kind !== 'oac' || policy === undefined) continue;
    // A Deny hides whether a grant is there: ask the policy's grants alone.
    const allows = grantsOnly(policy);
    let denied = false;
    const ungranted = reqs.filter((r) => {
      if (r.key === undefined || r.key === '') return false;
      const decision = identityCanRead(ev, identity, bucket.name, policy, r.key)?.decision;
      if (decision === 'ImplicitDeny') return true;
      if (decision !== 'ExplicitDeny') return false;
      const granted = identityCanRead(ev, identity, bucket.name, allows, r.key)?.decision === 'Allow';
      if (!granted) denied = true;
      return !granted;
    });
    if (ungranted.length === 0) continue;
    const grants = ask(() => findGrantStatements(policy, bucket.name)) ?? [];
    gaps.push({ origin, bucket, policy, reqs: ungranted, keys: keysOf(ungranted), grants, denied });
  }
  return gaps;
}

/** Whether CloudFront (this distribution, through an OAC) may s3:GetObject the key under the policy. */
export function cloudFrontDecision(
  ev: Evidence,
  bucket: string,
  policy: string | null,
  key: string,
): PolicyDecision | undefined {
  return ask(() =>
    cloudFrontCanRead(policy, { bucket, key, distributionArn: ev.distribution.ARN, account: ev.account }),
  );
}

export function cloudFrontReads(ev: Evidence, bucket: string, policy: string | null, key: string): boolean {
  return cloudFrontDecision(ev, bucket, policy, key)?.decision === 'Allow';
}

/**
 * The bucket-policy grant for this distribution's OAC. S3 refuses to store a policy that is still public
 * while BlockPublicAccess.BlockPublicPolicy is on, so a public statement (void anyway under
 * RestrictPublicBuckets) makes way for the grant instead of staying beside it.
 */
export function cloudFrontGrant(ev: Evidence, cause: CauseId, bucket: string): Action | null {
  const evidence = ev.buckets[bucket];
  const policy = evidence ? readPolicy(evidence) : undefined;
  const publics = policy ? publicGrants(policy) : [];
  if (!evidence || !policy || publics.length === 0 || !bpaFlag(ev, evidence, 'BlockPublicPolicy')) {
    return grantAction(ev, cause, bucket);
  }
  const statement = cloudFrontGrantStatement({ bucket, distributionArn: ev.distribution.ARN });
  if (ask(() => mergeStatement(policy, statement))?.changed === false) return null;
  // Only a statement Block Public Access already voids may go; a working public grant is a person's call.
  const only =
    publics.length === 1 && bpaFlag(ev, evidence, 'RestrictPublicBuckets') ? publics[0] : undefined;
  const replaced = only ? ask(() => replaceStatement(policy, only.index, statement)) : undefined;
  const names = publics.map(statementName).join(', ');
  if (!only || !replaced) {
    return {
      id: `grant-cloudfront:${bucket}`,
      cause,
      risk: 'manual',
      description: `Bucket ${bucket}'s policy has public statement(s) ${names}, which make S3 refuse any policy change while BlockPublicPolicy is on: remove them (or decide to keep the site public), then add an AllowCloudFrontServicePrincipal statement (s3:GetObject, AWS:SourceArn = ${ev.distribution.ARN})`,
      calls: [],
      diff: [],
    };
  }
  return {
    id: `grant-cloudfront:${bucket}`,
    cause,
    risk: 'destructive',
    description: `Replace public statement ${names} of bucket ${bucket}'s policy (void under Block Public Access, and refused by BlockPublicPolicy) with an AllowCloudFrontServicePrincipal statement (s3:GetObject, AWS:SourceArn = ${ev.distribution.ARN}), keeping every other statement`,
    calls: [
      { service: 's3', api: 'GetBucketPolicy', target: bucket },
      { service: 's3', api: 'PutBucketPolicy', target: bucket },
    ],
    diff: [{ path: `s3://${bucket} policy`, before: policy, after: replaced.policy }],
    change: { type: 'replace-bucket-policy-statement', bucket, index: only.index, statement },
  };
}

/** Grant plus OAC (created or reused, then attached); only the recommendation when the grant cannot be automated. */
export function oacAccessPlan(
  ev: Evidence,
  cause: CauseId,
  origin: OriginEvidence,
  bucket: string,
): Action[] {
  const grant = cloudFrontGrant(ev, cause, bucket);
  if (grant?.risk === 'manual') return [grant];
  return [...(grant ? [grant] : []), ...oacActions(ev, cause, origin, bucket)];
}
