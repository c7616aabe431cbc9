// Who CloudFront is when it calls S3, and what the bucket policy, ACL, Block Public Access and KMS
// key policy let that requester do. Policies are evaluated with @cloud-copilot/iam-simulate
// (AGPL; the simulated account only, never shipped to Lambda).
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import { anonymousPrincipal, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { ScenarioBucket, ScenarioKmsKey } from '../scenario/types.ts';

export type Requester =
  | { kind: 'oac'; sourceArn: string; sourceAccount: string }
  | { kind: 'oai'; id: string; arn: string; canonicalUserId: string }
  | { kind: 'anonymous' };

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface AccessResult {
  decision: Decision;
  /** what decided: policy, acl, bpa, policy-error... */
  via: string;
}

export const CLOUDFRONT_SERVICE = 'cloudfront.amazonaws.com';

export function oaiArn(id: string): string {
  return `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ${id}`;
}

/** Bucket-level and account-level Block Public Access combine: either one turns a setting on. */
export interface EffectiveBpa {
  restrictPublicBuckets: boolean;
  ignorePublicAcls: boolean;
}

export function effectiveBpa(
  bucket: ScenarioBucket,
  account: PublicAccessBlockConfiguration | null,
): EffectiveBpa {
  const b = bucket.PublicAccessBlockConfiguration;
  return {
    restrictPublicBuckets: b?.RestrictPublicBuckets === true || account?.RestrictPublicBuckets === true,
    ignorePublicAcls: b?.IgnorePublicAcls === true || account?.IgnorePublicAcls === true,
  };
}

/** ACLs stop mattering once Object Ownership is BucketOwnerEnforced. */
export function aclsEnabled(bucket: ScenarioBucket): boolean {
  return bucket.OwnershipControls?.Rules?.[0]?.ObjectOwnership !== 'BucketOwnerEnforced';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// S3 also accepts an OAI by its canonical user id; the simulator knows only ARNs, so such a
// principal is rewritten to the OAI's ARN before evaluation.
function canonicalToArn(policy: Json, canonicalUserId: string, arn: string): Json {
  if (!isRecord(policy)) return policy;
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement ?? null];
  const rewritten = statements.map((statement) => {
    if (!isRecord(statement) || !isRecord(statement.Principal)) return statement;
    const principal = { ...statement.Principal };
    const canonical = principal.CanonicalUser;
    if (canonical === undefined) return statement;
    const ids = (Array.isArray(canonical) ? canonical : [canonical]).map(String);
    if (!ids.includes(canonicalUserId)) return statement;
    const rest = ids.filter((id) => id !== canonicalUserId);
    if (rest.length > 0) principal.CanonicalUser = rest;
    else delete principal.CanonicalUser;
    const aws = principal.AWS;
    principal.AWS = [...(aws === undefined ? [] : Array.isArray(aws) ? aws : [aws]), arn];
    return { ...statement, Principal: principal };
  });
  return { ...policy, Statement: rewritten };
}

// runUnsafeSimulation (the synchronous entry point) loads the resource policy without metadata
// and then reads metadata().name; a ValidatedPolicy-shaped value carries that metadata.
function asValidated(policy: Json, name: string): object {
  return { __validated: true, policyDocument: policy, metadata: { name }, errors: [] };
}

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function simulate(
  requester: Requester,
  action: string,
  resource: string,
  resourceAccount: string,
  policy: Json | undefined,
  context: Record<string, string>,
  blockPublicAccess: boolean,
): Decision {
  const principal =
    requester.kind === 'oac'
      ? CLOUDFRONT_SERVICE
      : requester.kind === 'oai'
        ? requester.arn
        : anonymousPrincipal;
  const contextVariables: Record<string, string> = { ...context };
  if (requester.kind === 'oac') {
    contextVariables['aws:SourceArn'] = requester.sourceArn;
    contextVariables['aws:SourceAccount'] = requester.sourceAccount;
  }
  const simulation: Simulation = {
    request: { principal, action, resource: { resource, accountId: resourceAccount }, contextVariables },
    // an OAI has no IAM identity of its own: the bucket policy alone decides, so its identity
    // side must not be what denies a cross-account grant
    identityPolicies: requester.kind === 'oai' ? [{ name: 'oai', policy: ALLOW_ALL }] : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: policy === undefined ? undefined : asValidated(policy, 'resource-policy'),
    additionalSettings: { s3: { blockPublicAccess } },
  };
  return runUnsafeSimulation(simulation, {});
}

function parsePolicy(text: string | null): Json | undefined {
  if (text === null || text === '') return undefined;
  return JSON.parse(text) as Json;
}

export interface BucketAccessInput {
  bucket: ScenarioBucket;
  account: string;
  requester: Requester;
  action: 's3:GetObject' | 's3:ListBucket' | 's3:PutObject' | 's3:DeleteObject';
  key?: string;
  bpa: EffectiveBpa;
  secureTransport: boolean;
  /** request headers CloudFront sends that bucket policies can test (aws:Referer, aws:UserAgent; issue 11) */
  headers?: { referer?: string; userAgent?: string };
}

/** The bucket's answer for one action: policy (with BPA RestrictPublicBuckets), then public ACL. */
export function bucketAccess(input: BucketAccessInput): AccessResult {
  const { bucket, requester, action } = input;
  const resource =
    input.key === undefined ? `arn:aws:s3:::${bucket.Name}` : `arn:aws:s3:::${bucket.Name}/${input.key}`;
  const context: Record<string, string> = { 'aws:SecureTransport': String(input.secureTransport) };
  if (input.headers?.referer !== undefined) context['aws:Referer'] = input.headers.referer;
  if (input.headers?.userAgent !== undefined) context['aws:UserAgent'] = input.headers.userAgent;
  let decision: Decision;
  let policy: Json | undefined;
  try {
    policy = parsePolicy(bucket.Policy);
    if (policy !== undefined && requester.kind === 'oai') {
      policy = canonicalToArn(policy, requester.canonicalUserId, requester.arn);
    }
    decision = simulate(
      requester,
      action,
      resource,
      input.account,
      policy,
      context,
      input.bpa.restrictPublicBuckets,
    );
  } catch {
    // a policy S3 would never have accepted grants nothing
    return { decision: 'ImplicitlyDenied', via: 'policy-error' };
  }
  if (decision === 'ExplicitlyDenied' && input.bpa.restrictPublicBuckets) {
    // tell a Deny statement from RestrictPublicBuckets overriding a public grant
    const withoutBpa = simulate(requester, action, resource, input.account, policy, context, false);
    if (withoutBpa === 'Allowed') return { decision, via: 'bpa-restrict-public-buckets' };
  }
  if (decision !== 'ImplicitlyDenied') return { decision, via: 'policy' };
  const readAction = action === 's3:GetObject' || action === 's3:ListBucket';
  if (readAction && bucket.PublicReadAcl === true && aclsEnabled(bucket)) {
    if (input.bpa.ignorePublicAcls) return { decision, via: 'acl-ignored' };
    return { decision: 'Allowed', via: 'acl' };
  }
  return { decision, via: 'policy' };
}

function keyAccount(key: ScenarioKmsKey, fallback: string): string {
  return key.Arn.split(':')[4] || fallback;
}

/** Whether the requester may kms:Decrypt with the key (only an OAC-signed request ever can). */
export function kmsDecryptAllowed(key: ScenarioKmsKey, requester: Requester, account: string): boolean {
  if (requester.kind !== 'oac') return false;
  try {
    const decision = simulate(
      requester,
      'kms:Decrypt',
      key.Arn,
      keyAccount(key, account),
      parsePolicy(key.Policy),
      { 'aws:SecureTransport': 'true' },
      false,
    );
    return decision === 'Allowed';
  } catch {
    return false;
  }
}
