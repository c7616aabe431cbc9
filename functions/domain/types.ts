// The data that flows through the workflow: alarm → evidence → diagnosis → plan → changes → outcome.
// Pure types: shapes mirror the AWS API outputs so collectors can copy them through unchanged.
import type {
  DistributionConfig,
  KeyGroupConfig,
  OriginAccessControlConfig,
  OriginRequestPolicyConfig,
} from '@aws-sdk/client-cloudfront';
import type {
  OwnershipControls,
  PublicAccessBlockConfiguration,
  ServerSideEncryptionConfiguration,
  WebsiteConfiguration,
} from '@aws-sdk/client-s3';
import type { WafIpSet, WafSampledRequest, WafWebAcl } from './waf-types.ts';

export const CAUSE_IDS = [
  'ORIGIN_ACCESS_MISSING',
  'PUBLIC_ACCESS_BLOCKED',
  'WEBSITE_ENDPOINT_ORIGIN',
  'DEFAULT_ROOT_OBJECT_MISSING',
  'GEO_RESTRICTED',
  'WAF_BLOCKED',
  'SIGNED_URL_REQUIRED',
  'BEHAVIOR_MISROUTED',
  'VIEWER_PROTOCOL_HTTPS_ONLY',
  'BUCKET_POLICY_GRANT_MISSING',
  'SOURCE_ARN_MISMATCH',
  'EXPLICIT_DENY',
  'OAI_NOT_GRANTED',
  'OAC_MISCONFIGURED',
  'OBJECT_NOT_FOUND',
  'KMS_ACCESS_DENIED',
  'OBJECT_OWNERSHIP',
  'REQUESTER_PAYS',
  'ALTERNATE_DOMAIN_MISSING',
  'METHOD_NOT_ALLOWED',
  'DISTRIBUTION_DISABLED',
  'EDGE_FUNCTION_DENIED',
  'CUSTOM_ORIGIN_DENIED',
  'DEPLOYMENT_IN_PROGRESS',
  'HOST_HEADER_FORWARDED',
  'STACKED_DISTRIBUTION',
] as const;
export type CauseId = (typeof CAUSE_IDS)[number];

export type Risk = 'safe' | 'destructive' | 'manual';

export type Outcome = 'REMEDIATED' | 'NO_ACTION_NEEDED' | 'ESCALATED' | 'REJECTED' | 'ROLLED_BACK' | 'FAILED';

/** A source that could not be read is recorded as such, and the diagnosis goes on. */
export type Readable<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** A viewer request that failed, as the access logs show it. */
export interface ViewerRequest {
  url: string;
  method: string;
  country?: string;
  clientIp?: string;
  headers?: Record<string, string>;
}

export interface ProbeRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
}

export interface ProbeResponse {
  status: number;
  /** lower-case header names */
  headers: Record<string, string>;
  body: string;
}

/** Who produced an error response, read from Server, X-Cache, body and origin headers (never X-Cache alone). */
export type ProbeSource =
  | 'cloudfront'
  | 'cloudfront-function'
  | 's3'
  | 's3-website'
  | 'custom-origin'
  | 'unknown';

export type ProbeKind =
  | 'ok'
  | 'redirect'
  | 'not-found'
  | 'cf-bad-request'
  | 'cf-method-not-allowed'
  | 'cf-geo-blocked'
  | 'cf-waf-blocked'
  | 'cf-missing-key'
  | 'cf-bad-signature'
  | 'cf-function-response'
  | 'cf-other'
  | 's3-access-denied'
  | 's3-kms-denied'
  | 's3-website-denied'
  | 's3-other'
  | 'origin-denied'
  | 'other-error';

export interface Fingerprint {
  source: ProbeSource;
  kind: ProbeKind;
  /** error code from an XML body (AccessDenied, MissingKey, ...) */
  code?: string;
  /** one-line reason from CloudFront's error page or the S3 message */
  reason?: string;
}

export interface ProbeResult {
  url: string;
  method: string;
  status: number;
  xCache?: string;
  server?: string;
  fingerprint: Fingerprint;
  /** first 2 KiB of the body, for evidence */
  bodyExcerpt?: string;
}

export type OriginKind = 's3-rest' | 's3-website' | 'cloudfront' | 'custom';

export interface OriginAccessControl {
  Id: string;
  OriginAccessControlConfig: OriginAccessControlConfig;
}

export interface OriginEvidence {
  id: string;
  domainName: string;
  originPath: string;
  kind: OriginKind;
  /** bucket name for S3 REST and website origins */
  bucket?: string;
  /** the OAC attached, when OriginAccessControlId is set; `ok: true, value: null` when none is set */
  oac: Readable<OriginAccessControl | null>;
  /** the legacy OAI, `origin-access-identity/cloudfront/ID` resolved */
  oai: Readable<{ Id: string; S3CanonicalUserId: string } | null>;
}

export interface ObjectHead {
  key: string;
  exists: boolean;
  serverSideEncryption?: string;
  kmsKeyId?: string;
  /** set only when the object's owner is not the bucket owner (another account wrote it with ACLs enabled):
   * that owner's account id when known, else `canonical:<canonical user id>` */
  ownerAccount?: string;
}

export interface BucketEvidence {
  name: string;
  policy: Readable<string | null>;
  publicAccessBlock: Readable<PublicAccessBlockConfiguration | null>;
  ownershipControls: Readable<OwnershipControls | null>;
  requestPayer: Readable<'BucketOwner' | 'Requester'>;
  encryption: Readable<ServerSideEncryptionConfiguration | null>;
  website: Readable<WebsiteConfiguration | null>;
  /** public ACL grant (AllUsers READ) on the bucket */
  publicAcl: Readable<boolean>;
  /** HeadObject of the keys the failing requests map to (origin path applied) */
  objects: Record<string, Readable<ObjectHead>>;
}

export interface KmsKeyEvidence {
  keyId: string;
  arn: string;
  policy: Readable<string>;
}

export interface WafEvidence {
  webAcl: WafWebAcl;
  ipSets: WafIpSet[];
  sampledRequests: WafSampledRequest[];
}

export interface FunctionEvidence {
  name: string;
  arn: string;
  eventType: string;
  /** TestFunction replay of each failing request: status code the function answers with, if any */
  replays: { url: string; method: string; result: Readable<{ responseStatus?: number; error?: string }> }[];
}

export interface DistributionEvidence {
  Id: string;
  ARN: string;
  DomainName: string;
  Status: string;
  ETag: string;
  DistributionConfig: DistributionConfig;
}

export interface Evidence {
  collectedAt: string;
  account: string;
  region: string;
  distribution: DistributionEvidence;
  origins: OriginEvidence[];
  buckets: Record<string, BucketEvidence>;
  accountPublicAccessBlock: Readable<PublicAccessBlockConfiguration | null>;
  kmsKeys: Record<string, KmsKeyEvidence>;
  waf: Readable<WafEvidence | null>;
  keyGroups: Record<string, Readable<KeyGroupConfig>>;
  functions: FunctionEvidence[];
  originRequestPolicies: Record<string, Readable<OriginRequestPolicyConfig>>;
  /** failing viewer requests (access logs) */
  requests: ViewerRequest[];
  /** the workflow's own probes of the failing requests, in the same order */
  probes: ProbeResult[];
  /** every API call made and how it ended, for the audit trail */
  calls: { api: string; target: string; ok: boolean; code?: string }[];
}

export interface Finding {
  id: CauseId;
  confidence: number;
  summary: string;
  evidence: string[];
  /** origin id, behavior path pattern, bucket, statement sid... that the planner needs */
  subject?: Record<string, string>;
  /**
   * Indices into Evidence.requests of the requests whose probe this cause keeps at 403 (now, or once
   * the other fixes are applied). The planner reads it to tell whether a manual cause still blocks
   * requests the verification will probe again.
   */
  requests?: number[];
}

export interface Diagnosis {
  /** true when the probes (or the logged viewer requests, for viewer-specific causes) still see 403 */
  reproduced: boolean;
  causes: Finding[];
}

/** One API call a change makes, as it will be sent. */
export interface ApiCall {
  service: 'cloudfront' | 's3' | 'kms';
  api: string;
  target: string;
}

export interface FieldDiff {
  path: string;
  before: unknown;
  after: unknown;
}

export type ChangeSpec =
  | { type: 'create-or-reuse-oac'; originId: string; bucket: string; oacName: string }
  | { type: 'merge-bucket-policy-statement'; bucket: string; statement: Record<string, unknown> }
  | {
      type: 'replace-bucket-policy-statement';
      bucket: string;
      index: number;
      statement: Record<string, unknown>;
    }
  | { type: 'update-distribution'; edits: DistributionEdit[] }
  | { type: 'merge-key-policy-statement'; keyId: string; statement: Record<string, unknown> }
  | { type: 'put-ownership-controls'; bucket: string; objectOwnership: 'BucketOwnerEnforced' }
  /** nothing to change: wait for the pending deployment, then invalidate and probe again */
  | { type: 'wait-for-deployment'; distributionId: string };

/** Edits applied to a fresh DistributionConfig, so a re-read after PreconditionFailed re-applies them. */
export type DistributionEdit =
  | { op: 'attach-oac'; originId: string; oacRef: 'created' | string }
  | { op: 'set-default-root-object'; value: string }
  | { op: 'set-behavior-target'; pathPattern: string; targetOriginId: string }
  | { op: 'set-viewer-protocol'; pathPattern: string; value: 'redirect-to-https' }
  | { op: 'set-origin-request-policy'; pathPattern: string; policyId: string }
  /** legacy cache settings: drop one header from ForwardedValues.Headers */
  | { op: 'remove-forwarded-header'; pathPattern: string; header: string }
  | { op: 'switch-origin-to-rest'; originId: string; domainName: string };

export interface Action {
  id: string;
  cause: CauseId;
  risk: Risk;
  description: string;
  calls: ApiCall[];
  diff: FieldDiff[];
  /** absent for manual actions: they are recommendations */
  change?: ChangeSpec;
}

export interface Plan {
  actions: Action[];
  requiresApproval: boolean;
  /** true when at least one action changes the account */
  hasChanges: boolean;
}

/** What a change touched, recorded before it is made, so rollback can restore it exactly. */
export type Snapshot =
  | { kind: 'distribution-config'; distributionId: string; config: DistributionConfig }
  | { kind: 'bucket-policy'; bucket: string; policy: string | null }
  | { kind: 'key-policy'; keyId: string; policy: string }
  | { kind: 'ownership-controls'; bucket: string; controls: OwnershipControls | null }
  /** `etag`: as CreateOriginAccessControl returned it, so the rollback can delete without reading first */
  | { kind: 'created-oac'; oacId: string; etag?: string };

export interface AppliedChange {
  actionId: string;
  description: string;
  calls: string[];
}
